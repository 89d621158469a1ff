"""Where a Chinese line may break: UAX #14, tailored to clreq, with word boundaries as preferences.

The allowed breaks come from Unicode line breaking (uniseg), then the clreq
prohibition rules (basic or strict) and the "never split" spans (numbers and amounts,
URLs, e-mail addresses, ``——``, ``……``) take breaks away. Word boundaries from a
dictionary segmenter (jieba, through rjieba; Traditional text mapped to Simplified
character for character with OpenCC first) never add a break; they only mark which
allowed breaks keep words whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from ..locales import Locale


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
    """Break positions of one text: ``allowed`` and the preferred subset ``phrase``.

    A position ``p`` means a break between ``text[p-1]`` and ``text[p]``; 0 and
    ``len(text)`` are never listed.
    """

    text: str
    allowed: tuple[int, ...]
    phrase: frozenset[int]


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


# Words a dictionary segmenter does not know, or cuts wrongly, in anti-fraud copy; a project
# adds its own in content/words.txt (see add_words).
DOMAIN_WORDS = (
    "解冻金",
    "养老钱",
    "验证码",
    "非柜面",
    "帮信罪",
    "钱袋子",
    "杀猪盘",
    "校园贷",
    "公检法",
    "反诈",
    "防骗易",
    "查一查",
    "唔好",
    "钱货两空",
    "安全账户",
    "屏幕共享",
    "共享屏幕",
    "刷单返利",
    "手续费",
    "来电预警",
    "稳赚不赔",
    "三不一多",
    "防诈骗",
    "必有诈",
)
_added: set[str] = set()
_pending: list[str] = list(DOMAIN_WORDS)  # taught to the segmenter when it is first needed


def add_words(words: list[str] | tuple[str, ...]) -> None:
    """Teach the segmenter words of the domain (Simplified or Traditional; both are looked up Simplified).

    Taken in now and handed to jieba when a text is first segmented, so loading a project
    never loads the segmenter (0.1 s) for commands that lay nothing out."""
    fresh = [w for w in words if w and w not in _added and w not in _pending]
    if fresh:
        _pending.extend(fresh)
        analyse.cache_clear()


def _teach() -> None:
    import rjieba

    while _pending:
        word = _to_simplified(_pending.pop(0), True)
        if word and word not in _added:
            rjieba.add_word(word, 100_000, None)
            _added.add(word)


@lru_cache(maxsize=4)
def _converter(traditional_forms: str) -> Any:
    import opencc

    return opencc.OpenCC({"HK": "hk2s", "TW": "tw2s"}.get(traditional_forms, "t2s"))


def _to_simplified(text: str, traditional: bool, region: str = "HK") -> str:
    """Traditional text mapped to Simplified character for character (the segmenter's dictionary is
    Simplified); the text itself unchanged when the mapping would change its length."""
    if not traditional:
        return text
    mapped = str(_converter(region).convert(text))
    return mapped if len(mapped) == len(text) else text


def word_breaks(text: str, locale: Locale) -> set[int]:
    """Positions between words (jieba's dictionary plus the domain's), which may be disallowed breaks."""
    import rjieba  # loaded on first use (0.1 s): one-line texts never need it

    if _pending:
        _teach()
    simplified = _to_simplified(text, locale.traditional, locale.region)
    positions = set()
    offset = 0
    for word in rjieba.cut(simplified)[:-1]:
        offset += len(word)
        if text[offset - 1] not in _BINDS_TO_NEXT and text[offset] not in _BINDS_TO_PREVIOUS:
            positions.add(offset)
    return positions


# One-character words bind to the word after (negations, 请) or before (structural particles):
# 不|出借 and 你|的 read as one unit on a sign.
_BINDS_TO_NEXT = frozenset("不别勿莫未没非请別請沒")
_BINDS_TO_PREVIOUS = frozenset("的地得了着吗呢吧啊嗎著嘅")


def unsplittable_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every number, amount, URL, e-mail, ``——`` and ``……`` run."""
    return [m.span() for m in _UNSPLITTABLE.finditer(text) if m.end() - m.start() > 1]


def _previous_visible(text: str, pos: int) -> str:
    """The last non-space character before ``pos`` (what ends the line)."""
    i = pos - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return text[i] if i >= 0 else ""


@lru_cache(maxsize=4096)
def analyse(text: str, locale_tag: str = "zh-Hans-CN", level: BreakLevel = BreakLevel.basic) -> BreakAnalysis:
    """All break positions of a single paragraph (no line feeds) under one clreq level."""
    locale = Locale.parse(locale_tag)
    strict = level == BreakLevel.strict
    no_start = NO_START_STRICT if strict else NO_START
    no_end = NO_END_STRICT if strict else NO_END

    allowed = set(uax14_breaks(text))
    for start, end in unsplittable_spans(text):
        allowed.difference_update(range(start + 1, end))
    for pos in list(allowed):
        nxt = text[pos]
        prev = _previous_visible(text, pos)
        if nxt in no_start or prev in no_end:
            allowed.discard(pos)
    ordered = tuple(sorted(allowed))
    phrase = frozenset(word_breaks(text, locale) & allowed)
    return BreakAnalysis(text=text, allowed=ordered, phrase=phrase)
