"""``signage plan``: what plays on a branch's screens at an instant, or a day's switches, from the
project (``plan_answers`` answers ``--at`` from the published answers when they hold)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from ..network.scheduled import planned_items
from ..project.model import Project
from ..schedule.emergency import Emergency, inject
from ..schedule.emergency import load as load_emergencies
from ..schedule.resolve import day_switches, decide
from .plan_answers import Considered, DayPlan, InstantPlan, Item, Switch
from .project import branch_of, screens_of
from .times import parse_day, parse_instant


def _emergencies(project: Project) -> list[Emergency]:
    """Every emergency, past ones too (a plan of yesterday shows them), ``--text`` ones as slogans."""
    emergencies = load_emergencies(project.output_dir)
    inject(project, [e for e in emergencies if e.text])
    return emergencies


def plan_day(project: Project, branch_id: str, screen_id: str | None, day_text: str) -> list[DayPlan]:
    """Each screen's switches on a branch-local day (2026-12-07, today or tomorrow)."""
    branch = branch_of(project, branch_id)
    day = parse_day(day_text, branch.timezone)
    screens = screens_of(branch, screen_id)
    emergencies = _emergencies(project)
    zone = ZoneInfo(branch.timezone)
    return [
        DayPlan(
            screen.id,
            day.isoformat(),
            branch.timezone,
            [
                Switch(t.astimezone(zone).isoformat(timespec="minutes"), d.key, d.why)
                for t, d in day_switches(project, project.schedule, branch, screen, day, emergencies)
            ],
        )
        for screen in screens
    ]


def plan_at(project: Project, branch_id: str, screen_id: str | None, at: str) -> list[InstantPlan]:
    """What each screen plays at ``at`` (branch-local unless it has an offset), with its items in order."""
    branch = branch_of(project, branch_id)
    screens = screens_of(branch, screen_id)
    emergencies = _emergencies(project)
    zone = ZoneInfo(branch.timezone)
    instant = parse_instant(at, branch.timezone, "--at")
    today = instant.astimezone(zone).date()
    out = []
    for screen in screens:
        decision = decide(project, project.schedule, branch, screen, instant, emergencies)
        items = [
            Item(s.want.kind, s.want.content_id, s.want.locale, s.want.target)
            for s in planned_items(project, branch, screen, today, decision.key, emergencies)
        ]
        out.append(
            InstantPlan(
                screen.id,
                instant.astimezone(zone).isoformat(timespec="minutes"),
                decision.key,
                decision.why,
                items,
                [Considered(c, v, r) for c, v, r in decision.considered],
            )
        )
    return out


__all__ = ["Considered", "DayPlan", "InstantPlan", "Item", "Switch", "plan_at", "plan_day"]
