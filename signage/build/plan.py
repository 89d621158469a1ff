"""What a build makes: every output kind's jobs for the project, as of a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ..errors import Problem, SignageError
from ..project.content import Slogan
from ..project.loader import SLOGANS_FILE, Project
from .job import Job


def local_today(project: Project, now: dt.datetime | None = None) -> dt.date:
    """The earliest calendar date in any branch's time zone (the project's default zone without
    branches): content ends when its last day is over everywhere it is shown."""
    now = now or dt.datetime.now(dt.timezone.utc)
    zones = {b.timezone for b in project.config.branches} or {project.config.timezone}
    return min(now.astimezone(ZoneInfo(zone)).date() for zone in zones)


@dataclass
class PlanContext:
    """The date a plan is made for, and what it left out because its time is over."""

    today: dt.date
    ended: dict[str, str] = field(default_factory=dict)  # slogan id -> last day shown

    def current_slogans(self, project: Project) -> list[Slogan]:
        """Slogans whose validity has not ended by ``today``; ones that start later are built too."""
        current = []
        for slogan in project.slogans.values():
            if slogan.valid.ended(self.today):
                self.ended[slogan.id] = str(slogan.valid.until)
            else:
                current.append(slogan)
        return current

    def branches(self, project: Project, locale: str, needed: bool) -> list[str | None]:
        """The branches an output is made for: each of the locale's when its text names the branch."""
        return [b.id for b in project.branches_for(locale)] if needed else [None]


def plan_jobs(project: Project, planners: Iterable[tuple[str, object]], context: PlanContext) -> list[Job]:
    """Every job of the given kinds; two jobs making the same artifact are a project error."""
    jobs: list[Job] = []
    for _, planner in planners:
        jobs += planner(project, context)  # type: ignore[operator]
    seen: dict[str, Job] = {}
    for job in jobs:
        if job.path in seen:
            raise SignageError(Problem(f"two outputs would be written to {job.path}", file=project.root / SLOGANS_FILE))
        seen[job.path] = job
    return jobs
