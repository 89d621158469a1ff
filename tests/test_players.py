"""What `signage serve` publishes, played by clients nobody here wrote: mpv over HTTP and from
files (and a USB copy), ffprobe on every clip, xmllint on every SMIL document against the W3C
SMIL 3.0 DTD, VLC where it is installed; and the server's paths and content types.

One small project is built once for the whole session (shared by the xdist workers); each
worker starts its own `signage serve` on a free port of 127.0.0.1.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from signage.build import build
from signage.kinds import open_project, planners
from signage.network.export import export_branch
from signage.network.screens import Network
from signage.serve import content_type, url_segments

from .helpers import REPO, edit, make_clip

TODAY = dt.date(2026, 6, 1)
SMIL_DTDS = Path("/usr/share/xml/w3c-sgml-lib/schema/dtd")
CONFIG_TAIL = """branches:
  - id: east-1
    name: 东城支行
    locale: zh-Hans-CN
    screens:
      - {id: door, profile: door-64x16}
      - {id: scroll, profile: scroll-96x16}
      - {id: lobby, profile: tv-small}
led_screens:
  - {id: door-64x16, size: 64x16, mode: pages, stay: 1, clips: true}
  - {id: scroll-96x16, size: 96x16, color: red, mode: scroll, speed: 2, fps: 30, clips: true}
tv_screens:
  - {id: tv-small, size: 320x180, videos: [slogan-16x9]}
playlist_rules:
  - {screen: scroll, playlist: scroll}
  - {kind: led, playlist: door}
  - {kind: tv, playlist: lobby}
"""
SLOGANS = """\
- id: hotline-ask
  kind: hotline
  text:
    zh-Hans-CN: 遇到可疑情况请拨打{{ hotline }}咨询。
- id: two-cards
  kind: rule
  text:
    zh-Hans-CN: 银行卡、电话卡不出租、不出借、不出售。
"""
PLAYLISTS = {
    # pages at the sign's stay, then a text given its own time (its pages' clips made for it)
    "door": "suits: [led]\nentries:\n  - slogans: [hotline-ask]\n  - slogans: [two-cards]\n    duration: 2.5\n",
    "scroll": "suits: [led]\nentries:\n  - slogans: [two-cards]\n",
    "lobby": "suits: [tv]\nentries:\n  - slogans: [hotline-ask]\n  - image: media/poster.png\n    duration: 2\n"
    "  - video: media/film.mp4\n",
}
SCREENS = ("door", "scroll", "lobby")

# The players play each loop in real time (mpv and VLC mostly wait): in CI's `pytest -m slow` run,
# out of the default command's time budget.
pytestmark = pytest.mark.slow


def make_players_project(root: Path) -> Path:
    """The example cut down to one branch with a paged LED door sign, a red LED scroll and a small
    lobby TV, all with clips; two slogans, no cases, no cards, one short slogan video."""
    for name in ("signage.yaml", "content", "templates", "playlists", "media"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    config = root / "signage.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("# Branches:")] + CONFIG_TAIL, encoding="utf-8")
    (root / "content" / "slogans.yaml").write_text(SLOGANS, encoding="utf-8")
    for case in (root / "content" / "cases").glob("*.yaml"):
        case.unlink()
    for template in [*(root / "templates" / "card").glob("*.yaml"), *(root / "templates" / "video").glob("*.yaml")]:
        if template.stem != "slogan-16x9":
            template.unlink()
    video = root / "templates" / "video" / "slogan-16x9.yaml"
    for old, new in (
        ("size: 1920x1080", "size: 320x180"),
        ("height: 96", "height: 24"),
        ("size: 52", "size: 14"),
        ("min: 4, max: 10", "min: 1.5, max: 2"),
    ):
        edit(video, old, new)
    make_clip(root / "media" / "film.mp4")
    for old in (root / "playlists").glob("*.yaml"):
        old.unlink()
    for name, body in PLAYLISTS.items():
        (root / "playlists" / f"{name}.yaml").write_text(body, encoding="utf-8")
    build(open_project(root), planners(()), workers=2, today=TODAY, tty=False, network=Network)
    return root


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per session: under xdist the workers share one build (the first builds it, under a lock)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / "players-project"
    with (shared / "players-project.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "players-project.built").is_file():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            make_players_project(root)
            (shared / "players-project.built").touch()
    return root


@pytest.fixture(scope="session")
def server(project: Path) -> Iterator[str]:
    """`signage serve --port 0` in its own process; its address, read from what it prints."""
    process = subprocess.Popen(
        [sys.executable, "-m", "signage", "--project", str(project), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert match, f"signage serve said {line!r}"
        yield match.group(0)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _live(project: Path, screen: str) -> Path:
    return project / "output" / "publish" / "east-1" / "current" / screen


def _playlist(project: Path, screen: str) -> dict:  # type: ignore[type-arg]
    return json.loads((_live(project, screen) / "playlist.json").read_text(encoding="utf-8"))


def _entries(m3u: Path) -> list[tuple[float, str]]:
    """(seconds, link) of each entry of an extended M3U."""
    lines = m3u.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U", m3u
    out, seconds = [], None
    for line in lines[1:]:
        if line.startswith("#EXTINF:"):
            seconds = float(line[8:].split(",")[0])
        elif line and not line.startswith("#"):
            assert seconds is not None, f"{m3u}: {line} has no #EXTINF"
            out.append((seconds, line))
            seconds = None
    return out


def need(*tools: str) -> None:
    """Go on only with these clients installed (see ``unavailable``)."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        unavailable(f"{', '.join(missing)} not installed")


def unavailable(what: str) -> None:
    """Fail when CI requires the clients (SIGNAGE_CLIENT_TESTS=required: it installs them, so one
    missing is a failure); skip, saying why, anywhere else."""
    message = f"{what} (apt-get install mpv ffmpeg libxml2-utils w3c-sgml-lib)"
    if os.environ.get("SIGNAGE_CLIENT_TESTS") == "required":
        pytest.fail(message)
    pytest.skip(message)


# --- signage serve: paths and types ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("/a/b/../c", ["a", "c"]),
        ("/a/./b/", ["a", "b"]),
        ("/publish/b/current/lobby/../../../../store/ab/x.mp4", ["store", "ab", "x.mp4"]),
        ("/a/%2e%2E/b", ["b"]),  # an encoded dot is a dot (RFC 3986 6.2.2.2)
        ("/a/.%2e/b", ["b"]),
        ("/../../x", ["x"]),  # no higher than the root, as a browser resolves it
        ("/a%20b/c?x=1#y", ["a b", "c"]),
        ("/publish/..%2f..%2fsignage.yaml", None),  # an encoded slash is data in a segment: no such name
        ("/a/%2F/b", None),
        ("/a%00b", None),
        ("/%ff", None),  # not UTF-8
    ],
)
def test_request_paths_are_normalised_as_rfc_3986_says(path: str, segments: list[str] | None) -> None:
    assert url_segments(path) == segments


def test_serve_follows_dot_segments_inside_the_output_folder_and_refuses_every_way_out(
    project: Path, server: str
) -> None:
    output = project / "output"
    item = _playlist(project, "lobby")["items"][0]
    data = (output / item["file"]).read_bytes()
    lobby = "/publish/east-1/current/lobby/"
    for path in (
        lobby + item["href"],  # what a player asks for when it joins the entry to the playlist's address
        lobby + urllib.parse.quote(item["href"]).replace(".", "%2E"),
        f"/publish/east-1/./screens/../current/lobby/../lobby/{item['href']}",
        "/publish/east-1/current/lobby/../../../../../../" + item["file"],  # above the root: stays at the root
    ):
        status, headers, body = _get(server + path)
        assert (status, body) == (200, data), path
        assert headers["Content-Type"] == "video/mp4"
    escape = output / "publish" / f"escape-{os.getpid()}"  # a link out of the output folder
    private = output / "publish" / f"private-{os.getpid()}"  # a link to the tool's own state
    escape.symlink_to(project / "content")
    private.symlink_to(output / ".staging-not-served", target_is_directory=True)
    (output / ".staging-not-served").mkdir(exist_ok=True)
    (output / ".staging-not-served" / "x.txt").write_text("private", encoding="utf-8")
    try:
        for path in (
            "/../signage.yaml",
            "/%2e%2e/signage.yaml",
            "/publish/..%2f..%2fsignage.yaml",
            "/publish/%2e%2e%2f%2e%2e%2fsignage.yaml",
            "/store/../../signage.yaml",
            f"/publish/{escape.name}/slogans.yaml",
            f"/publish/{escape.name}/../{escape.name}/slogans.yaml",
            f"/publish/{private.name}/x.txt",
            "/.staging-not-served/x.txt",
            "/publish/east-1/current/lobby/%2e%2e/%2e%2e/%2e%2e/%2e%2e/.staging-not-served/x.txt",
        ):
            status, _, body = _get(server + path)
            assert status == 404 and b"slogan" not in body and b"private" not in body, path
        status, _, body = _get(server + f"/publish/{escape.name}/../east-1/current/lobby/playlist.m3u")
        assert status == 200 and body.startswith(b"#EXTM3U")  # the dot segment is removed before any link is read
        assert _get(server + "/publish/")[0] == 403  # no listing
    finally:
        escape.unlink()
        private.unlink()
        shutil.rmtree(output / ".staging-not-served")


def test_serve_gives_every_format_its_content_type(project: Path, server: str) -> None:
    output = project / "output"
    led = next((output / "led" / "door-64x16").glob("*/hotline-ask"))
    scroll = next((output / "led" / "scroll-96x16").glob("*/two-cards"))
    expected = {
        "/publish/east-1/current/lobby/playlist.m3u": "audio/x-mpegurl",
        "/publish/east-1/current/lobby/playlist.smil": "application/smil+xml",
        "/publish/east-1/current/lobby/playlist.json": "application/json; charset=utf-8",
        "/publish/east-1/current/lobby/playlist.js": "text/javascript; charset=utf-8",
        "/publish/east-1/player.html": "text/html; charset=utf-8",
        "/publish/east-1/current/door/program/program.txt": "text/plain; charset=utf-8",
        f"/{led.relative_to(output)}/page-01.png": "image/png",
        f"/{led.relative_to(output)}/page-01.bmp": "image/bmp",
        f"/{led.relative_to(output)}/page-01.mp4": "video/mp4",
        f"/{scroll.relative_to(output)}/scroll.gif": "image/gif",
    }
    for path, kind in expected.items():
        status, headers, _ = _get(server + path, "HEAD")
        assert (status, headers["Content-Type"]) == (200, kind), path
    for name, kind in {
        "x.m3u8": "application/vnd.apple.mpegurl",
        "x.ts": "video/mp2t",
        "x.m4s": "video/iso.segment",
        "x.srt": "application/x-subrip; charset=utf-8",
    }.items():
        assert content_type(Path(name)) == kind


# --- the files themselves ----------------------------------------------------------------------


def test_no_m3u8_is_written_and_every_m3u_item_links_a_clip_of_its_time(project: Path) -> None:
    """No HLS is made (README: "Which player takes what"), so nothing is named .m3u8; every item of
    every screen's M3U is an H.264 clip or video that ffprobe (Debian's) reads as long as its item."""
    need("ffprobe")
    output = project / "output"
    assert sorted(output.rglob("*.m3u8")) == []
    linked: list[tuple[str, float, Path]] = []
    for screen in SCREENS:
        folder = _live(project, screen)
        items = _playlist(project, screen)["items"]
        entries = _entries(folder / "playlist.m3u")
        assert [round(seconds, 3) for seconds, _ in entries] == [item["duration"] for item in items]
        for (seconds, link), item in zip(entries, items):
            assert link == (item.get("clip_href") or item["href"]), (screen, item["name"])
            assert link.endswith(".mp4") and (item["kind"] == "video") == ("clip" not in item), (screen, item["name"])
            linked.append((f"{screen}: {item['name']}", seconds, folder / link))

    def probe(path: Path) -> dict:  # type: ignore[type-arg]
        command = ["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_name", "-of", "json"]
        return json.loads(subprocess.run([*command, str(path)], capture_output=True, text=True, check=True).stdout)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        infos = list(pool.map(probe, [path for _, _, path in linked]))
    for (what, seconds, _), info in zip(linked, infos):
        assert info["streams"][0]["codec_name"] == "h264", what
        # a page's clip is rounded to whole frames where each page ends: within a frame of its stay
        assert abs(float(info["format"]["duration"]) - seconds) <= 0.041, what


def test_every_smil_document_is_valid_against_the_smil_3_dtd(project: Path) -> None:
    need("xmllint")
    dtds = sorted(SMIL_DTDS.glob("REC-SMIL3-*/SMIL30Language.dtd"))
    if not dtds:
        unavailable(f"the SMIL 3.0 DTD is not in {SMIL_DTDS}")
    documents = sorted((project / "output" / "publish").glob("east-1/v*/*/playlist.smil"))
    assert len(documents) == len(SCREENS)
    done = subprocess.run(
        ["xmllint", "--noout", "--nonet", "--dtdvalid", str(dtds[-1]), *map(str, documents)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


# --- mpv and VLC ------------------------------------------------------------------------------


@dataclass
class Played:
    """What a player's log says one run of a playlist did."""

    opened: list[str]  # every file it opened, as it named them (the playlist itself left out)
    seconds: float  # the loop's length by the log's clock: from the first item's start to the last one's end
    refused: list[str]  # every line saying something could not be opened or read
    code: int
    items: list[float] = field(default_factory=list)  # each item's time, from its start to the next one's


def play_in_mpv(target: str, log: Path) -> Played:
    """Play ``target`` (a playlist's URL or file) once through in mpv, with no video or audio out."""
    done = subprocess.run(
        ["mpv", "--no-config", "--vo=null", "--ao=null", "--ytdl=no", "--load-scripts=no", "--really-quiet"]
        + ["--msg-level=all=v", f"--log-file={log}", target],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    opened: list[str] = []
    refused: list[str] = []
    started = ended = None
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        clock = re.match(r"\[\s*([0-9.]+)\]", line)
        if "[cplayer] Playing: " in line:
            opened.append(line.split(" Playing: ", 1)[1].strip())
        elif "playback restart complete" in line and clock and started is None:
            started = float(clock.group(1))
        elif "EOF code:" in line and clock:
            ended = float(clock.group(1))
        if re.search(r"\]\[e\]|HTTP error|loading failed|Opening failed", line):  # an error, or a file not opened
            refused.append(line)
    seconds = ended - started if started is not None and ended is not None else 0.0
    return Played([o for o in opened if not o.endswith(".m3u")], seconds, refused, done.returncode)


def play_in_vlc(target: str, log: Path) -> Played:
    """Play ``target`` once through in VLC (cvlc, no video or audio out). VLC refuses to run as root:
    as root it runs as nobody (setpriv), with a home of its own (nobody cannot enter pytest's folders)."""
    command = ["cvlc", "--intf", "dummy", "--vout", "dummy", "--aout", "dummy", "--no-video-title-show"]
    command += ["--play-and-exit", "-vv", target]
    env = dict(os.environ)
    home = Path(tempfile.mkdtemp(prefix="signage-vlc-"))
    if os.geteuid() == 0:
        home.chmod(0o777)
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env["HOME"] = str(home)
    lines: list[tuple[float, str]] = []
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    assert process.stderr is not None
    for line in process.stderr:  # VLC's log has no clock of its own: each line is timed as it comes
        lines.append((time.monotonic(), line))
    code = process.wait(timeout=120)
    shutil.rmtree(home, ignore_errors=True)
    log.write_text("".join(f"[{at:.3f}] {line}" for at, line in lines), encoding="utf-8")
    opened = [
        (at, re.sub(r".*`(.*?)' successfully opened.*", r"\1", line).strip())
        for at, line in lines
        if "successfully opened" in line and not line.rstrip().endswith(".m3u' successfully opened")
    ]
    refused = [line for _, line in lines if re.search(r"HTTP \d+ error|HTTP/1\.[01] [45]\d\d|input error", line)]
    ended = [at for at, line in lines if "playlist debug: dead input" in line]  # an item has played
    seconds = ended[-1] - opened[0][0] if opened and ended else 0.0
    starts = [at for at, _ in opened] + ended[-1:]
    return Played([name for _, name in opened], seconds, refused, code, [b - a for a, b in zip(starts, starts[1:])])


def _check_played(what: str, played: Played, m3u: Path) -> list[str]:
    """Every entry opened, in order, none refused; the loop within 5 % of the playlist's length or,
    where each item is timed (VLC), each item within 5 % of its own and the 0.02 to 0.3 s VLC takes
    between two items (it polls its decoders every 100 ms: 5 to 10 % of these short loops), give or
    take 0.15 s of when it logs an item's start, and up to 0.3 s more for a machine busy with other
    tests: never cut short, and nothing like the 10 s VLC gives a picture."""
    entries = _entries(m3u)
    problems = []
    if played.refused or played.code != 0:
        problems.append(f"{what}: exited {played.code}, refused: {played.refused[:3]}")
    if [Path(o).name for o in played.opened] != [Path(link).name for _, link in entries]:
        problems.append(f"{what}: opened {played.opened}, not the playlist's {len(entries)} entries")
    wanted = sum(seconds for seconds, _ in entries)
    if played.items:
        late = [
            f"{got:.2f} s for {seconds:.2f}"
            for got, (seconds, _) in zip(played.items, entries)
            if not 0.95 * seconds - 0.15 <= got <= 1.05 * seconds + 0.6
        ]
        if late or len(played.items) != len(entries):
            problems.append(f"{what}: items played {', '.join(f'{x:.2f}' for x in played.items)} s: {late}")
    elif abs(played.seconds - wanted) > 0.05 * wanted:
        problems.append(f"{what}: played {played.seconds:.2f} s, the playlist says {wanted:.2f} s")
    return problems


def test_mpv_and_vlc_play_every_screen_over_http_from_files_and_from_a_usb_copy(
    project: Path, server: str, tmp_path: Path
) -> None:
    """mpv shows a picture for one second whatever #EXTINF says, and asks for relative entries
    without removing their dot segments; VLC shows one for ten. Each screen's M3U must still play
    every item, for its time. All runs play at once, in real time (mpv and VLC mostly wait)."""
    need("mpv")
    # the USB copy where VLC, run as nobody when the tests run as root, can read it too
    usb = Path(tempfile.mkdtemp(prefix="signage-usb-"))
    usb.chmod(0o755)
    stick = usb / "east-1"
    export_branch(project / "output", "east-1", stick)
    runs: dict[str, tuple[str, Path]] = {}
    for screen in SCREENS:
        m3u = _live(project, screen) / "playlist.m3u"
        runs[f"mpv: {screen} over HTTP"] = (f"{server}/publish/east-1/current/{screen}/playlist.m3u", m3u)
        runs[f"mpv: {screen} from files"] = (
            str(project / "output/publish/east-1/screens" / screen / "playlist.m3u"),
            m3u,
        )
    for screen in ("door", "lobby"):
        runs[f"mpv: {screen} from a USB copy"] = (str(stick / screen / "playlist.m3u"), stick / screen / "playlist.m3u")
    vlc = shutil.which("cvlc") is not None
    if vlc:
        for screen in ("door", "lobby"):
            m3u = _live(project, screen) / "playlist.m3u"
            runs[f"vlc: {screen} over HTTP"] = (f"{server}/publish/east-1/current/{screen}/playlist.m3u", m3u)
        runs["vlc: door from a USB copy"] = (str(stick / "door" / "playlist.m3u"), stick / "door" / "playlist.m3u")
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(runs)) as pool:
        futures = {
            what: pool.submit(
                play_in_vlc if what.startswith("vlc") else play_in_mpv,
                target,
                tmp_path / f"{re.sub(r'[^a-z]+', '-', what)}.log",
            )
            for what, (target, _) in runs.items()
        }
        results = {what: future.result() for what, future in futures.items()}
    problems = [p for what, (_, m3u) in runs.items() for p in _check_played(what, results[what], m3u)]
    shutil.rmtree(usb, ignore_errors=True)
    assert problems == [], "\n".join(problems)
    if not vlc:  # optional anywhere but CI, which installs it
        unavailable("VLC is not installed (vlc-bin, vlc-plugin-base): mpv played every screen, VLC did not")
