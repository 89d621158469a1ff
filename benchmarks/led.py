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

from signage.build.runner import Outcome, run_local
from signage.job import PlanContext, RenderEnv, local_today
from signage.kinds import open_project
from signage.led.job import LedJob, plan
from signage.project.model import Project

TARGET_PAGES_PER_S = 500


def run(project: Project, jobs: list[LedJob], workers: int) -> tuple[float, int, int]:
    """(seconds, pages, frames) to render ``jobs`` into a fresh staging folder with ``workers`` processes."""
    out = Path(tempfile.mkdtemp(prefix="led-bench-"))
    made = {"pages": 0, "frames": 0}

    def done(outcome: Outcome) -> None:
        assert outcome.rendered is not None, outcome.error
        made["pages"] += len(outcome.rendered.meta.get("pages", []))
        made["frames"] += int(outcome.rendered.meta.get("frames", 0))

    try:
        start = time.perf_counter()
        run_local(jobs, RenderEnv(project.root, project.fonts), out, workers, done)
        return time.perf_counter() - start, made["pages"], made["frames"]
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()

    project = open_project(args.project)
    jobs = plan(project, PlanContext(local_today(project)))
    page_jobs = [j for j in jobs if j.screen.mode == "pages"]
    scroll_jobs = [j for j in jobs if j.screen.mode == "scroll"]
    _, pages, _ = run(project, page_jobs, 1)
    _, _, frames = run(project, scroll_jobs, 1)
    cores = os.cpu_count() or 1
    print(
        f"catalogue: {len(jobs)} jobs on {len(project.config.led_screens)} screens; "
        f"{len(page_jobs)} page jobs -> {pages} pages, {len(scroll_jobs)} scroll jobs -> {frames} frames"
    )
    print(f"median of {args.repeat} cold runs, {cores} cores\n")
    print(f"{'jobs':<14}{'workers':>8}{'median s':>10}{'pages/s':>10}{'frames/s':>10}")
    results = {}
    for name, subset in (("pages", page_jobs), ("scroll", scroll_jobs)):
        for workers in sorted({1, cores}):
            times = [run(project, subset, workers)[0] for _ in range(args.repeat)]
            med = statistics.median(times)
            results[(name, workers)] = med
            rate_pages = f"{pages / med:,.0f}" if name == "pages" else "-"
            rate_frames = f"{frames / med:,.0f}" if name == "scroll" else "-"
            print(f"{name:<14}{workers:>8}{med:>10.3f}{rate_pages:>10}{rate_frames:>10}")
    best = pages / min(results[("pages", w)] for w in sorted({1, cores}))
    if cores > 1:
        print(
            f"\nspeed-up with {cores} workers: pages {results[('pages', 1)] / results[('pages', cores)]:.2f}x, "
            f"scroll {results[('scroll', 1)] / results[('scroll', cores)]:.2f}x"
        )
    verdict = "PASS" if best >= TARGET_PAGES_PER_S else "FAIL"
    print(f"target: at least {TARGET_PAGES_PER_S} pages per second: {verdict} ({best:,.0f})")


if __name__ == "__main__":
    main()
