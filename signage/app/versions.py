"""``signage versions`` and ``signage rollback``: a branch's published versions, and going back."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from ..errors import SignageError
from ..lock import project_lock
from ..network.publish import current_version, read_version, rollback, versions
from ..project.model import Project
from ..records import VersionScreen
from ..rotation import Switch, chooser, log_switched
from ..schedule.emergency import Emergency, pending
from ..schedule.resolve import decide
from ..tree import playlist_file, variant_folder, version_dir, version_name, version_number
from .project import branch_of
from .times import shown


@dataclass(frozen=True)
class VersionRow:
    version: str
    live: bool
    created: str  # as published (ISO 8601, UTC)
    published: str  # the same instant in the branch's local time, with its offset
    screens: dict[str, VersionScreen]  # by screen folder
    changes: list[str]  # what differs from the version before, in short phrases ("first" for the first)


def list_versions(project: Project, branch_id: str) -> list[VersionRow]:
    """The branch's published versions, oldest first, the live one marked, each with what changed."""
    branch = branch_of(project, branch_id)
    output = project.output_dir
    live = current_version(output, branch_id)
    found = versions(output, branch_id)
    if not found:
        raise SignageError(f"branch {branch_id!r} has no published version: run `signage build`")
    rows: list[VersionRow] = []
    before: dict[str, list[str]] | None = None
    for version in found:
        info = read_version(output, branch_id, version)
        items = _items(version_dir(output, branch_id, version), info.screens)
        changes = ["first version"] if before is None else _changes(before, items, info.screens)
        at = dt.datetime.fromisoformat(info.created)
        published = shown(at, branch.timezone)
        rows.append(VersionRow(version, version == live, info.created, published, info.screens, changes))
        before = items
    return rows


def _items(folder: Path, screens: dict[str, VersionScreen]) -> dict[str, list[str]]:
    """Each screen folder's items in order, as the catalogue names them (what a change is judged by)."""
    found = {}
    for name in screens:
        try:
            data = json.loads(playlist_file(folder / name).read_text(encoding="utf-8"))
            found[name] = [str(item.get("source", item.get("name", ""))) for item in data.get("items", [])]
        except (OSError, ValueError):
            found[name] = []
    return found


def _changes(before: dict[str, list[str]], after: dict[str, list[str]], screens: dict[str, VersionScreen]) -> list[str]:
    """What a version changed against the one before: folders new and gone, items added and dropped."""
    changes = [f"{name} new ({screens[name].playlist})" for name in after if name not in before]
    changes += [f"{name} gone" for name in before if name not in after]
    for name in (n for n in after if n in before and after[n] != before[n]):
        added = [i for i in after[name] if i not in before[name]]
        dropped = [i for i in before[name] if i not in after[name]]
        parts = [f"+{_short(i)}" for i in added[:2]] + [f"-{_short(i)}" for i in dropped[:2]]
        more = len(added) + len(dropped) - len(parts)
        detail = " ".join(parts) + (f" and {more} more" if more else "") if parts else "order changed"
        changes.append(f"{name}: {len(before[name])}->{len(after[name])} items {detail}")
    return changes or ["same playlists (rebuilt files or timeline)"]


def _short(source: str) -> str:
    """A catalogue record as a person knows it: ``led/door-96x16/zh-Hans-CN/two-cards`` -> two-cards."""
    return source.rstrip("/").rsplit("/", 1)[-1]


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
    at = at or clock.now()
    output = project.output_dir
    with project_lock(output, "rollback", wait=True):
        emergencies = pending(project, at)
        _keep_emergencies(project, branch_id, to, at, emergencies)
        was, now, moved = rollback(output, branch_id, to, chooser(project, at, emergencies))
        switches = log_switched(project, moved, at, emergencies, f"rollback to {now}", every_link=True)
    return RolledBack(was, now, switches)
