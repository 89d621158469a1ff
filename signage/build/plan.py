"""What a build makes: every output kind's jobs for the project, as of a date."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import Problem, SignageError
from ..job import Job, PlanContext, Planner
from ..project.model import SLOGANS_FILE, Project


def plan_jobs(project: Project, planners: Iterable[tuple[str, Planner]], context: PlanContext) -> list[Job]:
    """Every job of the given kinds, each artifact once (the catalogue and the screens' demand overlap)."""
    seen: dict[str, Job] = {}
    for _, planner in planners:
        for job in planner(project, context):
            first = seen.setdefault(job.path, job)
            if first is not job and first != job:
                raise SignageError(
                    Problem(f"two different outputs would be written to {job.path}", file=project.root / SLOGANS_FILE)
                )
    return list(seen.values())
