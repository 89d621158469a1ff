"""``signage export``: a branch's live playlists and every file they play, in one bundle."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..network.export import INDEX_HTML, export_branch
from ..project.model import Project


@dataclass(frozen=True)
class Exported:
    target: Path
    branch: str
    version: str
    screens: int
    variants: int
    files: int
    index: Path | None  # the bundle's index.html, when it is a folder


def export(project: Project, branch_id: str, target: Path) -> Exported:
    """Copy the branch's live version into ``target`` (a folder, or FILE.zip)."""
    project.branch(branch_id)
    bundle = export_branch(project.output_dir, branch_id, target)
    index = None if target.suffix.lower() == ".zip" else target / INDEX_HTML
    return Exported(target, branch_id, bundle.version, len(bundle.screens), bundle.variants, bundle.files, index)
