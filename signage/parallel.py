"""Run independent render jobs on every core, reporting progress as each one finishes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from typing import Any, TypeVar

R = TypeVar("R")


def run_jobs(
    work: Callable[..., R],
    jobs: Sequence[tuple[Any, ...]],
    init: Callable[..., None],
    init_args: tuple[Any, ...],
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[R]:
    """``work(*job)`` for every job, in worker processes set up by ``init(*init_args)``.

    With one worker (or one job) everything runs here, which is also what tests and
    small builds want. The first failure stops the run and is raised as it was.
    """
    workers = min(workers or os.cpu_count() or 1, max(1, len(jobs)))
    if workers <= 1:
        init(*init_args)
        results = []
        for job in jobs:
            results.append(work(*job))
            if progress:
                progress(1)
        return results
    with ProcessPoolExecutor(workers, initializer=init, initargs=init_args) as pool:
        futures = [pool.submit(work, *job) for job in jobs]
        pending: Iterable[Any] = futures
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                if future.exception() is not None:
                    for other in pending:
                        other.cancel()
                    raise future.exception()  # type: ignore[misc]
                if progress:
                    progress(1)
        return [f.result() for f in futures]
