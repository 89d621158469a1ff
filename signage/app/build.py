"""``signage build``: render what changed, publish every branch, refresh the preview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..build import BuildReport, Executor
from ..build import build as build_catalogue
from ..build.cluster import connect, dask_executor
from ..errors import SignageError
from ..job import Job, local_today
from ..kinds import planners
from ..lock import project_lock
from ..network.publish import referenced
from ..network.screens import Network
from ..project.model import Project
from ..rotation import Switch, log_switched
from ..schedule.emergency import Emergency
from ..tree import preview_index
from .preview import refresh


@dataclass(frozen=True)
class BuildOptions:
    """What ``signage build`` was asked for."""

    workers: int | None = None  # processes to render with (default: one per core)
    only: tuple[str, ...] = ()  # build only these kinds; a partial build publishes nothing
    today: dt.date | None = None  # build as of this date (default: today in the branches' zones)
    publish: bool = True
    wait: bool = False  # wait for another build of the project instead of refusing
    executor: str | None = None  # "local" or "dask" (default: signage.yaml cluster.executor, else local)
    scheduler: str | None = None  # the dask scheduler's address


@dataclass(frozen=True)
class BuildResult:
    report: BuildReport
    published: bool
    preview: Path | None  # the preview's index page, when the build published
    preview_written: bool  # False: the preview there already said the same
    preview_branches: int = 0
    switches: list[Switch] = field(default_factory=list)  # screens publishing moved (logged)


@dataclass
class Rebuilt:
    report: BuildReport
    switches: list[Switch]  # the screens publishing moved, each to what ``decide`` says (logged)
    emergencies: list[Emergency]  # those the build published (on or to come)
    published_at: dt.datetime | None = None  # the instant its publishing chose each screen's variant


def rebuild(
    project: Project,
    only: tuple[str, ...] = (),
    publish: bool = True,
    executor: Executor | None = None,
    workers: int | None = None,
    today: dt.date | None = None,
    wanted: Callable[[Network], set[str]] | None = None,
    branches: set[str] | None = None,
    starting: tuple[str, dt.timedelta] | None = None,
    cause: str = "build",
) -> Rebuilt:
    """The one wiring of build and network: render ``only`` these kinds (default all) and, when
    ``publish``, every branch's playlists, logging the screens it switches (``cause`` says why).
    ``wanted(network)``: a top-up that makes only these outputs (record ids) if they are missing
    and leaves the rest of the catalogue as it is (see ``signage.build.build``); ``branches``: publish
    only these; ``starting``: (id, length) of an emergency that starts as it is published. The caller
    holds the project lock."""
    made: list[Network] = []
    paths: set[str] = set()
    kinds = planners(only)
    if wanted is not None and publish:  # a top-up plans only the kinds of what it makes (often none)
        made.append(Network(project, today or local_today(project)))
        made[0].only, made[0].starting = branches, starting
        paths = wanted(made[0])
        kinds = [k for k in planners() if any(p.split("/")[0] == k[0] for p in paths)]

    def network(p: Project, day: dt.date) -> Network:
        if not made:
            made.append(Network(p, day))
        return made[0]

    def selected(job: Job) -> bool:
        return job.path in paths

    report = build_catalogue(
        project,
        kinds,
        workers=workers,
        today=today,
        network=network if publish else None,
        keep=lambda: referenced(project.output_dir),
        executor=executor,
        select=selected if wanted is not None else None,
    )
    switches: list[Switch] = []
    for n in made:
        switches += log_switched(project, n.report.switched, n.now, n.emergencies, cause)
    return Rebuilt(report, switches, made[0].emergencies if made else [], made[0].now if made else None)


@contextmanager
def _executor(project: Project, options: BuildOptions) -> Iterator[Executor | None]:
    """Local processes (None), or a dask cluster's workers for the length of the build."""
    cluster = project.config.cluster
    kind = options.executor or (cluster.executor if cluster else "local")
    if kind != "dask":
        yield None
        return
    address = options.scheduler or (cluster.scheduler if cluster else None)
    if not address:
        raise SignageError("--executor dask needs --scheduler tcp://HOST:8786 (or cluster.scheduler in signage.yaml)")
    client = connect(address)
    try:
        yield dask_executor(client)
    finally:
        client.close()


def build_and_publish(project: Project, options: BuildOptions) -> BuildResult:
    """Render what the catalogue and every branch screen need (only what changed), publish the
    playlists, and leave the preview with the check's warnings (``preview.refresh``: written when
    anything changed or the one there is out of date)."""
    publish = options.publish and not options.only  # a partial build leaves the published versions alone
    with _executor(project, options) as executor, project_lock(project.output_dir, "build", options.wait):
        rebuilt = rebuild(project, options.only, publish, executor, options.workers, options.today)
    report = rebuilt.report
    if not publish:
        return BuildResult(report, False, None, False)
    index = preview_index(project.output_dir)
    shown = refresh(project, report.changed, report.warnings)
    if shown is None:  # the one there says the same
        return BuildResult(report, True, index, False, switches=rebuilt.switches)
    return BuildResult(report, True, index, True, shown.branches, rebuilt.switches)
