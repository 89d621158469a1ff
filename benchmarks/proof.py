"""Proof of play read back at network scale: `signage status` over 15,000 screens, a 30-day report of 1,000 branches.

    python benchmarks/proof.py [--status-branches 5000] [--report-branches 1000] [--days 30] [--repeat 5]

Generates the schedule benchmark's network (benchmarks/schedule.py: door and strip LED signs, a
lobby TV, dayparts, an interleave, a fortnight's campaign, a case-of-the-day pool) and, without a
build, a published tree written by hand (version.json and a small playlist.json per variant the
schedule uses) and a synthetic players' database with the schema serve writes:

1. status: 5,000 branches with one LED sign and two TVs each (15,000 screens), 10,000
   ``screens_seen`` rows in every state; the use case with the project loaded, and
   `signage status --prometheus FILE` as a new process (loading the 5,000-branch project too);
2. report: 1,000 branches x 3 screens over 30 days: the daily totals of every lobby TV for the
   30 days, and the raw events of the last two days only (as if retention had removed the
   rest), with the indexes serve's store makes; a 30-day report, CSV and PDF, reads the daily
   totals; then the last day from the raw events (every play and heartbeat of 1,000 lobby TVs:
   the hour-by-hour frequency and dark checks), what each day of raw events costs.

Medians of --repeat runs, in one process, side by side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
# python puts benchmarks/ first on the path, where schedule.py would hide the `schedule` package
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]

from signage.proof.store import SCHEMA  # noqa: E402 - after the path is set

FIRST = dt.date(2026, 11, 23)  # 30 days to 2026-12-22: the fortnight's campaign (12-07 to 12-20) inside
ITEM = 20.0  # seconds an item plays in the synthetic loops


def _schedule_benchmark():  # type: ignore[no-untyped-def]
    """benchmarks/schedule.py, loaded under a name of its own: on the path as ``schedule`` it would hide
    the ``schedule`` package that signage's rotation (which the report reads the log through) imports."""
    import importlib.util

    import signage.rotation  # noqa: F401 - the real ``schedule`` package first

    sys.path.insert(0, str(ROOT / "benchmarks"))  # where schedule.py finds network.py
    spec = importlib.util.spec_from_file_location("schedule_benchmark", ROOT / "benchmarks" / "schedule.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _network(target: Path, branches: int, screens: str) -> None:
    _schedule_benchmark().generate(target, branches)
    with (target / "playlists" / "schedule.yaml").open("a", encoding="utf-8") as schedule:
        schedule.write("min_frequency:\n  - {kind: hotline, every: 3m, where: {kinds: [tv]}}\n")
    csv = target / "branches.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    head, rows = lines[0], lines[1:]
    csv.write_text("\n".join([head] + [r.rsplit(",", 1)[0] + "," + screens for r in rows]) + "\n", encoding="utf-8")


def _publish(project, first: dt.date, last: dt.date) -> None:  # type: ignore[no-untyped-def]
    """A live version per branch holding a playlist.json for each variant the schedule puts on its screens
    (the pooled ones for a week, as publishing keeps), each a loop of six 20-s items."""
    from signage.project.screens import screen_kind
    from signage.schedule.resolve import day_switches
    from signage.tree import variant_folder

    slogans = ["hotline-ask", *sorted(project.slogans)[:3]]
    cases = sorted(project.cases)[:2]
    items = [{"content": {"kind": "slogan", "id": s}, "duration": ITEM} for s in slogans]
    items += [{"content": {"kind": "case", "id": c}, "duration": ITEM} for c in cases]
    loop = json.dumps({"duration": ITEM * len(items), "items": items})
    week = [last - dt.timedelta(days=n) for n in range(7)]
    days = sorted({first, first + dt.timedelta(days=14), *week})  # before, during and after the campaign
    keys: dict[tuple[str, str, str], set[str]] = {}
    for branch in project.config.branches:
        for screen in branch.screens:
            profile = project.profile(screen.profile)
            group = (
                branch.timezone,
                screen_kind(profile),
                ",".join(branch.tags) + screen.id + screen.profile + branch.locale,
            )
            if group not in keys:
                found: set[str] = set()
                for day in days:
                    found |= {d.key for _, d in day_switches(project, project.schedule, branch, screen, day)}
                keys[group] = found
            for key in keys[group]:
                folder = project.output_dir / "publish" / branch.id / "v0001" / variant_folder(screen.id, key)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "playlist.json").write_text(loop, encoding="utf-8")
        version = project.output_dir / "publish" / branch.id / "v0001"
        version.mkdir(parents=True, exist_ok=True)
        (version / "version.json").write_text("{}", encoding="utf-8")
        (version.parent / "current").symlink_to("v0001")


def _database(project, first: dt.date, last: dt.date, raw_days: list[dt.date]) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Daily totals of every lobby TV for first..last, and the raw plays and heartbeats of raw_days.
    Returns (daily rows, raw events)."""
    path = project.output_dir / "proof" / "events.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.execute("CREATE INDEX IF NOT EXISTS events_screen_at ON events(branch, screen, at)")  # as serve's store has
    db.execute("CREATE INDEX IF NOT EXISTS events_at ON events(at)")
    db.execute("PRAGMA journal_mode=WAL")
    artifacts = [f"video/slogan-16x9/zh-Hans-CN/{s}" for s in ["hotline-ask", *sorted(project.slogans)[:3]]]
    artifacts += [f"video/case-16x9/zh-Hans-CN/{c}" for c in sorted(project.cases)[:2]]
    per_day = int(12 * 3600 / ITEM / len(artifacts))  # twelve hours a day
    daily = []
    day = first
    while day <= last:
        for branch in project.config.branches:
            for artifact in artifacts:
                daily.append(
                    (
                        day.isoformat(),
                        branch.id,
                        "lobby",
                        None,
                        artifact,
                        "default+hotline-every-three",
                        per_day,
                        per_day * ITEM,
                    )
                )
        day += dt.timedelta(days=1)
    db.executemany("INSERT INTO daily VALUES (?, ?, ?, ?, ?, ?, ?, ?)", daily)
    raw = 0
    for branch in project.config.branches:
        zone = ZoneInfo(branch.timezone)
        rows = []
        for day in raw_days:
            start = dt.datetime.combine(day, dt.time(8), tzinfo=zone).timestamp()
            for n in range(int(12 * 3600 / ITEM)):  # twelve hours of plays from 08:00
                at = start + n * ITEM
                artifact = artifacts[n % len(artifacts)]
                rows.append((f"{branch.id}-{day}-p{n}", branch.id, "lobby", "play", at, ITEM, None, artifact,
                             "v0001", "default+hotline-every-three", None, at))  # fmt: skip
            for n in range(12 * 60):  # a heartbeat a minute
                at = start + n * 60
                rows.append((f"{branch.id}-{day}-h{n}", branch.id, "lobby", "heartbeat", at, None, None, None,
                             "v0001", "default+hotline-every-three", '{"visible": true, "errors": []}', at))  # fmt: skip
        db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        raw += len(rows)
    db.commit()
    db.close()
    return len(daily), raw


def _seen(project, now: dt.datetime) -> int:  # type: ignore[no-untyped-def]
    """screens_seen rows for every TV: most playing, some behind, stale, dark, hidden; a few never seen."""
    path = project.output_dir / "proof" / "events.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    rows = []
    t = now.timestamp()
    for n, branch in enumerate(project.config.branches):
        for screen in branch.screens[1:]:  # the TVs
            kind = (n + len(screen.id)) % 20
            if kind == 0:
                continue  # never seen
            at = t - (600 if kind == 1 else 4 * 3600 if kind == 4 else 30)
            version = "v0000" if kind == 2 else "v0001"
            rows.append((branch.id, screen.id, at, version, "default", "x", 0 if kind == 3 else 1, 0))
    db.executemany("INSERT INTO screens_seen VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()
    return len(rows)


CPU: list[float] = []  # the CPU seconds of the last _median's runs: the machine is shared, wall time is not ours alone


def _median(repeat: int, run) -> float:  # type: ignore[no-untyped-def]
    """The median wall time of ``repeat`` runs; their median CPU time goes to CPU."""
    times, cpu = [], []
    for _ in range(repeat):
        start, used = time.perf_counter(), time.process_time()
        run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)
    CPU[:] = [statistics.median(cpu)]
    return statistics.median(times)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--status-branches", type=int, default=5000)
    parser.add_argument("--report-branches", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep-pdf", action="store_true", help="keep the 30-day PDF as benchmarks/proof-month.pdf")
    args = parser.parse_args()
    from signage.app.report import make_report
    from signage.kinds import open_project
    from signage.proof.status import statuses

    with tempfile.TemporaryDirectory(prefix="bench-proof-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SIGNAGE_CACHE_DIR": str(Path(tmp) / "cache")}
        os.environ["SIGNAGE_CACHE_DIR"] = env["SIGNAGE_CACHE_DIR"]
        now = dt.datetime(2026, 12, 23, 12, 0, tzinfo=dt.timezone.utc)

        # 1. status over 15,000 screens
        target = Path(tmp) / "status"
        target.mkdir()
        started = time.perf_counter()
        _network(target, args.status_branches, "door=door-192x32;lobby=tv-small;teller=tv-small")
        project = open_project(target)
        for branch in project.config.branches:
            version = project.output_dir / "publish" / branch.id / "v0001"
            version.mkdir(parents=True)
            (version / "version.json").write_text("{}", encoding="utf-8")
            (version.parent / "current").symlink_to("v0001")
        seen = _seen(project, now)
        screens = sum(len(b.screens) for b in project.config.branches)
        print(
            f"status network: {args.status_branches:,} branches, {screens:,} screens, {seen:,} seen "
            f"(made in {time.perf_counter() - started:.0f} s)"
        )
        found: list = []
        use_case = _median(args.repeat, lambda: found.__setitem__(slice(None), statuses(project, now)))
        use_case_cpu = CPU[0]
        states: dict[str, int] = {}
        for s in found:
            states[s.state] = states.get(s.state, 0) + 1
        load = _median(max(1, args.repeat // 2), lambda: open_project(target))
        load_cpu = CPU[0]
        prom = Path(tmp) / "signage.prom"
        cmd = [sys.executable, "-m", "signage", "status", "--prometheus", str(prom)]
        process, process_cpu = [], []
        for _ in range(max(1, args.repeat // 2)):
            start, used = time.perf_counter(), _children_cpu()
            done = subprocess.run(cmd, cwd=target, env=env, capture_output=True, text=True, check=False)
            process.append(time.perf_counter() - start)
            process_cpu.append(_children_cpu() - used)
        print(
            f"  statuses() with the project loaded, median of {args.repeat}: {use_case * 1000:.0f} ms wall, "
            f"{use_case_cpu * 1000:.0f} ms CPU ({use_case_cpu / screens * 1e6:.1f} µs CPU a screen); states {states}"
        )
        print(
            f"  `signage status --prometheus` as a process (loads the project too), median of {len(process)}: "
            f"{statistics.median(process) * 1000:.0f} ms wall, {statistics.median(process_cpu) * 1000:.0f} ms CPU, "
            f"exit {done.returncode}, {len(prom.read_text().splitlines()):,} Prometheus lines; of which loading "
            f"the project, in process: {load * 1000:.0f} ms wall, {load_cpu * 1000:.0f} ms CPU"
        )

        # 2. a 30-day report of 1,000 branches
        target = Path(tmp) / "report"
        target.mkdir()
        started = time.perf_counter()
        _network(target, args.report_branches, "door=door-192x32;strip=strip-128x32-dual;lobby=tv-small")
        project = open_project(target)
        last = FIRST + dt.timedelta(days=args.days - 1)
        _publish(project, FIRST, last)
        rows, raw = _database(project, FIRST, last, [last - dt.timedelta(days=1), last])
        size = (project.output_dir / "proof" / "events.sqlite").stat().st_size
        print(
            f"\nreport network: {args.report_branches:,} branches x 3 screens; {rows:,} daily rows over "
            f"{args.days} days, {raw:,} raw events of the last two days ({size / 1e6:.0f} MB; made in "
            f"{time.perf_counter() - started:.0f} s)"
        )
        later = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(12), tzinfo=dt.timezone.utc)
        made: list = []

        def month() -> None:
            made[:] = [make_report(project, str(FIRST), str(last), fmt="csv", now=later)]

        csv_month = _median(max(1, args.repeat // 2), month)
        r = made[0].report
        print(
            f"  {args.days}-day report, CSV, median of {max(1, args.repeat // 2)}: {csv_month:.2f} s wall, "
            f"{CPU[0]:.2f} s CPU "
            f"(plays from {r.source}; {sum(c.plays for c in r.content):,} reported, "
            f"{sum(c.planned_plays for c in r.content):,.0f} planned on TVs, "
            f"{sum(c.led_plays for c in r.content):,.0f} planned on {r.led_screens:,} LED signs)"
        )
        pdf = Path(ROOT / "benchmarks" / "proof-month.pdf") if args.keep_pdf else Path(tmp) / "month.pdf"
        first_pdf = _median(1, lambda: make_report(project, str(FIRST), str(last), out=pdf, now=later))
        first_cpu = CPU[0]
        again = _median(
            max(1, args.repeat // 2), lambda: make_report(project, str(FIRST), str(last), out=pdf, now=later)
        )
        print(
            f"  {args.days}-day report, PDF (charts, tables cut at 200 rows): the first {first_pdf:.2f} s wall, "
            f"{first_cpu:.2f} s CPU (imports matplotlib, cuts the font), then median of {max(1, args.repeat // 2)} "
            f"{again:.2f} s wall, {CPU[0]:.2f} s CPU; {pdf.stat().st_size / 1e3:.0f} kB"
        )

        def day() -> None:
            made[:] = [make_report(project, str(last), str(last), fmt="csv", now=later)]

        raw_day = _median(max(1, args.repeat // 2), day)
        r = made[0].report
        broken = sum(len(f.broken) for f in r.frequency)
        print(
            f"  1-day report from the raw events, CSV, median of {max(1, args.repeat // 2)}: {raw_day:.2f} s wall, "
            f"{CPU[0]:.2f} s CPU "
            f"(plays from {r.source}; {len(r.frequency):,} frequency checks, {broken:,} hours broken; "
            f"{len(r.dark):,} screens dark for a while)"
        )


if __name__ == "__main__":
    main()
