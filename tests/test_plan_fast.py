"""``plan --at`` from the published answers: the same answers as the project gives, over a week of
instants with dayparts, a campaign starting and emergencies before, during and after publishing;
any changed input file, a stopped emergency or an instant out of the week sends it to the project;
and the command itself loads no heavy module when the answers hold."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from signage import fingerprint
from signage.app.plan import plan_at
from signage.app.plan_answers import published_plan_at
from signage.cli.quick import plain_plan_at
from signage.fingerprint import InputStamp
from signage.kinds import open_project
from signage.network.screens import Network
from signage.network.select import Selections, select_screen
from signage.project.locate import output_hint
from signage.project.model import Project
from signage.project.schedule import Where
from signage.schedule import emergency as em
from signage.schedule.answers import read_answers

from .helpers import Built, Cli, edit

UTC = dt.timezone.utc
LONDON = (
    "london-strand,伦敦河岸街支行,zh-Hans-CN,Europe/London,海外,欧洲,伦敦,支行,Strand 1,+44 20 0000,"
    "door=door-192x32;lobby=tv-1080p\n"
)
PUBLISHED = dt.datetime(2027, 1, 18, 4, 0, tzinfo=UTC)  # Monday noon in Shanghai; the festival starts on the 20th
HEAVY = ("pydantic", "PIL", "jinja2", "numpy", "yaml", "signage.typography", "signage.project.loader", "fontTools")


def emergency(number: str, where: str, start: dt.datetime, hours: int) -> em.Emergency:
    return em.Emergency(number, "hotline-ask", Where.parse(where), start, start + dt.timedelta(hours=hours))


def publish_answers(root: Path, now: dt.datetime = PUBLISHED) -> Project:
    """What a build publishing at ``now`` writes for ``plan --at`` (nothing rendered: answers only)."""
    project = open_project(root)
    network = Network(project, now.date(), now)
    assert network.publish_answers() == len(project.config.branches)
    return project


@pytest.fixture()
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Input files count as long settled (the copy was just made, so each would be hashed at every
    check, a test's time; ``test_a_file_changed_just_before...`` covers that path)."""
    monkeypatch.setattr(fingerprint, "RACY_NS", 0)


@pytest.mark.usefixtures("settled")
def test_a_week_of_instants_answers_the_same_from_the_published_answers(project_copy: Path) -> None:
    before = emergency("1", "kind:tv", PUBLISHED - dt.timedelta(hours=2), 1)  # over by publishing: not counted
    counted = emergency("2", "branch:hk-central", dt.datetime(2027, 1, 19, 1, tzinfo=UTC), 4)
    stopped = emergency("3", "kind:led", dt.datetime(2027, 1, 22, 2, tzinfo=UTC), 3)
    (project_copy / "output").mkdir()
    em.save(project_copy / "output", [before, counted, stopped])
    project = publish_answers(project_copy)
    later = emergency("4", "branch:beijing-chaoyang,kind:led", dt.datetime(2027, 1, 21, 10, tzinfo=UTC), 2)
    stopped.stopped = dt.datetime(2027, 1, 22, 3, tzinfo=UTC)
    em.save(project.output_dir, [before, counted, stopped, later])
    unseen = [(e.start, e.end) for e in (before, stopped, later)]

    answers = read_answers(project.output_dir, "beijing-chaoyang")
    assert answers is not None
    edges = {s.start for spans in answers.screens.values() for s in spans}
    instants = {answers.start + dt.timedelta(minutes=151 * k, seconds=k % 3 * 20) for k in range(68)}
    instants |= {t + dt.timedelta(minutes=d) for t in edges for d in (-1, 0)}
    instants |= {answers.start - dt.timedelta(minutes=1), answers.end, counted.start, counted.end}
    keys: set[str] = set()
    answered = 0
    project = open_project(project_copy)
    for at in sorted(instants):
        for branch in ("beijing-chaoyang", "hk-central"):
            fast = published_plan_at(str(project_copy), branch, None, at.isoformat())
            slow = plan_at(project, branch, None, at.isoformat())
            inside = answers.start <= at < answers.end and not any(a <= at < b for a, b in unseen)
            assert (fast is not None) == inside, (branch, at)
            # what the command prints (--explain, the campaigns considered, always asks the project)
            assert fast is None or fast == [p._replace(considered=[]) for p in slow], (branch, at)
            answered += fast is not None
            keys |= {p.playlist for p in slow}
    assert answered > 150
    # dayparts, the festival starting on the 20th (business hours), the interleave's pools, emergencies
    assert {"overnight", "spring-festival", "emergency-2", "emergency-1", "emergency-4"} <= keys
    assert any(k.startswith("default+hotline-every-three@2027-01-2") for k in keys)


@pytest.mark.usefixtures("settled")
def test_the_week_the_clocks_change_answers_the_same(project_copy: Path) -> None:
    with (project_copy / "branches.csv").open("a", encoding="utf-8") as handle:
        handle.write(LONDON)
    edit(
        project_copy / "playlists" / "schedule.yaml",
        "    dayparts: [closed]\n",
        '    dayparts: ["01:30-03:00"]\n',
    )
    publish_answers(project_copy, dt.datetime(2027, 3, 27, 12, tzinfo=UTC))  # London goes to BST on Sunday 28th
    project = open_project(project_copy)
    answers = read_answers(project.output_dir, "london-strand")
    assert answers is not None
    sunday = dt.datetime(2027, 3, 28, 0, 0, tzinfo=UTC)
    instants = {sunday + dt.timedelta(minutes=10 * k) for k in range(0, 60)}
    instants |= {s.start + dt.timedelta(minutes=d) for s in answers.screens["door"] for d in (-1, 0)}
    for at in sorted(instants):
        fast = published_plan_at(str(project_copy), "london-strand", "door", at.isoformat())
        slow = plan_at(project, "london-strand", "door", at.isoformat())
        expected = [p._replace(considered=[]) for p in slow] if answers.start <= at < answers.end else None
        assert fast == expected, at
    # 01:30 GMT on Saturday; on Sunday 01:30 does not exist: the first instant after it, 02:00 BST
    night = [s.start for s in answers.screens["door"] if s.key == "overnight"]
    assert night[:2] == [dt.datetime(2027, 3, 27, 1, 30, tzinfo=UTC), dt.datetime(2027, 3, 28, 1, 0, tzinfo=UTC)]


@pytest.mark.usefixtures("settled")
def test_any_change_to_the_projects_files_sends_plan_to_the_project(project_copy: Path) -> None:
    at = "2026-12-08T20:00"
    publish_answers(project_copy, dt.datetime(2026, 12, 7, 4, tzinfo=UTC))
    assert published_plan_at(str(project_copy), "hk-central", "door", at) is not None
    edit(project_copy / "playlists" / "schedule.yaml", "priority: 5", "priority: 6")
    assert published_plan_at(str(project_copy), "hk-central", "door", at) is None  # an edit
    publish_answers(project_copy, dt.datetime(2026, 12, 7, 4, tzinfo=UTC))
    assert published_plan_at(str(project_copy), "hk-central", "door", at) is not None
    extra = project_copy / "content" / "cases" / "new-case.yaml"
    extra.write_text("", encoding="utf-8")
    assert published_plan_at(str(project_copy), "hk-central", "door", at) is None  # a file added
    extra.unlink()
    assert published_plan_at(str(project_copy), "hk-central", "door", at) is not None  # and gone again
    branches = project_copy / "branches.csv"
    os.utime(branches, ns=(branches.stat().st_atime_ns, branches.stat().st_mtime_ns + 1))
    assert published_plan_at(str(project_copy), "hk-central", "door", at) is None  # the branches file, touched
    publish_answers(project_copy, dt.datetime(2026, 12, 7, 4, tzinfo=UTC))
    # outside the published week, an unknown screen or branch, another output folder: the project answers
    assert published_plan_at(str(project_copy), "hk-central", "door", "2026-12-14T00:00") is None
    assert published_plan_at(str(project_copy), "hk-central", "portrait", at) is None
    assert published_plan_at(str(project_copy), "nowhere", None, at) is None
    edit(project_copy / "signage.yaml", "output: output", "output: elsewhere")
    assert output_hint(project_copy) == "elsewhere"
    assert published_plan_at(str(project_copy), "hk-central", "door", at) is None


def test_a_file_changed_just_before_the_stamp_is_compared_by_its_bytes(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamp = InputStamp.take(project_copy, ["playlists"])
    assert stamp.racy and stamp.holds(project_copy)  # just copied: every file is recent
    wrong = InputStamp(stamp.names, stamp.entries, ((stamp.racy[0][0], "0" * 64), *stamp.racy[1:]))
    assert not wrong.holds(project_copy)
    old = InputStamp.take(project_copy, ["playlists"], now_ns=dt.datetime(2100, 1, 1).timestamp() * 10**9)  # type: ignore[arg-type]
    assert old.racy == () and old.holds(project_copy) and old.entries == stamp.entries
    monkeypatch.setattr(fingerprint, "RACY_BYTES", 10)  # too large to hash at every load: never vouched for
    assert not InputStamp.take(project_copy, ["playlists"]).holds(project_copy)


def test_remembered_selections_are_the_selections_of_each_day(example: Project) -> None:
    selections = Selections(example)
    for branch in example.config.branches:
        for screen in branch.screens:
            for name in (None, "overnight", "hotline", "festival"):
                for k in range(12):
                    day = dt.date(2027, 1, 15) + dt.timedelta(days=k)
                    try:
                        expected = select_screen(example, branch, screen, day, name)
                    except Exception as exc:  # the playlist is not for this screen: it fails the same way
                        with pytest.raises(type(exc)):
                            selections(example, branch, screen, day, name)
                        continue
                    assert selections(example, branch, screen, day, name) == expected
    assert len(selections.made) < 12 * 4 * 8  # most days share a selection


@pytest.mark.xdist_group("built_network")  # on the worker that builds it: one build
def test_the_command_answers_from_a_build_without_loading_the_project(built_network: Built, cli: Cli) -> None:
    """A real build writes the answers; `plan --at` as a new process reads them, imports no heavy
    module, and prints byte for byte what the project says (``--explain`` asks the project)."""
    root = built_network.root
    answers = read_answers(root / "output", "east-1")
    assert answers is not None
    at = (answers.start + dt.timedelta(hours=30, minutes=7)).isoformat()
    command = [
        sys.executable,
        "-X",
        "importtime",
        "-m",
        "signage",
        "--project",
        str(root),
        "plan",
        "--branch",
        "east-1",
    ]
    fast = subprocess.run([*command, "--at", at], capture_output=True, text=True, check=True)
    imported = [line.split("|")[-1].strip() for line in fast.stderr.splitlines() if "|" in line]
    assert "signage.app.plan_answers" in imported
    assert [m for m in imported if m.startswith(HEAVY)] == []
    assert [m for m in imported if m.split(".")[0] == "click" or m.startswith("signage.cli.")] == ["signage.cli.quick"]
    slow = cli("--project", str(root), "plan", "--branch", "east-1", "--at", at, "--explain")  # asks the project
    # the network has no campaigns, so --explain adds no line: the two outputs are the same bytes
    assert fast.stdout == slow.output and fast.stdout.startswith("east-1/door at ")
    project = open_project(root)  # and over its week, in process
    for hours in range(0, 7 * 24, 11):
        at = (answers.start + dt.timedelta(hours=hours)).isoformat()
        expected = [p._replace(considered=[]) for p in plan_at(project, "west-2", None, at)]
        assert published_plan_at(str(root), "west-2", None, at) == expected, at


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["plan", "--branch", "b1", "--at", "10:00"], {"branch": "b1", "at": "10:00"}),
        (
            ["--project", "p", "plan", "--at=tomorrow 09:00", "--screen", "lobby", "--branch=b1"],
            {"project": "p", "at": "tomorrow 09:00", "screen": "lobby", "branch": "b1"},
        ),
        (["plan", "--branch", "b1", "--at", "now", "--project", "p"], {"branch": "b1", "at": "now", "project": "p"}),
        (["plan", "--branch", "b1", "--at", "10:00", "--explain"], None),  # the project explains
        (["plan", "--branch", "b1", "--at", "10:00", "--json"], None),
        (["plan", "--branch", "b1", "--day", "today"], None),
        (["plan", "--branch", "b1"], None),
        (["plan", "--branch", "b1", "--at"], None),  # Click says what is missing
        (["plan", "--branch", "b1", "--branch", "b2", "--at", "now"], None),
        (["--project", "p", "plan", "--branch", "b1", "--at", "now", "--project", "q"], None),
        (["plan", "--branch", "--at", "now"], None),
        (["--branch", "b1", "plan", "--at", "now"], None),
        (["versions", "--branch", "b1"], None),
        (["plan", "plan", "--branch", "b1", "--at", "now"], None),
        (["-h"], None),
    ],
)
def test_only_the_plain_forms_of_plan_at_are_answered_before_click(
    args: list[str], expected: dict[str, str] | None
) -> None:
    assert plain_plan_at(args) == expected


@pytest.mark.xdist_group("built_network")
def test_the_console_script_answers_as_the_click_command_does(built_network: Built, cli: Cli) -> None:
    root = built_network.root
    answers = read_answers(root / "output", "east-1")
    assert answers is not None
    at = (answers.start + dt.timedelta(hours=52)).isoformat()
    script = [sys.executable, "-c", "from signage.cli import run; run()"]
    env = {**os.environ, "SIGNAGE_PROJECT": str(root)}
    quick = subprocess.run([*script, "plan", "--branch=east-1", "--at", at], capture_output=True, text=True, env=env)
    assert quick.returncode == 0 and quick.stdout.startswith("east-1/door at ")
    assert quick.stdout == cli("--project", str(root), "plan", "--branch", "east-1", "--at", at).output
    # an unknown branch is not answered here: Click's command names it and exits 1
    wrong = subprocess.run(
        [*script, "plan", "--branch", "nowhere", "--at", at], capture_output=True, text=True, env=env
    )
    assert wrong.returncode == 1 and "nowhere" in wrong.stderr and "Traceback" not in wrong.stderr
