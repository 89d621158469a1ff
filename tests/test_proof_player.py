"""The browser player reports what it plays, in a real headless Chromium (Debian's, driven by
playwright) on a fake clock: plays and heartbeats reach `signage serve`; while the server is away
they are kept on the device and sent once it is back, none lost and none twice; from file:// they
are kept and exported."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from signage.app.report import make_report
from signage.app.status import screen_status
from signage.kinds import open_project
from signage.proof.ingest import Limits, Receiver
from signage.proof.store import connect, issue_token
from signage.serve import make_server
from signage.tree import proof_db

from .helpers import Built, Cli, clone

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    if os.environ.get("SIGNAGE_BROWSER_TESTS") == "required":  # CI installs Chromium: there, missing is a failure
        raise RuntimeError("Debian's chromium is required for the browser tests: apt-get install chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

# one worker builds the project and starts Chromium, once; slow: a player reporting through a server that
# is stopped, restarted and flooded, in Chromium (run with `pytest -m slow`, as CI does)
pytestmark = [pytest.mark.xdist_group("proof_player"), pytest.mark.slow]

# after each step of the fake clock: the item on screen loaded (or failed), no report in flight nor one
# due (an answer that asks for the next batch at once arrives between steps: its send must not be left over)
SETTLED = """before => { const b = document.body;
  const due = signage.proof.retry !== null && signage.proof.due <= Date.now();  // a send asked for now
  return !signage.proof.sending && !due && (b.dataset.played === b.dataset.item || b.dataset.state !== 'playing'
                                     || Number(b.dataset.skipped || 0) > before); }"""


@pytest.fixture(scope="module")
def site(built_network: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-branch network, built once for the session, copied: east-1's LED door sign plays a 28 s loop
    of three slogans' pages."""
    return clone(built_network.root, tmp_path_factory.mktemp("proof") / "proj")


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


class Serve:
    """`signage serve` of an output folder in a thread, stopped and started again on the same port."""

    def __init__(self, output: Path) -> None:
        self.output = output
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.start()

    def start(self) -> None:
        # the page's clock starts an hour behind: the server trusts it (the bounds are test_proof_ingest's)
        self.receiver = Receiver(self.output, Limits(skew=2 * 3600))
        self.server = make_server(self.output, "127.0.0.1", self.port, self.receiver)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.receiver.close()


def _forget(site: Path) -> None:
    """The proof database removed whole: a WAL left beside a new database would be read into it."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(proof_db(site / "output")) + suffix).unlink(missing_ok=True)


@pytest.fixture()
def served(site: Path) -> Iterator[Serve]:
    """A server over the site with an empty proof database (whatever a test before left there)."""
    _forget(site)
    running = Serve(site / "output")
    yield running
    running.stop()
    _forget(site)


def _token(site: Path, screen: str = "door") -> str:
    db = connect(proof_db(site / "output"))
    token = issue_token(db, "east-1", screen, time.time(), replace=True)
    db.close()
    assert token
    return token


def _open(browser, url: str):  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.clock.install(time=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    page.goto(url)
    page.wait_for_function("document.body.dataset.played === '0'")
    return page


def _play(page, seconds: float, step_ms: int = 2000) -> None:  # type: ignore[no-untyped-def]
    """Let ``seconds`` of the page's clock pass, a step at a time, each step's item loaded before the next."""
    for _ in range(int(seconds * 1000 / step_ms)):
        skipped = page.evaluate("Number(document.body.dataset.skipped || 0)")
        page.clock.run_for(step_ms)
        page.wait_for_function(SETTLED, arg=skipped, timeout=5000)


def _until(page, condition: str, seconds: float, step_ms: int = 2000) -> float:  # type: ignore[no-untyped-def]
    """Play on, two seconds at a time, until ``condition`` holds (at most ``seconds``); the seconds it took."""
    for step in range(int(seconds * 1000 / step_ms) + 1):
        if page.evaluate(condition):
            return step * step_ms / 1000
        _play(page, step_ms / 1000, step_ms)
    raise AssertionError(f"not within {seconds} s of the page's clock: {condition}")


def _rows(site: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(proof_db(site / "output"))
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_plays_and_heartbeats_reach_serve_through_a_restart_none_lost_none_twice(site: Path, browser, served) -> None:  # type: ignore[no-untyped-def]
    token = _token(site)
    page = _open(browser, f"http://127.0.0.1:{served.port}/publish/east-1/player.html?screen=door#token={token}")
    assert "token" not in page.url  # taken off the address once kept
    start = page.evaluate("Date.now()")
    _play(page, 66)  # heartbeats at 5 s and 65 s, each sending what was kept
    _until(page, "document.body.dataset.report === '200' && !signage.proof.kept.events.length", 10)
    before = _rows(site, "SELECT kind, count(*) FROM events GROUP BY kind ORDER BY kind")
    assert before[0][0] == "heartbeat" and before[0][1] == 2 and before[1][0] == "play" and before[1][1] >= 6

    served.stop()  # mid-play: the player goes on, keeps its events, and fails to send them
    _play(page, 70)
    assert page.evaluate("document.body.dataset.report") == "0"
    kept = page.evaluate("signage.proof.kept.events.length")
    stored = json.loads(page.evaluate("localStorage.getItem(Object.keys(localStorage)[0])"))
    assert kept >= 3 and len(stored["events"]) == kept  # on the device, not only in memory
    assert _rows(site, "SELECT count(*) FROM events") == [(sum(n for _, n in before),)]

    served.start()
    assert (
        _until(page, "!signage.proof.kept.events.length && !signage.proof.sending", 60) <= 30
    )  # back-off: 5 s, 10 s, 20 s
    made = page.evaluate("signage.proof.made")
    minutes = (page.evaluate("Date.now()") - start) / 60_000
    assert _rows(site, "SELECT count(*), count(DISTINCT id) FROM events") == [(made, made)]
    plays = _rows(
        site, "SELECT at, duration, item, artifact, version, campaign, data FROM events WHERE kind='play' ORDER BY at"
    )
    assert {p[4:6] for p in plays} == {("v0001", "default")}
    for (at, duration, *_), (following, *_) in zip(plays, plays[1:]):
        assert abs(at + duration - following) < 0.5  # one play after the other, none missing, whatever the server did
    first = [p[2] for p in plays[:3]]
    assert first == ["slogan:hotline-ask", "slogan:two-cards", "case:shuadan-rebate"]
    # hotline-ask takes five pages of the 64x16 door, words kept whole (遇到|可疑|情况|请拨打|…), 2 s each
    assert [json.loads(p[6])["pages"] for p in plays[:3]] == [5, 5, 5] and [p[1] for p in plays[:3]] == pytest.approx(
        [10, 10, 10], abs=0.1
    )
    totals = _rows(site, "SELECT sum(plays), round(sum(seconds), 3) FROM daily")
    assert totals == [(len(plays), round(sum(p[1] for p in plays), 3))]
    beats = _rows(site, "SELECT data FROM events WHERE kind='heartbeat' ORDER BY at")
    assert len(beats) == 1 + int(minutes - 5 / 60)  # at 5 s, then every minute
    errors = [e for b in beats for e in json.loads(b[0])["errors"]]
    assert any("version.js" in e for e in errors)  # what went wrong while the server was away, said
    assert _rows(site, "SELECT version, campaign, visible FROM screens_seen") == [("v0001", "default", 1)]
    assert not page.errors
    # what the operator then sees: the screen playing the live version, its plays beside the plan
    last = dt.datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, dt.timezone.utc)
    page.close()
    project = open_project(site)
    door = next(s for s in screen_status(project, "east-1", now=last).screens if s.screen == "door")
    assert (door.state, door.live) == ("playing", "v0001"), door
    day = last.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    report = make_report(project, day, day, branch_id="east-1", fmt="csv", now=last).report
    hotline = next(c for c in report.content if c.content.endswith("hotline-ask"))
    assert hotline.plays == sum(1 for p in plays if p[2] == "slogan:hotline-ask") and hotline.planned_plays > 0


def test_from_file_the_player_keeps_its_events_across_a_reload_and_exports_them(  # type: ignore[no-untyped-def]
    site: Path, browser, tmp_path: Path, cli: Cli
) -> None:
    url = (site / "output" / "publish" / "east-1" / "player.html").as_uri() + "?screen=door#token=sgt_kept"
    page = _open(browser, url)
    _play(page, 30)
    assert page.evaluate("signage.proof.endpoint") == "" and page.evaluate("document.body.dataset.report") is None
    made = page.evaluate("signage.proof.kept.events.length")
    assert made >= 2
    page.reload()  # a power cut, a browser restarted: the events are still there
    page.wait_for_function("document.body.dataset.played === '0'")
    assert page.evaluate("signage.proof.kept.events.length") >= made
    with page.expect_download() as download:
        page.keyboard.press("e")
    saved = tmp_path / "events.json"
    download.value.save_as(saved)
    exported = json.loads(saved.read_text(encoding="utf-8"))
    assert exported["branch"] == "east-1" and exported["screen"] == "door"
    kinds = [e["kind"] for e in exported["events"]]
    assert "heartbeat" in kinds and "play" in kinds and len(kinds) >= made
    assert page.evaluate("signage.proof.kept.token") == "sgt_kept"
    assert not page.errors
    page.close()
    # and back at the office, taken in: once, whatever the times it is given
    _forget(site)
    first = cli("--project", str(site), "events", "import", str(saved))
    assert first.exit_code == 0 and f"east-1/door: {len(kinds)} stored, 0 already there" in first.stdout, first.output
    again = cli("--project", str(site), "events", "import", str(saved))
    assert f"0 stored, {len(kinds)} already there" in again.stdout
    assert _rows(site, "SELECT count(*) FROM events") == [(len(kinds),)]
    n = kinds.index("play")
    exported["events"][n]["duration"] = "long"
    saved.write_text(json.dumps(exported), encoding="utf-8")
    bad = cli("--project", str(site), "events", "import", str(saved))
    assert bad.exit_code == 1 and f"events[{n}].duration: Input should be a valid number" in bad.stderr


def _heartbeats(count: int, at: float) -> list[dict[str, Any]]:
    return [
        {
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "kind": "heartbeat",
            "at": at + n,
            "version": None,
            "campaign": None,
            "data": {"visible": True, "showing": "", "errors": [], "state": "", "dropped": 0, "refused": 0},
        }
        for n in range(count)
    ]


def test_the_device_keeps_at_most_5000_events_letting_the_oldest_heartbeats_go(site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    player = site / "output" / "publish" / "east-1" / "player.html"
    old_play = {
        "id": "00000000-0000-4000-8000-999999999999",
        "kind": "play",
        "at": 1.0e9,
        "duration": 8.0,
        "item": "slogan:hotline-ask",
        "artifact": "led/x",
        "version": "v0001",
        "campaign": "default",
    }
    kept = {"events": [old_play, *_heartbeats(4999, 1.0e9)], "aside": [], "dropped": 0, "refused": 0}
    page = browser.new_page()
    page.add_init_script(
        f"localStorage.setItem({json.dumps('signage:' + player.as_uri()[len('file://') :] + '?screen=door')}, "
        f"{json.dumps(json.dumps(kept))})"
    )
    page.clock.install(time=dt.datetime.now(dt.timezone.utc))
    page.goto(player.as_uri() + "?screen=door")
    page.wait_for_function("document.body.dataset.played === '0'")
    assert page.evaluate("signage.proof.kept.events.length") == 5000
    _play(page, 20, 4000)  # a heartbeat and two plays more
    made = page.evaluate("signage.proof.made")
    length, first, second, last = page.evaluate(
        "(e => [e.length, e[0].id, e[1].id, e[e.length - 1].kind])(signage.proof.kept.events)"
    )
    assert made >= 3 and length == 5000 and page.evaluate("signage.proof.kept.dropped") == made
    assert first == old_play["id"]  # the old play stays: heartbeats go first
    assert second.endswith(f"{made:012d}") and last == "play"
    page.close()


def test_refused_events_are_set_aside_and_a_busy_server_is_asked_again_later(site: Path, browser, served) -> None:  # type: ignore[no-untyped-def]
    token = _token(site)
    answers: list[tuple[int, dict[str, Any]] | None] = [
        None,  # the first heartbeat, alone, goes through
        (422, {"error": "events[1]: at … is older than the 90 days kept", "event": 1}),
        (400, {"error": "malformed JSON"}),
        (429, {"error": "too many batches from this token", "retry_after": 30}),
    ]
    seen: list[tuple[float, int]] = []  # (page clock, events in the batch)

    def answer(route) -> None:  # type: ignore[no-untyped-def]
        seen.append((page.evaluate("Date.now()") / 1000, len(json.loads(route.request.post_data)["events"])))
        scripted = answers.pop(0) if answers else None
        if scripted is None:
            route.continue_()
        else:
            status, body = scripted
            route.fulfill(status=status, json=body, headers={"Retry-After": "30"} if status == 429 else {})

    page = browser.new_page()
    page.route("**/api/v1/events", answer)
    page.clock.install(time=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    page.goto(f"http://127.0.0.1:{served.port}/publish/east-1/player.html?screen=door#token={token}")
    page.wait_for_function("document.body.dataset.played === '0'")
    _play(page, 66)  # the second heartbeat sends: one event refused, then the whole rest as malformed
    aside = page.evaluate("signage.proof.kept.aside")
    assert seen[0][1] == 1 and seen[1][1] >= 5 and seen[2][1] == seen[1][1] - 1 and len(aside) == seen[1][1]
    assert page.evaluate("signage.proof.kept.refused") == len(aside)
    _play(page, 60)  # the next heartbeat: 429, asked to wait 30 s
    assert len(seen) == 4
    _play(page, 24)
    assert len(seen) == 4  # not before the 30 s
    _until(page, "!signage.proof.kept.events.length && document.body.dataset.report === '200'", 20)
    assert seen[4][0] - seen[3][0] >= 30
    beats = _rows(site, "SELECT data FROM events WHERE kind='heartbeat' ORDER BY at")
    assert json.loads(beats[-1][0])["refused"] == len(aside)  # the device says what it set aside
    assert _rows(site, "SELECT count(*) FROM events")[0][0] + len(aside) == page.evaluate("signage.proof.made")
    page.unroute_all(behavior="ignoreErrors")
    page.close()
