"""``signage rotate`` and ``signage log``: switching screens on schedule, and what was switched."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from ..lock import project_lock
from ..project.model import Project
from ..rotation import Switch, read_log, rotate_once, run
from .project import open_project, parse_instant


def rotate_now(project: Project, at: str | None = None) -> tuple[dt.datetime, list[Switch]]:
    """One pass as of ``at`` (default now): every screen set to what its schedule says."""
    instant = parse_instant(at or "now", project.config.timezone)
    with project_lock(project.output_dir, "rotate", wait=True):
        return instant, rotate_once(project, instant)


def rotate_forever(explicit: str | None, stop: threading.Event, say: Callable[[str], None]) -> None:
    """Switch at each instant the schedule names until ``stop`` is set; an edit to the project is
    picked up at the next pass (the last good project is kept when an edit breaks it)."""
    run(lambda: open_project(explicit), stop, say=say)


def log_rows(project: Project, branch_id: str | None, since: str | None) -> list[tuple[str, ...]]:
    """(at, event, branch, screen, from, to, why) of every logged event, oldest first."""
    start = parse_instant(since, project.config.timezone) if since else None
    return read_log(project.output_dir, branch_id, start)
