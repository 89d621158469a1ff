"""Where words begin and end: the segmenter, the domain's and the project's dictionary, the script.

jieba (through rjieba) cuts a text into words; the domain's words, built-in corrections of
its known errors, and the project's dictionary (taught with :func:`add_words`) are kept
whole. Traditional text is segmented through its Simplified form, mapped character for
character with OpenCC, whenever it holds Traditional characters, whatever its locale says.

A position inside a word is not a word boundary; among such positions the *weak joints*
(between two parts that are words of their own: 违法|行为, 动动|手指, 长治|英雄中路|支行)
are where a word is split when no layout keeps every word whole. A short quoted term
(“先返后骗”) is kept whole too, but splits between its words (``loose``) before any word does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Words a dictionary segmenter does not know, or cuts wrongly, in anti-fraud copy; a project
# adds its own (see add_words and the project's dictionary).
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
# Corrections of jieba's own dictionary, seen in our outputs and the issue's: it cuts 动动手|指,
# 非柜面|业务 and 大额|转账 (split across pages and lines), 先返|后|骗 and 都|是; compounds that
# read as one (小额返利, 加大投入, 违法行为) and names (长治, 一键查卡, 云闪付, 防骗视伏器).
CORRECTIONS = (
    "动动手指",
    "非柜面业务",
    "大额转账",
    "长治",
    "先返后骗",
    "小额返利",
    "加大投入",
    "违法行为",
    "一键查卡",
    "云闪付",
    "防骗视伏器",
    "都是",
)
# A road name with its direction (英雄中路, 人民东路) before a number or a branch: jieba cuts it
# 英雄|中路, which a sign then breaks as 长治英雄 / 中路支行.
_ROAD = re.compile(r"[\u4e00-\u9fff]{2}[东西南北中][路街](?=[\d０-９一二三四五六七八九十]|支行|分行|网点|营业|$)")
_WORD_FREQUENCY = 100_000  # far above jieba's own, so a taught word is never cut

_added: set[str] = set()
_version = 0
_pending: list[str] = [*DOMAIN_WORDS, *CORRECTIONS]  # taught to the segmenter when it is first needed


def add_words(words: list[str] | tuple[str, ...]) -> None:
    """Teach the segmenter words to keep whole (Simplified or Traditional; both are looked up Simplified).

    Taken in now and handed to jieba when a text is first segmented, so loading a project
    never loads the segmenter (0.1 s) for commands that lay nothing out."""
    fresh = [w for w in words if w and w not in _added and w not in _pending]
    if fresh:
        _pending.extend(fresh)
        segment.cache_clear()
        global _version
        _version += 1


def dictionary_version() -> int:
    """A number that changes whenever words are added: caches of break analyses key on it."""
    return _version


def taught_words() -> frozenset[str]:
    """The Simplified forms of every word taught so far (after the first segmentation)."""
    return frozenset(_added)


def _teach() -> None:
    import rjieba

    while _pending:
        word = to_simplified(_pending.pop(0), True)
        if word and word not in _added:
            rjieba.add_word(word, _WORD_FREQUENCY, None)
            _added.add(word)


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def is_traditional(text: str) -> bool:
    """Whether ``text`` holds characters that only Traditional writing uses (行為, 網點, 賬戶)."""
    return str(_converter("t2s").convert(text)) != text


def to_simplified(text: str, traditional: bool, region: str = "HK") -> str:
    """Traditional text mapped to Simplified character for character (the segmenter's dictionary is
    Simplified); the text itself unchanged when the mapping would change its length."""
    if not traditional:
        return text
    mapped = str(_converter({"HK": "hk2s", "MO": "hk2s", "TW": "tw2s"}.get(region, "t2s")).convert(text))
    return mapped if len(mapped) == len(text) else text


@dataclass(frozen=True)
class Segmentation:
    """Word boundaries of one text, the weak joints inside its words, and the word boundaries
    inside a short quoted term (``loose``: a term kept whole when it can be, split there before
    any word is) (positions 1..len-1)."""

    boundaries: frozenset[int]
    joints: frozenset[int]
    loose: frozenset[int] = frozenset()


# One-character words bind to the word after (negations, 请) or before (structural particles):
# 不|出借 and 你|的 read as one unit on a sign; between them is a weak joint, not a boundary.
_BINDS_TO_NEXT = frozenset("不别勿莫未没非请別請沒")
# A formula's operators (刷单+小额返利=诈骗) end their line: a line does not start with + or =.
_BINDS_TO_PREVIOUS = frozenset("的地得了着吗呢吧啊嗎著嘅+＋=＝")
# A short quoted term (“先返后骗”, 「收線」) names one thing: it is kept whole like a word.
_QUOTED = re.compile(r"[“「『《‘]([^“”「」『』《》‘’]{2,8})[”」』》’]")


@lru_cache(maxsize=4096)
def segment(text: str, region: str = "CN", traditional: bool = False) -> Segmentation:
    """Where ``text``'s words meet, and the weak joints inside them.

    ``traditional`` (the locale's script) or Traditional characters in the text send it
    through the Traditional mapping; ``region`` picks the mapping's regional variant.
    """
    import rjieba  # loaded on first use (0.1 s): one-line texts never need it

    if _pending:
        _teach()
    simplified = to_simplified(text, traditional or is_traditional(text), region)
    boundaries: set[int] = set()
    joints: set[int] = set()
    offset = 0
    tokens = rjieba.cut(simplified)
    for n, word in enumerate(tokens):
        if len(word) > 2:
            joints.update(offset + p for p in _weak_joints(word))
        offset += len(word)
        if n == len(tokens) - 1:
            break
        if text[offset - 1] in _BINDS_TO_NEXT or text[offset] in _BINDS_TO_PREVIOUS:
            joints.add(offset)
        else:
            boundaries.add(offset)
    for m in _ROAD.finditer(simplified):
        inside = set(range(m.start() + 1, m.end()))
        joints.update(inside & boundaries)
        boundaries -= inside
    loose: set[int] = set()
    for m in _QUOTED.finditer(simplified):
        inside = set(range(m.start(1) + 1, m.end(1)))
        loose.update(inside & boundaries)
        boundaries -= inside
    return Segmentation(frozenset(boundaries), frozenset(joints), frozenset(loose))


def _weak_joints(word: str) -> set[int]:
    """Positions inside ``word`` between two parts that are words of their own (违法|行为), and
    not inside a taught word it contains (英雄中路 in 长治英雄中路支行)."""
    import rjieba

    parts = [p for p in rjieba.cut_for_search(word) if 2 <= len(p) < len(word)]
    ends: set[int] = set()
    starts: set[int] = set()
    for part in parts:
        at = word.find(part)
        while at >= 0:
            starts.add(at)
            ends.add(at + len(part))
            at = word.find(part, at + 1)
    if not starts & ends and len(word) == 4 and word.isalpha():
        return {2}  # a four-character word reads as two pairs (钱货|两空, 误堕|法网)
    protected: set[int] = set()
    for i in range(len(word)):
        for j in range(i + 2, len(word) + (1 if i else 0)):
            if word[i:j] in _added:
                protected.update(range(i + 1, j))
    return {p for p in starts & ends if 0 < p < len(word) and p not in protected}
