"""Locales the tool typesets for, and what each implies: region, glyph forms, phrase model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# Region subtag -> glyph forms of the CJK face to use. Hong Kong and Macau share the
# HK forms; Taiwan uses the TC (Taiwan standard) forms; the mainland uses SC.
_HANT_FORMS = {"HK": "HK", "MO": "HK", "TW": "TC"}
_HANS_REGIONS = ("CN", "SG")


@dataclass(frozen=True)
class Locale:
    """A BCP 47 tag of the form zh-Hans-CN / zh-Hant-HK, parsed."""

    tag: str
    script: str  # "Hans" or "Hant"
    region: str  # "CN", "HK", "MO", "TW", "SG"

    @property
    def glyph_forms(self) -> str:
        """Which regional face of a Pan-CJK font draws this locale: SC, TC or HK."""
        return "SC" if self.script == "Hans" else _HANT_FORMS.get(self.region, "TC")

    @property
    def traditional(self) -> bool:
        return self.script == "Hant"

    @classmethod
    def parse(cls, tag: str) -> Locale:
        parts = str(tag).split("-")
        if len(parts) != 3 or parts[0] != "zh":
            raise ValueError(
                f"unknown locale {tag!r}: use zh-Hans-CN, zh-Hans-SG, zh-Hant-HK, zh-Hant-MO or zh-Hant-TW"
            )
        script, region = parts[1], parts[2]
        if script == "Hans" and region in _HANS_REGIONS or script == "Hant" and region in _HANT_FORMS:
            return cls(tag=f"zh-{script}-{region}", script=script, region=region)
        raise ValueError(f"unknown locale {tag!r}: use zh-Hans-CN, zh-Hans-SG, zh-Hant-HK, zh-Hant-MO or zh-Hant-TW")


def for_locale(values: dict[str, T], locale: str, default_locale: str) -> T | None:
    """What ``values`` (locale tag -> value) gives ``locale``: its own, else one of the same script,
    else the default locale's; None when there is none of these."""
    if locale in values:
        return values[locale]
    script = locale.split("-")[1]
    same = [tag for tag in values if tag.split("-")[1] == script]
    return values[same[0]] if same else values.get(default_locale)
