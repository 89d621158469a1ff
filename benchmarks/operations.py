"""Emergencies as staff run them, on a built copy of the example: how long until the screens switch.

    python benchmarks/operations.py BUILT_PROJECT [--rounds 3]

BUILT_PROJECT is a copy of the example on which ``signage build`` has run once (the
benchmark works on a hard-linked clone of it, so the copy stays as it was). Each step is a
new ``signage`` process, as a user would run it, timed from launch to exit (the switch is
the last thing before the exit, so this is an upper bound of "start to switch"):

- ``emergency start --slogan hotline-ask`` on the Hong Kong screens (LED and TV): pre-rendered,
  nothing to render; target under 2 s;
- ``emergency start --text …`` on every LED sign: new words, LED outputs only; target under 10 s;
- ``emergency start --text …`` on the Hong Kong TVs (one video; no target, for information);
- ``emergency stop`` after each; target under 2 s.

After every step ``signage check`` must pass. The 1,000-branch network is not covered here.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS = (
    ("pre-rendered slogan, HK LED + TV", ["--slogan", "hotline-ask", "--where", "tag:香港", "--for", "30m"], 2.0),
    (
        "new text, every LED sign",
        ["--text", "今日有人冒充客服，请勿转账 {n}", "--where", "kind:led", "--for", "2m"],
        10.0,
    ),
    (
        "new text, HK TVs",
        ["--text", "今日有人冒充客服，请勿转账 {n}", "--where", "tag:香港,kind:tv", "--for", "2m"],
        None,
    ),
)
STOP_TARGET_S = 2.0


def signage(project: Path, *args: str) -> tuple[float, str]:
    """Run one command in a new process; (wall seconds, output). Fails loudly on a non-zero exit."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "signage", "--project", str(project), *args], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"signage {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def clone(source: Path, target: Path) -> Path:
    """A copy whose files are hard links (every write the tool makes is a new file renamed into place)."""
    shutil.copytree(source, target, symlinks=True, copy_function=os.link)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("built", type=Path, help="a copy of the example on which `signage build` has run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not (args.built / "output" / "catalogue.json").is_file():
        raise SystemExit(f"{args.built} has not been built: run `signage build` in it first")
    rows: list[tuple[str, float, float, float | None]] = []
    with tempfile.TemporaryDirectory(prefix="signage-ops-") as tmp:
        project = clone(args.built, Path(tmp) / "proj")
        n = 0
        for label, options, target in STEPS:
            starts, stops = [], []
            for _ in range(args.rounds):
                n += 1
                seconds, out = signage(project, "emergency", "start", *[o.format(n=n) for o in options])
                starts.append(seconds)
                ident = out.strip().splitlines()[-1].split(":")[0].removeprefix("emergency ")
                stops.append(signage(project, "emergency", "stop", ident)[0])
                signage(project, "check")
            rows.append((f"start: {label}", min(starts), max(starts), target))
            rows.append((f"stop: {label}", min(stops), max(stops), STOP_TARGET_S))
            print(f"{label}: start {starts}, stop {stops}", file=sys.stderr, flush=True)
    print(f"{'step':<48} {'best s':>7} {'worst s':>8} {'target s':>9}")
    for label, best, worst, target in rows:
        mark = "" if target is None else ("  ok" if worst < target else "  OVER")
        print(f"{label:<48} {best:>7.2f} {worst:>8.2f} {target if target is not None else '-':>9}{mark}")


if __name__ == "__main__":
    main()
