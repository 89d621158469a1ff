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
from ..schedule.emergency import Emergency, pending
from ..schedule.resolve import decide
from ..tree import variant_folder, version_dir, version_name, version_number
from .project import branch_of


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


def _keep_emergencies(
    project: Project, branch_id: str, to: str | None, at: dt.datetime, emergencies: list[Emergency]
) -> None:
    """Refuse a rollback that would take an emergency that is on off a screen: the version it goes
    back to must hold the emergency's folder."""
    branch = branch_of(project, branch_id)
    target = to or _previous(project, branch_id)
    if target is None:
        return
    target = version_name(int(target)) if target.isdigit() else target
    folder = version_dir(project.output_dir, branch_id, target)
    for screen in branch.screens:
        key = decide(project, project.schedule, branch, screen, at, emergencies).key
        if key.startswith("emergency-") and folder.is_dir() and not (folder / variant_folder(screen.id, key)).is_dir():
            raise SignageError(
                f"{key} is on at {branch_id}/{screen.id} and {target} does not hold it: stop it first "
                f"(signage emergency stop {key.removeprefix('emergency-')}) or roll back once it has ended"
            )


def _previous(project: Project, branch_id: str) -> str | None:
    """The version before the live one (what a rollback without --to goes back to)."""
    found = versions(project.output_dir, branch_id)
    live = current_version(project.output_dir, branch_id)
    older = [v for v in found if live is None or (version_number(v) or 0) < (version_number(live) or 0)]
    return older[-1] if older else None


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
        _keep_emergencies(project, branch_id, to, at, emergencies)
        was, now, moved = rollback(output, branch_id, to, chooser(project, at, emergencies))
        switches = log_switched(project, moved, at, emergencies, f"rollback to {now}", every_link=True)
    return RolledBack(was, now, switches)
