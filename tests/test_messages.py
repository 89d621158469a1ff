"""Located errors (issue 23): every message names the file and line to fix, lists every problem at
once, says in plain words what the parser means, and answers a typo with the fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from signage.app.check import check_project

from .helpers import Cli, edit


def errors(root: Path) -> list[str]:
    return [str(p) for p in check_project(root) if not p.warning]


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_every_broken_template_text_is_listed_with_its_file_and_line(project_copy: Path) -> None:
    card = project_copy / "templates/card/a6-table.yaml"
    edit(card, "{{ slogan.text }}", "{{ slogan.txt }}")
    edit(card, "{{ strings.scan }}", "{{ strings.scn }}")
    edit(card, "{{ app_url }}", "{{ ap_url }}")
    video = project_copy / "templates/video/case-16x9.yaml"
    edit(video, "{{ case.title }}", "{{ case.titel }}")
    listed = errors(project_copy)
    found = "\n".join(listed)
    at = str(card)
    assert f"{at}:{line_of(card, 'slogan.txt')}: a6-table.slogan (slogan " in found
    assert "slogan has no field 'txt': did you mean 'text'? (its fields: id, kind, short, tags, text)" in found
    assert f"{at}:{line_of(card, 'strings.scn')}: a6-table.scan " in found
    assert "strings has no field 'scn': did you mean 'scan'?" in found
    assert (
        f"{at}:{line_of(card, 'ap_url')}: a6-table.app-qr " in found and "'ap_url' is undefined: did you mean" in found
    )
    assert (
        f"{video}:{line_of(video, 'case.titel')}: case-16x9.scenes[0]: case has no field 'titel': did you mean 'title'?"
        in found
    )
    assert len(listed) == 4  # each once, not once per slogan or branch


def test_a_template_syntax_error_is_reported_beside_the_other_problems(project_copy: Path) -> None:
    card = project_copy / "templates/card/a6-table.yaml"
    edit(card, "{{ strings.scan }}", "{{ strings.scan }")
    edit(card, "{{ slogan.text }}", "{{ slogan.txt }}")
    edit(project_copy / "playlists/schedule.yaml", "dayparts: [closed]", "dayparts: [closd]")
    found = errors(project_copy)
    assert any(f.startswith(f"{card}:{line_of(card, 'strings.scan }')}: a6-table.blocks[") for f in found), found
    schedule = project_copy / "playlists/schedule.yaml"
    line = line_of(schedule, "closd")
    assert f"{schedule}:{line}: overnight.campaigns[0].dayparts[0]: daypart 'closd' is neither a name nor a span " in (
        "\n".join(found)
    )
    assert "did you mean 'closed'?" in "\n".join(found)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('dayparts:\n\tbusiness: "09:00-17:00"\n', 2, "a tab in the indentation: YAML indents with spaces only"),
        (
            "campaigns:\n  - id: x\n    playlist: overnight\n   where: {kinds: [led]}\n",
            4,
            "line 4 starts at column 4 but the keys of the item above start at column 5: keys of one item must line up",
        ),
        (
            'dayparts:\n  business: "09:00-17:00"\n closed: "17:00-09:00"\n',
            3,
            "line 3 starts at column 2 but the keys of the item above start at column 3",
        ),
    ],
)
def test_indentation_mistakes_are_explained_in_plain_words(
    project_copy: Path, text: str, line: int, message: str
) -> None:
    schedule = project_copy / "playlists/schedule.yaml"
    schedule.write_text(text, encoding="utf-8")
    found = errors(project_copy)
    assert found == [f"{schedule}:{line}: invalid YAML: {message}" + found[0].split(message, 1)[1]], found


def test_a_slogan_in_the_other_script_is_one_error_at_its_line_with_the_conversion(project_copy: Path) -> None:
    slogans = project_copy / "content/slogans.yaml"
    edit(slogans, "把自己的账户借给别人收款、转账", "把自己的賬戶借給別人收款、轉賬")
    found = errors(project_copy)
    line = line_of(slogans, "把自己的賬戶")
    fixed = "把自己的账户借给别人收款、转账，可能构成帮助信息网络犯罪活动罪。"
    assert found == [
        f"{slogans}:{line}: helping-crime.text.zh-Hans-CN: mixes scripts: 賬、戶、給、別、轉 are Traditional in a "
        f"zh-Hans-CN (Simplified) text; OpenCC t2s gives “{fixed}”"
    ], found


def test_unknown_ids_are_answered_with_the_closest_and_where_they_live(project_copy: Path, cli: Cli) -> None:
    out = cli("--project", str(project_copy), "plan", "--branch", "hk-centrl")
    assert out.exit_code == 1
    assert f"{project_copy / 'branches.csv'}: no branch 'hk-centrl': did you mean 'hk-central'?" in out.output
    out = cli("--project", str(project_copy), "plan", "--branch", "hk-central", "--screen", "lobbby")
    assert "branch hk-central has no screen 'lobbby': did you mean 'lobby'?" in out.output
    out = cli(
        "--project",
        str(project_copy),
        "render",
        "card",
        "--template",
        "a6-tabel",
        "--slogan",
        "two-cards",
        "-o",
        "x.pdf",
    )
    assert "no card template 'a6-tabel': did you mean 'a6-table'?" in out.output, out.output


@pytest.mark.parametrize(
    "args",
    [
        ("versions", "--branch", "nope"),
        ("rollback", "--branch", "nope"),
        ("export", "--branch", "nope", "--to", "x.zip"),
        ("plan", "--branch", "nope"),
        ("log", "--branch", "nope"),
    ],
)
def test_every_command_refuses_an_unknown_branch(project_copy: Path, cli: Cli, args: tuple[str, ...]) -> None:
    out = cli(*args, "--project", str(project_copy))  # --project after the command, as people type it
    assert out.exit_code == 1, out.output
    assert re.search(r"branches\.csv: no branch 'nope' \(branches: changzhi-yingxiong, ", out.output), out.output


def test_project_is_accepted_after_the_command(project_copy: Path, cli: Cli, tmp_path: Path) -> None:
    out = cli("check", "--project", str(project_copy), cwd=tmp_path)
    assert out.exit_code == 0 and f"ok: {project_copy} has no problems" in out.output, out.output
    out = cli("render", "led", "--help")
    assert "--project DIRECTORY" in out.output
