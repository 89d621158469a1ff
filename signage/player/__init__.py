"""The branch's browser player, ``player.html?screen=ID``: one page, filled from its Jinja2 template.

Published beside a branch's versions (reading ``current/``), or into an exported bundle, where
it reads the bundle's own files (``data-base=""``). Part of the network layer: it is what
publishing and export write.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..tree import PLAYER


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("signage.player", "."),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def player_page(bundle: bool = False) -> bytes:
    """The page: for a published branch, or (``bundle``) for an exported bundle's own files."""
    return _environment().get_template(PLAYER).render(bundle=bundle).encode("utf-8")
