"""``signage text``: lay one text out in a box, the template designer's inspection tool."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from ..errors import Problem, SignageError
from ..outputs import read
from ..project.loader import Project, find_project_dir
from ..publish import atomic_write_bytes
from ..resources import example_project_dir
from ..typography.layout import Box, TextLayout, TextStyle, fit_text
from ..typography.raster import preview


def parse_size_range(value: str) -> tuple[int, int]:
    """'48' -> (48, 48); '48..16' (or '16..48') -> (48, 16): largest first."""
    parts = value.split("..")
    try:
        sizes = [int(p) for p in parts]
    except ValueError:
        raise SignageError(f"--size: {value!r} is not SIZE or MAX..MIN in whole pixels") from None
    if len(sizes) not in (1, 2) or min(sizes) <= 0 or max(sizes) > 2000:
        raise SignageError(f"--size: {value!r} is not SIZE or MAX..MIN with sizes from 1 to 2000 px")
    return max(sizes), min(sizes)


def project_for_tools(explicit: str | None) -> Project:
    """The current project, or the bundled example one when there is none (for its fonts)."""
    try:
        root = find_project_dir(explicit=explicit)
    except SignageError:
        if explicit:
            raise
        root = example_project_dir()
    project, problems = read(root)
    if project is None:  # signage.yaml itself is broken; a broken case file elsewhere is not our business
        raise SignageError(problems)
    return project


def layout_text(
    project: Project, text: str, box: Box, style: TextStyle, locale: str | None, branch: str | None = None
) -> TextLayout:
    locale = project.locale_for(locale)
    if branch is None and project.expressions.uses(text, "branch"):
        from ..project.views import require_branch

        require_branch(project, "the text", locale)
    rendered = project.expressions.fill_string(text, project.context(locale, project.branch(branch, locale)))
    chain = project.fonts.chain(style.role, locale)
    return fit_text(rendered, box, style, chain, item="text")


def write_png(image: Image.Image, path: Path) -> None:
    """Encode in memory, then write to a temporary name and rename into place."""
    if path.suffix.lower() != ".png":
        raise SignageError(Problem("the preview is a PNG: give a file name ending in .png", file=path))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    atomic_write_bytes(path, buffer.getvalue())


def save_preview(layout: TextLayout, path: Path, scale: int = 1) -> None:
    write_png(preview(layout, scale=scale), path)
