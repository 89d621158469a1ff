"""``signage build``: the whole catalogue — LED images, cards, videos — into the output folder.

Each kind of output is a list of jobs whose key (a hash of everything that decides the
result) is stored in the job's manifest: an unchanged key is skipped, a changed one is
rendered in a staging place and swapped in whole, and outputs of jobs that left the
catalogue are removed (only what signage wrote: folders or files with its manifest).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..publish import MANIFEST

KINDS = ("led", "cards", "video")


@dataclass
class BuildReport:
    kind: str
    root: Path
    rendered: int = 0
    unchanged: int = 0
    removed: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.kind}: {self.rendered} rendered, {self.unchanged} unchanged, {self.removed} removed "
                f"in {self.root}")


def remove_stale_folders(root: Path, wanted: set[Path], depth: int) -> int:
    """Remove folders ``depth`` levels below ``root`` that hold a manifest but are not wanted."""
    removed = 0
    if root.is_dir():
        for manifest in root.glob("/".join(["*"] * depth) + f"/{MANIFEST}"):
            if manifest.parent not in wanted:
                shutil.rmtree(manifest.parent)
                removed += 1
    return removed


def remove_stale_files(root: Path, wanted: set[Path], suffixes: tuple[str, ...]) -> int:
    """Remove files (and their siblings with ``suffixes``) whose .json manifest is not wanted."""
    removed = 0
    if root.is_dir():
        for manifest in root.glob("*/*/*.json"):
            main = manifest.with_suffix(suffixes[0])
            if main not in wanted:
                for suffix in suffixes:
                    manifest.with_suffix(suffix).unlink(missing_ok=True)
                manifest.unlink(missing_ok=True)
                removed += 1
    return removed


def clean_staging(root: Path) -> int:
    """Remove what an interrupted build left: staging folders and temporary files (dot-named)."""
    removed = 0
    if root.is_dir():
        for leftover in list(root.rglob(".*")):
            name = leftover.name
            if ".new-" in name or ".old-" in name or name.endswith((".tmp", ".mp4")):
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)
                removed += 1
    return removed


Progress = Callable[[int], None]
