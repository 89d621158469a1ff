"""Schedules on a 1,000-branch network: planning a week, `plan --at` from the command line, rotation per tick.

    python benchmarks/schedule.py [--branches 1000] [--repeat 5]

Generates the network of benchmarks/network.py (1,000 branches, 3,000 screens, three
locales and time zones) with a schedule: the door signs' overnight playlist (dayparts),
a hotline interleave on every TV, a two-week campaign on the 华东 branches' TVs for
business hours, and a case-of-the-day pool on the lobby. Then, side by side:

1. every screen's timeline for a week (the same `decide` the rotation and `plan` use);
2. `signage plan --branch B --at T` as a new process, from the published answers (what a build
   writes for it) and from the project (those answers moved aside, as before they existed),
   against `python -c pass` and importing the CLI, so the start-up share is visible (target
   under 100 ms; signage's bytecode compiled first, as an installed package has it); the two
   outputs are checked to be the same bytes first;
3. one rotation pass (`rotate --once`'s work) over every screen of a published tree:
   a tick where nothing changes, and one where every door sign switches; and finding
   the next instant at which anything changes (what the loop sleeps until).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLICK_CLI = "try:\n import signage.cli.group\nexcept ImportError:\n import signage.cli"
ROOT = Path(__file__).resolve().parents[1]
# not this folder: this file's name would hide the `schedule` library signage.rotation uses
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

SCHEDULE = """\
dayparts:
  business: "09:00-17:00"
  closed: "17:00-09:00"
campaigns:
  - {id: overnight, playlist: overnight, where: {kinds: [led]}, dayparts: [closed], priority: 5}
  - {id: hotline-every-three, playlist: hotline, mode: interleave, every: 3, where: {kinds: [tv]}}
  - {id: east-fortnight, playlist: lobby-slogans, where: {kinds: [tv], tags: [华东]}, from: 2026-12-07,
     until: 2026-12-20, dayparts: [business], priority: 10}
"""


def generate(target: Path, branches: int) -> None:
    spec = importlib.util.spec_from_file_location("network", ROOT / "benchmarks" / "network.py")
    assert spec is not None and spec.loader is not None
    network = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(network)
    network.generate(target, branches)
    playlists = target / "playlists"
    (playlists / "overnight.yaml").write_text(
        "suits: [led]\nentries:\n  - slogans: {kind: hotline}\n", encoding="utf-8"
    )
    (playlists / "hotline.yaml").write_text("suits: [tv]\nentries:\n  - slogans: {kind: hotline}\n", encoding="utf-8")
    lobby = (playlists / "lobby.yaml").read_text(encoding="utf-8")
    (playlists / "lobby.yaml").write_text(
        lobby.replace("entries:\n", "entries:\n  - cases: {rotate: {pick: 1, offset: branch}}\n"), encoding="utf-8"
    )
    (playlists / "schedule.yaml").write_text(SCHEDULE, encoding="utf-8")


def fake_publish(project, day: dt.date) -> int:  # type: ignore[no-untyped-def]
    """A published version per branch with every folder its screens can switch to on ``day`` (no media)."""
    from signage.atomic import replace_link
    from signage.schedule.resolve import day_switches
    from signage.tree import SCREENS, branch_dir

    folders = 0
    for branch in project.config.branches:
        folder = branch_dir(project.output_dir, branch.id)
        version = folder / "v0001"
        version.mkdir(parents=True)
        (version / "version.json").write_text("{}", encoding="utf-8")
        for s in branch.screens:
            keys = {"default"} | {
                d.key
                for k in range(2)
                for _, d in day_switches(project, project.schedule, branch, s, day + dt.timedelta(days=k))
            }
            for key in keys:
                name = s.id if key == "default" else f"{s.id}~{key}"
                (version / name).mkdir()
                folders += 1
            replace_link(f"../v0001/{s.id}", folder / SCREENS / s.id)
        replace_link("v0001", folder / "current")
    return folders


def publish_answers(root: Path, now: dt.datetime) -> tuple[int, float, float]:
    """Write each branch's answers for `plan --at` as a build publishing at ``now`` does, after the
    timelines every publishing build computes (in a process of its own, so this one's project keeps
    its state): (branches, seconds for the timelines, seconds for the answers on top)."""
    code = (
        "import datetime as dt, sys, time; from pathlib import Path; from signage.kinds import open_project; "
        "from signage.network.screens import Network; p = open_project(Path(sys.argv[1])); "
        "now = dt.datetime.fromisoformat(sys.argv[2]); n = Network(p, now.date(), now); t = time.perf_counter(); "
        "[n.timeline(b.id, set()) for b in p.config.branches]; s = time.perf_counter() - t; "
        "t = time.perf_counter(); made = n.publish_answers(); print(made, s, time.perf_counter() - t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(root), now.isoformat()],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    made, timelines, answers = done.stdout.split()
    return int(made), float(timelines), float(answers)


CPU: dict[str, list[float]] = {}  # the same runs' CPU seconds (user + system), by the command's name


def timed(cmd: list[str], env: dict[str, str], cwd: Path, name: str = "") -> float:
    """Wall seconds of one new process (its CPU seconds go to CPU[name])."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=cwd)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(name, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="schedule-bench-") as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        generate(root, args.branches)
        generated = time.time()
        from signage.fingerprint import RACY_NS
        from signage.kinds import open_project
        from signage.rotation import next_instant, rotate_once
        from signage.schedule.resolve import day_switches
        from signage.tree import plans_dir

        start = time.perf_counter()
        project = open_project(root)
        load = time.perf_counter() - start
        screens = [(b, s) for b in project.config.branches for s in b.screens]
        monday = dt.date(2026, 12, 7)
        start = time.perf_counter()
        switches = sum(
            len(day_switches(project, project.schedule, b, s, monday + dt.timedelta(days=k)))
            for b, s in screens
            for k in range(7)
        )
        week = time.perf_counter() - start
        print(
            f"network: {len(project.config.branches)} branches, {len(screens)} screens, "
            f"{len(project.schedule.campaigns)} campaigns, 3 time zones; {os.cpu_count()} cores\n"
        )
        print(f"load the project (in process): {load * 1000:.0f} ms")
        print(
            f"plan a week for every screen: {week:.2f} s for {len(screens) * 7:,} screen-days "
            f"({week / (len(screens) * 7) * 1e6:.0f} µs each), {switches:,} switches"
        )

        env = {**os.environ, "PYTHONPATH": str(ROOT), "SIGNAGE_CACHE_DIR": str(Path(tmp) / "cache")}
        # bytecode compiled, as an installed package has it (else every process compiles what it imports)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "signage")], check=True)
        branch = project.config.branches[-1].id
        published = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.timezone.utc)  # what a build that morning writes
        # files written within RACY_NS of the stamp are hashed at every check (see signage.fingerprint):
        # measure the usual case, a build some seconds after the last edit
        time.sleep(max(0.0, generated + RACY_NS / 1e9 - time.time()))
        answers, timelines, seconds = publish_answers(root, published)
        print(
            f"publishing: the week's timelines of {answers:,} branches (every build computes them) {timelines:.2f} s; "
            f"what `plan --at` answers, on top: {seconds:.2f} s"
        )
        plans = plans_dir(root / "output")
        aside = Path(tmp) / "plans-aside"
        plan_cmd = [sys.executable, "-m", "signage", "plan", "--branch", branch, "--at", "2026-12-08T10:00"]
        fast_out = subprocess.run(plan_cmd, check=True, capture_output=True, env=env, cwd=root).stdout
        plans.rename(aside)
        slow_out = subprocess.run(plan_cmd, check=True, capture_output=True, env=env, cwd=root).stdout
        aside.rename(plans)
        assert fast_out == slow_out, "the published answers and the project disagree"
        runs: dict[str, list[float]] = {
            "python -c pass": [],
            "import the Click CLI": [],
            "plan --at, from the project": [],
            "plan --at, from the answers": [],
        }
        for _ in range(args.repeat):  # interleaved, so that a busy moment of the machine hits both paths
            for name, cmd in (
                ("python -c pass", [sys.executable, "-c", "pass"]),
                # the Click group and its imports (`signage.cli` itself imports nothing since the plain
                # `plan --at` is answered before Click; in older trees the group is signage.cli)
                ("import the Click CLI", [sys.executable, "-c", CLICK_CLI]),
            ):
                runs[name].append(timed(cmd, env, root, name))
            plans.rename(aside)  # no answers: the project is loaded, as before answers were published
            runs["plan --at, from the project"].append(timed(plan_cmd, env, root, "plan --at, from the project"))
            aside.rename(plans)
            runs["plan --at, from the answers"].append(timed(plan_cmd, env, root, "plan --at, from the answers"))
        print(
            f"\n`signage plan --branch {branch} --at 2026-12-08T10:00`, a new process each, median of {args.repeat} "
            f"(the same {len(fast_out.splitlines())} lines of output both ways):"
        )
        med = {k: statistics.median(v) for k, v in runs.items()}
        for name, value in med.items():
            print(
                f"  {name:<30}{value * 1000:>7.0f} ms wall (fastest {min(runs[name]) * 1000:.0f}), "
                f"{statistics.median(CPU[name]) * 1000:>5.0f} ms CPU"
            )
        fast, slow = med["plan --at, from the answers"], med["plan --at, from the project"]
        print(
            f"  from the answers: {slow / fast:.1f}x faster; start-up (interpreter and the CLI's imports) is "
            f"{med['import the Click CLI'] / fast:.0%} of it (target under 100 ms: {'PASS' if fast < 0.1 else 'MISSED'})"
        )

        folders = fake_publish(project, monday)
        tick = dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.timezone.utc)  # 11:00 in Shanghai: nothing changes
        rotate_once(project, tick)
        quiet = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            made = rotate_once(project, tick)
            quiet.append(time.perf_counter() - t0)
            assert not made
        evening = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.timezone.utc)  # 17:00 in Shanghai: doors switch
        t0 = time.perf_counter()
        made = rotate_once(project, evening)
        busy = time.perf_counter() - t0
        t0 = time.perf_counter()
        upcoming = next_instant(project, evening, [])
        nxt = time.perf_counter() - t0
        print(f"\nrotation over {len(screens):,} screens ({folders:,} published folders):")
        print(
            f"  a tick where nothing changes: {statistics.median(quiet) * 1000:.0f} ms "
            f"({statistics.median(quiet) / len(screens) * 1e6:.0f} µs a screen)"
        )
        print(f"  a tick where {len(made):,} screens switch (atomic link and a log row each): {busy * 1000:.0f} ms")
        print(f"  finding the next instant anything changes ({upcoming:%Y-%m-%d %H:%M}Z): {nxt * 1000:.0f} ms")
        print(
            json.dumps(
                {
                    "week_s": week,
                    "plan_ms": fast * 1000,
                    "plan_from_project_ms": slow * 1000,
                    "tick_ms": statistics.median(quiet) * 1000,
                    "busy_ms": busy * 1000,
                    "next_ms": nxt * 1000,
                }
            )
        )


if __name__ == "__main__":
    main()
