"""What ``signage plan --at`` answers for one branch over its coming week, published as one JSON file.

Publishing writes ``output/schedule/plans/BRANCH.json``: for each screen, the instants at which
its answer changes (the same ``decide`` as ever, the items of that day's selection), and what
the answers were computed from: the project's input files (a stamp of their sizes and times),
the emergencies counted in, the signage version. A later ``plan --at`` that finds all of these
as they were answers from the file without loading the project (``signage.app.plan_answers``).

This module is the file's format only, and imports nothing heavy: ``plan --at`` starts with it
(named tuples, not dataclasses, for the same reason: their classes are made faster).
"""

# no `from __future__ import annotations` here: a named tuple's fields would then be strings that typing
# compiles one by one when the class is made, a good part of `plan --at`'s start-up

import bisect
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from ..fingerprint import InputStamp
from ..tree import plan_answers_file

FORMAT = 1  # a reader finding another refuses the file (and the project is loaded instead)

PlannedItem = tuple[str, str, str, str]  # (kind, content id, locale, target): as plan prints an item


class Span(NamedTuple):
    """From ``start`` until the next span, the screen plays ``key`` (``why``) with these items."""

    start: dt.datetime  # aware
    key: str
    why: str
    items: int  # index into ``BranchAnswers.items``


class BranchAnswers(NamedTuple):
    """A branch's answers from ``start`` until ``end``, and what they were computed from."""

    branch: str
    timezone: str
    start: dt.datetime
    end: dt.datetime
    screens: dict[str, tuple[Span, ...]]  # in the branch's order of screens
    items: tuple[tuple[PlannedItem, ...], ...]  # each distinct item list once
    generator: str  # the signage version that wrote it
    root: str  # the project folder, resolved
    output: str  # signage.yaml's output setting
    inputs: tuple[InputStamp, ...]
    emergencies: tuple[str, ...] = ()  # each one counted in, as ``emergency_record`` spells it

    def span(self, screen: str, at: dt.datetime) -> Span | None:
        """What plays on ``screen`` at ``at``; None outside the window (or for an unknown screen)."""
        spans = self.screens.get(screen)
        if not spans or not self.start <= at < self.end:
            return None
        n = bisect.bisect_right([s.start for s in spans], at) - 1
        return spans[n] if n >= 0 else None

    def unseen_emergency(self, recorded: Iterable[Mapping[str, Any]], at: dt.datetime) -> bool:
        """Whether an emergency these answers did not count (started, stopped or changed since,
        or one they counted that is gone) spans ``at``: only the project can answer then."""
        now = {emergency_record(e) for e in recorded}
        for text in now.symmetric_difference(self.emergencies):
            data = json.loads(text)
            if dt.datetime.fromisoformat(data["start"]) <= at < dt.datetime.fromisoformat(data["end"]):
                return True
        return False

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "generator": self.generator,
            "branch": self.branch,
            "timezone": self.timezone,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "root": self.root,
            "output": self.output,
            "inputs": [s.to_data() for s in self.inputs],
            "emergencies": list(self.emergencies),
            "screens": {
                screen: [[s.start.isoformat(), s.key, s.why, s.items] for s in spans]
                for screen, spans in self.screens.items()
            },
            "items": [[list(item) for item in items] for items in self.items],
        }
        return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, text: bytes) -> "BranchAnswers":
        """The answers in ``text``; ValueError for another format or anything missing or malformed."""
        try:
            data = json.loads(text)
            if data["format"] != FORMAT:
                raise ValueError(f"format {data['format']!r}, not {FORMAT}")
            return cls(
                branch=str(data["branch"]),
                timezone=str(data["timezone"]),
                start=dt.datetime.fromisoformat(data["start"]),
                end=dt.datetime.fromisoformat(data["end"]),
                screens={
                    screen: tuple(
                        Span(dt.datetime.fromisoformat(at), str(key), str(why), int(n)) for at, key, why, n in spans
                    )
                    for screen, spans in data["screens"].items()
                },
                items=tuple(tuple((str(a), str(b), str(c), str(d)) for a, b, c, d in items) for items in data["items"]),
                generator=str(data["generator"]),
                root=str(data["root"]),
                output=str(data["output"]),
                inputs=tuple(InputStamp.from_data(s) for s in data["inputs"]),
                emergencies=tuple(str(e) for e in data["emergencies"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a plan answers file: {exc!r}") from None


def emergency_record(data: Mapping[str, Any]) -> str:
    """An emergency as ``emergencies.json`` holds it, without what the rotation notes about it later
    (``end_logged``): equal records, the same emergency for every answer."""
    return json.dumps({k: v for k, v in data.items() if k != "end_logged"}, sort_keys=True, ensure_ascii=False)


def read_answers(output: Path, branch_id: str) -> BranchAnswers | None:
    """The branch's published answers; None when there are none or they cannot be read."""
    try:
        return BranchAnswers.from_json(plan_answers_file(output, branch_id).read_bytes())
    except (OSError, ValueError):
        return None
