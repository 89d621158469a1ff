"""Where a Chinese line may break: UAX #14, tailored to clreq, with word boundaries as preferences.

The allowed breaks come from Unicode line breaking (uniseg), then the clreq
prohibition rules (basic or strict) and the "never split" spans (numbers and amounts,
URLs, e-mail addresses, ``——``, ``……``) take breaks away. Word boundaries from a
dictionary segmenter (see words.py) never add a break; they only mark which allowed
breaks keep words whole, and which split a word at its weakest joint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from ..locales import Locale
from .words import dictionary_version, segment


class BreakLevel(str, Enum):
    """clreq prohibition levels this tool implements."""

    basic = "basic"
    strict = "strict"


# clreq / GB/T 15834 basic level: characters that may not start a line ...
NO_START = frozenset("、，。．：；！？％）］｝〉》」』】〕〗〞〟’”…‥·‧,.:;!?%)]}»›ー々〻ゝゞ")
# ... and characters that may not end a line.
NO_END = frozenset("（［｛〈《「『【〔〖〝‘“([{«‹")
# Strict adds: dashes may not start a line; the middle dot stays off both edges.
NO_START_STRICT = NO_START | frozenset("—―～〜")
NO_END_STRICT = NO_END | frozenset("·‧・")

# Spans that are never split, whatever UAX #14 allows inside them.
_CURRENCY = r"(?:元|美元|港元|港币|港幣|澳门元|澳門元|新台币|新台幣|块|塊)"
_NUMBER = (
    r"[¥￥$＄]?\d+(?:(?:[,.:/\-]|\s(?=\d{3,}))\d+)*"
    rf"(?:[万萬亿億千百]*{_CURRENCY}|[万萬亿億千百]+|[%％])?"
)
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]"
_URL = (
    rf"(?:https?://|www\.){_URL_CHARS}+"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
    rf"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:cn|com|net|org|gov|hk|mo|tw)(?:/{_URL_CHARS}*)?"
)
_RUNS = r"—{2,}|…{2,}|⋯{2,}|\.{3,}"
_UNSPLITTABLE = re.compile(f"{_URL}|{_NUMBER}|{_RUNS}")


@dataclass(frozen=True)
class BreakAnalysis:
    """Break positions of one text: ``allowed``, the preferred subset ``phrase`` (between words),
    and ``joints``, the allowed breaks inside a word at its weakest (违法|行为).

    A position ``p`` means a break between ``text[p-1]`` and ``text[p]``; 0 and
    ``len(text)`` are never listed.
    """

    text: str
    allowed: tuple[int, ...]
    phrase: frozenset[int]
    joints: frozenset[int] = frozenset()
    loose: frozenset[int] = frozenset()  # word boundaries inside a short quoted term (“先返后骗”)


def _is_ideograph(char: str) -> bool:
    cp = ord(char)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x3FFFF or 0xF900 <= cp <= 0xFAFF


def _uax14_class_key(char: str) -> str:
    """A representative character with the same UAX #14 behaviour, for memoising."""
    if _is_ideograph(char):
        return "中"
    if "0" <= char <= "9":
        return "0"
    if "a" <= char <= "z" or "A" <= char <= "Z":
        return "a"
    return char


@lru_cache(maxsize=8192)
def _uax14_breaks(normalised: str) -> tuple[int, ...]:
    import uniseg.linebreak  # loaded on first use (40 ms): one-line texts never need it

    return tuple(p for p in uniseg.linebreak.line_break_boundaries(normalised) if p < len(normalised))


def uax14_breaks(text: str) -> list[int]:
    """UAX #14 break opportunities of ``text`` (positions 1..len-1).

    Between two ideographs UAX #14 always allows a break (LB31), and the rules never
    look across one, so the text is cut there and each piece is analysed on its own
    with characters of identical line-breaking behaviour folded together. That keeps
    the answer exact and makes repeated shapes (``中，中``, ``中00000中``) cached.
    """
    breaks: list[int] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i < len(text) and not (_is_ideograph(text[i - 1]) and _is_ideograph(text[i])):
            continue
        piece = text[start:i]
        key = "".join(_uax14_class_key(c) for c in piece)
        breaks.extend(start + p for p in _uax14_breaks(key))
        if i < len(text):
            breaks.append(i)
        start = i
    return breaks


def unsplittable_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every number, amount, URL, e-mail, ``——`` and ``……`` run."""
    return [m.span() for m in _UNSPLITTABLE.finditer(text) if m.end() - m.start() > 1]


def _previous_visible(text: str, pos: int) -> str:
    """The last non-space character before ``pos`` (what ends the line)."""
    i = pos - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return text[i] if i >= 0 else ""


def analyse(text: str, locale_tag: str = "zh-Hans-CN", level: BreakLevel = BreakLevel.basic) -> BreakAnalysis:
    """All break positions of a single paragraph (no line feeds) under one clreq level."""
    return _analyse(text, locale_tag, level, dictionary_version())


@lru_cache(maxsize=4096)
def _analyse(text: str, locale_tag: str, level: BreakLevel, words_version: int) -> BreakAnalysis:
    locale = Locale.parse(locale_tag)
    strict = level == BreakLevel.strict
    no_start = NO_START_STRICT if strict else NO_START
    no_end = NO_END_STRICT if strict else NO_END

    allowed = set(uax14_breaks(text))
    # UAX #14 keeps a prefix + with what follows (+852); in a formula slogan (刷单+小额返利) it is an
    # operator, and the break after it is the natural one.
    allowed.update(i for i in range(2, len(text)) if text[i - 1] in "+＋" and _is_ideograph(text[i]))
    for start, end in unsplittable_spans(text):
        allowed.difference_update(range(start + 1, end))
    for pos in list(allowed):
        nxt = text[pos]
        prev = _previous_visible(text, pos)
        if nxt in no_start or prev in no_end:
            allowed.discard(pos)
    ordered = tuple(sorted(allowed))
    words = segment(text, locale.region or "CN", locale.traditional)
    return BreakAnalysis(
        text=text,
        allowed=ordered,
        phrase=words.boundaries & allowed,
        joints=words.joints & allowed,
        loose=words.loose & allowed,
    )
