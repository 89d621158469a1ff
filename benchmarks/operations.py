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


def signage(
    project: Path, *args: str, watch: tuple[Path, ...] = (), tree: Path | None = None
) -> tuple[float, str, list[float]]:
    """Run one command in a new process (the code of ``tree`` when given, else this one): (seconds to
    its exit, its output, seconds until each link of ``watch`` changed, NaN if it did not). Fails
    loudly on a non-zero exit."""
    before = [os.readlink(w) for w in watch]
    env = dict(os.environ, PYTHONPATH=str(tree)) if tree is not None else None
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "signage", "--project", str(project), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    switched = [math.nan] * len(watch)
    while watch and process.poll() is None and any(math.isnan(t) for t in switched):
        for n, w in enumerate(watch):
            if math.isnan(switched[n]) and os.readlink(w) != before[n]:
                switched[n] = time.perf_counter() - began
        time.sleep(0.005)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - began
    for n, w in enumerate(watch):
        if math.isnan(switched[n]) and os.readlink(w) != before[n]:
            switched[n] = seconds
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
    parser.add_argument("--last", help="a second branch watched: the last one an emergency reaches (a network's)")
    parser.add_argument("--baseline-tree", type=Path, help="another tree of the code, run beside this one")
    args = parser.parse_args()
    if not (args.built / "output" / "catalogue.json").is_file():
        raise SystemExit(f"{args.built} has not been built: run `signage build` in it first")
    trees: list[tuple[str, Path | None]] = [("this tree", None)]
    if args.baseline_tree:
        trees.insert(0, ("baseline", args.baseline_tree))
    rows: list[tuple[str, list[float], list[float], list[float], float | None]] = []
    with tempfile.TemporaryDirectory(prefix="signage-ops-") as tmp:
        projects = {name: clone(args.built, Path(tmp) / f"proj-{n}") for n, (name, _) in enumerate(trees)}
        n = 0
        for label, options, target, screen in STEPS:
            for name, tree in trees:
                project = projects[name]
                branches = [args.branch] + ([args.last] if args.last else [])
                watch = tuple(project / "output" / "publish" / b / "screens" / screen for b in branches)
                start: tuple[list[float], list[float], list[float]] = ([], [], [])
                stop: tuple[list[float], list[float], list[float]] = ([], [], [])
                for _ in range(args.rounds):
                    n += 1
                    words = [o.format(n=n) for o in options]
                    seconds, out, switched = signage(project, "emergency", "start", *words, watch=watch, tree=tree)
                    start[0].append(switched[0])
                    start[1].append(switched[-1])
                    start[2].append(seconds)
                    ident = out.strip().splitlines()[-1].split(":")[0].removeprefix("emergency ")
                    seconds, _, switched = signage(project, "emergency", "stop", ident, watch=watch, tree=tree)
                    stop[0].append(switched[0])
                    stop[1].append(switched[-1])
                    stop[2].append(seconds)
                    signage(project, "check", tree=tree)
                rows.append((f"{name}: start: {label}", *start, target))
                rows.append((f"{name}: stop: {label}", *stop, STOP_TARGET_S))
                print(f"{name} {label}: start {start}, stop {stop}", file=sys.stderr, flush=True)
    print(
        "seconds from launching the command to the watched screen's link switching (best, worst), to the last "
        "watched branch's (worst), and to its exit (worst)"
    )
    print(f"{'step':<56} {'best':>6} {'worst':>6} {'last':>6} {'exit':>6} {'target':>7}")
    for label, switched, last, exited, target in rows:
        mark = "" if target is None else ("  ok" if max(switched + last) < target else "  OVER")
        shown = "-" if target is None else f"{target:g}"
        print(
            f"{label:<56} {min(switched):>6.2f} {max(switched):>6.2f} {max(last):>6.2f} {max(exited):>6.2f} "
            f"{shown:>7}{mark}"
        )


if __name__ == "__main__":
    main()
