"""``signage rotate`` and ``signage log``: switching screens on schedule, and what was switched."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .. import clock
from ..errors import SignageError
from ..lock import project_lock
from ..project.model import Project
from ..rotation import Switch, beat, read_log, rotate_once, run
from .project import branch_of, open_project, zone_of
from .times import parse_instant, shown


@dataclass(frozen=True)
class Rotated:
    at: str  # the instant the pass was as of, shown in the project's zone
    switches: list[Switch]
    dry: bool  # nothing was switched: what would switch at ``at``


def rotate_now(project: Project, at: str | None = None, force: bool = False) -> Rotated:
    """One pass now: every screen set to what its schedule says (logged). With ``at``, a dry run
    that says what would switch then; ``force`` switches the live screens to that plan now (logged
    at the real time, the instant named in the reason)."""
    zone = project.config.timezone
    now = clock.now()
    if at is None:
        with project_lock(project.output_dir, "rotate", wait=True):
            done = Rotated(shown(now, zone), rotate_once(project, now), False)
            beat(project.output_dir, now, loop=False)  # every minute from cron, it ends emergencies on time too
            return done
    instant = parse_instant(at, zone, "--at")
    if not force:
        return Rotated(shown(instant, zone), rotate_once(project, instant, dry=True), True)
    with project_lock(project.output_dir, "rotate", wait=True):
        cause = f"rotate --at {shown(instant, zone)} --force"
        return Rotated(shown(instant, zone), rotate_once(project, instant, cause=cause, logged_at=now), False)


def rotate_forever(explicit: str | None, stop: threading.Event, say: Callable[[str], None]) -> None:
    """Switch at each instant the schedule names until ``stop`` is set; an edit to the project is
    picked up at the next pass (the last good project is kept when an edit breaks it)."""
    run(lambda: open_project(explicit), stop, say=say)


def log_rows(project: Project, branch_id: str | None, since: str | None) -> list[tuple[str, ...]]:
    """(at, event, branch, screen, from, to, why) of every logged event, oldest first; ``at`` in its
    branch's local time with the offset (the project's zone for events of no branch)."""
    if branch_id:
        branch_of(project, branch_id)
    start = parse_instant(since, zone_of(project, branch_id), "--since") if since else None
    zones = {b.id: b.timezone for b in project.config.branches}
    out = []
    for at, *rest in read_log(project.output_dir, branch_id, start):
        try:
            when = shown(dt.datetime.fromisoformat(at), zones.get(rest[1], project.config.timezone))
        except ValueError:
            raise SignageError(f"the log has an unreadable time {at!r}") from None
        out.append((when, *rest))
    return out
