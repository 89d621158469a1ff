"""Run render jobs: here, or in a pool of worker processes; each result comes back as data.

A worker renders a job into a fresh staging folder and reports what it made. With
``as_data`` the files' bytes travel back in the result (for executors whose workers do
not share the output folder); locally they stay in the staging folder, which is on the
output's file system, so storing them is a rename.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from ..errors import SignageError
from ..job import Job, Rendered, RenderEnv
from ..lock import forget_inherited


@dataclass
class Outcome:
    """What became of one job: what it made (and where, or its bytes), or why it failed."""

    index: int
    rendered: Rendered | None = None
    stage: str | None = None  # folder holding the files (local runs)
    data: dict[str, bytes] | None = None  # the files themselves (as_data)
    error: list[str] | None = None  # located messages of a content error
    seconds: float = 0.0


_ENV: RenderEnv | None = None


def init_worker(env: RenderEnv) -> None:
    """Set up a worker once: the fonts, project folder and subsets every job of the build shares."""
    global _ENV
    _ENV = env


def _init_pool_worker(env: RenderEnv) -> None:
    """A pool worker dies with the build (even a killed one) and holds none of its locks. It leaves
    stopping to the build: SIGTERM ends it quietly (not the command line's KeyboardInterrupt, which
    a forked worker inherits and would print as a traceback), Ctrl-C reaches the build alone."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forget_inherited()
    _die_with_parent()
    init_worker(env)


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent ends, so a killed build leaves no worker writing."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def execute(
    index: int, job: Job, stage_root: str | None, as_data: bool = False, env: RenderEnv | None = None
) -> Outcome:
    """Render one job into a fresh folder under ``stage_root`` (a temporary folder when None), with
    ``env`` (default: the worker's, from :func:`init_worker`)."""
    env = env or _ENV
    assert env is not None, "init_worker first"
    started = time.perf_counter()
    stage = Path(tempfile.mkdtemp(dir=stage_root, prefix="job-"))
    try:
        rendered = job.render(env, stage)
    except SignageError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        return Outcome(index, error=[str(p) for p in exc.problems], seconds=time.perf_counter() - started)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    seconds = time.perf_counter() - started
    if as_data:
        data = {name: (stage / name).read_bytes() for name in rendered.files}
        shutil.rmtree(stage, ignore_errors=True)
        return Outcome(index, rendered, data=data, seconds=seconds)
    return Outcome(index, rendered, stage=str(stage), seconds=seconds)


def run_local(
    jobs: Sequence[Job],
    env: RenderEnv,
    stage_root: Path,
    workers: int | None,
    on_done: Callable[[Outcome], None],
    warmups: Sequence[tuple[Callable[[], None], set[int]]] = (),
) -> None:
    """Every job, most expensive first, on ``workers`` processes (here when one); ``on_done`` as each ends.

    ``warmups``: (work, jobs that need it) — say, cutting font subsets for the cards. The
    work runs here while the workers render the jobs that do not need it, and the jobs
    that do are queued once it is done.

    Ctrl-C or SIGTERM (raised here as KeyboardInterrupt) cancels what has not started and
    stops the workers at once; their staging folders are cleared by the next build.
    """
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].cost())
    waiting = set().union(*(needs for _, needs in warmups)) if warmups else set()
    workers = min(workers or os.cpu_count() or 1, max(1, len(jobs)))
    if workers <= 1:
        for work, _ in warmups:
            work()
        init_worker(env)
        for i in order:
            on_done(execute(i, jobs[i], str(stage_root)))
        return
    pool = ProcessPoolExecutor(workers, initializer=_init_pool_worker, initargs=(env,))
    try:
        pending: set[Future[Outcome]] = {
            pool.submit(execute, i, jobs[i], str(stage_root)) for i in order if i not in waiting
        }
        for work, _ in warmups:
            work()
        pending |= {pool.submit(execute, i, jobs[i], str(stage_root)) for i in order if i in waiting}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                on_done(future.result())
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued jobs and end the workers now rather than after their current job."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.terminate()
        except (OSError, AttributeError):
            pass
    for process in processes:
        process.join(timeout=5)
