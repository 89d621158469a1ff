"""Emergency takeovers: a slogan above every campaign on the screens a selector names, until a
given instant. Kept in output/schedule/emergencies.json (written atomically); every start,
stop and expiry goes to the rotation log."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import atomic_write_bytes
from ..errors import SignageError
from ..project.content import Slogan
from ..project.schedule import Where
from ..project.texts import TextEntry
from ..tree import emergencies_file

TEXT_SLOGAN = "emergency-text-"  # the id of a --text emergency's slogan: emergency-text-N


def is_emergency_text(slogan_id: str) -> bool:
    """Whether a slogan is a ``--text`` emergency's words: only its own playlist picks it (by id);
    no playlist that draws slogans by kind or tag does."""
    return slogan_id.startswith(TEXT_SLOGAN)


_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


@dataclass
class Emergency:
    id: str
    slogan: str
    where: Where
    start: dt.datetime  # UTC
    end: dt.datetime
    stopped: dt.datetime | None = None
    end_logged: bool = False  # its expiry is in the rotation log
    text: dict[str, str] | None = None  # --text: locale -> the words, shown as a warning slogan ``slogan``

    @property
    def key(self) -> str:
        return f"emergency-{self.id}"

    @property
    def playlist(self) -> str:
        return self.key

    def over(self, at: dt.datetime) -> bool:
        """Ended (or stopped) by ``at``: it will never play again."""
        return at >= (min(self.end, self.stopped) if self.stopped else self.end)

    def active(self, at: dt.datetime) -> bool:
        until = min(self.end, self.stopped) if self.stopped else self.end
        return self.start <= at < until

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "slogan": self.slogan,
            "where": self.where.model_dump(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "stopped": self.stopped.isoformat() if self.stopped else None,
            "end_logged": self.end_logged,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Emergency:
        stopped = data.get("stopped")
        return cls(
            data["id"],
            data["slogan"],
            Where.model_validate(data["where"]),
            dt.datetime.fromisoformat(data["start"]),
            dt.datetime.fromisoformat(data["end"]),
            dt.datetime.fromisoformat(stopped) if stopped else None,
            bool(data.get("end_logged")),
            data.get("text"),
        )


def inject(project: Any, emergencies: list[Emergency], output: Path | None = None) -> None:
    """Make each ``--text`` emergency a warning slogan of the project (in memory), so the build
    renders it for LED signs and TVs like any other; SignageError if its text cannot be filled."""

    path = emergencies_file(output or project.output_dir)
    for e in emergencies:
        if not e.text or e.slogan in project.slogans:
            continue
        project.slogans[e.slogan] = Slogan.model_validate({"id": e.slogan, "kind": "warning", "text": e.text})
        for locale, words in e.text.items():
            entry = TextEntry(path, None, e.slogan, f"text.{locale}", locale, words, led=True)
            problem = project.expressions.compile(entry)
            if problem:
                raise SignageError(problem)
            project.texts.append(entry)


def parse_duration(text: str) -> dt.timedelta:
    """'2h', '90m', '1d12h' -> a timedelta."""
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        raise ValueError(f"--for {text!r}: use a length like 2h, 90m or 1d12h")
    d, h, m = (int(g or 0) for g in match.groups())
    return dt.timedelta(days=d, hours=h, minutes=m)


def load(output: Path) -> list[Emergency]:
    path = emergencies_file(output)
    if not path.is_file():
        return []
    return [Emergency.from_dict(d) for d in json.loads(path.read_text(encoding="utf-8"))]


def save(output: Path, emergencies: list[Emergency]) -> None:
    data = json.dumps([e.to_dict() for e in emergencies], ensure_ascii=False, indent=1) + "\n"
    atomic_write_bytes(emergencies_file(output), data.encode("utf-8"), mode=0o600)  # the tool's own state


def next_id(emergencies: list[Emergency]) -> str:
    return str(max((int(e.id) for e in emergencies if e.id.isdigit()), default=0) + 1)


def pending(project: Any, at: dt.datetime) -> list[Emergency]:
    """The emergencies not over at ``at`` (on, or to come), their ``--text`` slogans made part of the
    project: what plans, publishing and checks consider. Stopped and ended ones are history only."""
    live = [e for e in load(project.output_dir) if not e.over(at)]
    inject(project, live)
    return live
