"""The browser player says what is wrong, in text a branch manager reads across a lobby, and never
stalls; it enlarges LED scroll animations as it does LED pages. And the preview a build leaves
carries the check's warnings. In a real headless Chromium (Debian's, driven by playwright)."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from signage.app import preview as preview_app
from signage.app.build import BuildOptions, build_and_publish
from signage.app.check import check_project
from signage.errors import Problem
from signage.kinds import open_project
from signage.tree import preview_index

from .helpers import Built, clone, edit

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    if os.environ.get("SIGNAGE_BROWSER_TESTS") == "required":  # CI installs Chromium: there, missing is a failure
        raise RuntimeError("Debian's chromium is required for the browser tests: apt-get install chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

# on the worker that builds the network (the site is a copy of it), with test_browser's tests: one Chromium
pytestmark = pytest.mark.xdist_group("built_network")

WINDOW = {"width": 960, "height": 540}
STRIP = "  - {id: strip-96x16, size: 96x16, mode: scroll, color: red, speed: 4}\n"  # red: a GIF, no MP4


@pytest.fixture(scope="module")
def site(built_network: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-branch network, east-1 with a 96x16 scrolling strip as well, built and published
    the way `signage build` does it (so with its preview): a copy of the session's built network, so
    this build renders only the strip's animations."""
    root = clone(built_network.root, tmp_path_factory.mktemp("player") / "proj")
    edit(root / "signage.yaml", "tv_screens:\n", STRIP + "tv_screens:\n")
    edit(root / "branches.csv", "lobby=tv-small\n", "lobby=tv-small;strip=strip-96x16\n")
    result = build_and_publish(open_project(root), BuildOptions(workers=2))
    assert result.preview_written
    return root


def _current(site: Path) -> Path:
    return site / "output" / "publish" / "east-1" / "current"


def _playlist(site: Path, screen: str) -> dict[str, Any]:
    return json.loads((_current(site) / screen / "playlist.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _open(browser, site: Path, query: str, clock: bool = False):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=WINDOW)
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    if clock:
        page.clock.install(time=dt.datetime.now(dt.timezone.utc))
    page.goto((site / "output" / "publish" / "east-1" / "player.html").as_uri() + query)
    return page


@contextmanager
def _moved_away(*paths: Path) -> Iterator[None]:
    """The files gone for a while (a broken copy, a half-synced USB stick), then back."""
    for path in paths:
        path.rename(path.with_name(path.name + ".away"))
    try:
        yield
    finally:
        for path in paths:
            path.with_name(path.name + ".away").rename(path)


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css)[:3])


def _contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two CSS colours."""

    def luminance(css: str) -> float:
        r, g, b = (c / 255 for c in _rgb(css))
        r, g, b = ((c / 12.92) if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


LOOK = """sel => [...document.querySelectorAll(sel)].map(el => {
  let background = "rgba(0, 0, 0, 0)";  // what it is drawn on: the nearest box with a background of its own
  for (let e = el; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") { background = c; break; }
  }
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  return { text: el.innerText, color: style.color, background, size: parseFloat(style.fontSize),
           shown: el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && box.width > 0
                  && box.bottom <= innerHeight && box.right <= innerWidth + 1 };
})"""


def _readable(page, selector: str = "#message h1, #message h2, #message p, #message li") -> str:  # type: ignore[no-untyped-def]
    """The message's text, after checking that every line of it is on screen, in a colour that stands out
    from what it is drawn on, and large: the headline a twelfth of the window's height or so."""
    lines = page.evaluate(f"({LOOK})({json.dumps(selector)})")
    assert lines
    for line in lines:
        assert line["shown"], line
        assert line["color"] != line["background"] and _contrast(line["color"], line["background"]) >= 7, line
        assert line["size"] >= 0.029 * WINDOW["height"], line  # no line smaller than ~1/35 of the height
    assert lines[0]["size"] >= 0.07 * WINDOW["height"], lines[0]  # the headline: ~1/12 of the height
    return "\n".join(line["text"] for line in lines)


def test_without_a_screen_the_player_lists_the_branch_screens_as_links(site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    page = _open(browser, site, "")
    page.wait_for_function("document.body.dataset.state === 'choose'")
    text = _readable(page)
    assert "Choose the screen this player shows" in text and "请选择" in text
    links = page.eval_on_selector_all("#message a", "as => as.map(a => a.getAttribute('href'))")
    assert links == ["?screen=door", "?screen=lobby", "?screen=strip"]
    assert "LED" in text and "320×180" in text and "东城支行" in text  # what each screen is
    page.click("text=?screen=lobby")
    page.wait_for_function("document.body.dataset.folder === 'lobby'")
    assert page.is_hidden("#message") and not page.errors
    page.close()


def test_an_unknown_screen_is_named_and_the_known_ones_listed(site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    page = _open(browser, site, "?screen=lobbby")
    page.wait_for_function("document.body.dataset.state === 'unknown-screen'")
    text = _readable(page)
    assert "This branch has no screen “lobbby”" in text and "lobbby" in text.splitlines()[0]
    assert "?screen=lobby" in text and "?screen=door" in text
    assert not page.errors
    page.close()


def test_a_version_it_cannot_read_is_said_on_the_whole_screen_and_retried(site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    with _moved_away(_current(site) / "version.js"):
        page = _open(browser, site, "?screen=lobby", clock=True)
        page.wait_for_function("document.body.dataset.state === 'unreadable'")
        text = _readable(page)
        assert "Cannot read the published version" in text and "无法读取" in text
        assert "current/version.js" in page.inner_text("#message .detail")  # which file, for whoever fixes it
    page.clock.run_for(15_100)  # the next look finds it again
    page.wait_for_function("document.body.dataset.folder === 'lobby'")
    assert page.is_hidden("#message") and not page.errors
    page.close()


def test_a_broken_version_while_playing_keeps_the_last_good_content_and_says_so(site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    page = _open(browser, site, "?screen=lobby", clock=True)
    page.wait_for_function("document.body.dataset.folder === 'lobby'")
    version = _current(site) / "version.js"
    saved = version.read_bytes()
    version.write_text("signage.setVersion(", encoding="utf-8")  # half written: loads, says nothing
    try:
        page.clock.run_for(15_100)
        page.wait_for_function("document.body.dataset.error !== undefined && !document.querySelector('#notice').hidden")
        notice = page.evaluate(f"({LOOK})('#notice')")[0]
        assert notice["shown"] and _contrast(notice["color"], notice["background"]) >= 7
        assert "still playing the last good one" in notice["text"]
        assert page.evaluate("document.body.dataset.state") == "playing" and page.is_hidden("#message")
        assert page.locator("#stage video, #stage img").count() == 1  # the content stays
    finally:
        version.write_bytes(saved)
    page.clock.run_for(15_100)
    page.wait_for_function("document.querySelector('#notice').hidden")
    assert page.errors == ["Unexpected end of input"]  # the half-written file's, and nothing of the player's
    page.close()


def test_an_item_that_fails_to_load_is_named_and_skipped_at_once(site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    items = _playlist(site, "lobby")["items"]
    first = items[0]
    assert first["duration"] > 15  # so moving on within 10 s is the skip, not the item's time
    with _moved_away(site / "output" / first["file"]):
        page = _open(browser, site, "?screen=lobby")
        page.wait_for_function("document.body.dataset.skipped === '1'", timeout=10_000)
        page.wait_for_function("document.body.dataset.played === '1'", timeout=10_000)  # the next one plays
        assert items[1]["file"] != first["file"]
        notice = page.inner_text("#notice")
        assert first["name"] in notice and "skipped to the next item" in notice
        assert page.is_hidden("#message") and not page.errors
        page.close()


def test_when_no_item_loads_it_says_so_and_plays_again_once_they_are_back(site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    files = sorted({site / "output" / item["file"] for item in _playlist(site, "strip")["items"]})
    with _moved_away(*files):
        page = _open(browser, site, "?screen=strip")
        page.wait_for_function("document.body.dataset.state === 'failing'", timeout=10_000)
        assert "None of this screen's items can be played" in _readable(page)
    page.wait_for_function("document.body.dataset.state === 'playing'", timeout=15_000)  # tried again every 5 s
    page.wait_for_function("document.body.dataset.played !== undefined")
    assert page.is_hidden("#message") and not page.errors
    page.close()


def _drawn(page, selector: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return page.evaluate(  # type: ignore[no-any-return]
        """sel => { const e = document.querySelector(sel), box = e.getBoundingClientRect();
                    return { width: box.width, height: box.height, natural: e.naturalWidth ?? e.width,
                             naturalHeight: e.naturalHeight ?? e.height,
                             rendering: getComputedStyle(e).imageRendering }; }""",
        selector,
    )


def test_a_scroll_gif_is_enlarged_like_led_pages(site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    playlist = _playlist(site, "strip")
    assert {item["kind"] for item in playlist["items"]} == {"animation"} and playlist["screen"]["size"] == [96, 16]
    page = _open(browser, site, "?screen=strip")
    page.wait_for_function("document.body.dataset.played === '0'")
    gif = _drawn(page, "#stage img")
    assert (gif["natural"], gif["naturalHeight"]) == (96, 16)
    assert gif["width"] == 960 and gif["height"] == 160  # 10 x: a whole number of window pixels per lamp
    assert gif["rendering"] in ("pixelated", "crisp-edges")
    page.set_viewport_size({"width": 1280, "height": 720})  # a resized window: the largest whole scale again
    page.wait_for_function("document.querySelector('#stage img').getBoundingClientRect().width === 1248")
    page.close()
    page = _open(browser, site, "?screen=door")  # LED pages: the same enlargement
    page.wait_for_function("document.body.dataset.played === '0'")
    canvas = _drawn(page, "#stage canvas")
    assert (canvas["natural"], canvas["naturalHeight"]) == (64, 16)
    assert canvas["width"] == 960 and canvas["height"] == 240 and canvas["rendering"] in ("pixelated", "crisp-edges")
    assert not page.errors
    page.close()


def test_the_preview_build_leaves_carries_the_checks_warnings(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warnings = [p for p in check_project(site) if p.warning]
    assert warnings  # the example's placeholder app_url
    index = html.unescape(preview_index(site / "output").read_text(encoding="utf-8"))
    for problem in warnings:
        assert problem.message in index

    checks: list[Path] = []

    def counting(root: Path) -> list[Problem]:
        checks.append(root)
        return check_project(root)

    monkeypatch.setattr(preview_app, "check_project", counting)
    again = build_and_publish(open_project(site), BuildOptions(workers=2))
    assert not again.report.changed and not again.preview_written and not checks  # a no-op build: no check run

    config = site / "signage.yaml"
    saved = config.read_text(encoding="utf-8")
    # an edit that ends a warning and changes no output
    edit(config, "https://www.example.com/anti-fraud-app", "https://app.bank.cn/anti-fraud")
    try:
        after = build_and_publish(open_project(site), BuildOptions(workers=2))
        assert not after.report.changed and after.preview_written and len(checks) == 1
        index = html.unescape(preview_index(site / "output").read_text(encoding="utf-8"))
        assert "www.example.com/anti-fraud-app" not in index and "www.example.com.hk/scameter" in index
    finally:
        config.write_text(saved, encoding="utf-8")
