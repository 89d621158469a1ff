"""``signage rotate``: point each screen's link at what the schedule says, at the instant it says.

One pass (``rotate_once``) sets every screen of every published branch to its decision
now, whatever it pointed at before, so a restart (or a cron/systemd timer) corrects any
screen a missed switch left behind. The loop computes the next instant at which any
screen's decision changes and sleeps until then (a ``schedule`` job at that instant, on
the loop's own clock, woken early by SIGTERM); each pass reloads the project and keeps the last good one if an edit
made it invalid. Every switch, emergency end and error goes to output/schedule/log.sqlite.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import schedule

from . import clock
from .atomic import atomic_write_bytes, replace_link, sync_dirs
from .lock import project_lock
from .network.publish import current_version
from .project.config import Branch
from .project.model import Project
from .schedule.emergency import Emergency
from .schedule.emergency import load as load_emergencies
from .schedule.emergency import save as save_emergencies
from .schedule.resolve import DEFAULT, decide, next_change
from .tree import (
    Variant,
    emergencies_file,
    heartbeat_file,
    log_file,
    screen_link,
    screen_target,
    variant_folder,
    version_dir,
)


@contextlib.contextmanager
def log_db(output: Path) -> Iterator[sqlite3.Connection]:
    path = log_file(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30)
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
    if not log_file(output).is_file():
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


def _variant_of(target: str) -> str:
    """The key (``KEY`` or ``KEY@DATE``) of the variant a screen's link points at."""
    name = target.rsplit("/", 1)[-1]
    try:
        return Variant.parse(name).dated_key
    except ValueError:
        return name  # a link signage did not make: the log says what it was


def _version_of(target: str) -> str:
    """``v0007`` of a screen link's target ``../v0007/SCREEN~KEY``."""
    parts = target.rstrip("/").split("/")
    return parts[-2] if len(parts) > 1 else ""


def rotate_once(
    project: Project,
    at: dt.datetime,
    emergencies: list[Emergency] | None = None,
    dry: bool = False,
    cause: str = "",
    logged_at: dt.datetime | None = None,
) -> list[Switch]:
    """Set every published screen to the schedule's decision at ``at``; the switches made (logged).

    ``dry``: change nothing and log nothing, only say what would switch (``rotate --once --at``).
    ``logged_at``: the real instant the switches happen, when ``at`` is another (``--at --force``)."""
    output = project.output_dir
    emergencies = load_emergencies(output) if emergencies is None else emergencies
    ended = [] if dry else [e for e in emergencies if e.over(at) and not e.stopped and not e.end_logged]
    rows: list[Row] = []
    for e in ended:
        e.end_logged = True
        rows.append(row(e.end, "emergency-expired", why=f"emergency {e.id} ({e.slogan}, {e.where.describe()}) ended"))
    switches: list[Switch] = []
    try:
        for branch in project.config.branches:
            version = current_version(output, branch.id)
            if version is not None:
                _switch_branch(project, branch, version, at, emergencies, rows, switches, dry, cause)
    finally:  # what was switched is flushed once and logged, in one transaction, even when a pass is cut short
        if switches and not dry:
            sync_dirs([screen_link(output, s.branch, s.screen).parent for s in switches])
        if not dry:
            write_rows(output, rows if logged_at is None else [row(logged_at, *r[1:]) for r in rows])
        if ended:
            save_emergencies(output, emergencies)
    return switches


def chooser(project: Project, at: dt.datetime, emergencies: list[Emergency]) -> Callable[[str, str], str]:
    """(branch id, screen id) -> the key ``decide`` names at ``at``: how a rollback sets each screen."""

    def choose(branch_id: str, screen_id: str) -> str:
        branch = project.branch(branch_id)
        assert branch is not None
        screen = next(s for s in branch.screens if s.id == screen_id)
        return decide(project, project.schedule, branch, screen, at, emergencies).key

    return choose


def log_switched(
    project: Project,
    changed: list[tuple[str, str, str, str]],
    at: dt.datetime,
    emergencies: list[Emergency],
    cause: str,
    every_link: bool = False,
) -> list[Switch]:
    """Log links another step set through ``decide`` (a build's publish, a rollback): (branch, screen,
    old target, new target) each; the reason is ``cause`` and the decision's. A link that moved to a
    new version of the same playlist is no switch (a rollback, ``every_link``, logs those too)."""
    switches, rows = [], []
    for branch_id, screen_id, old, new in changed:
        if not every_link and old and _variant_of(old) == _variant_of(new):
            continue
        branch = project.branch(branch_id)
        assert branch is not None
        screen = next(s for s in branch.screens if s.id == screen_id)
        decision = decide(project, project.schedule, branch, screen, at, emergencies)
        why = f"{cause}: {decision.why}" if cause else decision.why
        if _variant_of(new) != decision.key:  # an older version without that variant: its default plays
            why += f"; {_version_of(new)} has no {decision.key}, so its default plays"
        frm, to = (_variant_of(old) if old else ""), _variant_of(new)
        if every_link:  # the version says what changed when the playlist did not
            frm, to = (f"{_version_of(old)}:{frm}" if old else ""), f"{_version_of(new)}:{to}"
        switches.append(Switch(branch_id, screen_id, frm, to, why))
        rows.append(row(at, "switch", branch_id, screen_id, frm, to, why))
    write_rows(project.output_dir, rows)
    return switches


def _switch_branch(
    project: Project,
    branch: Branch,
    version: str,
    at: dt.datetime,
    emergencies: list[Emergency],
    rows: list[Row],
    switches: list[Switch],
    dry: bool = False,
    cause: str = "",
) -> None:
    folder = version_dir(project.output_dir, branch.id, version)
    for screen in branch.screens:
        decision = decide(project, project.schedule, branch, screen, at, emergencies)
        wanted = variant_folder(screen.id, decision.key)
        if not (folder / wanted).is_dir():
            if decision.key != DEFAULT and not dry:
                why = f"{decision.why}: not in the published {version}; run signage build"
                rows.append(row(at, "error", branch.id, screen.id, None, decision.key, why))
            wanted = screen.id
            if not (folder / wanted).is_dir():  # a screen added since the last build: nothing to show yet
                if not dry:
                    why = f"screen {screen.id} is not in the published {version}; run signage build"
                    rows.append(row(at, "error", branch.id, screen.id, None, None, why))
                continue
        link = screen_link(project.output_dir, branch.id, screen.id)
        try:
            now = os.readlink(link)
        except OSError:
            now = ""
        target = screen_target(version, wanted)
        if now != target:
            if not dry:
                replace_link(target, link, durable=False)  # the links' folders are flushed once, after the pass
            frm, to = _variant_of(now) if now else "", _variant_of(target)
            why = f"{cause}: {decision.why}" if cause else decision.why
            switches.append(Switch(branch.id, screen.id, frm, to, why))
            rows.append(row(at, "switch", branch.id, screen.id, frm, to, why))


def next_instant(project: Project, after: dt.datetime, emergencies: list[Emergency]) -> dt.datetime | None:
    """The earliest instant after ``after`` at which any screen's decision changes."""
    soonest = None
    for branch in project.config.branches:
        for screen in branch.screens:
            found = next_change(project, project.schedule, branch, screen, after, emergencies)
            if found and (soonest is None or found[0] < soonest):
                soonest = found[0]
    return soonest


def beat(output: Path, at: dt.datetime, loop: bool = True) -> None:
    """Say that rotation runs (the loop's pid, 0 for a ``--once`` pass, and the clock), so emergency
    commands can tell whether anything will end them on time."""
    atomic_write_bytes(heartbeat_file(output), f"{os.getpid() if loop else 0} {at.isoformat()}\n".encode())


def rotation_running(output: Path, now: dt.datetime | None = None) -> bool:
    """Whether rotation beat within the last ``ALIVE_SECONDS`` (and a loop's process lives, when it
    is on this machine): something will end an emergency on time."""
    try:
        pid, when = heartbeat_file(output).read_text(encoding="utf-8").split()
        last = dt.datetime.fromisoformat(when)
    except (OSError, ValueError):
        return False
    if (now or utc_now()) - last > dt.timedelta(seconds=ALIVE_SECONDS):
        return False
    try:
        if int(pid):
            os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        pass
    return True


BEAT_SECONDS = 10.0  # real seconds between two heartbeats
ALIVE_SECONDS = 90.0  # a heartbeat this old vouches for nothing (``rotate --once`` from cron beats every minute)
WATCH_SECONDS = 30.0  # how often the loop looks (one stat) whether an emergency started or stopped meanwhile
IDLE = dt.timedelta(hours=1)  # when nothing changes within a week: look again this much later


def utc_now() -> dt.datetime:
    """The clock every command reads (signage/clock.py), aware, in UTC."""
    return clock.now()


class ClockedScheduler(schedule.Scheduler):
    """A ``schedule`` scheduler that reads the loop's clock, not ``datetime.datetime.now()``.

    ``schedule`` compares a job's ``next_run`` with ``datetime.datetime.now()`` (naive local
    time) in ``run_pending`` and ``idle_seconds``; here both sides come from ``clock``, in
    naive UTC, so the clock a test controls is the one that makes the job due, and a clock
    change (DST) cannot make two instants compare the wrong way round."""

    def __init__(self, clock: Callable[[], dt.datetime]) -> None:
        super().__init__()
        self.clock = clock

    def now(self) -> dt.datetime:
        return self.clock().astimezone(dt.timezone.utc).replace(tzinfo=None)

    def once_at(self, instant: dt.datetime, job: Callable[[], None]) -> schedule.Job:
        """Replace every job with one that runs ``job`` once, at ``instant`` (aware) exactly."""
        self.clear()

        def once() -> type[schedule.CancelJob]:
            job()
            return schedule.CancelJob

        made = self.every().seconds.do(once)  # ``do`` dates it by the machine's clock: set it to the instant
        made.next_run = instant.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return made

    def run_pending(self) -> None:
        now = self.now()
        for job in sorted(j for j in self.jobs if j.next_run is not None and j.next_run <= now):
            if job.run() is schedule.CancelJob:
                self.cancel_job(job)

    @property
    def idle_seconds(self) -> float | None:
        due = self.next_run
        return None if due is None else (due - self.now()).total_seconds()


def run(
    load: Callable[[], Project],
    stop: threading.Event,
    clock: Callable[[], dt.datetime] = utc_now,
    say: Callable[[str], None] = print,
    sleep: Callable[[float], object] | None = None,
) -> None:
    """Rotate until ``stop`` is set: a pass now, then one at each instant the plan changes.

    The next pass is a ``schedule`` job at that instant, on ``clock`` (see ``ClockedScheduler``):
    never a moment early, since a pass before the instant would find nothing to do. Between
    passes the loop waits in ``sleep(seconds)``, by default ``stop.wait``, so SIGTERM (which
    sets ``stop``) ends it at once; a test passes a clock and a ``sleep`` that moves that clock
    on. A wait that ends early only waits again for the rest. Every ``WATCH_SECONDS`` it looks
    whether the emergencies file changed (an emergency started or stopped by another
    command) and then passes at once. Each pass holds the project lock, so it never
    interleaves with a build's publishing or an emergency command."""
    wait = stop.wait if sleep is None else sleep
    scheduler = ClockedScheduler(clock)
    state: dict[str, Any] = {"project": load(), "seen": None}

    def watched() -> float | None:
        path = emergencies_file(state["project"].output_dir)
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
        scheduler.once_at(now + IDLE if upcoming is None else upcoming, one_pass)

    one_pass()
    beaten = -BEAT_SECONDS
    try:
        while not stop.is_set():
            if time.monotonic() - beaten >= BEAT_SECONDS:  # often enough to be seen, rarely enough to cost nothing
                beat(state["project"].output_dir, clock())
                beaten = time.monotonic()
            idle = scheduler.idle_seconds
            wait(min(WATCH_SECONDS, max(0.0, WATCH_SECONDS if idle is None else idle)))
            if stop.is_set():
                break
            if watched() != state["seen"]:
                one_pass()
            else:
                scheduler.run_pending()
    finally:  # a stopped loop no longer vouches for anything
        heartbeat_file(state["project"].output_dir).unlink(missing_ok=True)
