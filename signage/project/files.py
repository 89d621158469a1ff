"""Files a project names (images, music, backgrounds, supplied media, fonts): inside it, links followed."""

from __future__ import annotations

from pathlib import Path


def inside(root: Path, name: str) -> Path:
    """``root / name``, after checking that it stays inside ``root`` once symbolic links are followed.

    A plain ``../`` is refused where the name is read; this catches a link (or a linked folder)
    inside the project that points out of it. ValueError says which.
    """
    path = root / name
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        raise ValueError(f"{name} leads outside the project folder through a symbolic link") from None
    return path
