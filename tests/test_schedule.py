"""Schedules: what plays when, switches at the right local instant (across DST), emergencies,
rotation that survives kills and restarts, the log, and the checks."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signage.app.check import check_project
from signage.kinds import open_project
from signage.project.model import Project
from signage.project.schedule import Where
from signage.rotation import WATCH_SECONDS, next_instant, read_log, rotate_once, run
from signage.schedule import emergency as em
from signage.schedule.resolve import DEFAULT, day_switches, decide, next_change
from signage.tree import LOG, SCREENS, branch_dir

from .helpers import Cli, build_network, edit

UTC = dt.timezone.utc
LONDON = (
    "london-strand,伦敦河岸街支行,zh-Hans-CN,Europe/London,海外,欧洲,伦敦,支行,Strand 1,+44 20 0000,"
    "door=door-192x32;lobby=tv-1080p\n"
)


@pytest.fixture()
def scheduled(project_copy: Path) -> Project:
    """The example with a London branch (DST) and a 01:30-03:00 campaign on its door sign."""
    with (project_copy / "branches.csv").open("a", encoding="utf-8") as handle:
        handle.write(LONDON)
    schedule = project_copy / "playlists" / "schedule.yaml"
    schedule.write_text(
        schedule.read_text(encoding="utf-8")
        + "  - id: small-hours\n    playlist: overnight\n    where: {branches: [london-strand], kinds: [led]}\n"
        '    dayparts: ["01:30-03:00"]\n    priority: 20\n',
        encoding="utf-8",
    )
    return open_project(project_copy)


def screen(project: Project, branch_id: str, screen_id: str):  # type: ignore[no-untyped-def]
    branch = project.branch(branch_id)
    assert branch is not None
    return branch, next(s for s in branch.screens if s.id == screen_id)


def fake_publish(
    project: Project,
    emergencies: list[em.Emergency] = (),  # type: ignore[assignment]
    days: tuple[dt.date, ...] = (),
) -> None:
    """A published version per branch holding every folder the schedule can point at (on ``days``,
    for playlists with a pool)."""
    from signage.atomic import replace_link

    for branch in project.config.branches:
        folder = branch_dir(project.output_dir, branch.id)
        version = folder / "v0001"
        for s in branch.screens:
            keys = {DEFAULT} | {c.id for c in project.schedule.campaigns} | {e.key for e in emergencies}
            keys |= {f"{a}+{c.id}" for c in project.schedule.campaigns for a in keys}
            keys |= {f"{k}@{d.isoformat()}" for k in keys for d in days}
            for key in keys:
                name = s.id if key == DEFAULT else f"{s.id}~{key}"
                (version / name).mkdir(parents=True, exist_ok=True)
                (version / name / "playlist.json").write_text(json.dumps({"key": key}), encoding="utf-8")
        (version / "version.json").write_text(json.dumps({"version": "v0001"}), encoding="utf-8")
        replace_link("v0001", folder / "current")
        for s in branch.screens:
            replace_link(f"../v0001/{s.id}", folder / SCREENS / s.id)


def live_key(project: Project, branch_id: str, screen_id: str) -> str:
    link = branch_dir(project.output_dir, branch_id) / SCREENS / screen_id
    data = json.loads((link / "playlist.json").read_text(encoding="utf-8"))  # the link resolves: never dangling
    return str(data["key"])


def test_plan_says_what_plays_and_why(example: Project) -> None:
    branch, lobby = screen(example, "beijing-chaoyang", "lobby")
    at = dt.datetime(2027, 1, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    decision = decide(example, example.schedule, branch, lobby, at)
    assert decision.key == "spring-festival"
    verdicts = {c: (v, r) for c, v, r in decision.considered}
    assert verdicts["spring-festival"][0] == "won"
    assert verdicts["hotline-every-three"] == ("lost", "priority 0 is below spring-festival's 10")
    assert verdicts["overnight"] == ("skipped", "not targeted (where: kinds=led)")
    evening = decide(example, example.schedule, branch, lobby, at.replace(hour=18))
    # the festival is for business hours only; the lobby's case of the day makes the key carry the date
    assert evening.key == "default+hotline-every-three@2027-01-25"
    assert dict((c, r) for c, _, r in evening.considered)["spring-festival"].startswith("outside its dayparts")
    before = decide(example, example.schedule, branch, lobby, at.replace(month=1, day=19))
    assert dict((c, r) for c, _, r in before.considered)["spring-festival"] == "not started: from 2027-01-20"


def test_the_days_switches_are_local_and_dst_neither_skips_nor_repeats(scheduled: Project) -> None:
    branch, door = screen(scheduled, "london-strand", "door")
    london = ZoneInfo("Europe/London")
    for day in (dt.date(2027, 3, 27), dt.date(2027, 3, 28), dt.date(2027, 10, 31), dt.date(2027, 11, 1)):
        switches = day_switches(scheduled, scheduled.schedule, branch, door, day)
        local = [(t.astimezone(london).strftime("%H:%M"), d.key) for t, d in switches]
        # 00:00 closed, the small hours' campaign, closed again, open at 09:00, closed at 17:00: each once
        assert [k for _, k in local] == ["overnight", "small-hours", "overnight", DEFAULT, "overnight"], local
        times = [t for t, _ in local]
        assert times[3:] == ["09:00", "17:00"]
        if day == dt.date(2027, 3, 28):  # 01:30 does not exist that night: the switch comes at 02:00, the first
            assert times[1:3] == ["02:00", "03:00"]  # instant after it that does
        else:
            assert times[1:3] == ["01:30", "03:00"]
    # the instants themselves: 09:00 London is 09:00Z in winter and 08:00Z in summer
    winter = day_switches(scheduled, scheduled.schedule, branch, door, dt.date(2027, 3, 27))
    summer = day_switches(scheduled, scheduled.schedule, branch, door, dt.date(2027, 3, 29))
    assert winter[3][0] == dt.datetime(2027, 3, 27, 9, tzinfo=UTC)
    assert summer[3][0] == dt.datetime(2027, 3, 29, 8, tzinfo=UTC)


instants = st.datetimes(min_value=dt.datetime(2027, 1, 18), max_value=dt.datetime(2027, 4, 5), timezones=st.just(UTC))


@settings(max_examples=60, deadline=None)
@given(at=instants)
def test_exactly_one_playlist_is_live_and_the_answer_is_deterministic(example: Project, at: dt.datetime) -> None:
    for branch in example.config.branches:
        for s in branch.screens:
            first = decide(example, example.schedule, branch, s, at)
            again = decide(example, example.schedule, branch, s, at)
            assert first == again and first.key
            winners = [c for c, v, _ in first.considered if v == "won"]
            assert len(winners) <= 2  # an interleave and the replace it goes into, at most
            # the day's timeline agrees with the instant's answer
            day = at.astimezone(ZoneInfo(branch.timezone)).date()
            timeline = day_switches(example, example.schedule, branch, s, day)
            current = [d.key for t, d in timeline if t <= at]
            assert current and current[-1] == first.key


def test_a_span_inside_the_hour_that_repeats_plays_once(project_copy: Path) -> None:
    with (project_copy / "branches.csv").open("a", encoding="utf-8") as handle:
        handle.write(LONDON)
    path = project_copy / "playlists" / "schedule.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - id: repeated-hour\n    playlist: overnight\n    where: {branches: [london-strand], kinds: [led]}\n"
        '    dayparts: ["01:10-01:40"]\n    priority: 20\n',
        encoding="utf-8",
    )
    project = open_project(project_copy)
    branch, door = screen(project, "london-strand", "door")
    switches = day_switches(project, project.schedule, branch, door, dt.date(2027, 10, 31))  # clocks go back at 02:00
    on = [t for t, d in switches if d.key == "repeated-hour"]
    off = [t for t, d in switches[1:] if d.key == "overnight"]
    assert on == [dt.datetime(2027, 10, 31, 0, 10, tzinfo=UTC)]  # 01:10 BST, once: not again at 01:10 GMT
    assert off[0] == dt.datetime(2027, 10, 31, 0, 40, tzinfo=UTC)  # 01:40 BST
    assert len(switches) == 5  # midnight, on, off, 09:00, 17:00: no switch repeated in the second 01:00-02:00


def test_a_week_of_rotation_with_an_emergency_switches_at_each_instant(scheduled: Project) -> None:
    project = scheduled
    start = dt.datetime(2027, 3, 24, 0, 0, tzinfo=UTC)  # Wednesday; London's clocks go forward on Sunday 28th
    emergency = em.Emergency(
        "1",
        "hotline-ask",
        Where(kinds=["tv"]),
        dt.datetime(2027, 3, 26, 2, 0, tzinfo=UTC),
        dt.datetime(2027, 3, 26, 4, 0, tzinfo=UTC),
    )
    em.save(project.output_dir, [emergency])
    fake_publish(project, [emergency], tuple(dt.date(2027, 3, 23) + dt.timedelta(days=k) for k in range(10)))
    clock = start
    rotate_once(project, clock)
    seen: list[dt.datetime] = []
    while clock < start + dt.timedelta(days=7):
        upcoming = next_instant(project, clock, em.load(project.output_dir))
        assert upcoming is not None and upcoming > clock
        clock = upcoming
        seen.append(clock)
        switches = rotate_once(project, clock)
        assert switches  # something changes at every instant the plan says it does
        for branch in project.config.branches:
            for s in branch.screens:
                expected = decide(project, project.schedule, branch, s, clock, em.load(project.output_dir)).key
                assert live_key(project, branch.id, s.id) == expected
    # the emergency took every TV at 02:00Z on Friday and gave them back at 04:00Z
    assert dt.datetime(2027, 3, 26, 2, 0, tzinfo=UTC) in seen and dt.datetime(2027, 3, 26, 4, 0, tzinfo=UTC) in seen
    rows = read_log(project.output_dir)
    taken = [r for r in rows if r[1] == "switch" and r[5] == "emergency-1"]
    assert {r[0] for r in taken} == {"2027-03-26T02:00:00+00:00"}
    assert len(taken) == sum(
        len([s for s in b.screens if s.profile.startswith(("tv", "portrait"))]) for b in project.config.branches
    )
    assert any(r[1] == "emergency-expired" and r[0] == "2027-03-26T04:00:00+00:00" for r in rows)
    # London's door opens at 09:00 local both sides of the change: 09:00Z before, 08:00Z after
    opened = [r[0] for r in rows if r[1] == "switch" and r[2] == "london-strand" and r[3] == "door" and r[5] == DEFAULT]
    assert "2027-03-27T09:00:00+00:00" in opened and "2027-03-29T08:00:00+00:00" in opened
    assert "2027-03-28T08:00:00+00:00" in opened  # the Sunday of the change itself: 09:00 BST


def test_a_restart_corrects_screens_and_a_killed_switch_leaves_a_valid_link(
    scheduled: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = scheduled
    fake_publish(project, days=(dt.date(2027, 3, 24), dt.date(2027, 3, 25)))
    night = dt.datetime(2027, 3, 24, 22, 0, tzinfo=UTC)
    real_replace = os.replace
    calls = {"n": 0}

    def dying(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # killed between writing the new link and renaming it into place
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", dying)
    with pytest.raises(KeyboardInterrupt):
        rotate_once(project, night)
    monkeypatch.setattr(os, "replace", real_replace)
    for branch in project.config.branches:  # every link still resolves to a complete folder
        for s in branch.screens:
            assert live_key(project, branch.id, s.id)
    rotate_once(project, night)  # the restart: every screen as the plan says now, whatever it was
    for branch in project.config.branches:
        for s in branch.screens:
            assert live_key(project, branch.id, s.id) == decide(project, project.schedule, branch, s, night).key


def test_next_change_is_exact(example: Project) -> None:
    branch, door = screen(example, "changzhi-yingxiong", "door")
    at = dt.datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    found = next_change(example, example.schedule, branch, door, at)
    assert found is not None
    assert found[0] == dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC) and found[1].key == "overnight"  # 17:00 +08:00


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('business: "09:00-17:00"', 'business: "09:00-25:00"', "25:00 is not a time of day"),
        ("until: 2027-02-10", "until: 2027-01-10", "until 2027-01-10 is before from 2027-01-20"),
        ("playlist: festival", "playlist: fiesta", "no playlist 'fiesta'"),
        ("dayparts: [business]", "dayparts: [lunch]", "daypart 'lunch' is neither a name"),
    ],
)
def test_check_names_impossible_schedules(project_copy: Path, old: str, new: str, expected: str) -> None:
    edit(project_copy / "playlists" / "schedule.yaml", old, new)
    problems = [str(p) for p in check_project(project_copy) if not p.warning]
    assert any("schedule.yaml" in p and expected in p for p in problems), problems


def test_check_warns_about_ties_and_campaigns_that_never_play(project_copy: Path) -> None:
    path = project_copy / "playlists" / "schedule.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - id: rival\n    playlist: hotline\n    where: {kinds: [tv], screens: [lobby]}\n    priority: 10\n"
        "    from: 2027-01-20\n    until: 2027-02-10\n    dayparts: [business]\n"
        "  - id: old-news\n    playlist: hotline\n    until: 2025-01-01\n"
        "  - id: shadowed\n    playlist: overnight\n    where: {kinds: [led]}\n    dayparts: [closed]\n"
        "    priority: 1\n",
        encoding="utf-8",
    )
    warnings = [str(p) for p in check_project(project_copy) if p.warning]
    assert any("rival" in w and "ties with spring-festival" in w and "wins by the tie rule" in w for w in warnings)
    assert any("old-news" in w and "ended on 2025-01-01" in w for w in warnings)
    assert any("shadowed" in w and "never plays" in w for w in warnings)


def test_cli_plan_log_and_emergency_bookkeeping(project_copy: Path, cli: Cli) -> None:
    def run(*args: str, code: int = 0) -> str:
        result = cli("--project", str(project_copy), *args)
        assert result.exit_code == code, result.output
        return str(result.output)

    out = run("plan", "--branch", "hk-central", "--at", "2026-12-01T20:00", "--explain")
    assert "hk-central/door at 2026-12-01T20:00+08:00: overnight (campaign overnight)" in out
    assert "won     overnight: priority 5" in out
    day = json.loads(run("plan", "--branch", "hk-central", "--screen", "door", "--day", "2026-12-01", "--json"))
    assert [s["at"][11:16] for s in day[0]["switches"]] == ["00:00", "09:00", "17:00"]
    project = open_project(project_copy)
    fake_publish(project, days=(dt.date(2026, 12, 1),))
    dry = run("rotate", "--once", "--at", "2026-12-01T20:00+08:00")  # a dry run: nothing switches, nothing logged
    assert "would switch hk-central/door: default -> overnight" in dry and "nothing changed" in dry
    assert run("log", "--branch", "hk-central") == ""
    run("rotate", "--once", "--at", "2026-12-01T20:00+08:00", "--force")
    log = run("log", "--branch", "hk-central")
    assert "hk-central/door" in log and "default -> overnight" in log
    assert sqlite3.connect(project.output_dir / "schedule" / LOG).execute("SELECT count(*) FROM log").fetchone()[0]
    assert "no emergency '7'" in run("emergency", "stop", "7", code=1)
    assert "matches no screen" in run(
        "emergency", "start", "--slogan", "hotline-ask", "--where", "tag:nowhere", "--for", "2h", code=1
    )


@pytest.mark.xdist_group("built_network")  # on the worker that builds it: one build
def test_a_build_publishes_every_variant_and_emergencies_take_over(built_network_copy: Path, cli: Cli) -> None:
    network = built_network_copy  # built without a schedule: this build adds the variants, and renders nothing

    (network / "playlists" / "overnight.yaml").write_text(
        "suits: [led]\nentries:\n  - slogans: {kind: hotline}\n", encoding="utf-8"
    )
    (network / "playlists" / "schedule.yaml").write_text(
        "dayparts: {closed: '17:00-09:00'}\ncampaigns:\n"
        "  - {id: overnight, playlist: overnight, where: {kinds: [led]}, dayparts: [closed]}\n"
        "  - {id: hotline-too, playlist: lobby, mode: interleave, every: 2,\n"
        "     where: {kinds: [tv], branches: [east-1]}}\n",
        encoding="utf-8",
    )
    build_network(network)
    project = open_project(network)
    current = branch_dir(project.output_dir, "east-1") / "current"
    assert sorted(p.name for p in current.iterdir() if p.is_dir()) == [
        "door",
        "door~overnight",
        "lobby",
        "lobby~default+hotline-too",
    ]
    night = json.loads((current / "door~overnight" / "playlist.json").read_text(encoding="utf-8"))
    assert {i["content"]["id"] for i in night["items"]} == {"hotline-ask"}
    interleaved = json.loads((current / "lobby~default+hotline-too" / "playlist.json").read_text(encoding="utf-8"))
    plain = json.loads((current / "lobby" / "playlist.json").read_text(encoding="utf-8"))
    assert len(interleaved["items"]) > len(plain["items"])
    shanghai = ZoneInfo("Asia/Shanghai")
    rotate_once(project, dt.datetime(2026, 6, 1, 22, 0, tzinfo=shanghai))
    assert os.readlink(branch_dir(project.output_dir, "east-1") / SCREENS / "door").endswith("/door~overnight")
    rotate_once(project, dt.datetime(2026, 6, 2, 10, 0, tzinfo=shanghai))
    assert os.readlink(branch_dir(project.output_dir, "east-1") / SCREENS / "door").endswith("/door")
    # an emergency: recorded, built, published and switched in one command; stopped in another
    result = cli(
        "--project",
        str(network),
        "emergency",
        "start",
        "--slogan",
        "two-cards",
        "--where",
        "branch:west-2",
        "--for",
        "2h",
    )
    assert result.exit_code == 0, result.output
    assert "emergency 1: two-cards on 2 screen(s)" in result.output
    west = branch_dir(project.output_dir, "west-2")
    for s in ("door", "lobby"):
        assert os.readlink(west / SCREENS / s).endswith(f"/{s}~emergency-1")
        data = json.loads((west / SCREENS / s / "playlist.json").read_text(encoding="utf-8"))
        assert {i["content"]["id"] for i in data["items"]} == {"two-cards"}
    assert not os.readlink(branch_dir(project.output_dir, "east-1") / SCREENS / "door").endswith("emergency-1")
    assert "1\ton\ttwo-cards" in cli("--project", str(network), "emergency", "list").output
    assert cli("--project", str(network), "emergency", "stop", "1").exit_code == 0
    assert not os.readlink(west / SCREENS / "door").endswith("emergency-1")
    events = [r[1] for r in read_log(project.output_dir)]
    assert "emergency-start" in events and "emergency-stop" in events
    # words of the operator's own, built as a warning for the sign and the TV
    words = "紧急提醒：近期冒充客服诈骗高发，请勿向陌生账户转账。"
    result = cli(
        "--project",
        str(network),
        "emergency",
        "start",
        "--text",
        words,
        "--where",
        "branch:east-1",
        "--until",
        "2099-01-01T00:00",
    )
    assert result.exit_code == 0, result.output
    east = branch_dir(project.output_dir, "east-1")
    for s in ("door", "lobby"):
        data = json.loads((east / SCREENS / s / "playlist.json").read_text(encoding="utf-8"))
        assert {i["content"]["id"] for i in data["items"]} == {"emergency-text-2"}
    lobby = json.loads((east / SCREENS / "lobby" / "playlist.json").read_text(encoding="utf-8"))
    assert lobby["items"][0]["text"] == words and lobby["items"][0]["kind"] == "video"


def test_a_pool_picks_from_the_date_alone_and_neighbours_differ(example: Project) -> None:
    from signage.project.playlists import Rotation

    pool = list(range(10))
    daily = Rotation(pick=1)
    days = [dt.date(2026, 12, 1) + dt.timedelta(days=k) for k in range(10)]
    picks = [daily.choose(pool, d, "a")[0] for d in days]
    assert sorted(picks) == pool  # ten days, each item once, in turn
    assert picks == [daily.choose(pool, d, "b")[0] for d in days]  # no offset: every branch the same
    offset = Rotation(pick=1, offset="branch")
    assert [offset.choose(pool, days[0], b)[0] for b in ("a", "b", "c", "d")] != [picks[0]] * 4
    shuffled = Rotation(pick=3, order="shuffle", seed=7)
    assert shuffled.choose(pool, days[0], "a") == shuffled.choose(pool, days[0], "a")  # deterministic
    assert len({tuple(shuffled.choose(pool, d, "a")) for d in days}) > 5  # a new order each day
    # in the example, the lobby's case of the day changes at local midnight and differs between branches
    branch, lobby = screen(example, "changzhi-yingxiong", "lobby")
    at = dt.datetime(2026, 12, 1, 23, 59, tzinfo=ZoneInfo("Asia/Shanghai"))
    found = next_change(example, example.schedule, branch, lobby, at)
    assert found is not None and found[0] == dt.datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert found[1].key == "default+hotline-every-three@2026-12-02"


durations = st.lists(st.floats(min_value=1, max_value=40), min_size=1, max_size=12)


@settings(max_examples=80, deadline=None)
@given(others=durations, members=st.lists(st.floats(min_value=1, max_value=20), min_size=1, max_size=3))
def test_a_minimum_frequency_holds_over_the_whole_loop(others: list[float], members: list[float]) -> None:
    from signage.errors import SignageError
    from signage.network.assemble import at_least_every
    from signage.records import ContentRef, PlaylistItem, Validity

    def item(source: str, seconds: float) -> PlaylistItem:
        return PlaylistItem(
            file=f"store/{source}.png",
            name="image.png",
            sha256="0" * 64,
            bytes=1,
            kind="image",
            duration=seconds,
            text="",
            content=ContentRef(kind="slogan", id=source),
            valid=Validity(from_=None, until=None),
            source=source,
            entry=0,
        )

    every = 60.0
    items = [item(f"o{n}", d) for n, d in enumerate(others)] + [item(f"h{n}", d) for n, d in enumerate(members)]
    ids = frozenset(f"h{n}" for n in range(len(members)))
    try:
        out = at_least_every(items, ids, every, "test")
    except SignageError:
        assert max(members) + max(others) > every  # only refused when some item cannot fit between two
        return
    assert [i for i in out if i.content.id not in ids] == items[: len(others)]  # others keep their order
    assert {i.content.id for i in out} >= ids  # every member plays
    starts, t = [], 0.0
    for played in out:
        if played.content.id in ids:
            starts.append(t)
        t += played.duration
    loop = t
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)] + [loop - starts[-1] + starts[0]]
    assert max(gaps) <= every + 1e-6  # including the wrap from the last item to the first


def test_a_ticker_campaign_runs_its_slogans_over_what_plays(project_copy: Path) -> None:
    from signage.network.scheduled import scheduled_plans
    from signage.network.select import select_network

    path = project_copy / "playlists" / "schedule.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - {id: urgent-ticker, playlist: hotline, mode: ticker, where: {kinds: [tv]}, priority: 50}\n",
        encoding="utf-8",
    )
    project = open_project(project_copy)
    branch, lobby = screen(project, "hk-central", "lobby")
    decision = decide(project, project.schedule, branch, lobby, dt.datetime(2026, 12, 1, 10, tzinfo=UTC))
    assert decision.key == "default+urgent-ticker"
    plans, _ = select_network(project, dt.date(2026, 12, 1))
    variants, problems = scheduled_plans(project, plans, dt.date(2026, 12, 1), [])
    assert not problems
    ticker = next(p for p in variants if p.branch.id == "hk-central" and p.variant == "default+urgent-ticker")
    assert ticker.ticker and "18222" in ticker.ticker[0]  # the Hong Kong hotline slogan's own text
    door = next(s for s in branch.screens if s.id == "door")
    door_decision = decide(project, project.schedule, branch, door, dt.datetime(2026, 12, 1, 10, tzinfo=UTC))
    assert ("urgent-ticker", "skipped", "not targeted (where: kinds=tv)") in door_decision.considered


def test_the_rotate_loop_keeps_the_last_good_project_and_stops_at_once(scheduled: Project) -> None:
    import threading
    import time

    from signage.errors import SignageError
    from signage.rotation import run

    project = scheduled
    fake_publish(project, days=(dt.date(2027, 3, 24), dt.date(2027, 3, 25)))
    calls = {"n": 0}

    def load() -> Project:
        calls["n"] += 1
        if calls["n"] > 1:  # an edit broke the project after the loop started
            raise SignageError("playlists/schedule.yaml:3: campaigns[0].until: not a date")
        return project

    night = dt.datetime(2027, 3, 24, 22, 0, tzinfo=UTC)
    said: list[str] = []
    stop = threading.Event()
    loop = threading.Thread(target=run, args=(load, stop, lambda: night, said.append))
    loop.start()
    deadline = time.monotonic() + 20
    while not any(r[1] == "switch" for r in read_log(project.output_dir)) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    stop.set()  # what SIGTERM does
    loop.join(timeout=10)
    assert not loop.is_alive() and time.monotonic() - started < 2
    rows = read_log(project.output_dir)
    assert any(r[1] == "error" and "kept the last good one" in r[6] for r in rows)
    assert any(s.startswith("project invalid, keeping the last good one") for s in said)
    for branch in project.config.branches:  # the pass still happened, with the last good project
        for s in branch.screens:
            assert live_key(project, branch.id, s.id) == decide(project, project.schedule, branch, s, night).key


class SteppedClock:
    """A clock the rotate loop reads and sleeps on: a wait moves it on at once, sometimes waking early
    (after half the time asked) and sometimes late (0.3 s after it), and every reading costs 1 ms."""

    def __init__(self, start: dt.datetime, until: dt.datetime, stop: threading.Event) -> None:
        self.at, self.until, self.stop, self.waits = start, until, stop, 0

    def now(self) -> dt.datetime:
        self.at += dt.timedelta(milliseconds=1)
        return self.at

    def sleep(self, seconds: float) -> bool:
        self.waits += 1
        self.at += dt.timedelta(seconds=seconds / 2 if self.waits % 3 == 0 else seconds + 0.3)
        if self.at >= self.until:
            self.stop.set()
        return self.stop.is_set()


def test_the_rotate_loop_switches_within_a_second_of_each_instant(scheduled: Project) -> None:
    """The real loop on a clock the test controls: an emergency, a DST change and a daily pool."""
    project = scheduled
    start, until = dt.datetime(2027, 3, 25, 20, 0, tzinfo=UTC), dt.datetime(2027, 3, 28, 12, 0, tzinfo=UTC)
    emergency = em.Emergency(
        "1",
        "hotline-ask",
        Where(kinds=["tv"]),
        dt.datetime(2027, 3, 26, 2, 0, 30, tzinfo=UTC),
        dt.datetime(2027, 3, 26, 4, 15, tzinfo=UTC),
    )
    em.save(project.output_dir, [emergency])
    fake_publish(project, [emergency], tuple(dt.date(2027, 3, 24) + dt.timedelta(days=k) for k in range(6)))
    stop = threading.Event()
    clock = SteppedClock(start, until, stop)
    said: list[tuple[dt.datetime, str]] = []
    loop = threading.Thread(
        target=run, args=(lambda: project, stop, clock.now, lambda line: said.append((clock.at, line)), clock.sleep)
    )
    loop.start()
    loop.join(timeout=60)  # a loop that slept on the machine's clock would never get there
    stop.set()
    loop.join(timeout=5)
    assert not loop.is_alive() and clock.at >= until, clock.at
    switched = []  # (when, branch, screen, to)
    for when, line in said:
        found = re.match(r"\S+ \S+ (\S+)/(\S+): \S+ -> (\S+) \(", line)
        assert found, line
        switched.append((when, *found.groups()))
    emergencies = em.load(project.output_dir)
    for branch in project.config.branches:
        zone = ZoneInfo(branch.timezone)
        days = sorted({(start + dt.timedelta(days=k)).astimezone(zone).date() for k in range(-1, 5)})
        for s in branch.screens:
            timeline = [
                (t, d.key)
                for day in days
                for t, d in day_switches(project, project.schedule, branch, s, day, emergencies)
            ]
            expected = [
                (t, key)
                for (_, before), (t, key) in zip(timeline, timeline[1:])
                if key != before and start < t <= clock.at
            ]
            actual = [
                (when, to)
                for when, b, screen_id, to in switched
                if (b, screen_id) == (branch.id, s.id) and when > start + dt.timedelta(seconds=1)  # not the first pass
            ]
            assert [key for _, key in actual] == [key for _, key in expected], (branch.id, s.id)
            for (when, key), (t, _) in zip(actual, expected):
                assert when - t < dt.timedelta(seconds=1), (branch.id, s.id, t, when)  # never late
                # never early: the plan says so at that moment (the timeline puts a change at the
                # clocks' own change up to a second after the instant itself)
                assert decide(project, project.schedule, branch, s, when, emergencies).key == key
            assert (
                live_key(project, branch.id, s.id)
                == decide(project, project.schedule, branch, s, clock.at, emergencies).key
            )
    assert any(to == "emergency-1" for _, _, _, to in switched)  # the emergency began and ended on time too
    assert clock.waits < 2 * (until - start).total_seconds() / WATCH_SECONDS  # no busy loop between passes
