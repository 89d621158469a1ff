"""The typed shape of content: slogans (content/slogans.yaml) and case summaries (content/cases/)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from .config import Id, LocaleTag, NonEmpty, Strict

# Text per locale: {"zh-Hans-CN": "...", "zh-Hant-HK": "..."}
LocalizedText = Annotated[dict[LocaleTag, NonEmpty], Field(min_length=1)]

FRAUD_TYPES = (
    "刷单返利",
    "虚假网络投资理财",
    "虚假购物服务",
    "冒充电商物流客服",
    "虚假贷款",
    "虚假征信",
    "冒充领导熟人",
    "冒充公检法及政府机关",
    "网络婚恋交友",
    "网络游戏产品虚假交易",
)
FraudType = Literal[FRAUD_TYPES]  # type: ignore[valid-type]


class SloganKind(str, Enum):
    slogan = "slogan"
    rule = "rule"
    formula = "formula"
    warning = "warning"
    hotline = "hotline"


class ValidRange(Strict):
    """Dates (inclusive) between which a piece of content may be shown."""

    from_: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ValidRange:
        if self.from_ and self.until and self.until < self.from_:
            raise ValueError(f"'until' ({self.until}) is before 'from' ({self.from_})")
        return self

    def iso(self) -> tuple[str | None, str | None]:
        """(from, until) as ISO dates, None where open."""
        return (self.from_.isoformat() if self.from_ else None, self.until.isoformat() if self.until else None)

    def ended(self, today: dt.date) -> bool:
        return self.until is not None and self.until < today


class Slogan(Strict):
    """A slogan: full text per locale and a short form for small LED signs."""

    id: Id
    kind: SloganKind = SloganKind.slogan
    tags: list[NonEmpty] = Field(default_factory=list)
    valid: ValidRange = ValidRange()
    text: LocalizedText
    short: dict[LocaleTag, NonEmpty] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _short_locales(self) -> Slogan:
        extra = sorted(set(self.short) - set(self.text))
        if extra:
            raise ValueError(f"short form in {', '.join(extra)} but no full text in that locale")
        return self

    @property
    def locales(self) -> list[str]:
        return list(self.text)


class Victim(Strict):
    alias: NonEmpty
    age_band: Annotated[str, StringConstraints(pattern=r"^(\d{1,2}-\d{1,3}|\d{1,3}\+)$")]


class Amount(Strict):
    value: Annotated[float, Field(ge=0)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    display: NonEmpty


class CaseShort(Strict):
    """Short renditions of a case for each medium."""

    led: NonEmpty
    card: NonEmpty
    video: Annotated[list[NonEmpty], Field(min_length=1)]


class CaseSummary(Strict):
    """A desensitised fraud case as banks publish them: recap, outcome, warnings."""

    id: Id
    locale: LocaleTag
    title: NonEmpty
    fraud_type: FraudType
    date: dt.date
    region: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    victim: Victim
    channel: NonEmpty
    impersonated: NonEmpty | None = None
    lure_steps: Annotated[list[NonEmpty], Field(min_length=1)]
    payment: NonEmpty | None = None
    amount: Amount | None = None
    outcome: Literal["stopped", "lost", "recovered", "partly-recovered"]
    outcome_note: NonEmpty | None = None
    warning_signs: Annotated[list[NonEmpty], Field(min_length=1)]
    advice: Annotated[list[NonEmpty], Field(min_length=1)]
    related_slogans: list[Id] = Field(default_factory=list)
    source: NonEmpty
    short: CaseShort

    def text_fields(self) -> list[tuple[str, str]]:
        """(field path, text) for every text a renderer may show, in display order."""
        fields: list[tuple[str, str]] = [("title", self.title), ("channel", self.channel)]
        if self.impersonated:
            fields.append(("impersonated", self.impersonated))
        fields += [(f"lure_steps[{i}]", s) for i, s in enumerate(self.lure_steps)]
        if self.payment:
            fields.append(("payment", self.payment))
        if self.amount:
            fields.append(("amount.display", self.amount.display))
        if self.outcome_note:
            fields.append(("outcome_note", self.outcome_note))
        fields += [(f"warning_signs[{i}]", s) for i, s in enumerate(self.warning_signs)]
        fields += [(f"advice[{i}]", s) for i, s in enumerate(self.advice)]
        fields += [("short.led", self.short.led), ("short.card", self.short.card)]
        fields += [(f"short.video[{i}]", s) for i, s in enumerate(self.short.video)]
        return fields
