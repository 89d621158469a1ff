"""The preview site with the check's warnings on top: written by ``signage preview``, and left by
every build that publishes (the same notes either way)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import __version__
from ..job import local_today
from ..lock import project_lock
from ..preview import PreviewReport, preview_is_current, write_preview
from ..project.model import Project
from ..tree import emergencies_file
from .check import check_project


def write(project: Project) -> PreviewReport:
    """Write output/preview/: what every branch's screens play now and today."""
    inputs = project_inputs(project)  # taken before the check: an edit meanwhile shows as a change next time
    notes = check_notes(project)
    with project_lock(project.output_dir, "preview", wait=True):
        return write_preview(project, notes, inputs=inputs)


def refresh(project: Project, changed: bool, warnings: Sequence[str] = ()) -> PreviewReport | None:
    """The preview a build leaves, with the check's notes and the build's own ``warnings``; written
    again only when the build ``changed`` anything, the one there is from another day, or the
    project changed since its warnings were checked (an edit can end a warning without changing
    any output). None: the one there says the same. So a no-op build walks the project folder
    (milliseconds) instead of running the check (a second or more on a large network)."""
    inputs = project_inputs(project)
    if not changed and preview_is_current(project, inputs):
        return None
    # the check runs on a thread while the branches' pages are written and their thumbnails made
    # (Pillow's work, without the GIL): after a build, the preview is the only work left, on one core
    with ThreadPoolExecutor(max_workers=1) as pool:
        checked = pool.submit(check_notes, project)

        def notes() -> list[str]:
            found = checked.result()
            return found + [n for n in dict.fromkeys(f"warning: {w}" for w in warnings) if n not in found]

        return write_preview(project, notes, inputs=inputs)


def check_notes(project: Project) -> list[str]:
    """What ``signage check`` says of the project, one line each."""
    return [str(p) for p in check_project(project.root)]


def project_inputs(project: Project) -> str:
    """A signature of what the check reads, cheap to take: every file of the project folder by path,
    size and modification time (hidden entries and the output folder aside), the emergencies in
    force, the date the check takes as today and the tool's version. The same signature: the
    check would say the same again."""
    root = project.root
    output = project.output_dir.resolve()
    digest = hashlib.sha256(f"{__version__}|{local_today(project)}\n".encode())
    seen: set[Path] = set()

    def walk(folder: Path) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    real = path.resolve()
                    if real != output and real not in seen:  # a linked folder once, however often linked
                        seen.add(real)
                        walk(path)
                elif entry.is_file():
                    stat = entry.stat()
                    digest.update(f"{path.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
            except OSError:
                continue  # gone while we looked: the next build sees the folder as it is then

    walk(root)
    try:
        stat = emergencies_file(project.output_dir).stat()
        digest.update(f"emergencies|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    except OSError:
        pass
    return digest.hexdigest()
