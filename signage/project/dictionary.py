"""The project's dictionary: words no line of any output may break inside when it can avoid it.

Gathered once when the project loads, from the project's own list (``content/words.txt``,
one word a line) and from what the project already names: every branch's name, city and
address tokens (长治市 / 英雄中路 / 12号 -> 长治市, 英雄中路), the fraud-type labels of every
locale, and each region's app and hotline names. The segmenter keeps them whole (see
typography/words.py, which also holds the built-in corrections), and the words are part
of every output's fingerprint, so an edit to any of them renders again what it changes.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Problem
from ..labels import FRAUD_TYPES_HK
from .config import ProjectConfig

LONGEST = 20  # characters of one word; a longer "word" is a sentence

# An address cut after each administrative or street unit: 长治市|英雄中路|12号.
_ADDRESS_PART = re.compile(r".+?(?:省|自治区|市|区|區|县|縣|镇|鎮|乡|鄉|[东西南北中東]?[路街道巷]|大道|号|號|$)")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")


def read_word_list(path: Path, problems: list[Problem]) -> tuple[str, ...]:
    """The project's own words (one a line, # comments) that lines must not break inside."""
    if not path.is_file():
        return ()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(f"cannot be read as UTF-8 text: {exc}", file=path))
        return ()
    words = []
    for n, line in enumerate(lines, 1):
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        if any(c.isspace() for c in word) or len(word) > LONGEST:
            problems.append(
                Problem(f"one word a line, without spaces, at most {LONGEST} characters", file=path, line=n)
            )
            continue
        words.append(word)
    return tuple(dict.fromkeys(words))


ADDRESS_PART_LONGEST = 5  # 英雄中路, 朝阳区; a longer run is several names (香港中環德輔道)


def address_words(address: str) -> list[str]:
    """The named parts of an address (长治市英雄中路12号 -> 长治市, 英雄中路): units of Chinese
    characters only, two to five of them."""
    parts = [m.group() for m in _ADDRESS_PART.finditer(address.replace(" ", "")) if m.group()]
    return [p for p in parts if _HAN.fullmatch(p) and len(p) <= ADDRESS_PART_LONGEST]


def _named(text: str | None) -> list[str]:
    """``text`` as a word when it is one (no spaces, not too long, two characters or more)."""
    if not text:
        return []
    text = text.strip()
    return [text] if 2 <= len(text) <= LONGEST and not any(c.isspace() for c in text) else []


def project_words(config: ProjectConfig, own: tuple[str, ...]) -> tuple[str, ...]:
    """The whole dictionary: the project's list first, then the names the project uses."""
    words: list[str] = list(own)
    for branch in config.branches:
        words += _named(branch.name)
        words += _named(branch.vars.get("city"))
        words += address_words(branch.vars.get("address", ""))
    for key, label in FRAUD_TYPES_HK.items():
        words += _named(key) + _named(label)
    for region in config.regions.values():
        words += _named(region.app) + _named(region.hotline_name)
    return tuple(dict.fromkeys(w for w in words if not w.isdigit()))
