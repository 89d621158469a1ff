"""What one more branch costs: a per-branch 1080p slogan video (its slogan names the branch), made when
a sibling branch's variant is made already — as a build makes the second and later branches' variants.

    python benchmarks/variant.py [--baseline-tree /tmp/vc-before] [--repeat 3]

For each code tree (this one and, with ``--baseline-tree``, another checkout such as commit
7382b84), a new process loads that tree's example, renders the ``branch-reminder`` video in
``slogan-16x9`` for one branch (warming the segment store where the code has one), then
renders it for another branch; reported: the CPU seconds (Python and ffmpeg) of that second
render alone, median of ``--repeat``. Where the code has ``same_timing``, the variants are timed as a
build times them (every branch's variant holds its slogan as long as the longest branch's).
Target: at most 1 CPU-s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ONE = r"""
import inspect, json, resource, sys, tempfile, time
from pathlib import Path
from signage.kinds import open_project
from signage.video.job import video_job
from signage.video.render import render_video

root = Path(sys.argv[1])
project = open_project(root)
template = project.template("video", "slogan-16x9")
store = {"segments": Path(tempfile.mkdtemp())} if "segments" in inspect.signature(render_video).parameters else {}
try:  # as a build plans them (where the code gives every branch's variant one timeline)
    from signage.video.job import same_timing
except ImportError:
    same_timing = None

def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

out = {}
with tempfile.TemporaryDirectory() as tmp:
    branches = [b.id for b in project.branches_for("zh-Hans-CN")]
    jobs = {b: video_job(project, template, "slogan", "branch-reminder", "zh-Hans-CN", b) for b in branches}
    if same_timing is not None:
        jobs = {job.branch: job for job in same_timing(list(jobs.values()))}
    for n, branch in enumerate(("beijing-chaoyang", "changzhi-yingxiong")):
        job = jobs[branch]
        before, start = cpu(), time.perf_counter()
        manifest = render_video(template, job.texts, project.fonts, project.root, "zh-Hans-CN", Path(tmp) / f"{n}.mp4", **store)
        out[branch] = [cpu() - before, time.perf_counter() - start, manifest["frames"],
                       sum(s["frames"] for s in manifest.get("segments", []) if s["encoded"]) or manifest["frames"]]
print(json.dumps(out))
"""


def run(code: Path) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    # in the tree (`python -c` puts the working folder first on the path), with its own example project
    done = subprocess.run(
        [sys.executable, "-c", ONE, str(code)], env=env, cwd=code, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"failed ({code}):\n{done.stderr[-2000:]}")
    result: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-tree", type=Path, help="another checkout of signage to compare with")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    trees = [("this tree", ROOT)] + ([("baseline", args.baseline_tree)] if args.baseline_tree else [])
    results: dict[str, list[dict[str, list[float]]]] = {label: [] for label, _ in trees}
    for _ in range(args.repeat):  # interleaved, so both see the same machine
        for label, code in trees:
            results[label].append(run(code))
    print("slogan-16x9 branch-reminder at 1920x1080: the second branch's variant, after the first's")
    print(f"{'code':<12}{'first CPU s':>12}{'second CPU s':>13}{'second wall s':>14}{'frames encoded':>16}")
    medians = {}
    for label, _ in trees:
        first = statistics.median(r["beijing-chaoyang"][0] for r in results[label])
        second = statistics.median(r["changzhi-yingxiong"][0] for r in results[label])
        wall = statistics.median(r["changzhi-yingxiong"][1] for r in results[label])
        frames = results[label][0]["changzhi-yingxiong"]
        medians[label] = second
        print(f"{label:<12}{first:>12.2f}{second:>13.2f}{wall:>14.2f}{int(frames[3]):>9} of {int(frames[2])}")
    if "baseline" in medians:
        print(f"\nthe variant: {medians['this tree'] / medians['baseline']:.2f}x the baseline's CPU")
    print(f"target: at most 1 CPU-s: {'PASS' if medians['this tree'] <= 1 else 'FAIL'}")


if __name__ == "__main__":
    main()
