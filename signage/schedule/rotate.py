"""``signage rotate``: point each screen's link at what the schedule says, at the instant it says.

One pass (``rotate_once``) sets every screen of every published branch to its decision
now, whatever it pointed at before, so a restart (or a cron/systemd timer) corrects any
screen a missed switch left behind. The loop computes the next instant at which any
screen's decision changes and sleeps until then (a ``schedule`` job at that time, woken
early by SIGTERM); each pass reloads the project and keeps the last good one if an edit
made it invalid. Every switch, emergency end and error goes to output/schedule/log.sqlite.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..network.publish import SCREENS, _link, branch_dir, current_version
from ..project.config import Branch
from ..project.loader import Project
from .emergency import STATE_DIR, Emergency
from .emergency import load as load_emergencies
from .emergency import save as save_emergencies
from .resolve import DEFAULT, decide, next_change

LOG = "log.sqlite"


@contextlib.contextmanager
def log_db(output: Path) -> Iterator[sqlite3.Connection]:
    folder = output / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(folder / LOG, timeout=30)
    try:
        db.execute(
            "CREATE TABLE IF NOT EXISTS log (at TEXT NOT NULL, event TEXT NOT NULL, branch TEXT, screen TEXT, "
            "from_playlist TEXT, to_playlist TEXT, why TEXT)"
        )
        with db:
            yield db
    finally:
        db.close()


Row = tuple[str, str, str | None, str | None, str | None, str | None, str]


def row(
    at: dt.datetime,
    event: str,
    branch: str | None = None,
    screen: str | None = None,
    frm: str | None = None,
    to: str | None = None,
    why: str = "",
) -> Row:
    return (at.astimezone(dt.timezone.utc).isoformat(timespec="seconds"), event, branch, screen, frm, to, why)


def write_rows(output: Path, rows: list[Row]) -> None:
    """Rows into the log, in one transaction."""
    if rows:
        with log_db(output) as db:
            db.executemany("INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def record(
    output: Path,
    at: dt.datetime,
    event: str,
    branch: str | None = None,
    screen: str | None = None,
    frm: str | None = None,
    to: str | None = None,
    why: str = "",
) -> None:
    write_rows(output, [row(at, event, branch, screen, frm, to, why)])


def read_log(output: Path, branch: str | None = None, since: dt.datetime | None = None) -> list[tuple[str, ...]]:
    if not (output / STATE_DIR / LOG).is_file():
        return []
    query, args = "SELECT * FROM log WHERE 1=1", list[str]()
    if branch:
        query, args = query + " AND branch = ?", [*args, branch]
    if since:
        query, args = query + " AND at >= ?", [*args, since.astimezone(dt.timezone.utc).isoformat(timespec="seconds")]
    with log_db(output) as db:
        rows = db.execute(query + " ORDER BY rowid", args).fetchall()
    return [tuple(str(v) if v is not None else "" for v in row) for row in rows]


@dataclass
class Switch:
    branch: str
    screen: str
    frm: str
    to: str
    why: str


def _variant_of(target: str, screen: str) -> str:
    name = target.rsplit("/", 1)[-1]
    return name.split("~", 1)[1] if "~" in name else DEFAULT


def rotate_once(project: Project, at: dt.datetime, emergencies: list[Emergency] | None = None) -> list[Switch]:
    """Set every published screen to the schedule's decision at ``at``; the switches made (logged)."""
    output = project.output_dir
    emergencies = load_emergencies(output) if emergencies is None else emergencies
    ended = [e for e in emergencies if e.over(at) and not e.stopped and not e.end_logged]
    rows: list[Row] = []
    for e in ended:
        e.end_logged = True
        rows.append(row(e.end, "emergency-expired", why=f"emergency {e.id} ({e.slogan}, {e.where.describe()}) ended"))
    switches: list[Switch] = []
    try:
        for branch in project.config.branches:
            version = current_version(output, branch.id)
            if version is not None:
                _switch_branch(project, branch, version, at, emergencies, rows, switches)
    finally:  # what was switched is logged, in one transaction, even when a pass is cut short
        write_rows(output, rows)
        if ended:
            save_emergencies(output, emergencies)
    return switches


def _switch_branch(
    project: Project,
    branch: Branch,
    version: str,
    at: dt.datetime,
    emergencies: list[Emergency],
    rows: list[Row],
    switches: list[Switch],
) -> None:
    folder = branch_dir(project.output_dir, branch.id)
    for screen in branch.screens:
        decision = decide(project, project.schedule, branch, screen, at, emergencies)
        wanted = screen.id if decision.key == DEFAULT else f"{screen.id}~{decision.key}"
        if not (folder / version / wanted).is_dir():
            if decision.key != DEFAULT:
                why = f"{decision.why}: not in the published {version}; run signage build"
                rows.append(row(at, "error", branch.id, screen.id, None, decision.key, why))
            wanted = screen.id
            if not (folder / version / wanted).is_dir():  # a screen added since the last build: nothing to show yet
                why = f"screen {screen.id} is not in the published {version}; run signage build"
                rows.append(row(at, "error", branch.id, screen.id, None, None, why))
                continue
        link = folder / SCREENS / screen.id
        try:
            now = os.readlink(link)
        except OSError:
            now = ""
        target = f"../{version}/{wanted}"
        if now != target:
            _link(target, link)
            frm, to = _variant_of(now, screen.id) if now else "", _variant_of(target, screen.id)
            switches.append(Switch(branch.id, screen.id, frm, to, decision.why))
            rows.append(row(at, "switch", branch.id, screen.id, frm, to, decision.why))


def next_instant(project: Project, after: dt.datetime, emergencies: list[Emergency]) -> dt.datetime | None:
    """The earliest instant after ``after`` at which any screen's decision changes."""
    soonest = None
    for branch in project.config.branches:
        for screen in branch.screens:
            found = next_change(project, project.schedule, branch, screen, after, emergencies)
            if found and (soonest is None or found[0] < soonest):
                soonest = found[0]
    return soonest


WATCH_SECONDS = 30.0  # how often the loop looks (one stat) whether an emergency started or stopped meanwhile


def run(
    load: Callable[[], Project],
    stop: threading.Event,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
    say: Callable[[str], None] = print,
) -> None:
    """Rotate until ``stop`` is set: a pass now, then one at each instant the plan changes.

    The next pass is a ``schedule`` job at that instant (rounded up to the whole second, its
    local clock time; a week ahead at most: a job due earlier only recomputes). Between
    passes the loop sleeps in one ``Event.wait``, so SIGTERM (which sets ``stop``) ends it at
    once; every ``WATCH_SECONDS`` it looks whether the emergencies file changed (an
    emergency started or stopped by another command) and then passes at once. Each pass
    holds the project lock, so it never interleaves with a build's publishing or an
    emergency command."""
    import schedule

    from ..lock import project_lock

    scheduler = schedule.Scheduler()
    state: dict[str, Any] = {"project": load(), "seen": None}

    def watched() -> float | None:
        path = state["project"].output_dir / STATE_DIR / "emergencies.json"
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return None

    def one_pass() -> None:
        now = clock()
        try:
            state["project"] = load()
        except Exception as exc:  # noqa: BLE001 - an invalid edit: keep the last good project and say why
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            record(state["project"].output_dir, now, "error", why=f"project invalid, kept the last good one: {exc}")
            say(f"project invalid, keeping the last good one: {message}")
        project = state["project"]
        with project_lock(project.output_dir, "rotate", wait=True):
            now = clock()
            emergencies = load_emergencies(project.output_dir)
            for s in rotate_once(project, now, emergencies):
                say(f"{now:%Y-%m-%d %H:%M:%S} {s.branch}/{s.screen}: {s.frm or '-'} -> {s.to} ({s.why})")
            state["seen"] = watched()
        upcoming = next_instant(project, now, emergencies)
        scheduler.clear()
        if upcoming is None:
            scheduler.every(1).hours.do(one_pass)  # nothing changes within a week: look again later
        else:
            due = upcoming.astimezone().replace(tzinfo=None)
            if due.microsecond:  # never a moment early: a pass before the instant would find nothing to do
                due = due.replace(microsecond=0) + dt.timedelta(seconds=1)
            scheduler.every().day.at(due.strftime("%H:%M:%S")).do(one_pass)

    one_pass()
    while not stop.is_set():
        stop.wait(timeout=min(WATCH_SECONDS, max(0.0, float(scheduler.idle_seconds or 0.0)) + 0.01))
        if stop.is_set():
            break
        if watched() != state["seen"]:
            one_pass()
        else:
            scheduler.run_pending()
