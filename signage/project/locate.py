"""Where a project is, which files it is read from, and where its output goes: answered without
loading it (no YAML, no models), for the commands that must start fast (``plan --at``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import Problem, SignageError
from ..resources import bundled_fonts_dir

CONFIG_FILE = "signage.yaml"
# what the loader reads, beside signage.yaml's branches_file: a change to any file under these is a
# change to the project (the stamp of ``signage.fingerprint`` watches them)
INPUTS = (CONFIG_FILE, "content", "templates", "playlists", "media", "fonts")
_OUTPUT = re.compile(r"""^output:[ \t]*(?:"([^"\\]+)"|'([^']+)'|([^\s#'"][^#]*?))[ \t]*(?:#.*)?$""", re.MULTILINE)


def find_project_dir(start: Path | None = None, explicit: str | os.PathLike[str] | None = None) -> Path:
    """``explicit`` (``--project`` / SIGNAGE_PROJECT), else the nearest folder up with signage.yaml."""
    if explicit:
        root = Path(explicit)
        if not (root / CONFIG_FILE).is_file():
            raise SignageError(Problem(f"no {CONFIG_FILE} in {root}", file=root))
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise SignageError(
        f"no {CONFIG_FILE} in {here} or any folder above it: run `signage init DIR` or pass --project DIR"
    )


def input_names(branches_file: str | None = None) -> tuple[str, ...]:
    """The files and folders a project is read from (relative to its root; the bundled fonts absolute)."""
    return (*INPUTS, *([branches_file] if branches_file else []), str(bundled_fonts_dir()))


def output_hint(root: Path) -> str:
    """The ``output:`` setting as signage.yaml's text spells it on a top-level line, else the default.

    Only a hint: whoever trusts what it finds there checks it against the project's stamp."""
    try:
        text = (root / CONFIG_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "output"
    found = _OUTPUT.search(text)
    return next((g for g in found.groups() if g), "output") if found else "output"
