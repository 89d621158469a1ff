"""The preview site and the browser player in a real headless Chromium (Debian's, driven by
playwright), and `signage serve` under load. Nothing else in the suite needs a browser."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import http.client
import json
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from signage.build import build
from signage.kinds import open_project, planners
from signage.network.screens import Network
from signage.preview import write_preview
from signage.serve import make_server

from .helpers import Built, clone, edit

CHROMIUM = Path("/usr/bin/chromium")
SHANGHAI = ZoneInfo("Asia/Shanghai")
if not CHROMIUM.exists():
    if os.environ.get("SIGNAGE_BROWSER_TESTS") == "required":  # CI installs Chromium: there, missing is a failure
        raise RuntimeError("Debian's chromium is required for the browser tests: apt-get install chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

# on the worker that builds the network (the site is a copy of it), with the player page's tests: one Chromium
pytestmark = pytest.mark.xdist_group("built_network")


def _build(root: Path) -> None:
    build(open_project(root), planners(()), workers=2, tty=False, network=Network)


@pytest.fixture(scope="module")
def site(built_network: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-branch network with a schedule (door signs overnight from 17:00), built, published, previewed:
    a copy of the session's built network, so this build only publishes (the overnight loop shows what
    the door signs already have)."""
    root = clone(built_network.root, tmp_path_factory.mktemp("site") / "proj")
    (root / "playlists" / "overnight.yaml").write_text(
        "suits: [led]\nentries:\n  - slogans: {kind: hotline}\n", encoding="utf-8"
    )
    (root / "playlists" / "schedule.yaml").write_text(
        "dayparts: {closed: '17:00-09:00'}\ncampaigns:\n"
        "  - {id: overnight, playlist: overnight, where: {kinds: [led]}, dayparts: [closed]}\n",
        encoding="utf-8",
    )
    _build(root)
    write_preview(open_project(root), ["warning: an example warning from check"])
    return root


def test_the_preview_opens_from_file_with_every_picture_and_a_working_search(site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site / "output" / "preview" / "index.html").as_uri())
    assert "an example warning from check" in page.inner_text(".warn")
    assert page.locator("tr.branch:visible").count() == 2
    page.fill("#q", "西城")  # a branch's name
    assert page.locator("tr.branch:visible").count() == 1
    assert "west-2" in page.inner_text("tr.branch:visible")
    page.fill("#q", "")
    page.click("text=东城支行")
    page.wait_for_load_state()
    sizes = page.eval_on_selector_all("img", "els => els.map(e => e.complete && e.naturalWidth)")
    assert sizes and all(w and w > 0 for w in sizes)
    assert page.locator(".screen").count() == 2 and "overnight" in page.inner_text(".timeline")
    fonts = page.evaluate("document.fonts.check('16px SignageSC', '东城支行')")
    assert fonts  # the project's own font, inline: no box for any character, whatever the viewer has
    assert not errors


def _player(browser, site: Path, screen: str, at: dt.datetime):  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.clock.install(time=at)
    page.goto((site / "output" / "publish" / "east-1" / "player.html").as_uri() + f"?screen={screen}")
    page.wait_for_function("document.body.dataset.folder !== undefined")
    return page


def _live(site: Path, folder: str) -> dict:  # type: ignore[type-arg]
    path = site / "output" / "publish" / "east-1" / "current" / folder / "playlist.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_the_player_plays_what_the_plan_says_and_switches_at_the_instant(site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    from signage.schedule.resolve import decide

    project = open_project(site)
    branch = project.branch("east-1")
    assert branch is not None
    door = next(s for s in branch.screens if s.id == "door")
    morning = dt.datetime.now(SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0)
    assert decide(project, project.schedule, branch, door, morning).key == "default"
    page = _player(browser, site, "door", morning)
    playlist = _live(site, "door")
    assert page.evaluate("document.body.dataset.folder") == "door"
    assert page.evaluate("document.body.dataset.text") == playlist["items"][0]["text"]
    first = playlist["items"][0]["duration"]
    page.clock.run_for(int(first * 1000) + 50)  # after the first item's duration, the second
    assert page.evaluate("document.body.dataset.item") == "1"
    assert page.evaluate("document.body.dataset.text") == playlist["items"][1]["text"]
    assert page.evaluate("document.querySelector('#stage canvas').width") == 64  # the sign's own pixels
    page.clock.fast_forward("06:59:50")  # to 16:59:50
    assert page.evaluate("document.body.dataset.folder") == "door"
    page.clock.run_for(10_100)  # 17:00: the switch, at the instant rotate would make it
    page.wait_for_function("document.body.dataset.folder === 'door~overnight'")
    assert page.evaluate("document.body.dataset.text") == _live(site, "door~overnight")["items"][0]["text"]
    page.close()


def test_the_player_takes_a_new_version_by_itself_and_keeps_the_last_good_one(site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    morning = dt.datetime.now(SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0)
    page = _player(browser, site, "lobby", morning)
    before = page.evaluate("document.body.dataset.version")
    # the lobby's playlist edited (the poster shown longer): a new version, and nothing to encode
    lobby = site / "playlists" / "lobby.yaml"
    edit(lobby, "duration: 6", "duration: 7")
    _build(site)  # a new version is published while the player plays
    page.clock.run_for(16_000)  # the player looks every 15 s
    page.wait_for_function(f"document.body.dataset.version && document.body.dataset.version !== '{before}'")
    now_playing = page.evaluate("document.body.dataset.version")
    # a version whose playlist cannot be loaded: the player keeps the last good one
    current = site / "output" / "publish" / "east-1" / "current"
    broken = os.readlink(current)
    edit(lobby, "duration: 7", "duration: 8")
    _build(site)
    script = current / "lobby" / "playlist.js"
    saved = script.read_bytes()
    script.unlink()
    assert os.readlink(current) != broken
    try:
        page.clock.run_for(16_000)
        page.wait_for_function("document.body.dataset.error !== undefined")
        assert page.evaluate("document.body.dataset.version") == now_playing
        item = page.evaluate("document.body.dataset.item")
        page.clock.run_for(30_000)
        assert page.evaluate("document.body.dataset.item") != item  # still playing, the last good playlist
    finally:
        script.write_bytes(saved)
        page.close()


@pytest.fixture()
def server(site: Path):  # type: ignore[no-untyped-def]
    httpd = make_server(site / "output", "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_serve_under_200_concurrent_range_requests(site: Path, server: str) -> None:
    video = next(i for i in _live(site, "lobby")["items"] if i["kind"] == "video")
    data = (site / "output" / video["file"]).read_bytes()
    url = f"{server}/{video['file']}"

    def one(n: int) -> tuple[int, bool]:
        start = (n * 997) % (len(data) - 2000)
        status, headers, body = _get(url, {"Range": f"bytes={start}-{start + 1499}"})
        ok = (
            body == data[start : start + 1500]
            and headers["Content-Range"] == f"bytes {start}-{start + 1499}/{len(data)}"
        )
        return status, ok

    with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(one, range(200)))
    assert all(status == 206 and ok for status, ok in results)
    status, headers, body = _get(url)
    assert status == 200 and body == data and headers["Content-Type"] == "video/mp4"
    assert _get(url, {"If-None-Match": headers["ETag"]})[0] == 304  # unchanged: nothing downloaded again
    assert _get(url, {"Range": f"bytes={len(data) + 10}-"})[0] == 416


def test_serve_refuses_to_leave_the_output_folder_and_lists_no_folders(site: Path, server: str) -> None:
    outside = site / "output" / "publish" / "escape"
    outside.symlink_to(site / "content")
    try:
        for path in (
            "/../signage.yaml",
            "/%2e%2e/signage.yaml",
            "/publish/..%2f..%2fsignage.yaml",
            "/publish/escape/slogans.yaml",
            "/store/../../signage.yaml",
        ):
            status, _, body = _get(server + path)
            assert status == 404 and b"slogan" not in body, path
        assert _get(server + "/publish/")[0] == 403  # no listing
        status, headers, _ = _get(server + "/preview/")
        assert status == 200 and headers["Content-Type"].startswith("text/html")  # the preview's index
        connection = http.client.HTTPConnection(server.removeprefix("http://"), timeout=30)
        connection.request("GET", "/")  # a person opening the server's address lands on the preview
        response = connection.getresponse()
        assert (response.status, response.getheader("Location")) == (302, "/preview/")
        connection.close()
        status, headers, _ = _get(server + "/publish/east-1/current/lobby/playlist.m3u")
        assert status == 200 and headers["Content-Type"] == "audio/x-mpegurl"
    finally:
        outside.unlink()


def test_the_player_works_over_http_too(site: Path, server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/publish/east-1/player.html?screen=lobby")
    page.wait_for_function("document.body.dataset.folder === 'lobby'")
    page.wait_for_function(
        "document.querySelector('#stage video') && document.querySelector('#stage video').readyState >= 2"
    )
    assert not errors
    page.close()


def test_an_exported_bundle_plays_in_the_browser_from_a_usb_stick(site: Path, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from signage.network.export import export_branch

    stick = tmp_path / "usb" / "east-1"
    stick.parent.mkdir()  # the mounted stick
    export_branch(site / "output", "east-1", stick)
    page = browser.new_page()
    page.clock.install(time=dt.datetime.now(SHANGHAI).replace(hour=10, minute=0, second=0, microsecond=0))
    page.goto((stick / "player.html").as_uri() + "?screen=lobby")
    page.wait_for_function("document.body.dataset.folder === 'lobby'")
    src = page.evaluate("document.querySelector('#stage video, #stage img').src")
    assert src.startswith(stick.as_uri() + "/assets/")  # the bundle's own copy, nothing outside it
    page.close()
