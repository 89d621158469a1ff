"""Compose LED pages and scroll strips as palette-index images (0 off, 1 text, 2 emphasis).

Pure functions of a job and the fonts: no files. Text is drawn 1-bit at the font's
own pixel size, then every pixel is enlarged to scale x scale LED pixels, so nothing
is ever anti-aliased grey.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from ..errors import Problem, SignageError
from ..scroll import padded_gap
from ..typography.fonts import FontChain, FontFace, FontRegistry
from ..typography.layout import Box, Line, TextLayout, TextStyle, layout_at, lines_to_keep_words
from ..typography.linebreak import unsplittable_spans
from .template import RowFont

if TYPE_CHECKING:
    from .job import LedJob  # the job renders through this module: a name for annotations only

OFF, TEXT, EMPHASIS = 0, 1, 2
_DIGIT = re.compile(r"\d")


@dataclass
class LedPage:
    image: Image.Image  # mode "L" holding OFF / TEXT / EMPHASIS, screen size
    text: str


@dataclass
class LedStrip:
    image: Image.Image  # mode "L" indices, screen height, text width + gap
    text_width: int
    gap: int


@dataclass
class LedRender:
    job: LedJob
    pages: list[LedPage] = field(default_factory=list)
    strip: LedStrip | None = None
    warnings: list[str] = field(default_factory=list)


def emphasis_indices(text: str, enabled: bool) -> frozenset[int]:
    """Source positions drawn in the emphasis colour: hotlines, phone numbers, amounts."""
    if not enabled:
        return frozenset()
    marked: set[int] = set()
    for start, end in unsplittable_spans(text):
        if _DIGIT.search(text, start, end):
            marked.update(range(start, end))
    return frozenset(marked)


def _paint_line(
    draw: ImageDraw.ImageDraw,
    layout: TextLayout,
    line: Line,
    top: int,
    emphasis: frozenset[int],
    baseline_at: float | None = None,
) -> None:
    """Draw one line, run by run, 1-bit, its baseline ``baseline_at`` below ``top`` (default:
    where the line's em box puts it)."""
    baseline = top + (line.baseline - line.y if baseline_at is None else baseline_at)
    chain = layout.chain
    run: list[str] = []
    run_key: tuple[int, int] | None = None
    run_x = 0.0
    end_x = 0.0
    for glyph in line.glyphs:
        key = (glyph.face, EMPHASIS if glyph.index in emphasis else TEXT)
        if key != run_key or abs(glyph.x - end_x) > 0.01:
            if run and run_key is not None:
                draw.text(
                    (round(run_x), round(baseline)),
                    "".join(run),
                    font=chain.faces[run_key[0]].pillow(layout.size),
                    fill=run_key[1],
                    anchor="ls",
                )
            run, run_key, run_x = [], key, glyph.x
        run.append(glyph.char)
        end_x = glyph.x + glyph.advance
    if run and run_key is not None:
        draw.text(
            (round(run_x), round(baseline)),
            "".join(run),
            font=chain.faces[run_key[0]].pillow(layout.size),
            fill=run_key[1],
            anchor="ls",
        )


def _enlarge(image: Image.Image, scale: int, size: tuple[int, int]) -> Image.Image:
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    if image.size != size:
        image = image.crop((0, 0, *size))
    return image


def _new_index_image(width: int, height: int) -> Image.Image:
    return Image.new("L", (width, height), OFF)


@lru_cache(maxsize=65536)
def _glyph_ink(face: FontFace, size: int, char: str) -> tuple[int, int] | None:
    """Rows of ``char``'s ink, top and bottom (exclusive), from the baseline (up is negative); None: blank."""
    mask, offset = face.pillow(size).getmask2(char, anchor="ls", mode="1")
    box = mask.getbbox()
    return None if box is None else (offset[1] + box[1], offset[1] + box[3])


def text_ink(chain: FontChain, size: int, text: str) -> tuple[int, int]:
    """Rows the ink of ``text`` spans in ``chain`` at ``size`` (font pixels), from the baseline:
    what a row needs, measured on the glyphs themselves (a pixel font's ideographs fill its em)."""
    spans = [_glyph_ink(chain.faces[chain.face_index(c) or 0], size, c) for c in dict.fromkeys(text) if not c.isspace()]
    found = [span for span in spans if span is not None]
    if not found:
        return -size, 0
    return min(top for top, _ in found), max(bottom for _, bottom in found)


def row_font(job: LedJob, fonts: FontRegistry, pitch: int, rows: int) -> tuple[int, RowFont]:
    """The template row (height, font) to draw rows ``pitch`` LED pixels apart, ``rows`` to a page.

    Stacked rows must not touch: one dark LED row at least between the ink of one row and the
    next. A 16 px pixel font's ideographs fill all 16 rows of their em, so two of them on a 32 px
    sign touch; then the tallest of the template's smaller row fonts whose ink leaves the gap is
    drawn in those rows instead (WenQuanYi 12 px in 16 px rows: 4 dark rows between).
    """
    own = (pitch, job.template.fonts[pitch])
    if rows < 2 or _one_line(job, fonts, own):
        return own
    for height, font in sorted(job.template.fonts.items(), reverse=True):
        if height > pitch or pitch % font.scale:
            continue
        chain = fonts.chain(font.role, job.locale)
        top, bottom = text_ink(chain, _font_size(chain, height, font), job.text)
        if (bottom - top) * font.scale <= pitch - 1:
            return height, font
    return own  # no font of the template leaves a gap: as the template says


def _one_line(job: LedJob, fonts: FontRegistry, row: tuple[int, RowFont]) -> bool:
    """Whether the job's text fits the screen's width in one line of ``row``'s font: nothing to stack."""
    height, font = row
    chain = fonts.chain(font.role, job.locale)
    size = _font_size(chain, height, font)
    return "\n" not in job.text and sum(chain.advance(c, size) for c in job.text) * font.scale <= job.screen.width


def _layout(
    job: LedJob,
    fonts: FontRegistry,
    row: tuple[int, RowFont],
    width: float,
    headline: bool,
    page_rows: int | None = None,
) -> TextLayout:
    """Lay the job's text out at ``row``'s font in ``width`` base (unenlarged) pixels.

    Pages may take as many lines more as keep every word whole: a sign shows any number of
    pages, so no paging that splits a word is chosen while one that keeps them exists."""
    template = job.template
    height, font = row
    chain = fonts.chain(font.role, job.locale)
    message = chain.missing_message(job.text)
    if message:
        raise SignageError(Problem(message, item=job.label))
    size = _font_size(chain, height, font)
    style = TextStyle(
        role=font.role,
        size=size,
        line_height=1.0,
        align=template.align if headline else "left",
        level=template.break_level,
        headline=headline,
        split_long_tokens=template.long_tokens == "split",
        page_rows=page_rows,
    )
    spare = lines_to_keep_words(job.text, size, Box(width), style, chain) if page_rows else 0
    return layout_at(job.text, size, Box(width), style, chain, spare)


def page_rows(job: LedJob, fonts: FontRegistry) -> tuple[tuple[int, RowFont], TextLayout]:
    """The row to use and the text laid out in it.

    The template's row height, unless ``fill`` lets a taller row show the whole text on
    one page (a big sign should not show one small line in its middle).
    """
    template, screen = job.template, job.screen
    preferred = template.row_for(screen.height)
    rows = screen.height // preferred[0]
    drawn = row_font(job, fonts, preferred[0], rows)  # rows stay this far apart, in the font that leaves a gap
    at_preferred = _layout(job, fonts, drawn, screen.width / drawn[1].scale, True, rows)
    taller = sorted((h for h in template.fonts if preferred[0] < h <= screen.height), reverse=True)
    if template.fill:
        for height in taller:
            rows = screen.height // height
            font_height, font = row_font(job, fonts, height, rows)
            chain = fonts.chain(font.role, job.locale)
            size = _font_size(chain, font_height, font)
            if sum(chain.advance(c, size) for c in job.text) > rows * screen.width / font.scale:
                continue  # cannot fit on one page at this height: skip the layout
            layout = _layout(job, fonts, (font_height, font), screen.width / font.scale, True, rows)
            if (
                len([line for line in layout.lines if line.glyphs]) <= rows
                and not layout.split_tokens
                and layout.overflow <= 0
                and layout.split_cost <= at_preferred.split_cost  # a taller row never at a word's cost
            ):
                return (height, font), layout
    return (preferred[0], drawn[1]), at_preferred


def render_pages(job: LedJob, fonts: FontRegistry) -> LedRender:
    """Screen-sized pages, each showing as many rows as fit, lines balanced, pages ending at clauses."""
    screen = job.screen
    (row, font), layout = page_rows(job, fonts)
    scale = font.scale
    base_w, base_h = math.ceil(screen.width / scale), math.ceil(screen.height / scale)
    base_row = row // scale
    result = LedRender(job)
    _check_overflow(job, layout, result)
    rows = max(1, screen.height // row)
    emphasis = emphasis_indices(job.text, job.template.emphasis == "numbers")
    lines = [line for line in layout.lines if line.glyphs]
    # each row's ink in the middle of its pitch (a smaller font in taller rows, rows apart)
    ink_top, ink_bottom = text_ink(layout.chain, layout.size, job.text)
    em_top = round(lines[0].baseline - lines[0].y) if lines else 0
    if ink_bottom - ink_top <= base_row:
        em_top = (base_row - (ink_bottom - ink_top)) // 2 - ink_top
    for first in range(0, len(lines), rows):
        group = lines[first : first + rows]
        image = _new_index_image(base_w, base_h)
        draw = ImageDraw.Draw(image)
        draw.fontmode = "1"
        top = (base_h - len(group) * base_row) // 2
        for n, line in enumerate(group):
            _paint_line(draw, layout, line, top + n * base_row, emphasis, em_top)
        text = job.text[group[0].start : group[-1].end]
        result.pages.append(LedPage(_enlarge(image, scale, (screen.width, screen.height)), text))
    return result


def render_strip(job: LedJob, fonts: FontRegistry) -> LedRender:
    """One long strip: the text on one line, then a gap, sized so the loop is seamless."""
    screen = job.screen
    row = job.template.row_for(screen.height)
    scale, base_row = row[1].scale, row[0] // row[1].scale
    flat = dataclasses.replace(job, text=job.text.replace("\n", "　"))
    layout = _layout(flat, fonts, row, 10**7, headline=False)
    (line,) = layout.lines
    text_w = math.ceil(line.width) * scale
    gap = screen.width if screen.gap is None else screen.gap
    # whole pixels per frame and a seamless loop need the strip width to divide by the speed
    gap = padded_gap(text_w, gap, screen.speed)
    base_h = math.ceil(screen.height / scale)
    image = _new_index_image(math.ceil((text_w + gap) / scale), base_h)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"
    emphasis = emphasis_indices(flat.text, job.template.emphasis == "numbers")
    _paint_line(draw, layout, line, (base_h - base_row) // 2, emphasis)
    strip = _enlarge(image, scale, (text_w + gap, screen.height))
    return LedRender(job, strip=LedStrip(strip, text_w, gap))


def _check_overflow(job: LedJob, layout: TextLayout, result: LedRender) -> None:
    if layout.split_tokens:
        cut = "、".join(layout.split_tokens)
        result.warnings.append(f"{job.label}: {cut} is wider than the screen and was cut by character")
    elif layout.overflow > 0:
        raise SignageError(
            Problem(
                f"a piece that cannot be broken is {layout.overflow:.0f} px wider than the {job.screen.size} screen",
                item=job.label,
            )
        )


def text_height(job: LedJob, fonts: FontRegistry) -> int:
    """The size, in LED pixels, the job's text is drawn at: the row font ``render`` chooses."""
    if job.screen.mode == "pages":
        (_, font), layout = page_rows(job, fonts)
        return layout.size * font.scale
    height, font = job.template.row_for(job.screen.height)
    return _font_size(fonts.chain(font.role, job.locale), height, font) * font.scale


def _font_size(chain: FontChain, height: int, font: RowFont) -> int:
    """The size a row font is set at: a pixel font's own, else the row's height in font pixels."""
    return chain.fixed_size or height // font.scale


def render(job: LedJob, fonts: FontRegistry) -> LedRender:
    return render_pages(job, fonts) if job.screen.mode == "pages" else render_strip(job, fonts)
