"""Emergencies as staff run them, on a built copy of the example: how long until the screens switch.

    python benchmarks/operations.py BUILT_PROJECT [--rounds 3] [--branch hk-central]

BUILT_PROJECT is a copy of the example on which ``signage build`` has run once (the
benchmark works on a hard-linked clone of it, so the copy stays as it was). Each step is a
new ``signage`` process, as a user would run it, timed from launch to the moment the watched
screen's link (``output/publish/BRANCH/screens/…``, a Hong Kong branch) changes, and to the
process's exit. For the 1,000-branch network, build the project of ``benchmarks/network.py
--keep DIR`` and pass ``--branch b00030`` (its first Hong Kong branch):

- ``emergency start --slogan hotline-ask`` on the Hong Kong screens (LED and TV): pre-rendered,
  nothing to render; target under 2 s;
- ``emergency start --text …`` on every LED sign: new words, LED outputs only; target under 10 s;
- ``emergency start --text …`` on the Hong Kong TVs (one video; no target, for information);
- ``emergency stop`` after each; target under 2 s.

After every step ``signage check`` must pass.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = "今日有人冒充客服，请勿转账 {n}"
STEPS = (  # (what, options, target seconds, the Hong Kong screen watched)
    (
        "pre-rendered slogan, HK LED + TV",
        ["--slogan", "hotline-ask", "--where", "tag:香港", "--for", "30m"],
        2.0,
        "door",
    ),
    ("new text, every LED sign", ["--text", WORDS, "--where", "kind:led", "--for", "2m"], 10.0, "door"),
    ("new text, HK TVs", ["--text", WORDS, "--where", "tag:香港,kind:tv", "--for", "2m"], None, "lobby"),
)
STOP_TARGET_S = 2.0


def signage(project: Path, *args: str, watch: Path | None = None) -> tuple[float, str, float]:
    """Run one command in a new process: (seconds to its exit, its output, seconds until the link
    ``watch`` changed, NaN if it did not). Fails loudly on a non-zero exit."""
    before = os.readlink(watch) if watch else None
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "signage", "--project", str(project), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    switched = math.nan
    while watch is not None and process.poll() is None:
        if os.readlink(watch) != before:
            switched = time.perf_counter() - began
            break
        time.sleep(0.005)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - began
    if watch is not None and math.isnan(switched) and os.readlink(watch) != before:
        switched = seconds
    if process.returncode != 0:
        raise SystemExit(f"signage {' '.join(args)} failed:\n{stdout}{stderr}")
    return seconds, stdout, switched


def clone(source: Path, target: Path) -> Path:
    """A copy whose files are hard links (every write the tool makes is a new file renamed into place)."""
    shutil.copytree(source, target, symlinks=True, copy_function=os.link)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("built", type=Path, help="a copy of the example on which `signage build` has run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--branch", default="hk-central", help="a Hong Kong branch whose screens are watched")
    args = parser.parse_args()
    if not (args.built / "output" / "catalogue.json").is_file():
        raise SystemExit(f"{args.built} has not been built: run `signage build` in it first")
    rows: list[tuple[str, list[float], list[float], float | None]] = []
    with tempfile.TemporaryDirectory(prefix="signage-ops-") as tmp:
        project = clone(args.built, Path(tmp) / "proj")
        n = 0
        for label, options, target, screen in STEPS:
            watch = project / "output" / "publish" / args.branch / "screens" / screen
            start: tuple[list[float], list[float]] = ([], [])
            stop: tuple[list[float], list[float]] = ([], [])
            for _ in range(args.rounds):
                n += 1
                seconds, out, switched = signage(
                    project, "emergency", "start", *[o.format(n=n) for o in options], watch=watch
                )
                start[0].append(switched)
                start[1].append(seconds)
                ident = out.strip().splitlines()[-1].split(":")[0].removeprefix("emergency ")
                seconds, _, switched = signage(project, "emergency", "stop", ident, watch=watch)
                stop[0].append(switched)
                stop[1].append(seconds)
                signage(project, "check")
            rows.append((f"start: {label}", *start, target))
            rows.append((f"stop: {label}", *stop, STOP_TARGET_S))
            print(f"{label}: start {start}, stop {stop}", file=sys.stderr, flush=True)
    print("seconds from launching the command to the screen's link switching (best, worst), and to its exit (worst)")
    print(f"{'step':<44} {'best':>6} {'worst':>6} {'exit':>6} {'target':>7}")
    for label, switched, exited, target in rows:
        mark = "" if target is None else ("  ok" if max(switched) < target else "  OVER")
        shown = "-" if target is None else f"{target:g}"
        print(f"{label:<44} {min(switched):>6.2f} {max(switched):>6.2f} {max(exited):>6.2f} {shown:>7}{mark}")


if __name__ == "__main__":
    main()
