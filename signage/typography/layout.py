"""Fit text into a box: choose the size, break the lines, place every glyph.

The result (:class:`TextLayout`) is a pure description that the three painters share:
the LED raster, video frames and PDF text all draw the same glyphs at the same
positions, and differ only in how they paint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal

from ..errors import Problem, TextOverflowError
from .fonts import FontChain
from .linebreak import BreakLevel, analyse

Align = Literal["left", "center", "right", "justify"]
VAlign = Literal["top", "middle", "bottom"]

# Line-choice costs. Slack is measured as a fraction of the box width and squared;
# a line one character short in a ten-character box costs 1.
_SLACK_WEIGHT = 100.0
_NON_PHRASE_BREAK = 5.0  # worth about two characters of slack in a ten-character line
_ORPHAN = 1000.0  # one character alone on the last line (孤字)
# Full-width punctuation whose blank half may hang past the line end (compression).
_END_HANG = frozenset("，。、：；！？）」』》〉】〕”’")


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
    align: Align = "left"
    valign: VAlign = "top"
    level: BreakLevel = BreakLevel.basic
    headline: bool = False

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
        for g in self.glyphs:
            if runs and runs[-1][0] == g.face and expected_x is not None and abs(g.x - expected_x) < 0.01:
                face, text, x = runs[-1]
                runs[-1] = (face, text + g.char, x)
            else:
                runs.append((g.face, g.char, g.x))
            expected_x = g.x + g.advance
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
    mid_phrase_breaks: int = 0  # line breaks that fall inside a BudouX phrase

    @property
    def width(self) -> float:
        return max((line.width for line in self.lines), default=0.0)

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


class _Measured:
    """Advances and prefix sums of one paragraph at one size."""

    def __init__(self, text: str, chain: FontChain, size: int):
        self.advances = [chain.advance(c, size) for c in text]
        prefix = [0.0]
        total = 0.0
        for a in self.advances:
            total += a
            prefix.append(total)
        self.prefix = prefix
        self.text = text
        self.chain = chain
        self.size = size

    def visible_end(self, start: int, end: int) -> int:
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return end

    def width(self, start: int, end: int) -> float:
        """Width of text[start:end] as a line: trailing spaces and punctuation blank dropped."""
        end = self.visible_end(start, end)
        if end <= start:
            return 0.0
        w = self.prefix[end] - self.prefix[start]
        last = self.text[end - 1]
        if last in _END_HANG:
            w -= self.chain.end_blank(last, self.size)
        return w


def _paragraphs(text: str) -> list[tuple[int, str]]:
    out = []
    offset = 0
    for part in text.split("\n"):
        out.append((offset, part))
        offset += len(part) + 1
    return out


def _greedy(nodes: Sequence[int], m: _Measured, width: float) -> list[int]:
    """Fewest lines: each line takes as many break-separated pieces as fit."""
    chosen = [0]
    i = 0
    last = len(nodes) - 1
    while i < last:
        j = i + 1
        while j < last and m.width(nodes[i], nodes[j + 1]) <= width:
            j += 1
        chosen.append(j)
        i = j
    return chosen


def _visible_count(text: str) -> int:
    return sum(1 for c in text if c.isalnum())


def _best_breaks(
    nodes: Sequence[int], phrase: frozenset[int], m: _Measured, width: float, lines: int, headline: bool
) -> list[int]:
    """Exactly ``lines`` lines with the least cost (slack, non-phrase breaks, orphans)."""
    last = len(nodes) - 1
    inf = float("inf")
    cost = [[inf] * len(nodes) for _ in range(lines + 1)]
    back = [[-1] * len(nodes) for _ in range(lines + 1)]
    cost[0][0] = 0.0
    for c in range(1, lines + 1):
        prev_row, row, back_row = cost[c - 1], cost[c], back[c]
        for j in range(1, last + 1):
            if (j == last) != (c == lines) and j == last:
                continue
            is_last = j == last
            for i in range(j - 1, -1, -1):
                if prev_row[i] == inf:
                    continue
                w = m.width(nodes[i], nodes[j])
                if w > width and i != j - 1:
                    break
                slack = max(0.0, width - w) / width
                line_cost = 0.0 if (is_last and not headline) else _SLACK_WEIGHT * slack * slack
                if w > width:
                    line_cost += 1e6
                if not is_last and nodes[j] not in phrase:
                    line_cost += _NON_PHRASE_BREAK
                if is_last and lines > 1 and _visible_count(m.text[nodes[i] : nodes[j]]) <= 1:
                    line_cost += _ORPHAN
                total = prev_row[i] + line_cost
                if total < row[j]:
                    row[j] = total
                    back_row[j] = i
    picks = [last]
    c, j = lines, last
    while c > 0:
        j = back[c][j]
        picks.append(j)
        c -= 1
    return picks[::-1]


def break_paragraph(
    text: str, chain: FontChain, size: int, width: float, locale: str, level: BreakLevel, headline: bool
) -> tuple[list[tuple[int, int]], _Measured, float, int]:
    """Line spans of one paragraph at one size, the overflow in px, and mid-phrase breaks."""
    if not text:
        return [(0, 0)], _Measured(text, chain, size), 0.0, 0
    analysis = analyse(text, locale, level)
    nodes = (0, *analysis.allowed, len(text))
    m = _Measured(text, chain, size)
    greedy = _greedy(nodes, m, width)
    count = len(greedy) - 1
    picks = greedy if count == 1 else _best_breaks(nodes, analysis.phrase, m, width, count, headline)
    spans = [(nodes[a], nodes[b]) for a, b in pairwise(picks)]
    overflow = max(0.0, max(m.width(s, e) for s, e in spans) - width)
    mid_phrase = sum(1 for _, e in spans[:-1] if e not in analysis.phrase)
    return spans, m, overflow, mid_phrase


def _line_count(text: str, chain: FontChain, size: int, width: float, locale: str, level: BreakLevel) -> tuple[int, float]:
    """Lines needed at ``size`` (greedy is optimal for the count) and the overflow."""
    count = 0
    overflow = 0.0
    for _, para in _paragraphs(text):
        if not para:
            count += 1
            continue
        nodes = (0, *analyse(para, locale, level).allowed, len(para))
        m = _Measured(para, chain, size)
        picks = _greedy(nodes, m, width)
        count += len(picks) - 1
        overflow = max(overflow, max(m.width(nodes[a], nodes[b]) for a, b in pairwise(picks)) - width)
    return count, max(0.0, overflow)


def _block_height(lines: int, size: int, pitch: float) -> float:
    return (lines - 1) * pitch + size if lines else 0.0


def _pitch(style: TextStyle, size: int) -> float:
    return float(round(size * style.line_height))


def check_glyphs(text: str, chain: FontChain, item: str) -> None:
    """Raise naming the item and character when no font in the chain draws it."""
    message = chain.missing_message(text)
    if message:
        raise TextOverflowError(Problem(message, item=item), overflow="glyph")


def fit_text(text: str, box: Box, style: TextStyle, chain: FontChain, item: str = "text") -> TextLayout:
    """The largest size in the style's range at which ``text`` fits ``box``, laid out.

    Raises TextOverflowError naming ``item`` and how far it overflows at the smallest
    size when nothing fits, and when a character has no glyph in the chain.
    """
    check_glyphs(text, chain, item)
    if box.width <= 0 or (box.height is not None and box.height <= 0):
        raise TextOverflowError(Problem(f"box {box.width}x{box.height} has no room", item=item), "box")
    sizes = [chain.fixed_size] if chain.fixed_size else list(style.sizes())
    locale = chain.locale

    def fits(size: int) -> tuple[bool, str]:
        count, overflow = _line_count(text, chain, size, box.width, locale, style.level)
        if overflow > 0:
            return False, f"a piece that cannot be broken is {overflow:.0f} px wider than the box ({box.width:g} px)"
        if style.max_lines is not None and count > style.max_lines:
            return False, f"needs {count} lines, at most {style.max_lines} allowed"
        height = _block_height(count, size, _pitch(style, size))
        if box.height is not None and height > box.height:
            return False, f"needs {height:.0f} px of height, the box has {box.height:g} px"
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
    layout = layout_at(text, sizes[best], box, style, chain)
    if style.headline and layout.mid_phrase_breaks:
        # A headline reads better a little smaller than cut inside a word: try down to 90 %.
        for smaller in range(best - 1, -1, -1):
            if sizes[smaller] < sizes[best] * 0.9:
                break
            if fits(sizes[smaller])[0]:
                candidate = layout_at(text, sizes[smaller], box, style, chain)
                if candidate.mid_phrase_breaks == 0:
                    return candidate
    return layout


def layout_at(text: str, size: int, box: Box, style: TextStyle, chain: FontChain) -> TextLayout:
    """Lay ``text`` out at one size (no fitting); lines may overflow the box."""
    pitch = _pitch(style, size)
    ascent = chain.primary.em_ascent(size)
    placed: list[tuple[int, int, _Measured, int]] = []  # (start, end, measured, para offset)
    overflow = 0.0
    mid_phrase = 0
    for offset, para in _paragraphs(text):
        spans, m, over, mid = break_paragraph(para, chain, size, box.width, chain.locale, style.level, style.headline)
        overflow = max(overflow, over)
        mid_phrase += mid
        placed += [(s, e, m, offset) for s, e in spans]
    total = _block_height(len(placed), size, pitch)
    top = 0.0
    if box.height is not None and style.valign != "top":
        top = box.height - total if style.valign == "bottom" else (box.height - total) / 2
    top = float(round(top))
    lines = []
    for n, (s, e, m, offset) in enumerate(placed):
        is_para_end = e == len(m.text)
        lines.append(_place_line(m, s, e, offset, top + n * pitch, ascent, box.width, style.align, is_para_end))
    return TextLayout(
        text=text, size=size, box=box, style=style, chain=chain, lines=tuple(lines),
        line_pitch=pitch, height=total, overflow=overflow, mid_phrase_breaks=mid_phrase,
    )


def _place_line(
    m: _Measured, start: int, end: int, offset: int, y: float, ascent: float, box_width: float,
    align: Align, para_end: bool,
) -> Line:
    vis = m.visible_end(start, end)
    width = m.width(start, end)
    slack = box_width - width
    x0 = 0.0
    gap = 0.0
    if align == "center":
        x0 = slack / 2
    elif align == "right":
        x0 = slack
    elif align == "justify" and not para_end and vis - start > 1 and slack > 0:
        gap = slack / (vis - start - 1)
    if align != "justify":
        x0 = float(round(x0))
    glyphs = []
    x = x0
    for i in range(start, vis):
        char = m.text[i]
        glyphs.append(Glyph(char=char, x=x, advance=m.advances[i], face=m.chain.face_index(char) or 0))
        x += m.advances[i] + gap
    return Line(
        text=m.text[start:vis], start=offset + start, end=offset + end, x=x0, y=y, baseline=y + ascent,
        width=width + gap * max(0, vis - start - 1), glyphs=tuple(glyphs),
    )

