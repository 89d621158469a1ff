"""Every playlist the schedule may put on each screen, selected ahead so a switch is only a link.

A published version holds, beside each screen's default folder, one ``SCREEN~KEY`` folder
per campaign that targets the screen and has not ended (``BASE+CAMPAIGN`` for an
interleave over each possible base) and per emergency that is on or to come; the
rotation points the screen's link at the one the schedule says.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..errors import Problem, SignageError
from ..project.config import Branch, BranchScreen
from ..project.model import Project
from ..project.playlists import Playlist
from ..project.schedule import Campaign
from ..schedule.emergency import Emergency
from ..schedule.resolve import DEFAULT, day_switches
from ..tree import dated_key, undated
from .select import ScreenPlan, Selected, Selector, select_screen
from .select import slogans_of as slogan_selection


def emergency_playlist(emergency: Emergency) -> Playlist:
    """The playlist of an emergency: its slogan alone, on LED and TV screens."""
    return Playlist.model_validate(
        {"name": emergency.key, "suits": ["led", "tv"], "entries": [{"slogans": emergency.slogan}]}
    )


def interleaved(base: ScreenPlan, extra: ScreenPlan, every: int, key: str) -> ScreenPlan:
    """``base``'s items with one of ``extra``'s after every ``every`` of them, ``extra`` taken in turn
    (the loop is at least as long as either list)."""
    items: list[Selected] = []
    rounds = max(1, -(-len(base.items) // every))
    rounds = max(rounds, len(extra.items))
    k = 0
    for r in range(rounds):
        chunk = [base.items[(r * every + i) % len(base.items)] for i in range(every)] if base.items else []
        items += chunk
        if extra.items:
            items.append(extra.items[k % len(extra.items)])
            k += 1
    return dataclasses.replace(base, items=tuple(items), variant=key, why=f"{base.why}, {extra.playlist} interleaved")


DAYS_AHEAD = 7  # a playlist with a pool is published for this many days ahead, one folder a day


def _when(campaign: Campaign, today: dt.date) -> dt.date:
    """The date a campaign's playlist is selected for: today, or its first day if it starts later
    (so a campaign's content is built and published before it starts)."""
    return max(today, campaign.from_) if campaign.from_ else today


def scheduled_plans(
    project: Project,
    plans: list[ScreenPlan],
    today: dt.date,
    emergencies: list[Emergency],
    only: str | None = None,
    selector: Selector = select_screen,
) -> tuple[list[ScreenPlan], list[Problem]]:
    """The variants of every default plan the schedule (and each emergency) may switch to.

    A variant whose playlists rotate through a pool is made once per day for ``DAYS_AHEAD``
    days (``KEY@DATE``), so the day's choice is published before the day begins. ``only``: the
    variant with this key alone (what ``plan`` shows), the others not even selected; ``selector``:
    how a screen's playlist is selected (a ``Selections`` memo when many days are asked)."""
    schedule = project.schedule

    def wanted(key: str) -> bool:
        return only is None or key == only

    out: list[ScreenPlan] = []
    problems: list[Problem] = []
    for e in emergencies:
        project.playlists.setdefault(e.key, emergency_playlist(e))
    days = [today + dt.timedelta(days=k) for k in range(DAYS_AHEAD)]
    for plan in plans:
        branch, screen, kind = plan.branch, plan.screen, plan.kind

        def select(name: str | None, day: dt.date, key: str) -> ScreenPlan:
            selected = selector(project, branch, screen, day, name)  # noqa: B023 - used at once
            return dataclasses.replace(selected, variant=key)

        later = [
            c
            for c in schedule.campaigns
            if c.where.matches(branch, screen, kind)
            and c.playlist in project.playlists
            and kind in project.playlists[c.playlist].suits
            and (c.until is None or c.until >= today - dt.timedelta(days=1))  # a day's grace for time zones
        ]
        default_name = plan.playlist
        bases: dict[str, tuple[str | None, dt.date]] = {DEFAULT: (None, today)}
        bases |= {c.id: (c.playlist, _when(c, today)) for c in later if c.mode == "replace"}
        try:
            for key, (name, start) in bases.items():
                if project.playlists[name or default_name].pooled:
                    out += [
                        select(name, d, dated_key(key, d)) for d in days if d >= start and wanted(dated_key(key, d))
                    ]
                elif key != DEFAULT and wanted(key):
                    out.append(select(name, start, key))
            for c in later:
                if c.mode == "replace":
                    continue
                for key, (name, start) in bases.items():
                    pooled = project.playlists[name or default_name].pooled or project.playlists[c.playlist].pooled
                    for d in days if pooled else [max(start, _when(c, today))]:
                        variant = dated_key(f"{key}+{c.id}", d if pooled else None)
                        if d < start or not wanted(variant):
                            continue
                        base = select(name, d, key)
                        if c.mode == "interleave":
                            extra = selector(project, branch, screen, max(d, _when(c, today)), c.playlist)
                            out.append(interleaved(base, extra, c.every, variant))
                        else:  # ticker: what plays, with the texts of the campaign's slogans running below
                            playlist = project.playlists[c.playlist]
                            texts = tuple(
                                project.content_text("slogan", s.id, branch.locale, branch.id)
                                for entry in playlist.entries
                                if entry.slogans is not None
                                for s in slogan_selection(project, entry, branch.locale, max(d, _when(c, today)))
                            )
                            out.append(dataclasses.replace(base, variant=variant, ticker=texts))
            for e in emergencies:
                if (
                    (e.stopped is None or e.stopped > e.start)
                    and e.where.matches(branch, screen, kind)
                    and wanted(e.key)
                ):
                    out.append(select(e.key, today, e.key))
        except SignageError as exc:
            problems += exc.problems
    return out, problems


def planned_items(
    project: Project,
    branch: Branch,
    screen: BranchScreen,
    day: dt.date,
    key: str,
    emergencies: list[Emergency],
    selector: Selector = select_screen,
) -> tuple[Selected, ...]:
    """The items ``screen`` plays on its branch-local ``day`` under the schedule's ``key`` (a decision's):
    what ``plan`` lists, and what publishing records for it; none when that variant cannot be made."""
    plans = [selector(project, branch, screen, day, None)]
    if key != DEFAULT:
        plans = [p for p in scheduled_plans(project, plans, day, emergencies, key, selector)[0] if p.variant == key]
    return plans[0].items if plans else ()


def _reachable(project: Project, plan: ScreenPlan, today: dt.date) -> set[str]:
    """The variants (without their dates) the schedule puts on the plan's screen from ``today`` until a
    week after the last campaign starts."""

    last = max([c.from_ for c in project.schedule.campaigns if c.from_] + [today]) + dt.timedelta(days=7)
    keys: set[str] = set()
    day = today
    while day <= last:
        keys |= {undated(d.key) for _, d in day_switches(project, project.schedule, plan.branch, plan.screen, day)}
        day += dt.timedelta(days=1)
    return keys


def with_frequency(
    project: Project, plans: list[ScreenPlan], today: dt.date | None = None
) -> tuple[list[ScreenPlan], list[Problem]]:
    """Each plan with the minimum frequencies that apply to its screen (not an emergency's), and a
    problem for each plan that has no item of a kind it must play that often."""
    rules = project.schedule.min_frequency
    if not rules:
        return plans, []
    out, problems = [], []
    reached: dict[tuple[str, str], set[str]] = {}
    for plan in plans:
        found = []
        for rule in rules:
            if plan.variant.startswith("emergency-") or not rule.where.matches(plan.branch, plan.screen, plan.kind):
                continue
            ids = frozenset(s.id for s in project.slogans.values() if s.kind.value == rule.kind)
            label = f"min_frequency {rule.kind} every {rule.every}"
            if not any(item.want.content_id in ids for item in plan.items):
                where = (plan.branch.id, plan.screen.id)
                if where not in reached:
                    reached[where] = _reachable(project, plan, today or dt.date.today())
                if undated(plan.variant) not in reached[where]:
                    continue  # published, but the schedule never puts it on: nothing to hold
                problems.append(
                    Problem(
                        f"{label} cannot hold on {plan.branch.id}/{plan.folder}: playlist {plan.playlist} has no "
                        f"{rule.kind} slogan",
                        project.root / "playlists" / "schedule.yaml",
                        None,
                        "min_frequency",
                    )
                )
                continue
            found.append((ids, rule.seconds, label))
        out.append(dataclasses.replace(plan, frequency=tuple(found)) if found else plan)
    return out, problems
