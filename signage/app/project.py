"""Opening the project a command works on, and reading the instants commands are given."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ..errors import SignageError
from ..kinds import find_and_open
from ..project.config import Branch, BranchScreen
from ..project.model import Project
from ..project.screens import screen_kind

__all__ = ["branch_of", "kind_of", "open_project", "parse_instant", "screens_of"]


def open_project(explicit: str | None) -> Project:
    """The project at ``--project`` (or the nearest one upwards), loaded and validated."""
    return find_and_open(explicit)


def parse_instant(text: str, zone: str) -> dt.datetime:
    """'now', or an ISO date and time (in ``zone`` unless it carries an offset) -> an aware instant."""
    if text == "now":
        return dt.datetime.now(dt.timezone.utc)
    try:
        value = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise SignageError(f"{text!r} is not a time: use now, 2026-12-07T10:00 or 2026-12-07T10:00+08:00") from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))


def branch_of(project: Project, branch_id: str) -> Branch:
    """The branch with this id, or a clear error naming the known ones."""
    branch = project.branch(branch_id)
    assert branch is not None  # project.branch raises for an unknown id
    return branch


def screens_of(branch: Branch, screen_id: str | None) -> list[BranchScreen]:
    """One screen of the branch (``screen_id``), or all of them."""
    screens = [s for s in branch.screens if screen_id is None or s.id == screen_id]
    if not screens:
        known = ", ".join(s.id for s in branch.screens) or "none"
        raise SignageError(f"branch {branch.id} has no screen {screen_id!r} (its screens: {known})")
    return screens


def kind_of(project: Project, profile_id: str) -> str:
    """ "led" or "tv" for a screen profile ("" for an unknown one)."""
    profile = project.profile(profile_id)
    return screen_kind(profile) if profile is not None else ""
