"""What plays on a screen at an instant, and why: the one function ``plan``, ``rotate``, publishing
and the checks all ask.

Times are the branch's wall-clock time through ``zoneinfo`` (with ``tzdata``): a daypart
edge at 01:30 on the night clocks go forward happens at the first instant that exists
after it; on the night they go back, once, at its first occurrence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ..project.config import Branch, BranchScreen
from ..project.model import Project
from ..project.schedule import WEEKDAYS, Campaign, Schedule, in_span
from ..project.screens import playlist_for, screen_kind
from ..tree import DEFAULT, dated_key
from .emergency import Emergency


@dataclass(frozen=True)
class Decision:
    """The playlist live on one screen at one instant."""

    key: str  # DEFAULT, a campaign id, "BASE+CAMPAIGN" (interleave) or "emergency-ID": the published folder
    playlist: str  # the playlist's name (for interleave, the base's)
    campaign: str | None  # the campaign (or emergency) that put it there
    why: str
    considered: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)  # (campaign, verdict, reason)
    interleave: str | None = None  # the interleaved campaign's playlist
    every: int = 0


def _local(branch: Branch, at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise ValueError("an instant needs a time zone")
    return at.astimezone(ZoneInfo(branch.timezone))


def _rank(campaign: Campaign, index: int) -> tuple[int, int, int]:
    """Sort key: higher priority first, then the most recent start, then the first listed."""
    return (-campaign.priority, -(campaign.from_ or dt.date.min).toordinal(), index)


def decide(
    project: Project,
    schedule: Schedule,
    branch: Branch,
    screen: BranchScreen,
    at: dt.datetime,
    emergencies: list[Emergency] = (),  # type: ignore[assignment]
) -> Decision:
    """The playlist live on ``screen`` of ``branch`` at ``at``, with every campaign's verdict."""
    profile = project.profile(screen.profile)
    kind = screen_kind(profile) if profile is not None else ""
    local = _local(branch, at)
    today, minute, weekday = local.date(), _wall_minute(local), WEEKDAYS[local.weekday()]
    considered: list[tuple[str, str, str]] = []
    live = [e for e in emergencies if e.active(at) and e.where.matches(branch, screen, kind)]
    if live:
        chosen = max(live, key=lambda e: e.start)
        considered = [(c.id, "lost", f"emergency {chosen.id} is on") for c in schedule.campaigns]
        why = f"emergency {chosen.id} until {chosen.end.astimezone(local.tzinfo).isoformat(timespec='minutes')}"
        return Decision(chosen.key, chosen.key, chosen.id, why, tuple(considered))
    applicable: list[tuple[int, Campaign]] = []
    for n, c in enumerate(schedule.campaigns):
        reason = ""
        suits = project.playlists[c.playlist].suits if c.playlist in project.playlists else []
        spans = schedule.spans(c)
        if not c.where.matches(branch, screen, kind):
            reason = f"not targeted (where: {c.where.describe()})"
        elif kind not in suits:
            reason = f"its playlist {c.playlist} is for {'/'.join(suits) or 'no'} screens, this one is {kind}"
        elif c.mode == "ticker" and kind != "tv":
            reason = "a ticker campaign is for TV screens"
        elif c.from_ and today < c.from_:
            reason = f"not started: from {c.from_}"
        elif c.until and today > c.until:
            reason = f"expired: until {c.until}"
        elif c.weekdays and weekday not in c.weekdays:
            reason = f"not on {weekday} (weekdays: {', '.join(c.weekdays)})"
        elif spans and not any(in_span(s, minute) for s in spans):
            reason = f"outside its dayparts ({', '.join(c.dayparts)}) at {local:%H:%M}"
        if reason:
            considered.append((c.id, "skipped", reason))
        else:
            applicable.append((n, c))
    applicable.sort(key=lambda nc: _rank(nc[1], nc[0]))
    default, rule = playlist_for(project, branch, screen)
    winner = applicable[0][1] if applicable else None
    base = next((c for _, c in applicable if c.mode == "replace"), None)
    for _, c in applicable:
        if c is winner:
            considered.append((c.id, "won", f"priority {c.priority}, the highest that applies"))
        elif c is base and winner is not None and winner.mode == "interleave":
            considered.append((c.id, "won", f"the playlist {winner.id} interleaves into"))
        else:
            assert winner is not None
            tie = c.priority == winner.priority
            reason = (
                f"priority {c.priority} ties with {winner.id}, which "
                + ("started later" if (c.from_ or dt.date.min) < (winner.from_ or dt.date.min) else "is listed first")
                if tie
                else f"priority {c.priority} is below {winner.id}'s {winner.priority}"
            )
            considered.append((c.id, "lost", reason))

    def dated(key: str, *names: str) -> str:
        """A playlist with a pool plays the day's choice: its key carries the local date."""
        pooled = any(project.playlists[n].pooled for n in names if n in project.playlists)
        return dated_key(key, today if pooled else None)

    if winner is None:
        why = f"no campaign applies: the default ({rule})"
        return Decision(dated(DEFAULT, default), default, None, why, tuple(considered))
    if winner.mode == "replace":
        key = dated(winner.id, winner.playlist)
        return Decision(key, winner.playlist, winner.id, f"campaign {winner.id}", tuple(considered))
    under = base.playlist if base else default
    key = dated(f"{base.id if base else DEFAULT}+{winner.id}", under, winner.playlist)
    why = f"campaign {winner.id} interleaved into {'campaign ' + base.id if base else 'the default'}"
    return Decision(key, under, winner.id, why, tuple(considered), winner.playlist, winner.every)


def _wall_minute(local: dt.datetime) -> int:
    """Minutes since local midnight as dayparts count them. In the hour the clocks go back, the
    second pass (fold 1) counts as the last minute of the first, so nothing in that hour starts
    or stops twice; it holds until the wall clock passes the hour again."""
    minute = local.hour * 60 + local.minute
    if local.fold == 0 or local.utcoffset() == local.replace(fold=0).utcoffset():
        return minute
    at = local.astimezone(dt.timezone.utc)
    for k in range(1, 181):  # back to the last instant before the clocks went back
        before = (at - dt.timedelta(minutes=k)).astimezone(local.tzinfo)
        if before.fold == 0:
            return before.hour * 60 + before.minute
    return minute


def _transitions(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The instants (UTC) between ``start`` and ``end`` at which the zone's offset changes."""
    lo, hi = start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)
    if lo.astimezone(zone).utcoffset() == hi.astimezone(zone).utcoffset():
        return []
    before = lo.astimezone(zone).utcoffset()
    while hi - lo > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    # the change falls in (lo, hi], within a second: the first whole second with the new offset (rounding
    # hi up would be a second late when the change is on the second below it, as zone changes are)
    whole = hi.replace(microsecond=0)
    return [whole if whole > lo and whole.astimezone(zone).utcoffset() != before else whole + dt.timedelta(seconds=1)]


def instants(schedule: Schedule, branch: Branch, day: dt.date, emergencies: list[Emergency] = ()) -> list[dt.datetime]:  # type: ignore[assignment]
    """Every instant of the branch's local ``day`` at which a decision may change, in order (UTC):
    local midnight, each daypart edge (both occurrences on the night the clocks go back), the
    instant the clocks change (an edge in the skipped hour takes effect then), emergencies."""
    zone = ZoneInfo(branch.timezone)
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    minutes = {0}
    for c in schedule.campaigns:
        for a, b in schedule.spans(c):
            minutes |= {a, b % 1440}
    found = {start.astimezone(dt.timezone.utc), *_transitions(zone, start, end)}
    for m in minutes:
        for fold in (0, 1):
            local = dt.datetime.combine(day, dt.time(m // 60, m % 60, fold=fold), tzinfo=zone)
            found.add(local.astimezone(dt.timezone.utc))
    for e in emergencies:
        found |= {t for t in (e.start, e.end, e.stopped) if t is not None}
    lo, hi = start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)
    return sorted(t for t in found if lo <= t < hi)


def day_switches(
    project: Project,
    schedule: Schedule,
    branch: Branch,
    screen: BranchScreen,
    day: dt.date,
    emergencies: list[Emergency] = (),  # type: ignore[assignment]
) -> list[tuple[dt.datetime, Decision]]:
    """The day's timeline on one screen: the decision at local midnight and each change after it."""
    out: list[tuple[dt.datetime, Decision]] = []
    for t in instants(schedule, branch, day, emergencies):
        decision = decide(project, schedule, branch, screen, t, emergencies)
        if not out or decision.key != out[-1][1].key:
            out.append((t, decision))
    return out


def next_change(
    project: Project,
    schedule: Schedule,
    branch: Branch,
    screen: BranchScreen,
    after: dt.datetime,
    emergencies: list[Emergency] = (),  # type: ignore[assignment]
    days: int = 8,
) -> tuple[dt.datetime, Decision] | None:
    """The first instant after ``after`` at which the screen's decision changes (within ``days``)."""
    now = decide(project, schedule, branch, screen, after, emergencies).key
    day = _local(branch, after).date()
    for k in range(days + 1):
        for t in instants(schedule, branch, day + dt.timedelta(days=k), emergencies):
            if t <= after:
                continue
            decision = decide(project, schedule, branch, screen, t, emergencies)
            if decision.key != now:
                return t, decision
    return None
