"""Fixed wording per locale: fraud-type labels, and the script check every output passes.

A case's ``fraud_type`` is one of the ten types of the mainland's official classification,
kept as its Simplified name (the key). What a poster prints is the label for the text's
locale: the key itself on the mainland, the Hong Kong Police's own names for these scams
in Hong Kong and Macau, and Taiwan usage (OpenCC ``s2twp``) in Taiwan.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .locales import Locale, for_locale

# Hong Kong usage: the names the Anti-Deception Coordination Centre gives these scams.
FRAUD_TYPES_HK = {
    "刷单返利": "求職刷單騙案",
    "虚假网络投资理财": "網上投資騙案",
    "虚假购物服务": "網購騙案",
    "冒充电商物流客服": "假冒網購及速遞客服",
    "虚假贷款": "貸款騙案",
    "虚假征信": "假冒信貸資料機構",
    "冒充领导熟人": "猜猜我是誰",
    "冒充公检法及政府机关": "假冒官員騙案",
    "网络婚恋交友": "網上情緣騙案",
    "网络游戏产品虚假交易": "網上遊戲交易騙案",
}


@lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def fraud_type_label(key: str, locale: str) -> str:
    """How ``locale`` names the fraud type ``key``."""
    loc = Locale.parse(locale)
    if not loc.traditional:
        return key
    if loc.region in ("HK", "MO"):
        return FRAUD_TYPES_HK.get(key) or _converter("s2hk").convert(key)
    return _converter("s2twp").convert(key)


def foreign_characters(text: str, locale: str) -> str:
    """The characters of ``text`` written in the other script than ``locale``'s, as OpenCC's
    phrase dictionaries see them.

    In a Simplified text: characters that Traditional-to-Simplified changes. In a Traditional
    text: characters that Traditional-to-Simplified keeps and that both the standard and the
    region's own Simplified-to-Traditional change (so 皇后, 公里, Hong Kong's 平台 and its
    variant forms such as 戶 and 搵 are good Traditional, and 银 is not).
    """
    loc = Locale.parse(locale)
    if not loc.traditional:
        changed = _changes(text, "t2s")
    else:
        region = {"HK": "s2hk", "MO": "s2hk", "TW": "s2tw"}.get(loc.region, "s2t")
        kept = _changes(text, "t2s")
        changed = _changes(text, "s2t") & _changes(text, region) - kept
    return "".join(dict.fromkeys(text[i] for i in sorted(changed)))


def script_fix(text: str, locale: str) -> tuple[str, str]:
    """(OpenCC configuration, ``text`` converted by it): the conversion into ``locale``'s script to
    suggest for a text that mixes scripts (t2s on the mainland, s2hk in Hong Kong and Macau, s2twp in Taiwan)."""
    loc = Locale.parse(locale)
    config = "t2s" if not loc.traditional else {"HK": "s2hk", "MO": "s2hk", "TW": "s2twp"}.get(loc.region, "s2t")
    return config, _converter(config).convert(text)


def _changes(text: str, config: str) -> set[int]:
    """Positions of ``text`` that the OpenCC conversion ``config`` changes."""
    convert = _converter(config).convert
    converted = convert(text)
    if len(converted) != len(text):  # a phrase of another length: compare character by character
        converted = "".join(convert(c) if len(convert(c)) == 1 else c for c in text)
    return {i for i, (a, b) in enumerate(zip(text, converted, strict=True)) if a != b}


def strings_for(strings: dict[str, dict[str, str]], locale: str, default_locale: str) -> dict[str, str]:
    """A template's fixed wording for ``locale``: its own, else one of the same script, else the
    default locale's (which the script check then reports if it is in the other script)."""
    return for_locale(strings, locale, default_locale) or {}
