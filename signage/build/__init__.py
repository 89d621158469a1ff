"""``signage build``: from a validated project to the output catalogue, only what changed.

Reads top to bottom: clear what an interrupted build left, plan every job, keep the ones
whose key is unchanged, render the rest in parallel (each into a staging folder, stored
by content and swapped into the readable tree whole), remove what left the catalogue,
then write the catalogue and drop store files nothing refers to.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

from ..atomic import is_temporary, read_manifest, staged_dir, write_json
from ..errors import Problem, SignageError
from ..fingerprint import sha256_file
from ..job import Job, PlanContext, Planner, Rendered, RenderEnv, Want, local_today
from ..project.model import Project
from ..records import Record, StoredFile
from ..tree import (
    CATALOGUE,
    MANIFEST,
    STAGING,
    STORE,
    artifact_dir,
    artifact_kind,
    kind_dir,
    segment_dir,
    staging_dir,
    version_number,
)
from .catalogue import Catalogue, make_record, read_record
from .plan import plan_jobs
from .progress import Progress
from .runner import Outcome, run_local
from .store import Store


class Executor(Protocol):
    """Where jobs render (local processes are the default; ``build.cluster.dask_executor`` is another):
    render every job and call ``on_done`` with each outcome, in any order."""

    def __call__(self, jobs: Sequence[Job], env: RenderEnv, on_done: Callable[[Outcome], None], /) -> None: ...


class Publisher(Protocol):
    """What the build needs of the network step (``signage.network.screens.Network``): what the screens
    want beyond the catalogue, publishing once the catalogue is written, and what it keeps."""

    def demand(self) -> list[Want]: ...

    def publish(self, records: dict[str, Record]) -> bool: ...

    def referenced(self) -> set[str]: ...

    def summary(self) -> str: ...


@dataclass
class BuildReport:
    """What a build did, per kind and in all."""

    planned: dict[str, int] = field(default_factory=dict)
    rendered: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    removed: int = 0
    store_removed: int = 0
    ended: dict[str, str] = field(default_factory=dict)  # slogan id -> its last day
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    output: Path | None = None
    published: str = ""
    changed: bool = False  # the catalogue, the outputs or the published versions changed
    made: dict[str, list[str]] = field(default_factory=dict)  # kind -> the artifact folders rendered

    def summary(self, verbose: bool = False, named: int = 3) -> list[str]:
        """What the build did, a line a kind naming what it rendered (the first ``named`` of each
        kind, or every one when ``verbose``) and where; then what it removed and published."""
        lines = []
        for kind in (k for k, n in self.planned.items() if n or k in self.rendered):
            made = sorted(self.made.get(kind, []))
            line = (
                f"{kind}: {self.planned[kind]} outputs, {self.rendered.get(kind, 0)} rendered, "
                f"{self.unchanged.get(kind, 0)} unchanged"
            )
            if made and not verbose:
                shown = ", ".join(made[:named]) + (f" and {len(made) - named} more" if len(made) > named else "")
                line += f": {shown}"
            lines.append(line + (f" (in {self.output}/)" if made else ""))
            if verbose:
                lines += [f"  {self.output}/{path}/" for path in made]
        lines.append(
            f"removed {self.removed} output(s) no longer in the catalogue, {self.store_removed} unused "
            f"store file(s); catalogue: {self.output}/{CATALOGUE}"
        )
        if self.published:
            lines.append(self.published)
        if self.ended:
            shown = ", ".join(f"{k} (until {v})" for k, v in sorted(self.ended.items()))
            lines.append(f"not built, their time is over: {shown}")
        return lines


def worker_cores(workers: int, jobs: int, cpus: int | None) -> int:
    """Each worker's share of the ``cpus`` for its jobs' own processes (a video's ffmpeg runs): a video
    job running two ffmpeg processes beside another worker's two spent 7 % more CPU on 2 cores than
    one beside one (the example's videos, 117-118 CPU-s against 109-110, twice each), for no less
    wall time. A build of fewer jobs than workers shares the cores among those."""
    return max(1, (cpus or 1) // max(1, min(workers, jobs)))


def build(
    project: Project,
    planners: Sequence[tuple[str, Planner]],
    workers: int | None = None,
    today: dt.date | None = None,
    stream: TextIO | None = None,
    tty: bool | None = None,
    executor: Executor | None = None,
    network: Callable[[Project, dt.date], Publisher] | None = None,
    keep: Callable[[], set[str]] | None = None,
    select: Callable[[Job], bool] | None = None,
) -> BuildReport:
    """Build the given kinds (name, planner) into the project's output folder; see the module docstring.

    ``network(project, today)`` (optional) says what the branch screens play: its demand joins
    the plan, and it publishes once the catalogue is written. ``keep()`` (optional) names more
    store files to keep (the published versions', when the network step does not run).

    ``select`` (optional) makes it a top-up, as an emergency needs: only the selected jobs are
    made (when their outputs are not there yet) and every other record stays as it is; nothing
    is removed. The next full build puts the catalogue in step again.
    """
    output = project.output_dir
    report = BuildReport(output=output)
    clear_leftovers(output)

    context = PlanContext(today or local_today(project))
    screens = network(project, context.today) if network is not None else None
    if screens is not None:  # what the branches' screens play, beyond the catalogue
        context.demand = screens.demand()
    jobs = plan_jobs(project, planners, context)
    if select is not None:
        jobs = [job for job in jobs if select(job)]
    report.ended = context.ended
    kinds = {name for name, _ in planners}
    report.planned = {name: 0 for name, _ in planners}
    for job in jobs:
        report.planned[job.folder] = report.planned.get(job.folder, 0) + 1

    previous = Catalogue.load(output)
    store = Store(output)
    kept = previous.records.items() if select is not None else ()
    catalogue = Catalogue({k: r for k, r in previous.records.items() if artifact_kind(r.id) not in kinds} | dict(kept))
    todo: list[tuple[Job, str]] = []
    for job in jobs:
        key = job.key(project.fonts)
        record = _reusable(output, store, job, key, previous.records.get(job.path))
        if record is None and select is not None and job.path in previous.records:
            record = previous.records[job.path]  # a top-up shows what is there; a full build refreshes it
        if record is None:
            todo.append((job, key))
            continue
        catalogue.records[job.path] = record
        report.unchanged[job.folder] = report.unchanged.get(job.folder, 0) + 1

    workers = workers or os.cpu_count() or 1
    cores = worker_cores(workers, len(todo), os.cpu_count())
    env = RenderEnv(project.root, project.fonts, segments=segment_dir(output), cores=cores)
    warmups = []
    for job_type in dict.fromkeys(type(job) for job, _ in todo):
        work = job_type.prepare(
            env, [j for j in jobs if type(j) is job_type], [j for j, _ in todo if type(j) is job_type]
        )
        if work is not None:
            warmups.append((work, {i for i, (j, _) in enumerate(todo) if type(j) is job_type}))
    progress = Progress(sum(job.cost() for job, _ in todo), len(todo), stream, tty, workers=workers)
    stage_root = staging_dir(output)
    stage_root.mkdir(parents=True, exist_ok=True)

    def finished(outcome: Outcome) -> None:
        job, key = todo[outcome.index]
        progress.advance(job.cost(), job.label, outcome.seconds)
        if outcome.error is not None:
            report.errors += outcome.error
            old = previous.records.get(job.path)
            if old is not None and store.has(old.files):  # the old artifact stays, and in the catalogue
                catalogue.records[job.path] = old
            return
        assert outcome.rendered is not None
        files = _store(store, outcome)
        record = make_record(job, key, outcome.rendered, files)
        write_artifact_folder(artifact_dir(output, job.path), store, record)
        catalogue.records[job.path] = record
        report.warnings += outcome.rendered.warnings
        report.rendered[job.folder] = report.rendered.get(job.folder, 0) + 1
        report.made.setdefault(job.folder, []).append(job.path)

    try:
        if executor is None:
            run_local([job for job, _ in todo], env, stage_root, workers, finished, warmups)
        else:
            for work, _ in warmups:
                work()
            executor([job for job, _ in todo], env, finished)
    finally:  # whatever stopped the run, no half-rendered job is left behind
        shutil.rmtree(stage_root, ignore_errors=True)

    wanted = {job.path for job in jobs} | set(catalogue.records)
    report.removed = remove_stale(output, kinds, wanted) if select is None else 0
    changed = catalogue.write(output) or report.removed > 0
    if report.errors:
        raise SignageError([Problem(message) for message in report.errors])
    if screens is not None:
        changed = screens.publish(catalogue.records) or changed
        report.published = screens.summary()
    report.changed = changed
    if changed and select is None:  # something left the catalogue or the versions: drop the store files no one uses
        # (a top-up, as an emergency makes, removes nothing: the next full build collects)
        published = screens.referenced() if screens is not None else keep() if keep is not None else set()
        report.store_removed = store.collect(catalogue.referenced() | published)
    return report


def _reusable(output: Path, store: Store, job: Job, key: str, record: Record | None) -> Record | None:
    """The record of an artifact whose key is unchanged and whose files are in the store.

    The catalogue says so; after an interrupted build, the artifact folder's own
    manifest does. A readable folder that went missing is made again from the store.
    """
    folder = artifact_dir(output, job.path)
    on_disk = read_record(read_manifest(folder))
    for candidate in (record, on_disk):
        if candidate is not None and candidate.key == key and store.has(candidate.files):
            if on_disk is None or on_disk.key != key:
                write_artifact_folder(folder, store, candidate)
            return candidate
    return None


def _store(store: Store, outcome: Outcome) -> list[StoredFile]:
    assert outcome.rendered is not None
    if outcome.data is not None:
        return [store.add_bytes(outcome.data[name], name) for name in outcome.rendered.files]
    assert outcome.stage is not None
    stage = Path(outcome.stage)
    files = [store.add(stage / name, name) for name in outcome.rendered.files]
    shutil.rmtree(stage, ignore_errors=True)
    return files


def write_artifact_folder(folder: Path, store: Store, record: Record) -> None:
    """The readable folder of one artifact: its files (linked from the store) and its record, swapped in whole."""
    with staged_dir(folder) as stage:
        store.materialise(record.files, stage)
        write_json(stage / MANIFEST, record.to_data())


def remove_stale(output: Path, kinds: set[str], wanted: set[str]) -> int:
    """Remove readable folders of the built kinds that hold a manifest but are no longer wanted."""
    removed = 0
    for kind in kinds:
        root = kind_dir(output, kind)
        if not root.is_dir():
            continue
        for manifest in sorted(root.glob(f"*/*/*/{MANIFEST}")):
            rel = manifest.parent.relative_to(output).as_posix()
            if rel not in wanted:
                shutil.rmtree(manifest.parent)
                removed += 1
        for folder in sorted((p for p in root.glob("*/*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    return removed


def clear_leftovers(output: Path) -> int:
    """Remove what an interrupted build left: the staging area and dot-named temporary folders and files."""
    removed = 0
    if not output.is_dir():
        return removed
    top = len(output.parts)
    for folder, dirs, files in os.walk(output):
        here = Path(folder)
        for name in [d for d in dirs if _leftover(d)] + [f for f in files if _leftover(f)]:
            path = here / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                dirs.remove(name)
            else:
                path.unlink(missing_ok=True)
            removed += 1
        # Temporary names sit beside what they replace: at most three levels down (led/SCREEN/LOCALE/.ID.new-…,
        # publish/BRANCH/.v0008.new-…). Inside the store, an artifact or a published version there are none.
        if len(here.parts) - top >= 3 or here.name == STORE or (here / MANIFEST).is_file():
            dirs[:] = []
        else:
            dirs[:] = [d for d in dirs if version_number(d) is None]
    return removed


def _leftover(name: str) -> bool:
    return name == STAGING or is_temporary(name)


def render_into(job: Job, env: RenderEnv, folder: Path, key: str) -> tuple[Rendered, Record]:
    """Render one job straight into ``folder`` (``signage render``), replaced whole on success.

    The folder holds the files and their record as ``manifest.json``; there is no store.
    """
    with staged_dir(folder) as stage:
        rendered = job.render(env, stage)
        files = [
            StoredFile(name=name, path=name, sha256=sha256_file(stage / name), bytes=(stage / name).stat().st_size)
            for name in rendered.files
        ]
        record = make_record(job, key, rendered, files)
        write_json(stage / MANIFEST, record.to_data())
    return rendered, record
