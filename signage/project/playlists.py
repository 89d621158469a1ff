"""Playlists (``playlists/NAME.yaml``): a named, ordered list of entries for screens of some kinds.

An entry is one of: slogans (by id or by kind and tags), cases (by id, fraud type, outcome,
the newest N), an image or a video file of the project. Its duration defaults to the
artifact's own (LED pages x stay, a scroll loop, a video's length; an image: the screen
profile's ``image_seconds``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from .config import Id, NonEmpty, ScreenKind, Strict
from .content import FRAUD_TYPES, SloganKind

PLAYLISTS_DIR = Path("playlists")


def _inside_project(value: str) -> str:
    if Path(value).is_absolute() or ".." in Path(value).parts:
        raise ValueError(f"{value!r} must be a file inside the project folder")
    return value


ProjectFile = Annotated[str, AfterValidator(_inside_project)]


def _as_ids(value: Any) -> Any:
    """``slogans: hotline-ask`` and ``slogans: [a, b]`` are short for ``{ids: [...]}``."""
    if isinstance(value, str):
        return {"ids": [value]}
    if isinstance(value, list):
        return {"ids": value}
    return value


class Rotation(Strict):
    """A pool: ``pick`` of the selected items play each day, chosen from the branch-local date
    alone (the same inputs give the same answer on any machine)."""

    pick: Annotated[int, Field(ge=1, le=1000)] = 1
    order: Literal["daily", "shuffle"] = "daily"  # daily: the next ones in turn; shuffle: a new order each day
    offset: Literal["none", "branch"] = "none"  # branch: neighbouring branches start at different places
    seed: int = 0

    def choose(self, items: list[Any], day: dt.date, branch_id: str) -> list[Any]:
        if not items:
            return []
        n = len(items)
        salt = branch_id if self.offset == "branch" else ""
        if self.order == "shuffle":
            shuffled = list(items)
            random.Random(f"{self.seed}:{salt}:{day.isoformat()}").shuffle(shuffled)
            return shuffled[: self.pick]

        off = int(hashlib.sha256(f"{self.seed}:{salt}".encode()).hexdigest()[:8], 16) % n if salt else 0
        start = (day.toordinal() * self.pick + off) % n
        return [items[(start + k) % n] for k in range(min(self.pick, n))]


class SloganSelector(Strict):
    ids: list[Id] = Field(default_factory=list)  # in this order; else every slogan that matches, in file order
    kind: list[SloganKind] = Field(default_factory=list)
    tags: list[NonEmpty] = Field(default_factory=list)  # any of them
    rotate: Rotation | None = None  # a pool: a few of them each day

    @field_validator("kind", mode="before")
    @classmethod
    def _one_kind(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class CaseSelector(Strict):
    ids: list[Id] = Field(default_factory=list)
    fraud_type: list[Literal[FRAUD_TYPES]] = Field(default_factory=list)  # type: ignore[valid-type]
    outcome: list[Literal["stopped", "lost", "recovered", "partly-recovered"]] = Field(default_factory=list)
    newest: Annotated[int, Field(ge=1, le=1000)] | None = None  # by date, newest first
    rotate: Rotation | None = None  # a pool: "one case a day" is {rotate: {pick: 1}}

    @field_validator("fraud_type", "outcome", mode="before")
    @classmethod
    def _one(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Entry(Strict):
    slogans: SloganSelector | None = None
    cases: CaseSelector | None = None
    image: ProjectFile | None = None
    video: ProjectFile | None = None
    duration: Annotated[float, Field(gt=0, le=86400)] | None = None  # seconds each item shows

    @field_validator("slogans", "cases", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        return _as_ids(value)

    @model_validator(mode="after")
    def _one(self) -> Entry:
        given = [k for k in ("slogans", "cases", "image", "video") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("an entry is exactly one of slogans, cases, image, video")
        return self

    @property
    def what(self) -> str:
        return next(k for k in ("slogans", "cases", "image", "video") if getattr(self, k) is not None)


class Playlist(Strict):
    name: str = ""
    suits: Annotated[list[ScreenKind], Field(min_length=1)]  # the kinds of screen it is made for
    entries: Annotated[list[Entry], Field(min_length=1)]

    @property
    def pooled(self) -> bool:
        """Whether what it plays depends on the day (an entry rotates through a pool)."""
        return any((e.slogans and e.slogans.rotate) or (e.cases and e.cases.rotate) for e in self.entries)

    def project_files(self) -> list[tuple[str, str]]:
        return [
            (f"entries[{n}].{e.what}", getattr(e, e.what))
            for n, e in enumerate(self.entries)
            if e.what in ("image", "video")
        ]
