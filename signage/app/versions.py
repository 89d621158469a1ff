"""``signage versions`` and ``signage rollback``: a branch's published versions, and going back."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SignageError
from ..lock import project_lock
from ..network.publish import current_version, read_version, rollback, versions
from ..project.model import Project
from ..records import VersionScreen


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


def roll_back(project: Project, branch_id: str, to: str | None) -> tuple[str | None, str]:
    """(was, now): make an earlier version of the branch live again, atomically."""
    project.branch(branch_id)
    with project_lock(project.output_dir, "rollback", wait=True):
        return rollback(project.output_dir, branch_id, to)
