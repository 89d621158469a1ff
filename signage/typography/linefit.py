"""Choosing line breaks at one size: the least cost over the fewest lines and a few more.

A dynamic programme picks the breaks with the least cost: slack (squared), breaks inside a
word (at its weakest joint, or anywhere else), and one character alone on the last line
(孤字). Greedy filling gives the fewest lines; display text may take ``spare`` lines more
when that keeps words whole (the caller says how many the box has room for), so a break
inside a word costs more than a line more. Body text keeps the fewest lines and, when its
lines are ragged, pays more for a word split than for a short line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from .fonts import FontChain
from .linebreak import NO_END, NO_START, BreakLevel, analyse

# Line-choice costs. Slack is measured as a fraction of the box width and squared;
# a line one character short in a ten-character box costs 1.
_SLACK_WEIGHT = 100.0


@dataclass(frozen=True)
class BreakCosts:
    """What a break inside a word costs, against slack (a line left empty costs 100)."""

    loose: float  # between the words of a short quoted term (“先返|后骗”)
    joint: float  # inside a word, at its weakest joint (违法|行为)
    inside: float  # anywhere else inside a word (加|大)
    orphan: float  # one character alone on the last line (孤字)
    line: float  # each line more than the fewest (when the caller allows spare lines)


# Display text: a split word costs more than any slack, so more lines or a smaller size win.
DISPLAY = BreakCosts(loose=3_000.0, joint=5_000.0, inside=8_000.0, orphan=10_000.0, line=1_000.0)
# Body text at one size: a split costs about 45 % of a line's width in slack when lines are
# justified (slack is spread, a split word shows; never a line more), and more when ragged lines
# may simply end short, or take one line more where the box has room.
BODY_JUSTIFIED = BreakCosts(loose=10.0, joint=15.0, inside=20.0, orphan=1_000.0, line=float("inf"))
BODY_RAGGED = BreakCosts(loose=30.0, joint=50.0, inside=80.0, orphan=1_000.0, line=50.0)
# Full-width punctuation whose blank half may hang past the line end (compression).
_END_HANG = frozenset("，。、：；！？）」』》〉】〕”’")


_DP_BUDGET = 400_000
_PAGE_MID_CLAUSE = 30.0  # a page of an LED sign ending inside a clause
_CLAUSE_BREAK_BONUS = 4.0  # worth about two characters of slack in a ten-character headline line
_CLAUSE_END = frozenset("，。、！？；：,.!?;:）」』”")


class Measured:
    """Advances and prefix sums of one paragraph at one size."""

    def __init__(self, text: str, chain: FontChain, size: int):
        self.advances = [chain.advance(c, size) for c in text]
        # where a glyph is drawn left of its pen position (an opening mark set at half width)
        self.shift = [0.0] * len(text)
        self.squeezed = _squeeze(text, chain, size, self.advances, self.shift)
        prefix = [0.0]
        total = 0.0
        for a in self.advances:
            total += a
            prefix.append(total)
        self.prefix = prefix
        self.text = text
        self.chain = chain
        self.size = size
        # per end position: where the visible text ends (trailing spaces dropped), and the blank
        # half of full-width punctuation that may hang past the line end there; the line choice
        # asks for thousands of widths, so both are looked up, not recomputed
        trail = [0] * (len(text) + 1)
        hang = [0.0] * (len(text) + 1)
        for p in range(1, len(text) + 1):
            trail[p] = trail[p - 1] if text[p - 1].isspace() else p
            if text[p - 1] in _END_HANG:
                hang[p] = chain.end_blank(text[p - 1], size)
        self._trail = trail
        self._hang = hang

    def visible_end(self, start: int, end: int) -> int:
        return max(start, self._trail[end])

    def width(self, start: int, end: int) -> float:
        """Width of text[start:end] as a line: trailing spaces and punctuation blank dropped."""
        end = self._trail[end]
        if end <= start:
            return 0.0
        return self.prefix[end] - self.prefix[start] - self._hang[end]


_MEASURED_KEPT = 4096


def measured(text: str, chain: FontChain, size: int) -> Measured:
    """``Measured(text, chain, size)``, kept on the chain: fitting measures one text at a few sizes
    several times over (the size search, the room for a line more, the line choice)."""
    key = (text, size)
    found = chain.measured.get(key)
    if found is None:
        if len(chain.measured) >= _MEASURED_KEPT:
            chain.measured.clear()
        found = chain.measured[key] = Measured(text, chain, size)
    return found  # type: ignore[no-any-return]


_CLOSING = frozenset("，。、：；！？）」』》〉】〕”’")
_OPENING = frozenset("（「『《〈【〔“‘")
_PUNCTUATION = _CLOSING | _OPENING


def _squeeze(text: str, chain: FontChain, size: int, advances: list[float], shift: list[float]) -> set[int]:
    """Adjacent full-width punctuation set at half width (clreq, JIS X 4051): a closing mark before
    another mark loses its blank right half, an opening mark after one its blank left half, so
    “”，。 pairs never open a one-and-a-half or two-em hole."""
    squeezed: set[int] = set()
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if a in _PUNCTUATION and b in _PUNCTUATION:
            if a in _CLOSING and chain.end_blank(a, size):
                advances[i] -= chain.end_blank(a, size)
                squeezed.add(i)
            if b in _OPENING and chain.start_blank(b, size):
                blank = chain.start_blank(b, size)
                advances[i + 1] -= blank
                shift[i + 1] = blank
                squeezed.add(i + 1)
    return squeezed


def paragraphs(text: str) -> list[tuple[int, str]]:
    out = []
    offset = 0
    for part in text.split("\n"):
        out.append((offset, part))
        offset += len(part) + 1
    return out


def _greedy(nodes: Sequence[int], m: Measured, width: float) -> list[int]:
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


def _split_cost(node: int, joints: frozenset[int], loose: frozenset[int], costs: BreakCosts) -> float:
    """What a line break at ``node``, which is not between two words, costs."""
    return costs.loose if node in loose else costs.joint if node in joints else costs.inside


def _best_breaks(
    nodes: Sequence[int],
    words: tuple[frozenset[int], frozenset[int], frozenset[int]],
    m: Measured,
    width: float,
    lines: int,
    spare: int,
    headline: bool,
    costs: BreakCosts,
    page_rows: int | None = None,
) -> list[int]:
    """``lines`` to ``lines + spare`` lines with the least cost (slack, words split, orphans,
    each line past ``lines``); ``words`` are the word boundaries, the weak joints and the
    boundaries inside quoted terms.

    With ``page_rows`` (an LED sign showing that many rows a page), a page that does not
    end at a clause (，。！？...) costs more, and a word split across two pages twice as much.
    """
    phrase, joints, loose = words
    text = m.text
    last = len(nodes) - 1
    most = lines + spare
    inf = float("inf")
    # What ending a line at node j costs besides its slack (a split word, a clause end), and the
    # candidate lines (i, j) with their cost: the same for every line count, so computed once.
    split_at = [0.0] * len(nodes)  # a word split there
    bonus = [0.0] * len(nodes)  # a headline reads best broken where a clause ends
    mid_clause = [0.0] * len(nodes)  # a page that ends inside a clause
    for j in range(1, last):
        end = m.visible_end(0, nodes[j])
        at_clause = end > 0 and text[end - 1] in _CLAUSE_END
        if nodes[j] not in phrase:
            split_at[j] = _split_cost(nodes[j], joints, loose, costs)
        if headline and at_clause:
            bonus[j] = -_CLAUSE_BREAK_BONUS
        mid_clause[j] = 0.0 if at_clause else _PAGE_MID_CLAUSE
    candidates: list[list[tuple[int, float, float]]] = [[] for _ in nodes]  # j -> (i, cost, at a page end)
    for j in range(1, last + 1):
        is_last = j == last
        for i in range(j - 1, -1, -1):
            w = m.width(nodes[i], nodes[j])
            if w > width and i != j - 1:
                break
            slack = max(0.0, width - w) / width
            line_cost = 0.0 if (is_last and not headline) else _SLACK_WEIGHT * slack * slack
            if w > width:
                line_cost += 1e6
            if is_last:
                if i and _visible_count(text[nodes[i] : nodes[j]]) <= 1:
                    line_cost += costs.orphan
                candidates[j].append((i, line_cost, line_cost))
            else:  # a word split across two pages costs twice, and a page ends best at a clause
                plain = line_cost + split_at[j] + bonus[j]
                candidates[j].append((i, plain, plain + split_at[j] + mid_clause[j]))
    cost = [[inf] * len(nodes) for _ in range(most + 1)]
    back = [[-1] * len(nodes) for _ in range(most + 1)]
    cost[0][0] = 0.0
    for c in range(1, most + 1):
        prev_row, row, back_row = cost[c - 1], cost[c], back[c]
        page_end = bool(page_rows) and c % (page_rows or 1) == 0
        for j in range(1, last + 1 if c >= lines else last):
            best, best_i = row[j], -1
            for i, plain, at_page_end in candidates[j]:
                before = prev_row[i]
                if before == inf:
                    continue
                total = before + (at_page_end if page_end else plain)
                if total < best:
                    best, best_i = total, i
            if best_i >= 0:
                row[j] = best
                back_row[j] = best_i
    chosen = min(
        range(lines, most + 1), key=lambda n: cost[n][last] + (n - lines) * costs.line if n > lines else cost[n][last]
    )
    picks = [last]
    c, j = chosen, last
    while c > 0:
        j = back[c][j]
        picks.append(j)
        c -= 1
    return picks[::-1]


@dataclass
class ParagraphLines:
    """How one paragraph breaks at one size."""

    spans: list[tuple[int, int]]
    measured: Measured
    overflow: float = 0.0  # px by which the widest line exceeds the width
    mid_phrase: int = 0  # breaks inside a word
    split_cost: float = 0.0  # what the breaks inside words cost (0: every word whole)
    extra_lines: int = 0  # lines more than the fewest, taken to keep words whole
    split_tokens: list[str] = field(default_factory=list)  # unbreakable pieces cut by character
    stretch: frozenset[int] = frozenset()  # where justification may add space (the break nodes)


def _nodes(
    text: str, m: Measured, width: float, locale: str, level: BreakLevel, split: bool
) -> tuple[tuple[int, ...], tuple[frozenset[int], frozenset[int], frozenset[int]], list[str]]:
    """Break nodes (0, allowed..., len), the word boundaries and weak joints among them; with
    ``split``, also nodes inside pieces wider than ``width``."""
    analysis = analyse(text, locale, level)
    nodes = (0, *analysis.allowed, len(text))
    words = (analysis.phrase, analysis.joints, analysis.loose)
    if not split:
        return nodes, words, []
    extra: list[int] = []
    tokens: list[str] = []
    for a, b in pairwise(nodes):
        if m.width(a, b) > width:
            tokens.append(text[a:b].strip())
            extra += [p for p in range(a + 1, b) if _char_boundary(text, p)]
    if not extra:
        return nodes, words, []
    return tuple(sorted({*nodes, *extra})), words, tokens


def _char_boundary(text: str, p: int) -> bool:
    """A cut between two characters that splits no mark and breaks no prohibition."""
    nxt = text[p]
    return not (unicodedata.combining(nxt) or "\ufe00" <= nxt <= "\ufe0f" or nxt in NO_START or text[p - 1] in NO_END)


def break_paragraph(
    text: str,
    chain: FontChain,
    size: int,
    width: float,
    locale: str,
    level: BreakLevel,
    headline: bool,
    split: bool = False,
    page_rows: int | None = None,
    spare: int = 0,
    ragged: bool = True,
) -> ParagraphLines:
    """Line spans of one paragraph at one size; ``split`` cuts too-wide pieces by character;
    ``spare`` lines more than the fewest may be taken (display text) to keep words whole."""
    m = measured(text, chain, size)
    if not text:
        return ParagraphLines([(0, 0)], m)
    if m.width(0, len(text)) <= width:  # one line: no break analysis needed
        return ParagraphLines([(0, len(text))], m)
    nodes, words, tokens = _nodes(text, m, width, locale, level, split)
    greedy = _greedy(nodes, m, width)
    count = len(greedy) - 1
    costs = DISPLAY if headline else BODY_RAGGED if ragged else BODY_JUSTIFIED
    spare = spare if headline or ragged else 0
    # The line choice costs lines x nodes x nodes-per-line; a long paragraph keeps greedy breaks.
    affordable = (count + spare) * len(nodes) * (len(nodes) / count) < _DP_BUDGET
    if (count == 1 and not spare) or not affordable:
        picks = greedy
    else:
        picks = _best_breaks(nodes, words, m, width, count, spare, headline, costs, page_rows)
    spans = [(nodes[a], nodes[b]) for a, b in pairwise(picks)]
    overflow = max(0.0, max(m.width(s, e) for s, e in spans) - width)
    phrase, joints, loose = words
    inside = [e for _, e in spans[:-1] if e not in phrase]
    cost = sum(_split_cost(e, joints, loose, DISPLAY) for e in inside)
    return ParagraphLines(spans, m, overflow, len(inside), cost, len(spans) - count, tokens, frozenset(nodes))


def count_lines(
    text: str,
    chain: FontChain,
    size: int,
    width: float,
    locale: str,
    level: BreakLevel,
    split: bool = False,
    whole: int = 0,
) -> tuple[int, float, str]:
    """Lines needed at ``size`` (greedy is optimal for the count), the overflow in px and its piece.

    ``whole`` 1 breaks only between words or at a word's weakest joint, 2 only between words:
    the fewest lines that keep words whole (an overflow says no such layout fits the width).
    """
    count = 0
    overflow = 0.0
    widest = ""
    for _, para in paragraphs(text):
        if not para:
            count += 1
            continue
        m = measured(para, chain, size)
        if m.width(0, len(para)) <= width:
            count += 1
            continue
        nodes, (phrase, joints, loose), _ = _nodes(para, m, width, locale, level, split and not whole)
        if whole:
            keep = phrase | joints | loose if whole == 1 else phrase
            nodes = tuple(p for p in nodes if p in keep or p in (0, len(para)))
        picks = _greedy(nodes, m, width)
        count += len(picks) - 1
        for a, b in pairwise(picks):
            over = m.width(nodes[a], nodes[b]) - width
            if over > overflow:
                overflow, widest = over, para[nodes[a] : nodes[b]].strip()
    return count, overflow, widest
