"""`signage plan --at` and `import signage.cli` as new processes: this tree beside another checkout.

    python benchmarks/startup.py --baseline-tree DIR [--runs 10]

DIR is a checkout of another revision (``git worktree add DIR REV``); both run on a fresh copy of
this tree's example project (the baseline with its own example, when this one's signage.yaml
is newer than its code), interleaved, and the medians are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ("signage.yaml", "branches.csv", "content", "templates", "playlists", "media")


def copy_example(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for name in EXAMPLE:
        (shutil.copytree if (source / name).is_dir() else shutil.copy2)(source / name, target / name)
    return target


def timed(command: list[str], cwd: Path, code: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-tree", type=Path, required=True, help="a checkout of another revision")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    plan = [sys.executable, "-m", "signage", "plan", "--branch", "beijing-chaoyang", "--at", "2026-12-03T10:00"]
    with tempfile.TemporaryDirectory() as tmp:
        trees = {
            "this tree": (ROOT, copy_example(ROOT, Path(tmp) / "new")),
            "baseline": (args.baseline_tree, copy_example(args.baseline_tree, Path(tmp) / "old")),
        }
        runs: dict[str, list[float]] = {}
        for _ in range(args.runs):
            for name, (code, project) in trees.items():
                runs.setdefault(f"{name}: signage plan --at", []).append(timed(plan, project, code))
                runs.setdefault(f"{name}: import signage.cli", []).append(
                    timed([sys.executable, "-c", "import signage.cli"], project, code)
                )
    for name, values in runs.items():
        print(f"{name:<36} median {statistics.median(values) * 1000:6.0f} ms over {len(values)} runs")


if __name__ == "__main__":
    main()
