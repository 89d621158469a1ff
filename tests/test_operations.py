"""A day of operations as staff run it (issue 23): build, emergencies (LED-only and TV), list, stop,
expiry, rollback, rotate. After every step each screen's link is what ``decide`` says, ``check``
passes, and the log holds exactly the switches the commands reported, in order."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from signage import clock
from signage.app.check import check_project
from signage.app.times import parse_day, parse_instant, shown
from signage.errors import SignageError
from signage.kinds import open_project
from signage.rotation import read_log, rotate_once, rotation_running, run
from signage.tree import heartbeat_file, screen_link

from .helpers import Cli

pytestmark = pytest.mark.xdist_group("built_network")  # on the worker that builds it: one build
SWITCH = re.compile(r"^\s*(?:switched )?([\w-]+)/([\w-]+): (\S+) -> (\S+) \(", re.M)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return clock.now()


class Day:
    """The built two-branch network with an overnight campaign on the door signs, what the commands
    run on it said they switched, and the clock they all read (moved by the test, never slept on)."""

    def __init__(self, root: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.cli = root, cli
        self.reported: list[tuple[str, str, str, str]] = []
        today = dt.datetime.now(SHANGHAI).date()  # the day the network was built for, 20:30 there
        self.at = dt.datetime.combine(today, dt.time(20, 30), SHANGHAI).astimezone(dt.timezone.utc)
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)

    def run(self, *args: str, code: int = 0) -> str:
        result = self.cli("--project", str(self.root), *args)
        assert result.exit_code == code, result.output
        out = str(result.output)
        if "would switch" not in out:
            self.reported += SWITCH.findall(out)
        return out

    def link(self, branch: str, screen: str) -> str:
        return screen_link(open_project(self.root).output_dir, branch, screen).readlink().name

    def settled(self) -> None:
        """Every screen on what decide says now, check clean, the log exactly what was reported."""
        project = open_project(self.root)
        assert rotate_once(project, now(), dry=True) == []
        assert [str(p) for p in check_project(self.root) if not p.warning] == []
        logged = [(r[2], r[3], r[4] or "-", r[5]) for r in read_log(project.output_dir) if r[1] == "switch"]
        assert logged == self.reported


@pytest.fixture()
def day(built_network_copy: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Day:
    playlists = built_network_copy / "playlists"
    (playlists / "overnight.yaml").write_text("suits: [led]\nentries:\n  - slogans: {kind: hotline}\n", "utf-8")
    (playlists / "schedule.yaml").write_text(
        "dayparts: {closed: '17:00-09:00'}\ncampaigns:\n"
        "  - {id: overnight, playlist: overnight, where: {kinds: [led]}, dayparts: [closed]}\n",
        encoding="utf-8",
    )
    return Day(built_network_copy, cli, monkeypatch)


def test_a_day_of_operations_keeps_every_screen_on_its_plan_and_logs_every_switch(day: Day, tmp_path: Path) -> None:
    day.run("build", "--workers", "1")
    assert day.link("east-1", "door") == "door~overnight"  # 20:30: the branch is closed
    day.settled()

    # LED signs only, a slogan they already show: nothing to render, switched at once, logged
    began = time.monotonic()
    out = day.run("emergency", "start", "--slogan", "hotline-ask", "--where", "branch:east-1,kind:led", "--for", "10m")
    assert time.monotonic() - began < 5
    assert "rendered" not in out and "east-1/door: overnight -> emergency-1 (" in out and "1 switch(es) now" in out
    assert "no `signage rotate` is running" in out  # nothing would end it on time: said, with what to run
    assert day.link("east-1", "door") == "door~emergency-1"
    assert day.link("east-1", "lobby").startswith("lobby") and day.link("west-2", "door") == "door~overnight"
    day.settled()
    assert "0 switch(es)" in day.run("rotate", "--once")  # as cron would run it: now something ends it on time
    day.settled()

    # words of their own on the TVs, a minute later: one video, no cards, counted from the switch
    day.advance(minutes=1)
    out = day.run("emergency", "start", "--text", "今日有人冒充客服，请勿转账。", "--where", "kind:tv", "--for", "30m")
    assert "rendered video 1" in out and "cards" not in out and "2 switch(es) now" in out
    assert "no `signage rotate` is running" not in out
    assert day.link("east-1", "lobby") == "lobby~emergency-2" == day.link("west-2", "lobby")
    listed = day.run("emergency", "list")
    assert re.search(
        r"^1\ton\thotline-ask\tbranches=east-1 kinds=led\t\S+ 20:30\+08:00 \.\. \S+ 20:40\+08:00", listed, re.M
    )
    assert re.search(r"^2\ton\temergency-text-2\tkinds=tv\t\S+ 20:31\+08:00 \.\. \S+ 21:01\+08:00$", listed, re.M)
    day.settled()
    refused = day.run("rollback", "--branch", "east-1", code=1)  # the version before cannot show emergency 2
    assert re.search(r"emergency-2 is on at east-1/lobby and v\d{4} does not hold it: stop it first", refused)
    day.settled()

    # stopped: back at once, and nothing left that check or a build trips on
    day.advance(minutes=2)
    out = day.run("emergency", "stop", "2")
    assert "east-1/lobby: emergency-2 -> " in out and "west-2/lobby: emergency-2 -> " in out
    day.settled()

    # the LED one ends by itself at 20:40: the next pass switches back to the overnight loop and logs it
    day.advance(minutes=8)
    out = day.run("rotate", "--once")
    assert "east-1/door: emergency-1 -> overnight (" in out
    events = [r[1] for r in read_log(open_project(day.root).output_dir)]
    assert events.count("emergency-start") == 2 and "emergency-expired" in events and "emergency-stop" in events
    day.settled()

    # rollback keeps the schedule (the overnight variant, as it is night) and logs its switches
    out = day.run("rollback", "--branch", "east-1")
    version = re.search(r"-> (v\d{4}) \(live\)", out).group(1)  # type: ignore[union-attr]
    assert day.link("east-1", "door") == "door~overnight"
    day.settled()
    day.run("rollback", "--branch", "east-1", "--to", str(int(version[1:])))  # --to 2 is v0002
    day.settled()

    # --at only says what would switch; the live screens and the log stay as they are
    logged = len(read_log(open_project(day.root).output_dir))
    out = day.run("rotate", "--once", "--at", "tomorrow 10:00")
    assert "east-1/door: overnight -> default" in out and "would switch" in out
    assert len(read_log(open_project(day.root).output_dir)) == logged and day.link("east-1", "door") == "door~overnight"
    day.settled()

    # the morning: the branches open at 09:00 and the doors leave the overnight loop, logged at that time
    day.at = dt.datetime.combine(day.at.astimezone(SHANGHAI).date() + dt.timedelta(days=1), dt.time(9, 0, 5), SHANGHAI)
    out = day.run("rotate", "--once")
    assert "east-1/door: overnight -> default" in out and "west-2/door: overnight -> default" in out
    day.settled()
    day.run("build", "--workers", "1")
    day.settled()

    # the log: exactly the real switches, oldest first, each at its (fake) time in the branch's zone
    log = [line for line in day.run("log").splitlines() if " switch " in line]
    assert len(log) == len(day.reported) >= 9
    assert log[0].startswith(day.at.astimezone(SHANGHAI).strftime("%Y-%m-%d")[:8]) and "+08:00" in log[0]
    assert "09:00+08:00  switch" in log[-2] or "09:00+08:00  switch" in log[-1]

    # versions say what changed; the export's index says what each screen plays now
    table = day.run("versions", "--branch", "east-1")
    assert table.splitlines()[0].split() == ["VERSION", "PUBLISHED", "FOLDERS", "WHAT", "CHANGED"]
    assert "first version" in table and re.search(r"^\* v\d{4} ", table, re.M)
    out = day.run("export", "--branch", "east-1", "--to", str(tmp_path / "usb"))
    assert "2 screen(s)" in out
    index = (tmp_path / "usb" / "README.txt").read_text(encoding="utf-8")
    assert "  media player:     door/program/" in index  # the morning: the door's own loop
    day.settled()


def test_the_rotate_loop_says_it_is_running_so_emergencies_need_not_warn(built_network_copy: Path) -> None:
    project = open_project(built_network_copy)
    seen: list[bool] = []
    stop = threading.Event()
    clock = [now()]

    def sleep(seconds: float) -> None:
        seen.append(rotation_running(project.output_dir, clock[0]))
        clock[0] += dt.timedelta(seconds=seconds)
        if len(seen) == 2:
            stop.set()

    run(lambda: project, stop, clock=lambda: clock[0], say=lambda _: None, sleep=sleep)
    assert seen == [True, True]
    assert not heartbeat_file(project.output_dir).exists() and not rotation_running(project.output_dir)


def test_one_rule_for_every_time_a_command_is_given() -> None:
    at = dt.datetime(2026, 12, 3, 13, 0, tzinfo=dt.timezone.utc)  # 21:00 in Hong Kong
    hk = "Asia/Hong_Kong"
    assert parse_instant("18:00", hk, now=at) == dt.datetime(2026, 12, 3, 18, 0, tzinfo=ZoneInfo(hk))
    assert parse_instant("tomorrow 09:00", hk, now=at) == dt.datetime(2026, 12, 4, 9, 0, tzinfo=ZoneInfo(hk))
    assert parse_instant("2026-12-07", hk, now=at) == dt.datetime(2026, 12, 7, tzinfo=ZoneInfo(hk))
    assert parse_instant("2026-12-07T10:00+00:00", hk) == dt.datetime(2026, 12, 7, 10, tzinfo=dt.timezone.utc)
    assert parse_instant("2026-12-07 10:00", "Europe/London").utcoffset() == dt.timedelta(0)
    assert parse_day("tomorrow", hk, now=dt.datetime(2026, 12, 3, 16, 30, tzinfo=dt.timezone.utc)) == dt.date(
        2026, 12, 5
    )  # 00:30 on the 4th in Hong Kong
    assert shown(at, hk) == "2026-12-03 21:00+08:00"
    for bad, words in (("25:00", "no such time"), ("03/12/2026", "is not a time"), ("soon", r"18:00 \(today\)")):
        with pytest.raises(SignageError, match=words):
            parse_instant(bad, hk)
    with pytest.raises(SignageError, match="is not a day: use YYYY-MM-DD"):
        parse_day("03/12/2026", hk)


def test_commands_read_and_show_times_in_the_branchs_zone(project_copy: Path, cli: Cli) -> None:
    def run(*args: str, code: int = 0) -> str:
        result = cli("--project", str(project_copy), *args)
        assert result.exit_code == code, result.output
        return str(result.output)

    assert "hk-central/door at " in run("plan", "--branch", "hk-central", "--at", "18:00")
    assert re.search(r"T18:00\+08:00: ", run("plan", "--branch", "hk-central", "--at", "18:00"))
    assert "on 2026-12-04 (Asia/Hong_Kong)" in run("plan", "--branch", "hk-central", "--day", "2026-12-04")
    error = run("plan", "--branch", "hk-central", "--day", "03/12/2026", code=1)
    assert "--day '03/12/2026' is not a day: use YYYY-MM-DD" in error and "Invalid value" not in error
    assert "--at 'noon' is not a time" in run("plan", "--branch", "hk-central", "--at", "noon", code=1)
    for command in (("plan", "--help"), ("rotate", "--help"), ("log", "--help"), ("emergency", "start", "--help")):
        assert "time zone" in " ".join(run(*command).split())
