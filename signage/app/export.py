"""``signage export``: a branch's live playlists and every file they play, in one bundle."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..network.export import export_branch
from ..project.model import Project


@dataclass(frozen=True)
class Exported:
    target: Path
    branch: str
    version: str
    screens: int
    files: int


def export(project: Project, branch_id: str, target: Path) -> Exported:
    """Copy the branch's live version into ``target`` (a folder, or FILE.zip)."""
    project.branch(branch_id)
    version, screens, files = export_branch(project.output_dir, branch_id, target)
    return Exported(target, branch_id, version, screens, files)
