"""playlists/schedule.yaml: dayparts and campaigns that put other playlists on screens for a while.

A screen plays its default playlist (its own, or the first playlist rule that matches)
unless a campaign applies: one that targets the screen, whose dates include the branch's
local date, whose weekdays include its weekday and whose dayparts include its local time.
Of those, the highest ``priority`` wins; on a tie, the campaign whose dates started most
recently, then the one listed first. ``mode: replace`` plays the campaign's playlist
instead; ``mode: interleave`` plays what would play without it with one of the
campaign's items after every ``every`` items. An emergency is above every campaign.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..errors import unknown_hint
from .config import Branch, BranchScreen, Id, LocaleTag, NonEmpty, Strict

SCHEDULE_FILE = "schedule.yaml"  # in playlists/
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_span(text: str) -> tuple[int, int]:
    """'09:00-17:00' -> minutes from midnight (540, 1020); the end may be 24:00; a span may wrap
    past midnight ('22:00-06:00')."""
    match = _SPAN.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a time span like 09:00-17:30")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    for h, m in ((h1, m1), (h2, m2)):
        if h > 24 or m > 59 or (h == 24 and m):
            raise ValueError(f"{text!r}: {h:02d}:{m:02d} is not a time of day (00:00 to 24:00)")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end or start == 1440:
        raise ValueError(f"{text!r} is empty: give a start and a different end")
    return start, end


def in_span(span: tuple[int, int], minute: int) -> bool:
    start, end = span
    return start <= minute < end if start < end else minute >= start or minute < end


class Where(Strict):
    """Which screens: every condition given must hold (an empty ``where`` is every screen)."""

    branches: list[Id] = Field(default_factory=list)
    tags: list[NonEmpty] = Field(default_factory=list)  # any of them (region, city, type are tags too)
    locales: list[LocaleTag] = Field(default_factory=list)
    screens: list[Id] = Field(default_factory=list)  # the screen's id in its branch: door, lobby
    profiles: list[Id] = Field(default_factory=list)
    kinds: list[Literal["led", "tv"]] = Field(default_factory=list)

    def matches(self, branch: Branch, screen: BranchScreen, kind: str) -> bool:
        return (
            (not self.branches or branch.id in self.branches)
            and (not self.tags or bool(set(self.tags) & set(branch.tags)))
            and (not self.locales or branch.locale in self.locales)
            and (not self.screens or screen.id in self.screens)
            and (not self.profiles or screen.profile in self.profiles)
            and (not self.kinds or kind in self.kinds)
        )

    @classmethod
    def parse(cls, text: str) -> Where:
        """A selector from the command line: 'all', or 'tag:guangdong,kind:tv' (branch:, tag:,
        locale:, screen:, profile:, kind:; several of one kind mean any of them)."""
        fields: dict[str, list[str]] = {}
        names = {"branch": "branches", "tag": "tags", "locale": "locales", "screen": "screens"}
        names |= {"profile": "profiles", "kind": "kinds"}
        if text.strip() != "all":
            for part in text.split(","):
                key, _, value = part.strip().partition(":")
                if key not in names or not value:
                    raise ValueError(
                        f"--where {text!r}: use all, or branch:ID, tag:T, locale:L, screen:S, profile:P, kind:led|tv"
                    )
                fields.setdefault(names[key], []).append(value)
        return cls.model_validate(fields)

    def describe(self) -> str:
        parts = [f"{k}={','.join(v)}" for k, v in self.model_dump().items() if v]
        return " ".join(parts) or "all screens"


class Campaign(Strict):
    id: Id
    playlist: Id
    where: Where = Field(default_factory=Where)
    from_: dt.date | None = Field(default=None, alias="from")  # branch-local dates, inclusive
    until: dt.date | None = None
    weekdays: list[Literal[WEEKDAYS]] = Field(default_factory=list)  # type: ignore[valid-type]  # none: every day
    dayparts: list[NonEmpty] = Field(default_factory=list)  # names from `dayparts`, or "HH:MM-HH:MM"; none: all day
    priority: Annotated[int, Field(ge=-1000, le=1000)] = 0
    # replace: its playlist instead; interleave: one of its items after every `every` items of what
    # would play; ticker: what would play, with its slogans' texts in a ticker band (TV screens)
    mode: Literal["replace", "interleave", "ticker"] = "replace"
    every: Annotated[int, Field(ge=1, le=100)] = 3  # interleave: one campaign item after this many items

    @model_validator(mode="after")
    def _dates(self) -> Campaign:
        if self.from_ and self.until and self.until < self.from_:
            raise ValueError(f"until {self.until} is before from {self.from_}")
        return self


_LENGTH = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_length(text: str) -> float:
    """'10m', '90s', '1h30m' -> seconds."""
    match = _LENGTH.match(str(text).strip())
    if not match or not any(match.groups()):
        raise ValueError(f"{text!r} is not a length like 10m, 90s or 1h30m")
    h, m, s = (int(g or 0) for g in match.groups())
    return float(h * 3600 + m * 60 + s)


class Frequency(Strict):
    """Items of a kind at least every so often on the screens ``where`` names, over the whole loop."""

    kind: Literal["slogan", "rule", "formula", "warning", "hotline"]  # slogans of this kind
    every: NonEmpty  # 10m, 90s

    where: Where = Field(default_factory=Where)

    @field_validator("every")
    @classmethod
    def _every(cls, value: str) -> str:
        if parse_length(value) < 1:
            raise ValueError("every: at least 1 s")
        return value

    @property
    def seconds(self) -> float:
        return parse_length(self.every)


class Schedule(Strict):
    dayparts: dict[Id, NonEmpty | list[NonEmpty]] = Field(default_factory=dict)
    campaigns: list[Campaign] = Field(default_factory=list)
    min_frequency: list[Frequency] = Field(default_factory=list)

    @field_validator("dayparts")
    @classmethod
    def _spans(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for name, spans in value.items():
            for span in [spans] if isinstance(spans, str) else spans:
                try:
                    parse_span(span)
                except ValueError as exc:
                    raise ValueError(f"daypart {name}: {exc}") from None
        return value

    def name_problems(self) -> list[tuple[tuple[str | int, ...], str, str]]:
        """(where in the file, campaign id, what is wrong) for each second use of a campaign id and
        each daypart that is neither a name nor a span; the loader gives each its line."""
        found: list[tuple[tuple[str | int, ...], str, str]] = []
        seen: set[str] = set()
        for n, campaign in enumerate(self.campaigns):
            if campaign.id in seen:
                found.append((("campaigns", n, "id"), campaign.id, f"a second campaign with id {campaign.id!r}"))
            seen.add(campaign.id)
            for k, part in enumerate(campaign.dayparts):
                if part not in self.dayparts:
                    try:
                        parse_span(part)
                    except ValueError:
                        hint = unknown_hint(part, list(self.dayparts), "names")
                        found.append(
                            (
                                ("campaigns", n, "dayparts", k),
                                campaign.id,
                                f"daypart {part!r} is neither a name nor a span like 09:00-17:00{hint}",
                            )
                        )
        return found

    def spans(self, campaign: Campaign) -> list[tuple[int, int]]:
        """The campaign's time spans (minutes from local midnight); empty means all day."""
        out = []
        for part in campaign.dayparts:
            named = self.dayparts.get(part)
            texts = [part] if named is None else [named] if isinstance(named, str) else named
            out += [parse_span(t) for t in texts]
        return out
