"""``signage text``: lay one text out in a box, the template designer's inspection tool."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..atomic import atomic_write_bytes
from ..errors import Problem, SignageError
from ..kinds import read
from ..project.locate import find_project_dir
from ..project.model import Project
from ..project.views import require_branch
from ..resources import example_project_dir
from ..typography.layout import Box, TextLayout, TextStyle, fit_text
from ..typography.linebreak import BreakLevel
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


@dataclass(frozen=True)
class TextRequest:
    """What ``signage text`` was asked for."""

    text: str
    width: int
    height: int | None = None
    role: str = "sans"
    size: str = "48"  # a size in px, or MAX..MIN to fit
    max_lines: int | None = None
    line_height: float = 1.25
    align: str = "left"
    valign: str = "top"
    locale: str | None = None
    branch_id: str | None = None
    strict: bool = False
    headline: bool = False
    output: Path | None = None  # a PNG preview to write
    scale: int = 1


@dataclass(frozen=True)
class TextResult:
    layout: TextLayout
    note: str | None  # said when --size was given for a bitmap font, which has one size


def lay_out(explicit: str | None, request: TextRequest) -> TextResult:
    """Lay the text out as asked (in the project's fonts, else the example's) and write the preview if asked."""
    largest, smallest = parse_size_range(request.size)
    style = TextStyle(
        role=request.role,
        size=largest,
        min_size=smallest,
        max_lines=request.max_lines,
        line_height=request.line_height,
        align=request.align,  # type: ignore[arg-type]  # click.Choice checked it
        valign=request.valign,  # type: ignore[arg-type]
        level=BreakLevel.strict if request.strict else BreakLevel.basic,
        headline=request.headline,
    )
    project = project_for_tools(explicit)
    layout = layout_text(
        project, request.text, Box(request.width, request.height), style, request.locale, request.branch_id
    )
    fixed = layout.chain.fixed_size
    note = None
    if fixed and (largest, smallest) != (fixed, fixed) and request.size != "48":
        note = f"{request.role} is a bitmap font: it is set at {fixed} px whatever --size says"
    if request.output is not None:
        save_preview(layout, request.output, request.scale)
    return TextResult(layout, note)
