"""One assembled playlist written for every kind of player: JSON, extended M3U, SMIL 3.0, an LED program folder.

The M3U is an extended M3U named ``.m3u`` (VLC, mpv and most media players take it as a list of
files); it links each still's clip where the screen makes clips, since those players show a
picture for a time of their own. No ``.m3u8`` is written: that name means HLS (RFC 8216), which
needs every item cut into MPEG-TS or fMP4 segments, a second copy of every lobby video, for
players that all play the M3U or the browser player already (README, "Which player takes what").

``href`` turns a file's store path (relative to the output folder) into the link the
player follows: relative to the published screen folder, or into a bundle's ``assets/``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..errors import Problem, SignageError
from ..records import Playlist, PlaylistFile, PlaylistItem
from ..tree import PLAYLIST_JSON, PLAYLIST_M3U, PLAYLIST_SCRIPT, PLAYLIST_SMIL, PROGRAM, PROGRAM_LIST, playlist_file


def playlist_json(playlist: Playlist, href: Callable[[str], str]) -> str:
    """``playlist.json``: the playlist with its schema's address and each item's link."""
    return json.dumps(PlaylistFile.linked(playlist, href).to_data(), ensure_ascii=False, indent=1) + "\n"


def read_playlist(path: Path) -> PlaylistFile:
    """A written ``playlist.json``; SignageError naming the file when it cannot be read as one."""
    try:
        return PlaylistFile.model_validate_json(path.read_bytes())
    except (OSError, ValueError) as exc:  # a ValidationError is a ValueError
        raise SignageError(Problem(f"not a playlist: {exc}", file=path)) from None


def _title(item: PlaylistItem) -> str:
    return " ".join(item.text.split()).replace(",", "，") or item.name


# What write_screen writes. Part of every version's digest, so a change of formats publishes each
# branch anew (a version is never rewritten in place).
FORMATS = (PLAYLIST_JSON, PLAYLIST_M3U, PLAYLIST_SMIL, PLAYLIST_SCRIPT, f"{PROGRAM}/ (LED)")


def playlist_m3u(playlist: Playlist, href: Callable[[str], str]) -> str:
    """``playlist.m3u``: ``#EXTM3U``, each item's ``#EXTINF`` (seconds, title) and relative link: its
    clip where it has one (a media player holds a video for its length), else its file."""
    lines = ["#EXTM3U", f"#PLAYLIST:{playlist.playlist} ({playlist.branch.id}/{playlist.screen.id})"]
    for item in playlist.items:
        lines += [f"#EXTINF:{item.duration:.3f},{_title(item)}", href(item.clip or item.file)]
    return "\n".join(lines) + "\n"


def playlist_smil(playlist: Playlist, href: Callable[[str], str]) -> str:
    w, h = playlist.screen.size
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<smil xmlns="http://www.w3.org/ns/SMIL" version="3.0" baseProfile="Language">',
        "  <head>",
        f'    <meta name="title" content={quoteattr(playlist.playlist)}/>',
        "    <layout>",
        f'      <root-layout width="{w}" height="{h}" backgroundColor="black"/>',
        '      <region regionName="main" left="0" top="0" width="100%" height="100%" fit="meet"/>',
        "    </layout>",
        "  </head>",
        "  <body>",
        "    <par>",
    ]
    for link in dict.fromkeys(href(i.file) for i in playlist.items):
        lines.append(f"      <prefetch src={quoteattr(link)}/>")
    lines.append('      <seq repeatCount="indefinite">')
    for item in playlist.items:
        tag = "video" if item.kind == "video" else "img"
        lines.append(
            f'        <{tag} src={quoteattr(href(item.file))} region="main" dur="{item.duration:.3f}s"'
            f" title={quoteattr(_title(item))}/>"
        )
    lines += ["      </seq>", "    </par>", "  </body>", "</smil>"]
    return "\n".join(lines) + "\n"


def led_program(playlist: Playlist, output: Path, folder: Path, copy: bool = False) -> None:
    """``program/``: the sign's files in playing order (001-…) and ``program.txt`` with each stay,
    what a staff member loads into the controller's own software."""
    program = folder / PROGRAM
    program.mkdir()
    lines = [
        f"# {playlist.playlist}: branch {playlist.branch.id}, screen {playlist.screen.id} "
        f"({playlist.screen.profile}), {len(playlist.items)} items, {playlist.duration:g} s a loop"
    ]
    for n, item in enumerate(playlist.items, 1):
        name = f"{n:03d}{Path(item.name).suffix}"
        source = output / item.file
        if copy:
            shutil.copyfile(source, program / name)
        else:
            try:
                os.link(source, program / name)
            except OSError:
                shutil.copyfile(source, program / name)
        lines.append(f"{name}\t{item.duration:g}s\t{_title(item)}")
    (program / PROGRAM_LIST).write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_screen(
    playlist: Playlist, output: Path, folder: Path, href: Callable[[str], str], copy: bool = False
) -> None:
    """Every format of one screen's playlist into ``folder`` (a fresh folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = playlist_json(playlist, href)
    playlist_file(folder).write_text(text, encoding="utf-8")
    (folder / PLAYLIST_M3U).write_text(playlist_m3u(playlist, href), encoding="utf-8")
    (folder / PLAYLIST_SMIL).write_text(playlist_smil(playlist, href), encoding="utf-8")
    script = f"signage.setPlaylist({json.dumps(folder.name)}, {text.strip()});\n"
    (folder / PLAYLIST_SCRIPT).write_text(script, encoding="utf-8")  # the browser player's copy
    if playlist.screen.kind == "led":
        led_program(playlist, output, folder, copy)
