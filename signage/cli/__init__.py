"""The ``signage`` command line (``signage.cli.group``: the Click group and its lazily loaded commands).

The console script starts here, in a module that imports nothing: ``signage plan --branch B
[--screen S] --at T``, the question a person or a monitoring script asks most often and wants
at once, is answered from the published answers (``cli.quick``) before Click and the command
modules are imported, when the answers hold and the command line is one of its plain forms.
Anything else, and any doubt, goes to the Click command line, which gives the same answer.
"""

from __future__ import annotations

from typing import Any


def run() -> None:
    """Console-script entry point."""
    import sys

    from .quick import answered

    if answered(sys.argv[1:]):
        return
    from .group import run as run_group

    run_group()


def __getattr__(name: str) -> Any:
    # `from signage.cli import main` (the Click group), COMMANDS and the rest, as before they moved
    import importlib

    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(importlib.import_module(f"{__name__}.group"), name)
