"""Screen health: each screen's last heartbeat against its branch's live version, as a state.

A state is one of :data:`STATES`, judged in this order:

- ``dark``: no heartbeat for ``dark_hours``, or the last one said the page was not visible;
- ``stale``: no heartbeat for ``stale_minutes`` (a player heartbeats every minute);
- ``behind``: it shows a version other than the live one (older, or newer after a rollback);
- ``playing``: it shows the live version;
- ``never-seen``: a screen that can report has never reported;
- ``cannot-report``: an LED sign, driven by a controller that does not report (unless a
  browser drives it and reports like any screen).

The heartbeats are ``screens_seen`` rows (one per screen: the last); the live version is
``output/publish/BRANCH/current``. Also the Prometheus text format of the same, for
node_exporter's textfile collector.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..project.model import Project
from ..project.screens import screen_kind
from ..tree import CURRENT, VERSION_FILE, publish_dir
from .readonly import has_table, reading

PLAYING, BEHIND, STALE, DARK, NEVER_SEEN, CANNOT_REPORT = (
    "playing",
    "behind",
    "stale",
    "dark",
    "never-seen",
    "cannot-report",
)
STATES = (PLAYING, BEHIND, STALE, DARK, NEVER_SEEN, CANNOT_REPORT)
STALE_MINUTES = 5.0
DARK_HOURS = 2.0


@dataclass(frozen=True)
class Thresholds:
    """How long without a heartbeat a screen is stale, and then dark."""

    stale_minutes: float = STALE_MINUTES
    dark_hours: float = DARK_HOURS

    def __post_init__(self) -> None:
        if self.stale_minutes <= 0 or self.dark_hours <= 0:
            raise ValueError("the stale and dark thresholds must be positive")
        if self.dark_hours * 60 < self.stale_minutes:
            raise ValueError(
                f"dark after {self.dark_hours:g} h comes before stale after {self.stale_minutes:g} min: "
                "dark must be the longer"
            )


@dataclass(frozen=True)
class Seen:
    """A screen's last heartbeat, as ``screens_seen`` keeps it."""

    at: float  # UTC epoch seconds
    version: str | None
    campaign: str | None
    showing: str | None
    visible: bool
    errors: int


@dataclass(frozen=True)
class ScreenStatus:
    """One screen's state, with what it was judged from."""

    branch: str
    screen: str
    kind: str  # led or tv
    state: str
    why: str
    live: str | None  # the branch's live version
    seen: Seen | None

    @property
    def reports(self) -> bool:
        return self.state != CANNOT_REPORT


def read_seen(output: Path, branches: Iterable[str] | None = None) -> dict[tuple[str, str], Seen]:
    """Every screen's last heartbeat, by (branch, screen); empty when nothing has reported yet."""
    with reading(output) as db:
        if db is None or not has_table(db, "screens_seen"):
            return {}
        rows = db.execute(
            "SELECT branch, screen, at, version, campaign, showing, visible, errors FROM screens_seen"
        ).fetchall()
    wanted = set(branches) if branches is not None else None
    return {
        (b, s): Seen(float(at), version, campaign, showing, bool(visible) if visible is not None else True, errors or 0)
        for b, s, at, version, campaign, showing, visible, errors in rows
        if at is not None and (wanted is None or b in wanted)
    }


def live_versions(output: Path, branch_ids: Iterable[str]) -> dict[str, str | None]:
    """Each branch's live version, as ``network.publish.current_version`` reads it (the ``current``
    link, whose target holds a version.json), with plain strings: 5,000 branches in milliseconds."""
    root = os.fspath(publish_dir(output))
    out: dict[str, str | None] = {}
    for branch in branch_ids:
        try:
            target = os.readlink(os.path.join(root, branch, CURRENT))
        except OSError:
            out[branch] = None
            continue
        out[branch] = target if os.path.isfile(os.path.join(root, branch, target, VERSION_FILE)) else None
    return out


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h ago"
    return f"{seconds / 86400:.1f} days ago"


def judge(seen: Seen | None, live: str | None, kind: str, now: float, limits: Thresholds) -> tuple[str, str]:
    """(state, why) of one screen from its last heartbeat, its branch's live version and the time now."""
    if seen is None:
        if kind == "led":
            return CANNOT_REPORT, "an LED sign's controller does not report: the report counts its plays as planned"
        return NEVER_SEEN, "no heartbeat ever"
    age = max(0.0, now - seen.at)
    if age >= limits.dark_hours * 3600:
        return DARK, f"last heartbeat {_ago(age)}"
    if not seen.visible:
        return DARK, f"page not visible ({_ago(age)})"
    if age >= limits.stale_minutes * 60:
        return STALE, f"last heartbeat {_ago(age)}"
    if live is None:
        return PLAYING, f"shows {seen.version or '?'}; the branch has no live version"
    if seen.version != live:
        return BEHIND, f"shows {seen.version or 'no version'}, live is {live}"
    return PLAYING, f"shows {live}"


def statuses(
    project: Project, now: dt.datetime, limits: Thresholds = Thresholds(), branch_ids: Sequence[str] | None = None
) -> list[ScreenStatus]:
    """Every screen of the chosen branches (all when None), in the project's order, with its state."""
    output = project.output_dir
    chosen = [b for b in project.config.branches if branch_ids is None or b.id in branch_ids]
    seen = read_seen(output, [b.id for b in chosen] if branch_ids is not None else None)
    at = now.timestamp()
    kinds: dict[str, str] = {}
    versions = live_versions(output, [b.id for b in chosen])
    out = []
    for branch in chosen:
        live = versions[branch.id]
        for screen in branch.screens:
            kind = kinds.get(screen.profile)
            if kind is None:
                profile = project.profile(screen.profile)
                kind = kinds[screen.profile] = screen_kind(profile) if profile is not None else "?"
            last = seen.get((branch.id, screen.id))
            state, why = judge(last, live, kind, at, limits)
            out.append(ScreenStatus(branch.id, screen.id, kind, state, why, live, last))
    return out


def counts(found: Sequence[ScreenStatus]) -> dict[str, int]:
    """How many screens are in each state (every state named, zeros too)."""
    counted = Counter(s.state for s in found)
    return {state: counted.get(state, 0) for state in STATES}


def _label(value: str) -> str:
    """A Prometheus label value, escaped as the text format wants (backslash, quote, newline)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _gauge(name: str, help_text: str, samples: Sequence[tuple[str, str]]) -> list[str]:
    """One gauge in the text exposition format: its HELP and TYPE lines, then a line per (labels, value)."""
    return [
        f"# HELP {name} {help_text}",
        f"# TYPE {name} gauge",
        *(f"{name}{{{labels}}} {value}" if labels else f"{name} {value}" for labels, value in samples),
    ]


def prometheus(found: Sequence[ScreenStatus], now: dt.datetime) -> str:
    """The text exposition format: one ``signage_screen_state`` series per screen (its state, value 1),
    the last heartbeat's time and errors of each reporting screen, and the count in every state."""

    def where(s: ScreenStatus) -> str:
        return f'branch="{_label(s.branch)}",screen="{_label(s.screen)}"'

    seen = [(where(s), s.seen) for s in found if s.seen is not None]
    lines = _gauge(
        "signage_screen_state",
        "The screen's state (1 for the state it is in).",
        [(f'{where(s)},kind="{s.kind}",state="{s.state}"', "1") for s in found],
    )
    lines += _gauge(
        "signage_screen_last_heartbeat_seconds",
        "Unix time of the screen's last heartbeat.",
        [(labels, f"{last.at:.3f}") for labels, last in seen],
    )
    lines += _gauge(
        "signage_screen_errors",
        "Errors the screen reported in its last heartbeat.",
        [(labels, str(last.errors)) for labels, last in seen],
    )
    lines += _gauge(
        "signage_screens", "Screens in each state.", [(f'state="{k}"', str(n)) for k, n in counts(found).items()]
    )
    lines += _gauge(
        "signage_status_time_seconds", "When this status was taken (Unix time).", [("", f"{now.timestamp():.3f}")]
    )
    return "\n".join(lines) + "\n"
