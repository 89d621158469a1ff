"""Proof of play read back: screen states (`signage status`) and the campaign report (`signage report`).

The players' database is made here with the schema serve writes (signage.proof.store.SCHEMA), filled with known
events; the published versions are written by hand (a version.json and a playlist.json per
variant), so nothing is built. The report's figures are computed by hand in the comments.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from signage.app.report import make_report
from signage.app.status import screen_status
from signage.kinds import open_project
from signage.proof.status import (
    BEHIND,
    CANNOT_REPORT,
    DARK,
    NEVER_SEEN,
    PLAYING,
    STALE,
    Seen,
    Thresholds,
    judge,
)
from signage.proof.store import SCHEMA
from signage.rotation import row, write_rows
from signage.tree import proof_db

from .helpers import Cli, copy_example

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 3)  # a Thursday; the spring-festival campaign is weeks away
NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=SHANGHAI)
BRANCHES = """id,name,locale,timezone,tags,screens
east,东城支行,zh-Hans-CN,Asia/Shanghai,,door=door-192x32;lobby=tv-1080p
west,西城支行,zh-Hans-CN,Asia/Shanghai,,door=door-192x32;lobby=tv-1080p
"""
INTERLEAVED = "default+hotline-every-three"
HOTLINE = "video/slogan-16x9/zh-Hans-CN/hotline-ask"
CASE = "video/case-16x9/zh-Hans-CN/investment-mentor"


def _at(hour: int, minute: int = 0, second: int = 0) -> float:
    return dt.datetime(2026, 12, 3, hour, minute, second, tzinfo=SHANGHAI).timestamp()


def _loop(path: Path, items: list[tuple[str, str, float]]) -> None:
    """A published playlist.json with just what counting reads: (content kind, id, seconds) items."""
    path.mkdir(parents=True)
    data = {
        "duration": sum(s for _, _, s in items),
        "items": [{"content": {"kind": k, "id": i}, "duration": s, "source": f"x/{k}/{i}"} for k, i, s in items],
    }
    (path / "playlist.json").write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's content and schedule with two branches, each a LED door sign and a lobby TV,
    published by hand as east v0001 and west v0002."""
    root = copy_example(tmp_path_factory.mktemp("proof") / "bank")
    (root / "branches.csv").write_text(BRANCHES, encoding="utf-8")
    publish = root / "output" / "publish"
    for branch, version in (("east", "v0001"), ("west", "v0002")):
        folder = publish / branch / version
        # lobby: one hotline (60 s) and one case (120 s) a loop of 180 s, all day
        _loop(
            folder / f"lobby~{INTERLEAVED}@{DAY}", [("slogan", "hotline-ask", 60), ("case", "investment-mentor", 120)]
        )
        _loop(folder / "lobby~emergency-1", [("slogan", "hotline-answer", 30)])
        # 09:00-17:00; formula-shuadan is an LED sign's two pages of 5 s: one play
        _loop(
            folder / "door",
            [("slogan", "two-cards", 10), ("slogan", "formula-shuadan", 5), ("slogan", "formula-shuadan", 5)],
        )
        _loop(folder / "door~overnight", [("slogan", "hotline-ask", 20)])  # 17:00-09:00
        (folder / "version.json").write_text("{}", encoding="utf-8")
        (publish / branch / "current").symlink_to(version)
    # an emergency on every lobby from 15:00, stopped at 15:30
    emergency = {
        "id": "1",
        "slogan": "hotline-answer",
        "where": {"screens": ["lobby"]},
        "start": dt.datetime(2026, 12, 3, 7, tzinfo=dt.timezone.utc).isoformat(),
        "end": dt.datetime(2026, 12, 3, 8, tzinfo=dt.timezone.utc).isoformat(),
        "stopped": dt.datetime(2026, 12, 3, 7, 30, tzinfo=dt.timezone.utc).isoformat(),
    }
    (root / "output" / "schedule").mkdir(parents=True)
    (root / "output" / "schedule" / "emergencies.json").write_text(json.dumps([emergency]), encoding="utf-8")
    # the rotation put both lobbies on it at 15:00 and back at 15:30
    utc = dt.timezone.utc
    write_rows(root / "output", [
        row(dt.datetime(2026, 12, 3, 7, 0, tzinfo=utc), "switch", b, "lobby", f"{INTERLEAVED}@{DAY}", "emergency-1")
        for b in ("east", "west")
    ] + [
        row(dt.datetime(2026, 12, 3, 7, 30, tzinfo=utc), "switch", b, "lobby", "emergency-1", f"{INTERLEAVED}@{DAY}")
        for b in ("east", "west")
    ])  # fmt: skip
    _report_plays(root / "output")
    return root


def _report_plays(output: Path) -> None:
    """What the east and west lobby players said on DAY (see the test for the sums)."""
    db_path = proof_db(output)
    db_path.parent.mkdir(parents=True)
    db = sqlite3.connect(db_path)
    db.executescript(SCHEMA)  # the tables serve writes (signage/proof/store.py)
    rows: list[tuple[object, ...]] = []

    def play(branch: str, at: float, artifact: str, seconds: float, campaign: str = INTERLEAVED) -> None:
        # east's player names the item's content ("slogan:hotline-ask"); west's rows leave it to the artifact
        item = ("slogan:hotline-ask" if artifact == HOTLINE else "case:investment-mentor") if branch == "east" else None
        rows.append(
            (f"{branch}-{len(rows)}", branch, "lobby", "play", at, seconds, item, artifact, "v", campaign, None, at)
        )

    # east, 10:00-11:00: twenty whole loops, a hotline every 180 s
    for n in range(20):
        play("east", _at(10) + 180 * n, HOTLINE, 60)
        play("east", _at(10) + 180 * n + 60, CASE, 120)
    # east, 11:00-11:10: a hotline, three cases (the next hotline 420 s later: overdue from 11:03), a loop
    play("east", _at(11), HOTLINE, 60)
    for n in range(3):
        play("east", _at(11, 1) + 120 * n, CASE, 120)
    play("east", _at(11, 7), HOTLINE, 60)
    play("east", _at(11, 8), CASE, 120)
    # west, 14:00-14:30: ten loops
    for n in range(10):
        play("west", _at(14) + 180 * n, HOTLINE, 60)
        play("west", _at(14) + 180 * n + 60, CASE, 120)
    # west, 14:40: one more hotline, from its default playlist (an old folder still on screen)
    play("west", _at(14, 40), HOTLINE, 60, "default")
    # east's lobby heartbeats every minute from 10:00 to 12:00; hidden at 11:30 for a minute
    for n in range(121):
        at = _at(10) + 60 * n
        rows.append(
            (
                f"hb-{n}",
                "east",
                "lobby",
                "heartbeat",
                at,
                None,
                None,
                None,
                "v0001",
                INTERLEAVED,
                json.dumps({"visible": n != 90, "showing": HOTLINE, "errors": []}),
                at,
            )
        )
    db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()


def _table(text: str, name: str) -> list[dict[str, str]]:
    rows = [r for r in csv.reader(io.StringIO(text)) if r and r[0] == name]
    return [dict(zip(rows[0][1:], r[1:])) for r in rows[1:]]


def test_the_report_counts_a_hand_computed_day_of_two_branches(network: Path) -> None:
    project = open_project(network)
    result = make_report(project, str(DAY), str(DAY), fmt="csv", now=NOW)
    text = result.data.decode("utf-8")
    lines = {(r["kind"], r["content"], r["campaign"]): r for r in _table(text, "content")}
    hotline = lines[("slogan", "hotline-ask", INTERLEAVED)]
    # reported: east 20 + 2, west 10 hotlines of 60 s
    assert (hotline["plays"], hotline["screen_hours"]) == ("32", str(round(32 * 60 / 3600, 2)))
    # planned: the lobby loops all day but the emergency's half hour: 84,600 s / 180 s = 470 loops a branch
    assert (hotline["planned_plays"], hotline["planned_hours"]) == ("940.0", str(round(940 * 60 / 3600, 2)))
    assert (hotline["branches_reached"], hotline["branches_targeted"]) == ("2", "2")
    case = lines[("case", "investment-mentor", INTERLEAVED)]
    assert (case["plays"], case["screen_hours"]) == ("34", str(round(34 * 120 / 3600, 2)))  # east 20 + 3 + 1, west 10
    # the door signs cannot report: 16 h overnight / 20 s = 2,880 plays each, planned
    overnight = lines[("slogan", "hotline-ask", "overnight")]
    assert (overnight["plays"], overnight["led_planned_plays"], overnight["led_planned_hours"]) == (
        "0",
        "5760.0",
        "32.0",
    )
    assert (overnight["branches_reached"], overnight["branches_targeted"]) == ("0", "2")
    assert lines[("slogan", "two-cards", "default")]["led_planned_plays"] == "2880.0"  # 8 h / 20 s, two signs
    assert lines[("slogan", "formula-shuadan", "default")]["led_planned_plays"] == "2880.0"  # its pages once
    urgent = lines[("slogan", "hotline-answer", "emergency-1")]
    assert urgent["planned_plays"] == "120.0"  # 1,800 s / 30 s on two lobbies
    assert lines[("slogan", "hotline-ask", "default")]["plays"] == "1"  # the same artifact, another campaign
    campaigns = {r["campaign"]: r for r in _table(text, "campaigns")}
    assert campaigns[INTERLEAVED]["plays"] == "66"
    # the rule (a hotline every 3 min on lobby TVs): east broke it in its 11:00 hour only
    frequency = {r["branch"]: r for r in _table(text, "frequency")}
    assert (frequency["east"]["hours_judged"], frequency["east"]["hours_broken"]) == ("2", "1")
    assert (frequency["east"]["broken_hours"], frequency["east"]["worst_gap_s"]) == ("2026-12-03 11:00", "420")
    assert (frequency["west"]["hours_judged"], frequency["west"]["hours_broken"]) == ("1", "0")
    # dark: east before 10:00 and after 12:00 and the hidden minute; west never reported
    dark = {r["branch"]: r for r in _table(text, "dark")}
    assert (dark["east"]["dark_hours"], dark["east"]["outages"], dark["east"]["longest_hours"]) == (
        str(round((22 * 3600 + 60) / 3600, 2)),
        "3",
        "12.0",
    )
    assert (dark["west"]["dark_hours"], dark["west"]["never_reported"]) == ("24.0", "yes")
    (emergency,) = _table(text, "emergencies")
    assert (emergency["id"], emergency["hours"], emergency["screens"]) == ("1", "0.5", "2")
    assert (emergency["screens_switched"], emergency["screen_hours_on"]) == ("2", "1.0")  # two lobbies, half an hour
    assert [r["branch"] for r in _table(text, "cards")] == ["east", "west"]
    assert {r["day"]: r["plays"] for r in _table(text, "days")} == {str(DAY): "67"}  # 33 hotlines and 34 cases
    assert result.report.source.startswith("raw")


def test_one_branch_reports_only_its_own_screens(network: Path) -> None:
    result = make_report(open_project(network), str(DAY), str(DAY), branch_id="west", fmt="csv", now=NOW)
    lines = {(r["kind"], r["content"], r["campaign"]): r for r in _table(result.data.decode(), "content")}
    assert lines[("slogan", "hotline-ask", INTERLEAVED)]["plays"] == "10"
    assert lines[("slogan", "hotline-ask", INTERLEAVED)]["planned_plays"] == "470.0"


def test_the_pdf_is_set_in_the_projects_font_and_checks_clean(network: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    make_report(open_project(network), str(DAY), str(DAY), out=out, now=NOW)
    import pikepdf

    with pikepdf.open(out) as pdf:
        fonts = {str(f.get("/BaseFont")) for page in pdf.pages for f in page.Resources.Font.values()}
        assert len(pdf.pages) >= 2
        assert pdf.check_pdf_syntax() == []
    assert any("Noto" in f for f in fonts), fonts
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--check", str(out)], check=True, capture_output=True)
    html = tmp_path / "report.html"
    make_report(open_project(network), str(DAY), str(DAY), out=html, now=NOW)
    page = html.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2 and "LED signs cannot report" in page
    assert "@font-face { font-family: report-sans; src: url(data:font/otf;base64," in page  # its Chinese anywhere


def _project_now(network: Path) -> tuple[object, float]:
    return open_project(network), NOW.timestamp()


@pytest.mark.parametrize(
    ("seen", "kind", "state"),
    [
        (None, "tv", NEVER_SEEN),
        (None, "led", CANNOT_REPORT),
        (Seen(NOW.timestamp() - 30, "v0001", "default", "x", True, 0), "tv", PLAYING),
        (Seen(NOW.timestamp() - 30, "v0000", "default", "x", True, 0), "tv", BEHIND),
        (Seen(NOW.timestamp() - 600, "v0001", "default", "x", True, 0), "tv", STALE),
        (Seen(NOW.timestamp() - 3 * 3600, "v0001", "default", "x", True, 0), "tv", DARK),
        (Seen(NOW.timestamp() - 30, "v0001", "default", "x", False, 0), "tv", DARK),
        (Seen(NOW.timestamp() - 30, "v0001", "default", "x", True, 0), "led", PLAYING),  # a browser-driven sign
    ],
)
def test_each_state_follows_from_the_last_heartbeat(seen: Seen | None, kind: str, state: str) -> None:
    assert judge(seen, "v0001", kind, NOW.timestamp(), Thresholds(5, 2))[0] == state


def _seen(network: Path, rows: list[tuple[object, ...]]) -> None:
    db = sqlite3.connect(proof_db(network / "output"))
    db.execute("DELETE FROM screens_seen")
    db.executemany("INSERT INTO screens_seen VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()


def test_status_lists_every_screen_and_writes_prometheus_lines(network: Path, tmp_path: Path) -> None:
    now = NOW.timestamp()
    _seen(
        network,
        [
            ("east", "lobby", now - 20, "v0001", INTERLEAVED, HOTLINE, 1, 2),
            ("west", "lobby", now - 600, "v0001", "default", HOTLINE, 1, 0),
        ],
    )
    prom = tmp_path / "node" / "signage.prom"
    report = screen_status(open_project(network), prometheus_file=prom, now=NOW)
    states = {(s.branch, s.screen): s.state for s in report.screens}
    assert states == {
        ("east", "door"): CANNOT_REPORT,
        ("east", "lobby"): PLAYING,
        ("west", "door"): CANNOT_REPORT,
        ("west", "lobby"): STALE,
    }
    lines = prom.read_text(encoding="utf-8").splitlines()
    assert 'signage_screen_state{branch="east",screen="lobby",kind="tv",state="playing"} 1' in lines
    assert f'signage_screen_last_heartbeat_seconds{{branch="east",screen="lobby"}} {now - 20:.3f}' in lines
    assert 'signage_screen_errors{branch="east",screen="lobby"} 2' in lines
    assert 'signage_screens{state="cannot-report"} 2' in lines and 'signage_screens{state="dark"} 0' in lines
    assert "# TYPE signage_screen_state gauge" in lines
    assert [p.name for p in prom.parent.iterdir()] == ["signage.prom"]  # no temporary left beside it


def test_status_exits_3_when_a_screen_is_dark(network: Path) -> None:
    cli = Cli()
    _seen(
        network,
        [
            ("east", "lobby", dt.datetime.now(dt.timezone.utc).timestamp() - 30, "v0001", "x", "x", 1, 0),
            ("west", "lobby", dt.datetime.now(dt.timezone.utc).timestamp() - 30, "v0001", "x", "x", 1, 0),
        ],
    )
    ok = cli("--project", str(network), "status", "--json")
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.output)
    assert {(s["branch"], s["state"]) for s in data["screens"] if s["screen"] == "lobby"} == {
        ("east", "playing"),
        ("west", "behind"),
    }  # west's live version is v0002
    _seen(network, [("east", "lobby", dt.datetime.now(dt.timezone.utc).timestamp() - 30, "v0001", "x", "x", 0, 0)])
    dark = cli("--project", str(network), "status", "--branch", "east")
    assert dark.exit_code == 3
    assert "dark" in dark.output and "page not visible" in dark.output
    bad = cli("--project", str(network), "status", "--prometheus", str(network / "x.txt"))
    assert bad.exit_code == 1 and ".prom" in bad.output


def test_a_report_with_a_bad_period_or_selector_says_why(network: Path) -> None:
    cli = Cli()
    backwards = cli("--project", str(network), "report", "--from", "2026-12-05", "--to", "2026-12-03")
    assert backwards.exit_code == 1 and "before --from" in backwards.output
    nothing = cli("--project", str(network), "report", "--from", "today", "--to", "today", "--where", "tag:none")
    assert nothing.exit_code == 1 and "no screen" in nothing.output
    pdf = cli("--project", str(network), "report", "--from", "today", "--to", "today", "--format", "pdf")
    assert pdf.exit_code == 1 and "--out" in pdf.output


def test_a_pooled_day_the_live_version_no_longer_holds_is_planned_from_the_nearest_one(network: Path) -> None:
    later = DAY + dt.timedelta(days=1)  # the version holds the lobby's pool of DAY only
    result = make_report(open_project(network), str(later), str(later), fmt="csv", now=NOW + dt.timedelta(days=1))
    text = result.data.decode("utf-8")
    lines = {(r["kind"], r["content"], r["campaign"]): r for r in _table(text, "content")}
    assert lines[("slogan", "hotline-ask", INTERLEAVED)]["planned_plays"] == "960.0"  # 86,400 / 180, two lobbies
    assert any("another day's pool" in n for n in result.report.notes)


def test_plays_come_from_the_daily_totals_once_the_raw_events_are_gone(network: Path) -> None:
    db = sqlite3.connect(proof_db(network / "output"))
    rows = [
        ("2026-12-01", "west", "lobby", None, HOTLINE, INTERLEAVED, 7, 420.0),
        ("2026-12-03", "west", "lobby", None, HOTLINE, INTERLEAVED, 10, 600.0),
    ]
    db.executemany("INSERT INTO daily VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    try:
        result = make_report(open_project(network), "2026-12-01", str(DAY), fmt="csv", now=NOW)
    finally:
        db.execute("DELETE FROM daily")
        db.commit()
        db.close()
    text = result.data.decode("utf-8")
    assert result.report.source.startswith("daily")
    lines = {(r["kind"], r["content"], r["campaign"]): r for r in _table(text, "content")}
    assert (
        lines[("slogan", "hotline-ask", INTERLEAVED)]["plays"],
        lines[("slogan", "hotline-ask", INTERLEAVED)]["screen_hours"],
    ) == ("17", "0.28")
    assert _table(text, "frequency") == [] and _table(text, "dark") == []
    assert any("daily totals" in n for n in result.report.notes)


def test_a_selector_counts_only_the_screens_it_names(network: Path) -> None:
    result = make_report(open_project(network), str(DAY), str(DAY), where="kind:led", fmt="csv", now=NOW)
    text = result.data.decode("utf-8")
    assert sum(int(r["plays"]) for r in _table(text, "content")) == 0  # the lobbies' plays are not the doors'
    assert {r["day"]: r["plays"] for r in _table(text, "days")} == {str(DAY): "0"}
    assert result.report.led_screens == 2 and result.report.screens == 0


def test_an_unreadable_database_is_an_error_naming_it(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "bank")
    path = proof_db(root / "output")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database, a file some tool left here" * 100)
    result = Cli()("--project", str(root), "status")
    assert result.exit_code == 1
    assert "events.sqlite" in result.output and "cannot be read" in result.output and "Traceback" not in result.output


def test_a_period_over_eight_days_counts_daily_totals_and_checks_hours_only_when_asked(network: Path) -> None:
    first = str(DAY - dt.timedelta(days=8))  # nine days: the raw events reach back (nothing was pruned)
    quick = make_report(open_project(network), first, str(DAY), fmt="csv", now=NOW)
    assert quick.report.source.startswith("daily") and quick.report.frequency == []
    assert any("--hourly" in n for n in quick.report.notes)
    audit = make_report(open_project(network), first, str(DAY), fmt="csv", now=NOW, hourly=True)
    assert {f.branch: len(f.broken) for f in audit.report.frequency} == {"east": 1, "west": 0}
