"""What ``signage check`` says about a schedule beyond its syntax: campaigns that can never play,
ties that leave the winner to the tie rule, and campaigns that never win anywhere."""

from __future__ import annotations

import datetime as dt
import itertools

from ..errors import Problem
from ..project.model import Project
from ..project.playlists import PLAYLISTS_DIR
from ..project.schedule import SCHEDULE_FILE, WEEKDAYS, Campaign, Schedule, in_span
from ..project.screens import screen_kind
from .resolve import day_switches

LOOK_AHEAD = 14  # days of a campaign's dates that are played through to see whether it ever wins


def _problem(project: Project, campaign: Campaign, message: str, warning: bool = True) -> Problem:
    return Problem(message, project.root / PLAYLISTS_DIR / SCHEDULE_FILE, None, campaign.id, warning=warning)


def _overlap_days(a: Campaign, b: Campaign) -> bool:
    lo = max(a.from_ or dt.date.min, b.from_ or dt.date.min)
    hi = min(a.until or dt.date.max, b.until or dt.date.max)
    days = set(a.weekdays or WEEKDAYS) & set(b.weekdays or WEEKDAYS)
    return lo <= hi and bool(days)


def _overlap_times(schedule: Schedule, a: Campaign, b: Campaign) -> bool:
    sa, sb = schedule.spans(a), schedule.spans(b)
    if not sa or not sb:
        return True
    return any(in_span(x, m) and in_span(y, m) for x in sa for y in sb for m in range(0, 1440, 5))


def lint_schedule(project: Project, today: dt.date) -> list[Problem]:
    schedule = project.schedule
    problems: list[Problem] = []
    screens = [
        (b, s, screen_kind(p))
        for b in project.config.branches
        for s in b.screens
        if (p := project.profile(s.profile)) is not None
    ]
    live: list[Campaign] = []
    for c in schedule.campaigns:
        targeted = [(b, s) for b, s, k in screens if c.where.matches(b, s, k)]
        if c.until is not None and c.until < today - dt.timedelta(days=1):
            problems.append(_problem(project, c, f"ended on {c.until}: it will never play again; remove it"))
        elif not targeted:
            problems.append(_problem(project, c, f"targets no screen (where: {c.where.describe()})"))
        else:
            live.append(c)
    for a, b in itertools.combinations(live, 2):
        if a.priority != b.priority or a.mode != b.mode or not _overlap_days(a, b):
            continue
        shared = [(br, s) for br, s, k in screens if a.where.matches(br, s, k) and b.where.matches(br, s, k)]
        if shared and _overlap_times(schedule, a, b):
            first = max((a, b), key=lambda c: ((c.from_ or dt.date.min), -schedule.campaigns.index(c)))
            br, s = shared[0]
            problems.append(
                _problem(
                    project,
                    b,
                    f"ties with {a.id} (priority {a.priority}) on {len(shared)} screen(s), e.g. {br.id}/{s.id}: "
                    f"{first.id} wins by the tie rule; give one a higher priority to say which",
                )
            )
    for c in live:  # played through its first days on every screen it targets: does it ever win?
        start = max(today, c.from_ or today)
        end = min(c.until or start + dt.timedelta(days=LOOK_AHEAD), start + dt.timedelta(days=LOOK_AHEAD))
        won = False
        for br, s, k in screens:
            if not c.where.matches(br, s, k):
                continue
            day = start
            while day <= end and not won:
                won = any(
                    cid == c.id and verdict == "won"  # the winner, or the playlist an interleave goes into
                    for _, d in day_switches(project, schedule, br, s, day)
                    for cid, verdict, _ in d.considered
                )
                day += dt.timedelta(days=1)
            if won:
                break
        if not won:
            problems.append(
                _problem(
                    project,
                    c,
                    f"never plays from {start} to {end}: outside every daypart or always below a higher "
                    "priority; `signage plan --explain` shows why",
                )
            )
    return problems
