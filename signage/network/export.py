"""``signage export``: one branch's live version as a self-contained bundle, for a player on a USB stick.

Every screen's playlists are written again with links into the bundle's own ``assets/``
folder (each file once, by its hash), so the bundle plays wherever it is copied; the
browser player comes along as ``player.html?screen=ID``, reading the bundle's own files.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from ..atomic import atomic_file
from ..errors import Problem, SignageError
from ..player import player_page
from ..tree import PLAYER, TIMELINE_SCRIPT, VERSION_SCRIPT, playlist_file, version_dir, version_file
from .formats import read_playlist, write_screen
from .publish import current_version

ASSETS = "assets"


def export_branch(output: Path, branch_id: str, target: Path) -> tuple[str, int, int]:
    """Write the bundle to ``target`` (a folder, or a .zip file); (version, screens, asset files)."""
    version = current_version(output, branch_id)
    if version is None:
        raise SignageError(f"branch {branch_id!r} has no published version: run `signage build` first")
    source = version_dir(output, branch_id, version)
    with tempfile.TemporaryDirectory(prefix="signage-export-") as tmp:
        bundle = Path(tmp) / "bundle"
        (bundle / ASSETS).mkdir(parents=True)
        assets: set[str] = set()
        screens = sorted(p for p in source.iterdir() if playlist_file(p).is_file())
        for screen in screens:
            playlist = read_playlist(playlist_file(screen)).unlinked()
            for stored in [path for item in playlist.items for path in (item.file, item.clip) if path]:
                name = Path(stored).name
                if name not in assets:
                    shutil.copyfile(output / stored, bundle / ASSETS / name)
                    assets.add(name)
            write_screen(
                playlist, output, bundle / screen.name, lambda path: f"../{ASSETS}/{Path(path).name}", copy=True
            )
        shutil.copyfile(version_file(source), version_file(bundle))
        for name in (VERSION_SCRIPT, TIMELINE_SCRIPT):  # what the browser player reads, beside its page
            if (source / name).is_file():
                shutil.copyfile(source / name, bundle / name)
        (bundle / PLAYER).write_bytes(player_page(bundle=True))
        if target.suffix.lower() == ".zip":
            _zip(bundle, target)
        else:
            check_replaceable_bundle(target)
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(bundle, target)
    return version, len(screens), len(assets)


def check_replaceable_bundle(target: Path) -> None:
    """A folder we may replace: new, empty, or an earlier bundle (it has version.json)."""
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not version_file(target).is_file())):
        raise SignageError(
            Problem("exists and is not a signage bundle (no version.json): choose a new or empty folder", file=target)
        )


def _zip(bundle: Path, target: Path) -> None:
    with atomic_file(target) as handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in sorted(bundle.rglob("*")):  # stored, not deflated: media is compressed already
            if path.is_file():
                archive.write(path, path.relative_to(bundle).as_posix())
