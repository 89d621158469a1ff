"""Hour-by-hour checks of what players reported: minimum frequencies held or broken, screens dark.

Both read the raw events (plays and heartbeats) one screen at a time within its branch's
period (UTC epoch seconds), through the index serve's store keeps on (branch, screen, at).

A minimum frequency (``min_frequency`` in playlists/schedule.yaml: a slogan of a kind at
least every so often) is judged over each stretch a screen played without a break: from the
stretch's start to the first qualifying play, between qualifying plays, and from the last to
the stretch's end, no gap may be longer than the rule's length (plus :data:`TOLERANCE`). An
hour is broken when the rule was overdue at some moment in it; hours without plays are not
judged (the screen was off: the dark check says so). Emergencies are above the rules, as in
publishing, so their plays end a stretch rather than count in it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..project.model import Project
from .planned import ScreenRef
from .plays import content_of

TOLERANCE = 2.0  # seconds: a player's clock and a page's start are not to the millisecond
JOIN_GAP = 5.0  # seconds between one play's end and the next start that still count as one stretch
HOURS_SHOWN = 48  # broken hours listed per screen and rule (the count is always whole)


@dataclass(frozen=True)
class FrequencyCheck:
    """One rule on one screen over the period."""

    branch: str
    screen: str
    rule: str  # "hotline every 3m"
    hours: int  # hours judged (the screen played in them)
    broken: list[str]  # the local hours (YYYY-MM-DD HH:00) in which the rule was overdue
    worst_gap: float  # seconds, the longest wait for a qualifying play

    @property
    def held(self) -> int:
        return self.hours - len(self.broken)


@dataclass(frozen=True)
class Dark:
    """How long a screen that reports was dark in the period: no heartbeat for longer than the stale
    threshold, or its page hidden."""

    branch: str
    screen: str
    seconds: float
    outages: int
    longest: float
    never: bool  # no heartbeat at all in the period


def _hours(lo: float, hi: float, zone: ZoneInfo) -> Iterator[str]:
    """The local hours (labels) that [lo, hi) touches."""
    start = dt.datetime.fromtimestamp(lo, zone).replace(minute=0, second=0, microsecond=0)
    t = start.timestamp()
    while t < hi:
        yield f"{dt.datetime.fromtimestamp(t, zone):%Y-%m-%d %H:00}"
        t += 3600


PLAYS = (
    "SELECT at, coalesce(duration, 0), item, artifact, coalesce(campaign, '') FROM events "
    "WHERE branch = ? AND screen = ? AND at >= ? AND at < ? AND kind = 'play' ORDER BY at"
)  # one screen's, through serve's index on (branch, screen, at)
BEATS = (
    "SELECT at, CASE WHEN json_valid(data) THEN json_extract(data, '$.visible') END FROM events "
    "WHERE branch = ? AND screen = ? AND at >= ? AND at < ? AND kind = 'heartbeat' ORDER BY at"
)


def _judge(plays: list[tuple[float, float, bool]], every: float, zone: ZoneInfo) -> tuple[set[str], set[str], float]:
    """(hours judged, hours broken, worst gap) of one screen's (start, duration, qualifies) plays."""
    judged: set[str] = set()
    broken: set[str] = set()
    worst = 0.0

    def close(start: float, end: float, marks: list[float]) -> None:
        nonlocal worst
        judged.update(_hours(start, end, zone))
        points = [start, *marks, end]
        for a, b in zip(points, points[1:]):
            worst = max(worst, b - a)
            if b - a > every + TOLERANCE:
                broken.update(_hours(a + every, b, zone))

    run: tuple[float, float, list[float]] | None = None
    for start, duration, qualifies in plays:
        if run is not None and start <= run[1] + JOIN_GAP:
            run = (run[0], max(run[1], start + duration), run[2])
        else:
            if run is not None:
                close(*run)
            run = (start, start + duration, [])
        if qualifies:
            run[2].append(start)
    if run is not None:
        close(*run)
    return judged, broken, worst


def check_frequency(
    db: sqlite3.Connection,
    project: Project,
    refs: list[ScreenRef],
    bounds: dict[str, tuple[float, float]],
    contents: dict[str, tuple[str, str]],
    slogan_kinds: dict[str, str],
) -> list[FrequencyCheck]:
    """Every minimum-frequency rule on every reporting screen it applies to, hour by hour."""
    rules = project.schedule.min_frequency
    applies = {
        (r.branch.id, r.screen.id): (r, [rule for rule in rules if rule.where.matches(r.branch, r.screen, r.kind)])
        for r in refs
        if r.reports
    }
    applies = {k: v for k, v in applies.items() if v[1]}
    if not applies:
        return []
    kind_of: dict[tuple[str | None, str | None], str] = {}  # (item, artifact) -> the slogan's kind, or ""
    out = []
    for key, (ref, screen_rules) in applies.items():
        zone = ZoneInfo(ref.branch.timezone)
        played: list[tuple[float, float, str]] = []
        for at, duration, item, artifact, campaign in db.execute(PLAYS, (*key, *bounds[key[0]])):
            if campaign.startswith("emergency-"):
                continue  # above the rules; the gap it leaves splits the stretch
            slogan = kind_of.get((item, artifact))
            if slogan is None:
                kind, content = content_of(item, artifact, contents, project)
                slogan = kind_of[(item, artifact)] = slogan_kinds.get(content, "") if kind == "slogan" else ""
            played.append((at, duration, slogan))
        for rule in screen_rules:
            plays = [(at, d, k == rule.kind) for at, d, k in played]
            judged, broken, worst = _judge(plays, rule.seconds, zone)
            out.append(
                FrequencyCheck(key[0], key[1], f"{rule.kind} every {rule.every}", len(judged), sorted(broken), worst)
            )
    return out


def check_dark(
    db: sqlite3.Connection, refs: list[ScreenRef], bounds: dict[str, tuple[float, float]], stale: float
) -> list[Dark]:
    """The reporting screens that were dark for a while in the period (each with how long), in order."""
    out = []
    for ref in refs:
        branch, screen = ref.branch.id, ref.screen.id
        lo, hi = bounds[branch]
        found = [(at, visible != 0) for at, visible in db.execute(BEATS, (branch, screen, lo, hi))]
        spans: list[tuple[float, float]] = []
        previous, hidden = lo, False
        for at, visible in [*found, (hi, True)]:
            if at > previous and (hidden or at - previous > stale):
                if spans and spans[-1][1] >= previous:
                    spans[-1] = (spans[-1][0], at)
                else:
                    spans.append((previous, at))
            previous, hidden = max(previous, at), not visible
        total = sum(b - a for a, b in spans)
        if total > 0:
            out.append(Dark(branch, screen, total, len(spans), max(b - a for a, b in spans), not found))
    return out
