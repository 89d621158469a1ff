"""The main job on the example project: cold build, no-op rebuild, and one slogan added.

    python benchmarks/build.py [--baseline REV] [--skip-cold | --cold-only]

Runs ``signage build`` as a user would (a new process each time) on a fresh copy of the
example project with an empty font cache, and reports wall time, CPU time, the peak
resident memory of the whole process tree (build, workers, ffmpeg; sampled every 0.2 s)
and the outputs rendered per kind. ``--baseline REV`` runs the same steps with the code
of a git revision (checked out into a temporary worktree, same Python environment) side
by side. Target: a cold build under 90 s on 2 cores; a no-op rebuild under 2 s.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peaks import sampled_peak  # benchmarks/peaks.py: this folder is first on the path

ROOT = Path(__file__).resolve().parents[1]
COLD_TARGET_S = 90
NOOP_TARGET_S = 2
NEW_SLOGAN = """
- id: bench-new-slogan
  kind: rule
  tags: [两卡]
  text:
    zh-Hans-CN: 陌生人要借您的银行卡收款，一律拒绝，这是帮信犯罪的开始。
"""
COUNTS = re.compile(r"^(led|cards|video): .*?(\d+) rendered, (\d+) unchanged", re.MULTILINE)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


Row = tuple[float, float, int, dict[str, tuple[int, int]]]


def signage(code: Path, project: Path, cache: Path) -> Row:
    """(wall s, CPU s of the process tree, peak tree RSS bytes, {kind: (rendered, unchanged)}) of one `signage build`."""
    env = {**os.environ, "PYTHONPATH": str(code), "SIGNAGE_CACHE_DIR": str(cache), "XDG_CACHE_HOME": str(cache)}
    cpu0, start = children_cpu(), time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "signage", "build"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    (stdout, stderr), peak = sampled_peak(process, process.communicate, 0.2)
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu0
    if process.returncode:
        raise SystemExit(f"build failed ({code}):\n{stderr[-2000:]}")
    counts = {kind: (int(r), int(u)) for kind, r, u in COUNTS.findall(stdout)}
    return wall, cpu, peak, counts


def steps(
    code: Path, label: str, skip_cold: bool, cold_only: bool = False
) -> list[tuple[str, str, float, float, int, dict[str, tuple[int, int]]]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="build-bench-") as tmp:
        project, cache = Path(tmp) / "project", Path(tmp) / "cache"
        project.mkdir()
        for name in ("signage.yaml", "branches.csv", "content", "templates", "playlists", "media"):
            src = ROOT / name
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, project / name)
        if skip_cold:  # a warm font cache and outputs from a first run that is not reported
            signage(code, project, cache)
        else:
            rows.append((label, "cold build", *signage(code, project, cache)))
            if cold_only:
                return rows
        rows.append((label, "no-op rebuild", *signage(code, project, cache)))
        with open(project / "content" / "slogans.yaml", "a", encoding="utf-8") as handle:
            handle.write(NEW_SLOGAN)
        rows.append((label, "one slogan added", *signage(code, project, cache)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="a git revision to compare with (e.g. HEAD~5)")
    parser.add_argument("--skip-cold", action="store_true", help="report only the no-op and one-slogan builds")
    parser.add_argument("--cold-only", action="store_true", help="report only the cold build")
    args = parser.parse_args()
    rows = steps(ROOT, "this tree", args.skip_cold, args.cold_only)
    if args.baseline:
        with tempfile.TemporaryDirectory(prefix="build-baseline-") as tmp:
            tree = Path(tmp) / "tree"
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.baseline],
                check=True,
                capture_output=True,
            )
            try:
                rows += steps(tree, args.baseline, args.skip_cold, args.cold_only)
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    print(f"signage build on the example project, {os.cpu_count()} cores, fresh copy and empty font cache\n")
    print(f"{'code':<12}{'step':<18}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}   rendered / unchanged per kind")
    for label, step, wall, cpu, peak, counts in rows:
        kinds = ", ".join(f"{k} {r}/{u}" for k, (r, u) in counts.items())
        print(f"{label:<12}{step:<18}{wall:>8.1f}{cpu:>8.1f}{peak / 2**20:>9.0f}   {kinds}")
    ours = {step: wall for label, step, wall, _, _, _ in rows if label == "this tree"}
    if args.baseline:
        base = {step: (wall, cpu) for label, step, wall, cpu, _, _ in rows if label == args.baseline}
        for label, step, wall, cpu, _, _ in rows:
            if label == "this tree" and step in base:
                print(
                    f"{step}: {wall / base[step][0]:.2f}x the wall time, {cpu / base[step][1]:.2f}x the CPU of {args.baseline}"
                )
    if "cold build" in ours:
        verdict = "PASS" if ours["cold build"] < COLD_TARGET_S else "FAIL"
        print(f"\ntarget: cold build under {COLD_TARGET_S} s: {verdict} ({ours['cold build']:.0f} s)")
    if "no-op rebuild" in ours:
        verdict = "PASS" if ours["no-op rebuild"] < NOOP_TARGET_S else "FAIL"
        print(f"target: no-op rebuild under {NOOP_TARGET_S} s: {verdict} ({ours['no-op rebuild']:.1f} s)")


if __name__ == "__main__":
    main()
