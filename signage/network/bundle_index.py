"""The index at the top of an exported bundle: ``index.html`` for a person with a browser and
``README.txt`` for one without. Each screen: what it plays now, the folder a media player or a
sign's controller should load (they play one folder and do not follow the schedule), and the
browser player's link (which does)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..records import PlaylistFile
from ..tree import PLAYER, PLAYLIST_M3U, PLAYLIST_SMIL, PROGRAM, Variant


@dataclass(frozen=True)
class BundleScreen:
    """One screen of an exported version."""

    screen: str
    playing: str  # the folder it plays now
    variants: list[str]  # every folder of the screen in the bundle (its own and its variants)
    playlist: PlaylistFile  # what ``playing`` holds

    @property
    def kind(self) -> str:
        return self.playlist.screen.kind

    @property
    def what(self) -> str:
        """The playlist it plays now and why, in one line."""
        variant = Variant.parse(self.playing)
        why = "its own playlist" if variant.is_default else f"variant {variant.dated_key}"
        p = self.playlist
        return f"{p.playlist} ({why}): {len(p.items)} item(s), a {p.duration:.0f} s loop"

    @property
    def load(self) -> str:
        """What a player without the schedule should load: an LED controller's program folder, or the M3U."""
        return f"{self.playing}/{PROGRAM}/" if self.kind == "led" else f"{self.playing}/{PLAYLIST_M3U}"

    @property
    def player(self) -> str:
        return f"{PLAYER}?screen={self.screen}"


def _size(s: BundleScreen) -> str:
    w, h = s.playlist.screen.size
    return f"{s.kind} {w}x{h} ({s.playlist.screen.profile})"


def index_text(branch: str, version: str, screens: list[BundleScreen]) -> str:
    """README.txt: the same as the HTML index, for a reader without a browser."""
    lines = [
        f"signage bundle: branch {branch}, version {version}",
        "",
        "Open player.html?screen=SCREEN in a browser: it plays the screen's schedule by itself",
        "(campaigns, dayparts, emergencies as exported). A media player (VLC, mpv) or an LED",
        "controller plays one folder and does not switch: load the folder named below, which is",
        "what each screen plays at the time of export.",
        "",
    ]
    for s in screens:
        lines += [
            f"{s.screen}: {_size(s)}",
            f"  plays now:        {s.what}",
            f"  media player:     {s.load}"
            + ("   (SMIL players: " + f"{s.playing}/{PLAYLIST_SMIL})" if s.kind != "led" else ""),
            f"  browser player:   {s.player}",
            f"  all its folders:  {', '.join(s.variants)}",
            "",
        ]
    return "\n".join(lines)


def index_html(branch: str, version: str, screens: list[BundleScreen]) -> str:
    """index.html: a table of the screens with links to what each plays."""
    rows = []
    for s in screens:
        smil = "" if s.kind == "led" else f' · <a href="{escape(s.playing)}/{PLAYLIST_SMIL}">SMIL</a>'
        rows.append(
            "<tr>"
            f"<td><b>{escape(s.screen)}</b><br><small>{escape(_size(s))}</small></td>"
            f"<td>{escape(s.what)}</td>"
            f'<td><a href="{escape(s.load)}">{escape(s.load)}</a>{smil}</td>'
            f'<td><a href="{escape(s.player)}">{escape(s.player)}</a></td>'
            f"<td><small>{escape(', '.join(s.variants))}</small></td>"
            "</tr>"
        )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>signage bundle: {escape(branch)} {escape(version)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #bbb;padding:.4em .6em;text-align:left;vertical-align:top}</style></head><body>"
        f"<h1>{escape(branch)} · {escape(version)}</h1>"
        "<p>The browser player follows each screen's schedule by itself. A media player (VLC, mpv) or an "
        "LED controller plays one folder and does not switch: load the folder given here, which is what "
        "the screen plays at the time of export.</p>"
        "<table><tr><th>Screen</th><th>Plays now</th><th>Media player / controller</th>"
        "<th>Browser player</th><th>All its folders</th></tr>" + "".join(rows) + "</table></body></html>\n"
    )
