"""The campaign report of a period: what players reported beside what the schedule planned.

Per slogan, case and campaign: plays and screen-hours reported, the same planned, and the
branches reached (a reported play) out of those targeted (a planned one). LED signs cannot
report: their plays are the planned ones, shown apart and marked as planned. Then the
minimum-frequency rules per screen and hour, the emergencies and how long they ran, the
screens that went dark, and the print cards each branch has.

Plays of a period up to a week (and a day) come from the raw events when they reach back to
its start (branch-local days, exactly); of a longer one, or once retention has removed them,
from the daily totals, which are UTC days (the report says which): a month's millions of raw
events would take minutes to count, and a day's edge hours matter little over a month. The
hour-by-hour checks need the raw events and go through every one of them: they run for the
periods whose plays are counted exactly, or when asked (``hourly``), and are left out, said
so, otherwise.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from ..build.catalogue import Catalogue
from ..project.model import Project
from ..project.schedule import Where
from ..project.screens import screen_kind
from ..rotation import read_log
from ..schedule.emergency import Emergency
from ..schedule.emergency import load as load_emergencies
from .checks import Dark, FrequencyCheck, check_dark, check_frequency
from .planned import Planned, ScreenRef, plan_period
from .plays import content_of
from .readonly import has_table, reading

EXACT_DAYS = 8  # periods up to a week (and a day) count plays from the raw events; longer ones from the daily totals
EMERGENCY = "emergency-"  # the key of an emergency's variant: emergency-ID
RAW, DAILY = "raw events (branch-local days)", "daily totals (UTC days)"


@dataclass(frozen=True)
class ContentLine:
    """One slogan, case or file under one campaign key."""

    kind: str
    content: str
    campaign: str
    plays: int  # reported by players
    seconds: float
    planned_plays: float  # what the schedule planned on screens that report
    planned_seconds: float
    led_plays: float  # planned on LED signs, which cannot report
    led_seconds: float
    reached: int  # branches with a reported play
    targeted: int  # branches where the schedule planned it (any screen)


@dataclass(frozen=True)
class EmergencyLine:
    id: str
    slogan: str
    where: str
    start: dt.datetime
    end: dt.datetime  # when it ended, or was stopped, or the period's end
    seconds: float  # within the period
    screens: int  # chosen screens it targets
    switched: int  # chosen screens the rotation log shows switched to it in the period
    screen_seconds: float  # how long those screens were on it, by the log


@dataclass(frozen=True)
class CardLine:
    branch: str
    name: str
    cards: list[str]  # catalogue ids


@dataclass
class CampaignReport:
    first: dt.date
    last: dt.date
    scope: str
    generated: dt.datetime
    source: str
    branches: int
    screens: int  # that report
    led_screens: int
    content: list[ContentLine] = field(default_factory=list)
    frequency: list[FrequencyCheck] = field(default_factory=list)
    emergencies: list[EmergencyLine] = field(default_factory=list)
    dark: list[Dark] = field(default_factory=list)
    cards: list[CardLine] = field(default_factory=list)
    days: list[tuple[dt.date, int, float]] = field(default_factory=list)  # day, reported plays, planned plays
    notes: list[str] = field(default_factory=list)
    reach: dict[str, tuple[int, int]] = field(default_factory=dict)  # campaign key -> (reached, targeted) branches

    def campaigns(self) -> list[ContentLine]:
        """The content lines summed per campaign key (``kind`` "campaign", reach over its items)."""
        sums: dict[str, list[float]] = defaultdict(lambda: [0.0] * 8)
        for line in self.content:
            s = sums[line.campaign]
            for n, v in enumerate(
                (line.plays, line.seconds, line.planned_plays, line.planned_seconds, line.led_plays, line.led_seconds)
            ):
                s[n] += v
        return [
            ContentLine("campaign", c, c, int(s[0]), s[1], s[2], s[3], s[4], s[5], *self.reach.get(c, (0, 0)))
            for c, s in sorted(sums.items())
        ]


def choose_screens(project: Project, branch_id: str | None, where: Where | None) -> list[ScreenRef]:
    """The screens a report covers: one branch's, those a selector names, or every screen."""
    out = []
    for branch in project.config.branches:
        if branch_id is not None and branch.id != branch_id:
            continue
        for screen in branch.screens:
            profile = project.profile(screen.profile)
            if profile is None:
                continue
            kind = screen_kind(profile)
            if where is None or where.matches(branch, screen, kind):
                out.append(ScreenRef(branch, screen, kind))
    return out


def _artifact_contents(catalogue: Catalogue) -> dict[str, tuple[str, str]]:
    """(content kind, id) by every name an event may give its artifact: catalogue id or key."""
    found: dict[str, tuple[str, str]] = {}
    for record in catalogue.records.values():
        found[record.id] = found[record.key] = (record.content.kind, record.content.id)
    return found


def _bounds(refs: list[ScreenRef], first: dt.date, last: dt.date, now: dt.datetime) -> dict[str, tuple[float, float]]:
    out = {}
    for ref in refs:
        zone = ZoneInfo(ref.branch.timezone)
        lo = dt.datetime.combine(first, dt.time(), tzinfo=zone).timestamp()
        hi = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone).timestamp()
        out[ref.branch.id] = (lo, min(hi, now.timestamp()))
    return out


def _raw_reaches_back(db: sqlite3.Connection, earliest: float) -> bool:
    """Whether the raw events hold the whole period: the oldest is no later than its start, or the daily
    totals hold no play in the period from before the oldest raw event's day (retention removed none)."""
    oldest = db.execute("SELECT min(at) FROM events").fetchone()[0]  # serve's store indexes events(at)
    if oldest is None or oldest <= earliest or not has_table(db, "daily"):
        return True
    start, day = (dt.datetime.fromtimestamp(t, dt.timezone.utc).date().isoformat() for t in (earliest, oldest))
    older = db.execute("SELECT 1 FROM daily WHERE day >= ? AND day < ? LIMIT 1", (start, day)).fetchone()
    return older is None


def _played(
    db: sqlite3.Connection,
    bounds: dict[str, tuple[float, float]],
    screens: set[tuple[str, str]],
    raw: bool,
    first: dt.date,
    last: dt.date,
) -> tuple[list[tuple[str, str, str | None, str, str, int, float]], dict[dt.date, int]]:
    """(branch, screen, item, artifact, campaign, plays, seconds) rows, and the chosen ``screens``' plays by day."""
    db.execute("CREATE TEMP TABLE chosen(branch TEXT PRIMARY KEY, lo REAL, hi REAL)")
    db.executemany("INSERT INTO chosen VALUES (?, ?, ?)", [(b, lo, hi) for b, (lo, hi) in bounds.items()])
    if raw:  # one pass over the period's events: by screen, content, campaign and day
        found = db.execute(
            "SELECT e.branch, e.screen, e.item, e.artifact, e.campaign, CAST((e.at - c.lo) / 86400 AS INTEGER), "
            "count(*), total(e.duration) FROM events e JOIN chosen c ON c.branch = e.branch "
            "WHERE e.kind = 'play' AND e.at >= c.lo AND e.at < c.hi GROUP BY 1, 2, 3, 4, 5, 6"
        ).fetchall()
        dated = [(*row[:5], first + dt.timedelta(days=int(row[5])), *row[6:]) for row in found]
    else:
        found = db.execute(
            "SELECT d.branch, d.screen, d.item, d.artifact, d.campaign, d.day, sum(d.plays), total(d.seconds) "
            "FROM daily d JOIN chosen c ON c.branch = d.branch WHERE d.day BETWEEN ? AND ? GROUP BY 1, 2, 3, 4, 5, 6",
            (first.isoformat(), last.isoformat()),
        ).fetchall()
        dated = [(*row[:5], dt.date.fromisoformat(row[5]), *row[6:]) for row in found]
    days: dict[dt.date, int] = defaultdict(int)
    sums: dict[tuple[str, str, str | None, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for branch, screen, item, artifact, campaign, day, plays, seconds in dated:
        if (branch, screen) in screens:
            days[day] += plays
            tally = sums[(branch, screen, item, artifact, campaign)]
            tally[0] += plays
            tally[1] += seconds
    rows = [(*key, int(plays), seconds) for key, (plays, seconds) in sums.items()]
    return rows, days


def _switched_on(output: Path, refs: list[ScreenRef], lo: float, hi: float) -> dict[str, tuple[int, float]]:
    """By emergency id: how many chosen screens the rotation log shows switched to it within [lo, hi),
    and the screen-seconds they spent on it until their next switch (or ``hi``)."""
    chosen = {(r.branch.id, r.screen.id) for r in refs}
    on: dict[tuple[str, str], tuple[str, float]] = {}  # screen -> (the key it was switched to, since)
    found: dict[str, tuple[set[tuple[str, str]], list[float]]] = defaultdict(lambda: (set(), [0.0]))

    def count(where: tuple[str, str], key: str, start: float, stop: float) -> None:
        if key.startswith(EMERGENCY) and min(stop, hi) > max(start, lo):
            tally = found[key.removeprefix(EMERGENCY).split("@", 1)[0]]
            tally[0].add(where)
            tally[1][0] += min(stop, hi) - max(start, lo)

    for at, event, branch, screen, _, to, _ in read_log(output):
        where = (branch, screen)
        if event != "switch" or where not in chosen:
            continue
        t = dt.datetime.fromisoformat(at).timestamp()
        if where in on:
            count(where, *on[where], t)
        on[where] = (to.rsplit(":", 1)[-1], t)  # a rollback logs VERSION:KEY
    for where, (key, since) in on.items():
        count(where, key, since, hi)
    return {e: (len(screens), seconds[0]) for e, (screens, seconds) in found.items()}


def _emergencies(
    emergencies: list[Emergency], refs: list[ScreenRef], lo: dt.datetime, hi: dt.datetime, output: Path
) -> list[EmergencyLine]:
    switched = _switched_on(output, refs, lo.timestamp(), hi.timestamp())
    out = []
    for e in emergencies:
        end = min(e.end, e.stopped) if e.stopped else e.end
        start, stop = max(e.start, lo), min(end, hi)
        on = sum(1 for r in refs if e.where.matches(r.branch, r.screen, r.kind))
        if stop > start and on:
            out.append(
                EmergencyLine(
                    e.id,
                    e.slogan,
                    e.where.describe(),
                    e.start,
                    min(end, hi),
                    (stop - start).total_seconds(),
                    on,
                    *switched.get(e.id, (0, 0.0)),
                )
            )
    return out


def _cards(catalogue: Catalogue, refs: list[ScreenRef]) -> list[CardLine]:
    cards = [r for r in catalogue.records.values() if r.kind == "card"]
    by_locale: dict[str, list[str]] = defaultdict(list)
    own: dict[str, list[str]] = defaultdict(list)
    for r in cards:
        (own[r.branch] if r.branch else by_locale[r.locale]).append(r.id)
    seen: dict[str, CardLine] = {}
    for ref in refs:
        b = ref.branch
        if b.id not in seen:
            seen[b.id] = CardLine(b.id, b.name, sorted(by_locale[b.locale] + own[b.id]))
    return list(seen.values())


def campaign_report(
    project: Project,
    first: dt.date,
    last: dt.date,
    refs: list[ScreenRef],
    scope: str,
    now: dt.datetime,
    stale_seconds: float = 300.0,
    hourly: bool | None = None,
) -> CampaignReport:
    """The report of ``refs`` from ``first`` to ``last`` (branch-local days, inclusive) as of ``now``; the
    hour-by-hour checks when ``hourly`` (None: for a period of up to EXACT_DAYS days)."""
    output = project.output_dir
    catalogue = Catalogue.load(output)
    contents = _artifact_contents(catalogue)
    emergencies = load_emergencies(output)
    bounds = _bounds(refs, first, last, now)
    branches = {r.branch.id for r in refs}
    report = CampaignReport(
        first, last, scope, now, RAW, len(branches), sum(r.reports for r in refs), sum(not r.reports for r in refs)
    )
    planned: Planned = plan_period(project, refs, first, last, emergencies, until=now)
    report.notes += planned.notes
    chosen = {(r.branch.id, r.screen.id) for r in refs}
    reporting = {(r.branch.id, r.screen.id) for r in refs if r.reports}
    played: dict[tuple[str, str, str, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    reported_days: dict[dt.date, int] = {}
    with reading(output) as db:
        if db is None or not has_table(db, "events"):
            report.notes.append("no player has reported yet: every reported figure is zero")
        else:
            earliest = min((lo for lo, _ in bounds.values()), default=now.timestamp())
            raw = _raw_reaches_back(db, earliest)
            exact = raw and (last - first).days < EXACT_DAYS
            report.source = RAW if exact else DAILY
            if raw and not exact:
                report.notes.append(
                    f"a period over {EXACT_DAYS} days counts its plays from the daily totals (UTC days), not its "
                    "millions of raw events"
                )
            rows, reported_days = _played(db, bounds, chosen, exact, first, last)
            for branch, screen, item, artifact, campaign, plays, seconds in rows:
                if (branch, screen) not in chosen:
                    continue
                kind, content = content_of(item, artifact, contents, project)
                tally = played[(branch, screen, kind, content, campaign or "")]
                tally[0] += plays
                tally[1] += seconds
            if hourly is None:
                hourly = exact
            if raw and hourly:
                kinds = {s.id: s.kind.value for s in project.slogans.values()}
                report.frequency = check_frequency(db, project, refs, bounds, contents, kinds)
                report.dark = check_dark(db, [r for r in refs if r.reports], bounds, stale_seconds)
            elif raw:
                report.notes.append(
                    "the hour-by-hour frequency and dark-screen checks were left out: they go through every raw "
                    "event of the period (ask for them with --hourly)"
                )
            else:
                report.notes.append(
                    "the raw events of the period's start are no longer kept: plays are daily totals (UTC days), "
                    "and the hour-by-hour frequency and dark-screen checks are left out"
                )
    _merge(report, played, planned, reporting)
    report.days = [
        (day, reported_days.get(day, 0), planned.days.get(day, 0.0))
        for day in (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    ]
    lo = min((dt.datetime.fromtimestamp(lo, dt.timezone.utc) for lo, _ in bounds.values()), default=now)
    hi = max((dt.datetime.fromtimestamp(hi, dt.timezone.utc) for _, hi in bounds.values()), default=now)
    report.emergencies = _emergencies(emergencies, refs, lo, hi, output)
    report.cards = _cards(catalogue, refs)
    return report


def _campaign_key(text: str) -> str:
    return text.split("@", 1)[0]


def _merge(
    report: CampaignReport,
    played: dict[tuple[str, str, str, str, str], list[float]],
    planned: Planned,
    reporting: set[tuple[str, str]],
) -> None:
    """Content lines from the reported and planned tallies; reach per line and per campaign."""
    lines: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0] * 6)
    reached: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    targeted: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for (branch, _, kind, content, campaign), (plays, seconds) in played.items():
        key = (kind, content, _campaign_key(campaign))
        lines[key][0] += plays
        lines[key][1] += seconds
        if plays:
            reached[key].add(branch)
    for (branch, screen, kind, content, campaign), (plays, seconds) in planned.plays.items():
        key = (kind, content, campaign)
        column = 2 if (branch, screen) in reporting else 4
        lines[key][column] += plays
        lines[key][column + 1] += seconds
        if plays > 0:
            targeted[key].add(branch)
    report.content = [
        ContentLine(
            k, c, camp, int(v[0]), v[1], v[2], v[3], v[4], v[5], len(reached[(k, c, camp)]), len(targeted[(k, c, camp)])
        )
        for (k, c, camp), v in sorted(lines.items())
    ]
    by_campaign_reached: dict[str, set[str]] = defaultdict(set)
    by_campaign_targeted: dict[str, set[str]] = defaultdict(set)
    for (_, _, camp), found in reached.items():
        by_campaign_reached[camp] |= found
    for (_, _, camp), found in targeted.items():
        by_campaign_targeted[camp] |= found
    report.reach = {c: (len(by_campaign_reached[c]), len(by_campaign_targeted[c])) for _, _, c in lines}
