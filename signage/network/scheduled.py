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
from ..project.loader import Project
from ..project.playlists import Playlist
from ..schedule.emergency import Emergency
from ..schedule.model import Campaign
from ..schedule.resolve import DEFAULT
from .select import ScreenPlan, Selected, select_screen


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


def _when(campaign: Campaign, today: dt.date) -> dt.date:
    """The date a campaign's playlist is selected for: today, or its first day if it starts later
    (so a campaign's content is built and published before it starts)."""
    return max(today, campaign.from_) if campaign.from_ else today


def scheduled_plans(
    project: Project, plans: list[ScreenPlan], today: dt.date, emergencies: list[Emergency]
) -> tuple[list[ScreenPlan], list[Problem]]:
    """The variants of every default plan the schedule (and each emergency) may switch to."""
    schedule = project.schedule
    out: list[ScreenPlan] = []
    problems: list[Problem] = []
    for e in emergencies:
        project.playlists.setdefault(e.key, emergency_playlist(e))
    for plan in plans:
        branch, screen, kind = plan.branch, plan.screen, plan.kind
        replaces: dict[str, ScreenPlan] = {DEFAULT: plan}
        later = [
            c
            for c in schedule.campaigns
            if c.where.matches(branch, screen, kind)
            and c.playlist in project.playlists
            and kind in project.playlists[c.playlist].suits
            and (c.until is None or c.until >= today - dt.timedelta(days=1))  # a day's grace for time zones
        ]
        try:
            for c in later:
                if c.mode == "replace":
                    replaces[c.id] = dataclasses.replace(
                        select_screen(project, branch, screen, _when(c, today), c.playlist), variant=c.id
                    )
            out += [p for key, p in replaces.items() if key != DEFAULT]
            for c in later:
                if c.mode == "interleave":
                    extra = select_screen(project, branch, screen, _when(c, today), c.playlist)
                    out += [interleaved(p, extra, c.every, f"{key}+{c.id}") for key, p in replaces.items()]
            for e in emergencies:
                if (e.stopped is None or e.stopped > e.start) and e.where.matches(branch, screen, kind):
                    out.append(dataclasses.replace(select_screen(project, branch, screen, today, e.key), variant=e.key))
        except SignageError as exc:
            problems += exc.problems
    return out, problems
