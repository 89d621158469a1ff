"""Where the files shipped with signage live: bundled fonts and the example project.

In a wheel they sit under ``signage/_data``; in a source checkout (or an editable
install) they are the repository's own ``fonts/``, ``content/`` and friends.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_WHEEL_DATA = _PACKAGE / "_data"
_CHECKOUT = _PACKAGE.parent

EXAMPLE_FILES = ("signage.yaml", "branches.csv", "content", "templates", "playlists", "media")


def bundled_fonts_dir() -> Path:
    """The folder holding fonts.yaml and the font files every project can use."""
    wheel = _WHEEL_DATA / "fonts"
    return wheel if (wheel / "fonts.yaml").is_file() else _CHECKOUT / "fonts"


def example_project_dir() -> Path:
    """The embedded example project that ``signage init`` copies."""
    wheel = _WHEEL_DATA / "example"
    return wheel if (wheel / "signage.yaml").is_file() else _CHECKOUT


def cache_dir() -> Path:
    """Derived files shared by all projects (font subsets): SIGNAGE_CACHE_DIR, else
    $XDG_CACHE_HOME/signage, else ~/.cache/signage."""
    explicit = os.environ.get("SIGNAGE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "signage"
