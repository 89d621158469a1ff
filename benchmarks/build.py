"""The main job on the example project: cold build, no-op rebuild, and one slogan added.

    python benchmarks/build.py [--baseline REV] [--skip-cold]

Runs ``signage build`` as a user would (a new process each time) on a fresh copy of the
example project with an empty font cache, and reports wall time, CPU time and the
outputs rendered per kind. ``--baseline REV`` runs the same steps with the code of a git
revision (checked out into a temporary worktree, same Python environment) side by side.
Target: a cold build under 3 minutes on 2 cores; a no-op rebuild under 2 s.
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

ROOT = Path(__file__).resolve().parents[1]
COLD_TARGET_S = 180
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


def signage(code: Path, project: Path, cache: Path) -> tuple[float, float, dict[str, tuple[int, int]]]:
    """(wall s, CPU s of the process tree, {kind: (rendered, unchanged)}) of one `signage build`."""
    env = {**os.environ, "PYTHONPATH": str(code), "SIGNAGE_CACHE_DIR": str(cache), "XDG_CACHE_HOME": str(cache)}
    cpu0, start = children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "signage", "build"], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu0
    if done.returncode:
        raise SystemExit(f"build failed ({code}):\n{done.stderr[-2000:]}")
    counts = {kind: (int(r), int(u)) for kind, r, u in COUNTS.findall(done.stdout)}
    return wall, cpu, counts


def steps(code: Path, label: str, skip_cold: bool) -> list[tuple[str, str, float, float, dict[str, tuple[int, int]]]]:
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
        rows.append((label, "no-op rebuild", *signage(code, project, cache)))
        with open(project / "content" / "slogans.yaml", "a", encoding="utf-8") as handle:
            handle.write(NEW_SLOGAN)
        rows.append((label, "one slogan added", *signage(code, project, cache)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="a git revision to compare with (e.g. HEAD~5)")
    parser.add_argument("--skip-cold", action="store_true", help="report only the no-op and one-slogan builds")
    args = parser.parse_args()
    rows = steps(ROOT, "this tree", args.skip_cold)
    if args.baseline:
        with tempfile.TemporaryDirectory(prefix="build-baseline-") as tmp:
            tree = Path(tmp) / "tree"
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.baseline],
                check=True,
                capture_output=True,
            )
            try:
                rows += steps(tree, args.baseline, args.skip_cold)
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    print(f"signage build on the example project, {os.cpu_count()} cores, fresh copy and empty font cache\n")
    print(f"{'code':<12}{'step':<18}{'wall s':>8}{'CPU s':>8}   rendered / unchanged per kind")
    for label, step, wall, cpu, counts in rows:
        kinds = ", ".join(f"{k} {r}/{u}" for k, (r, u) in counts.items())
        print(f"{label:<12}{step:<18}{wall:>8.1f}{cpu:>8.1f}   {kinds}")
    ours = {step: wall for label, step, wall, _, _ in rows if label == "this tree"}
    if "cold build" in ours:
        verdict = "PASS" if ours["cold build"] < COLD_TARGET_S else "FAIL"
        print(f"\ntarget: cold build under {COLD_TARGET_S} s: {verdict} ({ours['cold build']:.0f} s)")
    verdict = "PASS" if ours["no-op rebuild"] < NOOP_TARGET_S else "FAIL"
    print(f"target: no-op rebuild under {NOOP_TARGET_S} s: {verdict} ({ours['no-op rebuild']:.1f} s)")


if __name__ == "__main__":
    main()
