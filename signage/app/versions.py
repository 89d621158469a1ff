"""``signage versions`` and ``signage rollback``: a branch's published versions, and going back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import SignageError
from ..lock import project_lock
from ..network.publish import current_version, read_version, rollback, versions
from ..project.model import Project
from ..records import VersionScreen
from ..rotation import Switch, chooser, log_switched
from ..schedule.emergency import pending


@dataclass(frozen=True)
class VersionRow:
    version: str
    live: bool
    created: str
    screens: dict[str, VersionScreen]  # by screen folder


def list_versions(project: Project, branch_id: str) -> list[VersionRow]:
    """The branch's published versions, oldest first, the live one marked."""
    project.branch(branch_id)
    output = project.output_dir
    live = current_version(output, branch_id)
    found = versions(output, branch_id)
    if not found:
        raise SignageError(f"branch {branch_id!r} has no published version: run `signage build`")
    rows = []
    for version in found:
        info = read_version(output, branch_id, version)
        rows.append(VersionRow(version, version == live, info.created, info.screens))
    return rows


@dataclass(frozen=True)
class RolledBack:
    was: str | None
    now: str
    switches: list[Switch]


def roll_back(project: Project, branch_id: str, to: str | None, at: dt.datetime | None = None) -> RolledBack:
    """Make an earlier version of the branch live again, atomically, each screen at what the schedule
    says now (its campaign's variant, if that version has it); the switches are logged."""
    project.branch(branch_id)
    at = at or dt.datetime.now(dt.timezone.utc)
    output = project.output_dir
    with project_lock(output, "rollback", wait=True):
        emergencies = pending(project, at)
        was, now, moved = rollback(output, branch_id, to, chooser(project, at, emergencies))
        switches = log_switched(project, moved, at, emergencies, f"rollback to {now}", every_link=True)
    return RolledBack(was, now, switches)
