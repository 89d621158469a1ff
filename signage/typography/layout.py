"""Fit text into a box: choose the size, break the lines, place every glyph.

The result (:class:`TextLayout`) is a pure description that the three painters share:
the LED raster, video frames and PDF text all draw the same glyphs at the same
positions, and differ only in how they paint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import Problem, SignageError, TextOverflowError
from .fonts import FontChain
from .linebreak import BreakLevel
from .linefit import Measured, break_paragraph, count_lines, paragraphs

Align = Literal["left", "center", "right", "justify"]
VAlign = Literal["top", "middle", "bottom"]


@dataclass(frozen=True)
class Box:
    """The area text is set into, in pixels. ``height`` None means unbounded."""

    width: float
    height: float | None = None


@dataclass(frozen=True)
class TextStyle:
    """How to set text: font role, size range, line limits, alignment, break rules."""

    role: str = "sans"
    size: int = 48  # the largest size tried
    min_size: int | None = None  # the smallest size tried; None means ``size`` only
    max_lines: int | None = None
    line_height: float = 1.25  # line pitch as a multiple of the size
    paragraph_gap: float = 0.0  # extra space before each paragraph after the first, a multiple of the size
    align: Align = "left"
    valign: VAlign = "top"
    level: BreakLevel = BreakLevel.basic
    headline: bool = False
    split_long_tokens: bool = False  # cut a piece wider than the box by character, not fail
    page_rows: int | None = None  # lines are shown this many at a time (LED pages): end pages at clauses
    hanging: bool = False  # a paragraph starting with a bullet or a number wraps under its text (see marker_length)

    def sizes(self) -> range:
        low = self.min_size if self.min_size is not None else self.size
        return range(min(low, self.size), self.size + 1)


@dataclass(frozen=True)
class Glyph:
    """One character placed on a line; ``x`` is from the box's left edge."""

    char: str
    x: float
    advance: float
    face: int  # index into the font chain's faces
    index: int  # position of the character in the source text
    squeezed: bool = False  # set narrower than its font's advance (adjacent punctuation)


@dataclass(frozen=True)
class Line:
    """One laid-out line. ``start``/``end`` index the source text (end exclusive)."""

    text: str
    start: int
    end: int
    x: float
    y: float  # top of the line's em box, from the box's top edge
    baseline: float
    width: float
    glyphs: tuple[Glyph, ...]

    def runs(self) -> list[tuple[int, str, float]]:
        """(face index, text, x) for each stretch one face draws without gaps, for painters."""
        runs: list[tuple[int, str, float]] = []
        expected_x = None
        squeezed_before = False
        for g in self.glyphs:
            if (
                runs
                and runs[-1][0] == g.face
                and expected_x is not None
                and abs(g.x - expected_x) < 0.01
                and not squeezed_before
            ):
                face, text, x = runs[-1]
                runs[-1] = (face, text + g.char, x)
            else:
                runs.append((g.face, g.char, g.x))
            expected_x = g.x + g.advance
            squeezed_before = g.squeezed  # a painter draws a run at the font's own advances
        return runs

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "x": round(self.x, 2),
            "y": round(self.y, 2),
            "baseline": round(self.baseline, 2),
            "width": round(self.width, 2),
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class TextLayout:
    """The chosen size and the placed lines of one text in one box."""

    text: str
    size: int
    box: Box
    style: TextStyle
    chain: FontChain = field(repr=False, compare=False)
    lines: tuple[Line, ...]
    line_pitch: float
    height: float  # from the first line's top to the last line's em-box bottom
    overflow: float = 0.0  # px by which the widest unbreakable token exceeds the box
    mid_phrase_breaks: int = 0  # line breaks that fall inside a word
    split_tokens: tuple[str, ...] = ()  # unbreakable pieces cut by character (split_long_tokens)
    split_cost: float = 0.0  # what the breaks inside words cost (0: every word whole)

    @property
    def width(self) -> float:
        return max((line.width for line in self.lines), default=0.0)

    def split_words(self, words: frozenset[str] | set[str]) -> list[str]:
        """The ``words`` (a project's dictionary) that a line break cuts in two, in text order."""
        cuts = {line.end for line in self.lines[:-1] if self.text[line.end - 1 : line.end] != "\n"}
        found: dict[str, None] = {}
        for word in words:
            at = self.text.find(word)
            while at >= 0:
                if any(at < cut < at + len(word) for cut in cuts):
                    found[word] = None
                at = self.text.find(word, at + 1)
        return sorted(found, key=self.text.find)

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "role": self.style.role,
            "locale": self.chain.locale,
            "box": {"width": self.box.width, "height": self.box.height},
            "line_pitch": self.line_pitch,
            "height": self.height,
            "lines": [line.to_dict() for line in self.lines],
        }


# A list item's marker: a bullet, or a number as people write them in notices (1. 2、 3） （4） 五、),
# with the spaces after it. "1.5万" and "2024年" start no list.
_MARKER = re.compile(
    r"[●•◆◇■□▪▶►★☆○◎※✓✔]\s*|[-*]\s+|\d{1,2}(?:\.(?!\d)|[、)）])\s*|[(（]\d{1,2}[)）]\s*|[一二三四五六七八九十]{1,3}、\s*"
)


def marker_length(paragraph: str) -> int:
    """Characters of the bullet or number (and its spaces) that start ``paragraph``; 0 for none."""
    match = _MARKER.match(paragraph)
    return match.end() if match and match.end() < len(paragraph) else 0


def _hang(para: str, chain: FontChain, size: int, width: float, style: TextStyle) -> tuple[int, float]:
    """(marker characters, indent px) of a paragraph whose wrapped lines hang under its text;
    (0, 0.0) when it has no marker, the style does not hang, or the marker takes half the box."""
    if not style.hanging:
        return 0, 0.0
    k = marker_length(para)
    indent = sum(chain.advance(c, size) for c in para[:k])
    return (k, indent) if k and indent < width / 2 else (0, 0.0)


def _count_lines(text: str, chain: FontChain, size: int, width: float, style: TextStyle) -> tuple[int, float, str]:
    """``count_lines`` with hanging paragraphs counted at the width their wrapped lines have."""
    if not style.hanging:
        return count_lines(text, chain, size, width, chain.locale, style.level, style.split_long_tokens)
    count, overflow, widest = 0, 0.0, ""
    for _, para in paragraphs(text):
        k, indent = _hang(para, chain, size, width, style)
        n, over, piece = count_lines(
            para[k:], chain, size, width - indent, chain.locale, style.level, style.split_long_tokens
        )
        count += n
        if over > overflow:
            overflow, widest = over, piece
    return count, overflow, widest


def _block_height(lines: int, size: int, pitch: float) -> float:
    return (lines - 1) * pitch + size if lines else 0.0


def _pitch(style: TextStyle, size: int) -> float:
    return float(round(size * style.line_height))


def check_glyphs(text: str, chain: FontChain, item: str) -> None:
    """Raise naming the item and character when no font in the chain draws it."""
    message = chain.missing_message(text)
    if message:
        raise SignageError(Problem(message, item=item))


def fit_text(
    text: str, box: Box, style: TextStyle, chain: FontChain, item: str = "text", unit: tuple[str, float] = ("px", 1.0)
) -> TextLayout:
    """The largest size in the style's range at which ``text`` fits ``box``, laid out.

    Raises TextOverflowError naming ``item`` and how far it overflows at the smallest
    size when nothing fits, and when a character has no glyph in the chain.
    """
    if not text.strip():
        raise SignageError(Problem("there is no text to lay out", item=item))
    check_glyphs(text, chain, item)
    if box.width <= 0 or (box.height is not None and box.height <= 0):
        raise TextOverflowError(Problem(f"box {box.width}x{box.height} has no room", item=item), "box")
    sizes = [chain.fixed_size] if chain.fixed_size else list(style.sizes())

    name, per = unit  # messages in the caller's unit (mm for print)
    gaps = len(paragraphs(text)) - 1 if style.paragraph_gap else 0

    def fits(size: int) -> tuple[bool, str]:
        count, overflow, piece = _count_lines(text, chain, size, box.width, style)
        if overflow > 0:
            return False, (
                f"“{piece}” cannot be broken and is {overflow / per:.0f} {name} wider than the box "
                f"({box.width / per:.0f} {name})"
            )
        if style.max_lines is not None and count > style.max_lines:
            return False, f"needs {count} lines, at most {style.max_lines} allowed"
        height = _block_height(count, size, _pitch(style, size)) + gaps * round(size * style.paragraph_gap)
        if box.height is not None and height > box.height:
            return False, f"needs {height / per:.0f} {name} of height, the box has {box.height / per:.0f} {name}"
        return True, ""

    # Fit is monotone in size, so search the range by halving.
    lo, hi = 0, len(sizes) - 1
    best = None
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(sizes[mid])[0]:
            best = mid
            lo = mid + 1
        else:
            hi = mid - 1
    if best is None:
        _, why = fits(sizes[0])
        raise TextOverflowError(
            Problem(f"does not fit at {sizes[0]} px ({style.role}): {why}", item=item), overflow=why
        )
    if not style.headline:  # body: one size; ragged lines may take one more to keep words whole
        room = _room(text, sizes[best], box, style, chain)[1] if style.align != "justify" else 0
        return layout_at(text, sizes[best], box, style, chain, room)
    return _display_layout(text, sizes, best, box, style, chain, fits)


# Display text may be set one step of a type scale smaller (a major second, 1.125) to keep words whole.
SIZE_STEP = 1.125


def _display_layout(
    text: str,
    sizes: list[int],
    best: int,
    box: Box,
    style: TextStyle,
    chain: FontChain,
    fits: Callable[[int], tuple[bool, str]],
) -> TextLayout:
    """The display layout with the least cost over sizes and line counts together.

    The largest size that fits, with one line more when the box has room, then the sizes
    down one step: the first where every word can stay whole (a greedy count over word
    boundaries says so before the line choice runs), else the first where words split
    only at their weakest joints, else the largest size with its least costly splits.
    """
    candidates = [size for size in sizes[best::-1] if size * SIZE_STEP >= sizes[best]]
    rooms: dict[int, tuple[int, int]] = {}
    for whole in (2, 1):
        for k, size in enumerate(candidates):
            if k and not fits(size)[0]:
                break
            fewest, room = rooms.get(size) or _room(text, size, box, style, chain)
            rooms[size] = (fewest, room)
            count, over, _ = count_lines(
                text, chain, size, box.width, chain.locale, style.level, style.split_long_tokens, whole
            )
            if over <= 0 and count <= fewest + room:
                layout = layout_at(text, size, box, style, chain, room)
                if layout.split_cost == 0 or whole == 1:
                    return layout
    return layout_at(text, sizes[best], box, style, chain, rooms[sizes[best]][1])


def lines_to_keep_words(text: str, size: int, box: Box, style: TextStyle, chain: FontChain) -> int:
    """How many lines more than the fewest keep every word whole at ``size`` (or, when none do,
    split words only at their weakest joints); 0 when neither can fit the width."""
    args = (text, chain, size, box.width, chain.locale, style.level)
    fewest = count_lines(*args, style.split_long_tokens)[0]
    for whole in (2, 1):
        count, over, _ = count_lines(*args, False, whole)
        if over <= 0:
            return max(0, count - fewest)
    return 0


def _room(text: str, size: int, box: Box, style: TextStyle, chain: FontChain) -> tuple[int, int]:
    """The fewest lines at ``size``, and how many more the box and the style allow (at most one)."""
    count, _, _ = count_lines(text, chain, size, box.width, chain.locale, style.level, style.split_long_tokens)
    if style.max_lines is not None and count + 1 > style.max_lines:
        return count, 0
    gaps = (len(paragraphs(text)) - 1) * round(size * style.paragraph_gap)
    if box.height is not None and _block_height(count + 1, size, _pitch(style, size)) + gaps > box.height:
        return count, 0
    return count, 1


def layout_at(text: str, size: int, box: Box, style: TextStyle, chain: FontChain, spare: int = 0) -> TextLayout:
    """Lay ``text`` out at one size (no fitting); lines may overflow the box. Display text may take
    up to ``spare`` lines more than the fewest, in all, where that keeps words whole."""
    pitch = _pitch(style, size)
    ascent = chain.primary.em_ascent(size)
    # start, end, measured, offset, breaks, indent (of a hanging paragraph's wrapped lines)
    placed: list[tuple[int, int, Measured, int, frozenset[int], float]] = []
    skips: list[float] = []  # each line's extra offset from the paragraph gaps above it
    gap = float(round(size * style.paragraph_gap))
    overflow = 0.0
    mid_phrase = 0
    split_cost = 0.0
    split: list[str] = []
    for n_para, (offset, para) in enumerate(paragraphs(text)):
        k, indent = _hang(para, chain, size, box.width, style)
        broken = break_paragraph(
            para[k:],
            chain,
            size,
            box.width - indent,
            chain.locale,
            style.level,
            style.headline,
            style.split_long_tokens,
            style.page_rows,
            spare,
            style.align != "justify",
        )
        spare -= broken.extra_lines
        overflow = max(overflow, broken.overflow)
        mid_phrase += broken.mid_phrase
        split_cost += broken.split_cost
        split += broken.split_tokens
        if k:  # the marker joins the first line; the others start under the text after it
            whole = Measured(para, chain, size)
            stretch = frozenset(p + k for p in broken.stretch)
            spans = [(0 if i == 0 else s + k, e + k) for i, (s, e) in enumerate(broken.spans)]
            placed += [(s, e, whole, offset, stretch, indent if s else 0.0) for s, e in spans]
        else:
            placed += [(s, e, broken.measured, offset, broken.stretch, 0.0) for s, e in broken.spans]
        skips += [n_para * gap] * len(broken.spans)
    total = _block_height(len(placed), size, pitch) + (skips[-1] if skips else 0.0)
    top = 0.0
    if box.height is not None and style.valign != "top":
        top = box.height - total if style.valign == "bottom" else (box.height - total) / 2
    top = float(round(top))
    lines = []
    for n, (s, e, m, offset, stretch, indent) in enumerate(placed):
        is_para_end = e == len(m.text)
        y = top + n * pitch + skips[n]
        lines.append(_place_line(m, s, e, offset, y, ascent, box.width, style.align, is_para_end, stretch, indent))
    return TextLayout(
        text=text,
        size=size,
        box=box,
        style=style,
        chain=chain,
        lines=tuple(lines),
        line_pitch=pitch,
        height=total,
        overflow=overflow,
        mid_phrase_breaks=mid_phrase,
        split_tokens=tuple(split),
        split_cost=split_cost,
    )


def _place_line(
    m: Measured,
    start: int,
    end: int,
    offset: int,
    y: float,
    ascent: float,
    box_width: float,
    align: Align,
    para_end: bool,
    stretch: frozenset[int] = frozenset(),
    indent: float = 0.0,
) -> Line:
    vis = m.visible_end(start, end)
    width = m.width(start, end)
    slack = box_width - indent - width
    x0 = 0.0
    gap = 0.0
    if align == "center":
        x0 = slack / 2
    elif align == "right":
        x0 = slack
    # Justified lines stretch only where a line could break: between ideographs and
    # after punctuation, never inside a Latin word, a number, —— or …….
    points = [p for p in stretch if start < p < vis] if align == "justify" and not para_end else []
    if points and slack > 0:
        gap = slack / len(points)
    if align != "justify":
        x0 = float(round(x0))
    x0 += indent
    glyphs = []
    x = x0
    for i in range(start, vis):
        if gap and i in stretch and i > start:
            x += gap
        char = m.text[i]
        glyphs.append(
            Glyph(
                char=char,
                x=x - m.shift[i],
                advance=m.advances[i],
                face=m.chain.face_index(char) or 0,
                index=offset + i,
                squeezed=i in m.squeezed,
            )
        )
        x += m.advances[i]
    return Line(
        text=m.text[start:vis],
        start=offset + start,
        end=offset + end,
        x=x0,
        y=y,
        baseline=y + ascent,
        width=width + gap * len(points),
        glyphs=tuple(glyphs),
    )
