"""``signage preview``: the network's preview site, with the check's warnings on top."""

from __future__ import annotations

from ..lock import project_lock
from ..preview import PreviewReport, write_preview
from ..project.model import Project
from .check import check_project


def write(project: Project) -> PreviewReport:
    """Write output/preview/: what every branch's screens play now and today."""
    notes = [str(p) for p in check_project(project.root)]
    with project_lock(project.output_dir, "preview", wait=True):
        return write_preview(project, notes)
