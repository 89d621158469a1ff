"""Render the project's whole LED catalogue and report pages per second.

    python benchmarks/led.py [--repeat 5] [--project DIR]

Each repeat renders every job from scratch into a fresh folder (nothing cached), once
with one worker process and once with one per core, side by side. Page jobs (PNG + BMP
per page, dot preview, manifest) and scroll jobs (strip, GIF loop, MP4 for full colour)
are timed separately, since a scroll job is one strip of hundreds of frames.
Target: at least 500 pages per second on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from signage.commands.led import _init_worker, _work, job_dir
from signage.led.job import LedJob, catalog_jobs
from signage.project.loader import Project, load_project
from signage.publish import read_manifest

TARGET_PAGES_PER_S = 500


def run(project: Project, jobs: list[LedJob], workers: int) -> float:
    """Seconds to render ``jobs`` into a fresh folder with ``workers`` processes."""
    out = Path(tempfile.mkdtemp(prefix="led-bench-"))
    try:
        start = time.perf_counter()
        if workers == 1:
            _init_worker(project.fonts)
            for job in jobs:
                _work(job, job_dir(out, job))
        else:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(project.fonts,)) as pool:
                list(pool.map(_work, jobs, [job_dir(out, job) for job in jobs], chunksize=4))
        return time.perf_counter() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)


def count(project: Project, jobs: list[LedJob]) -> tuple[int, int]:
    """(pages, scroll frames) the jobs make, from one rendering."""
    out = Path(tempfile.mkdtemp(prefix="led-count-"))
    try:
        _init_worker(project.fonts)
        pages = frames = 0
        for job in jobs:
            _work(job, job_dir(out, job))
            manifest = read_manifest(job_dir(out, job)) or {}
            pages += len(manifest.get("pages", []))
            frames += int(manifest.get("frames", 0))
        return pages, frames
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()

    project = load_project(args.project)
    jobs = catalog_jobs(project)
    page_jobs = [j for j in jobs if j.screen.mode == "pages"]
    scroll_jobs = [j for j in jobs if j.screen.mode == "scroll"]
    pages, _ = count(project, page_jobs)
    _, frames = count(project, scroll_jobs)
    cores = os.cpu_count() or 1
    print(f"catalogue: {len(jobs)} jobs on {len(project.config.led_screens)} screens; "
          f"{len(page_jobs)} page jobs -> {pages} pages, {len(scroll_jobs)} scroll jobs -> {frames} frames")
    print(f"median of {args.repeat} cold runs, {cores} cores\n")
    print(f"{'jobs':<14}{'workers':>8}{'median s':>10}{'pages/s':>10}{'frames/s':>10}")
    results = {}
    for name, subset in (("pages", page_jobs), ("scroll", scroll_jobs)):
        for workers in sorted({1, cores}):
            times = [run(project, subset, workers) for _ in range(args.repeat)]
            med = statistics.median(times)
            results[(name, workers)] = med
            rate_pages = f"{pages / med:,.0f}" if name == "pages" else "-"
            rate_frames = f"{frames / med:,.0f}" if name == "scroll" else "-"
            print(f"{name:<14}{workers:>8}{med:>10.3f}{rate_pages:>10}{rate_frames:>10}")
    best = pages / min(results[("pages", w)] for w in sorted({1, cores}))
    if cores > 1:
        print(f"\nspeed-up with {cores} workers: pages {results[('pages', 1)] / results[('pages', cores)]:.2f}x, "
              f"scroll {results[('scroll', 1)] / results[('scroll', cores)]:.2f}x")
    verdict = "PASS" if best >= TARGET_PAGES_PER_S else "FAIL"
    print(f"target: at least {TARGET_PAGES_PER_S} pages per second: {verdict} ({best:,.0f})")


if __name__ == "__main__":
    main()
