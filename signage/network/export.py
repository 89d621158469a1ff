"""``signage export``: one branch's live version as a self-contained bundle, for a player on a USB stick.

Every screen's playlists are written again with links into the bundle's own ``assets/``
folder (each file once, by its hash), so the bundle plays wherever it is copied; the
browser player comes along as ``player.html?screen=ID``, reading the bundle's own files.
At the top, ``index.html`` and ``README.txt`` say which screen plays what now and which
folder a player that cannot follow the schedule by itself should load.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_file, staged_dir
from ..errors import Problem, SignageError
from ..player import player_page
from ..tree import (
    PLAYER,
    TIMELINE_SCRIPT,
    VERSION_SCRIPT,
    Variant,
    is_variant_folder,
    playlist_file,
    screen_link,
    version_dir,
    version_file,
)
from .bundle_index import BundleScreen, index_html, index_text
from .formats import read_playlist, write_screen
from .publish import current_version

ASSETS = "assets"
INDEX_HTML = "index.html"
INDEX_TEXT = "README.txt"


@dataclass(frozen=True)
class Bundle:
    """What an export wrote: the live version, its screens (each with what it plays now) and files."""

    version: str
    screens: list[BundleScreen]
    variants: int  # playlist folders: each screen's own and its campaign, daypart and emergency variants
    files: int


def check_target(target: Path) -> None:
    """Refuse a target whose folder does not exist (a mistyped USB path must not land on the local
    disk) or that would replace something other than an earlier bundle."""
    parent = target.absolute().parent
    if not parent.is_dir():
        raise SignageError(
            Problem(
                f"the folder {parent} does not exist: check the path (is the USB stick mounted?) "
                "or create the folder first",
                file=target,
            )
        )
    if target.suffix.lower() == ".zip":
        if target.is_dir():
            raise SignageError(Problem("is a folder, not a .zip file: choose another name", file=target))
    else:
        check_replaceable_bundle(target)


def export_branch(output: Path, branch_id: str, target: Path) -> Bundle:
    """Write the bundle to ``target`` (a folder, or a .zip file), replacing it whole or not at all."""
    check_target(target)
    version = current_version(output, branch_id)
    if version is None:
        raise SignageError(f"branch {branch_id!r} has no published version: run `signage build` first")
    source = version_dir(output, branch_id, version)
    with tempfile.TemporaryDirectory(prefix="signage-export-") as tmp:
        bundle = Path(tmp) / "bundle"
        (bundle / ASSETS).mkdir(parents=True)
        assets: set[str] = set()
        folders = sorted(p for p in source.iterdir() if playlist_file(p).is_file())
        for folder in folders:
            playlist = read_playlist(playlist_file(folder)).unlinked()
            for stored in [path for item in playlist.items for path in (item.file, item.clip) if path]:
                name = Path(stored).name
                if name not in assets:
                    shutil.copyfile(output / stored, bundle / ASSETS / name)
                    assets.add(name)
            write_screen(
                playlist, output, bundle / folder.name, lambda path: f"../{ASSETS}/{Path(path).name}", copy=True
            )
        shutil.copyfile(version_file(source), version_file(bundle))
        for name in (VERSION_SCRIPT, TIMELINE_SCRIPT):  # what the browser player reads, beside its page
            if (source / name).is_file():
                shutil.copyfile(source / name, bundle / name)
        (bundle / PLAYER).write_bytes(player_page(bundle=True))
        screens = _screens(output, branch_id, version, [f.name for f in folders], bundle)
        (bundle / INDEX_HTML).write_text(index_html(branch_id, version, screens), encoding="utf-8")
        (bundle / INDEX_TEXT).write_text(index_text(branch_id, version, screens), encoding="utf-8")
        if target.suffix.lower() == ".zip":
            _zip(bundle, target)
        else:
            with staged_dir(target) as stage:
                shutil.copytree(bundle, stage, dirs_exist_ok=True)
    return Bundle(version, screens, len(folders), len(assets))


def _screens(output: Path, branch_id: str, version: str, folders: list[str], bundle: Path) -> list[BundleScreen]:
    """Each screen of the version with the folder it plays now: where its live link points, when that
    is in this version, else its own playlist."""
    found = []
    for screen in sorted(name for name in folders if not is_variant_folder(name)):
        try:
            now = Path(os.readlink(screen_link(output, branch_id, screen)))
            playing = now.name if now.parent.name == version and now.name in folders else screen
        except OSError:
            playing = screen
        variants = [f for f in folders if Variant.parse(f).screen == screen]
        playlist = read_playlist(playlist_file(bundle / playing))
        found.append(BundleScreen(screen, playing, variants, playlist))
    return found


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
