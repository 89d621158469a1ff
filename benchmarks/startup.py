"""`signage plan --at` and importing the Click command line as new processes: this tree beside another checkout.

    python benchmarks/startup.py --baseline-tree DIR [--runs 10]

DIR is a checkout of another revision (``git worktree add DIR REV``, or ``git archive REV | tar -x
-C DIR``); each runs on a fresh copy of its own example project, interleaved. This tree's copy
has the answers a build publishes for `plan --at` (written for the day of the instant asked), so
its `plan --at` is timed both from them and from the project (the answers moved aside), beside the
baseline's; medians, and each one's ratio to the baseline's `plan --at`, are printed. Both trees'
bytecode is compiled first, as an installed package has it.
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

CLICK_CLI = "try:\n import signage.cli.group\nexcept ImportError:\n import signage.cli"
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ("signage.yaml", "branches.csv", "content", "templates", "playlists", "media")


def copy_example(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for name in EXAMPLE:
        (shutil.copytree if (source / name).is_dir() else shutil.copy2)(source / name, target / name)
    return target


def publish_answers(project: Path, code: Path, now: str) -> None:
    """What a build publishing at ``now`` writes for `plan --at`, with this tree's code (nothing rendered)."""
    script = (
        "import datetime as dt, sys; from pathlib import Path; from signage.kinds import open_project; "
        "from signage.network.screens import Network; p = open_project(Path(sys.argv[1])); "
        "now = dt.datetime.fromisoformat(sys.argv[2]); Network(p, now.date(), now).publish_answers()"
    )
    env = {**os.environ, "PYTHONPATH": str(code)}
    subprocess.run([sys.executable, "-c", script, str(project), now], env=env, check=True, capture_output=True)


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
        for code, _ in trees.values():  # bytecode compiled, as an installed package has it
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "signage")], check=True)
        code, project = trees["this tree"]
        publish_answers(project, code, "2026-12-03T00:30:00+08:00")
        plans, aside = project / "output" / "schedule" / "plans", Path(tmp) / "plans-aside"
        runs: dict[str, list[float]] = {}
        for _ in range(args.runs):
            for name, (code, project) in trees.items():
                if name == "this tree":
                    runs.setdefault(f"{name}: signage plan --at, answers", []).append(timed(plan, project, code))
                    plans.rename(aside)
                    runs.setdefault(f"{name}: signage plan --at, project", []).append(timed(plan, project, code))
                    aside.rename(plans)
                else:
                    runs.setdefault(f"{name}: signage plan --at", []).append(timed(plan, project, code))
                runs.setdefault(f"{name}: import the Click CLI", []).append(
                    # signage.cli.group where signage.cli itself no longer imports Click
                    timed([sys.executable, "-c", CLICK_CLI], project, code)
                )
    baseline = statistics.median(runs["baseline: signage plan --at"])
    for name, values in runs.items():
        median = statistics.median(values)
        print(
            f"{name:<42} median {median * 1000:6.0f} ms over {len(values)} runs"
            + (f", {baseline / median:4.1f}x as fast as the baseline's plan --at" if "plan" in name else "")
        )


if __name__ == "__main__":
    main()
