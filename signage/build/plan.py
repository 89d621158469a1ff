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


@dataclass(frozen=True)
class Want:
    """An artifact some screen's playlist plays, which the plan must hold."""

    path: str  # the catalogue record id it will have
    kind: str  # "led", "video", "media"
    target: str  # LED profile, video template or TV profile
    content_kind: str  # "slogan", "case", "image", "video"
    content_id: str  # slogan or case id, or the project file of an image or video
    locale: str
    branch: str | None = None


@dataclass
class PlanContext:
    """The date a plan is made for, what screens want beyond the catalogue, and what was left out."""

    today: dt.date
    demand: list[Want] = field(default_factory=list)
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
    """Every job of the given kinds, each artifact once (the catalogue and the screens' demand overlap)."""
    seen: dict[str, Job] = {}
    for _, planner in planners:
        for job in planner(project, context):  # type: ignore[operator]
            first = seen.setdefault(job.path, job)
            if first is not job and first != job:
                raise SignageError(
                    Problem(f"two different outputs would be written to {job.path}", file=project.root / SLOGANS_FILE)
                )
    return list(seen.values())
