"""The command line as people use it: output, exit codes, and no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from .helpers import REPO, Cli, edit


def test_check_passes_on_the_example(cli: Cli, example_dir: Path) -> None:
    result = cli("check", cwd=example_dir)
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_text_prints_size_and_lines(cli: Cli, example_dir: Path) -> None:
    result = cli(
        "--project",
        str(example_dir),
        "text",
        "陌生来电让你转账到安全账户的都是诈骗",
        "--width",
        "240",
        "--size",
        "30",
        "--headline",
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("size 30 px, 3 line(s)")
    lines = [line.split("    (x=")[0] for line in result.output.splitlines()[1:]]
    assert "".join(lines) == "陌生来电让你转账到安全账户的都是诈骗"


def test_text_json_has_size_and_positioned_lines(cli: Cli, example_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "preview.png"
    result = cli(
        "--project",
        str(example_dir),
        "text",
        "拨打{{ hotline }}，核实再转账",
        "--width",
        "200",
        "--height",
        "120",
        "--size",
        "40..12",
        "--max-lines",
        "2",
        "--json",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert 12 <= data["size"] <= 40
    assert "".join(line["text"] for line in data["lines"]) == "拨打96110，核实再转账"
    for line in data["lines"]:
        assert {"text", "x", "y", "width"} <= set(line)
        assert line["width"] <= 200
    with Image.open(out) as image:
        assert image.size == (200 + 24, 120 + 24)


def test_text_in_hong_kong_uses_the_hk_hotline(cli: Cli, example_dir: Path) -> None:
    result = cli(
        "--project",
        str(example_dir),
        "text",
        "防騙易{{ hotline }}",
        "--width",
        "300",
        "--locale",
        "zh-Hant-HK",
        "--json",
    )
    assert json.loads(result.output)["lines"][0]["text"] == "防騙易18222"


def test_text_that_cannot_fit_fails_cleanly(cli: Cli, example_dir: Path) -> None:
    result = cli(
        "--project",
        str(example_dir),
        "text",
        "不出租、不出借、不出售银行卡和电话卡",
        "--width",
        "100",
        "--size",
        "20..16",
        "--max-lines",
        "1",
    )
    assert result.exit_code == 1
    assert "does not fit at 16 px" in result.output and "at most 1 allowed" in result.output


def test_bad_options_fail_cleanly(cli: Cli, example_dir: Path) -> None:
    for args, expected in [
        (["--size", "big"], "not SIZE or MAX..MIN"),
        (["--font", "comic"], "unknown font role 'comic'"),
        (["--locale", "en-US"], "unknown locale"),
    ]:
        result = cli("--project", str(example_dir), "text", "反诈", "--width", "100", *args)
        assert result.exit_code == 1, (args, result.output)
        assert expected in result.output


def test_bad_project_exits_1_with_located_lines_and_no_traceback(project_copy: Path) -> None:
    path = project_copy / "content" / "slogans.yaml"
    edited = edit(path, "拿不准就打{{ hotline }}", "拿不准就打{{ nope }}")
    (project_copy / "content" / "cases" / "fake-loan.yaml").write_text("id: fake-loan\ntitle: [\n", encoding="utf-8")
    credit = project_copy / "content" / "cases" / "fake-credit.yaml"
    edit(credit, "\noutcome: stopped\n", "\n")
    edit(credit, "title: ", "title: 😀")
    result = Cli.process("check", cwd=project_copy)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("content/cases/fake-loan.yaml:") and "invalid YAML" in line for line in lines)
    assert any(line.startswith(f"content/slogans.yaml:{edited}: ") and "'nope' is undefined" in line for line in lines)
    assert "content/cases/fake-credit.yaml:1: fake-credit.outcome: required field is missing" in lines
    # the case did not validate, so its emoji title is not checked yet; nothing else was reported
    # (besides the warnings that the example's app links are placeholders)
    assert len([line for line in lines if "warning:" not in line]) == 3, lines


def test_missing_project_is_a_clear_error(tmp_path: Path) -> None:
    result = Cli.process("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "no signage.yaml" in result.stderr and "Traceback" not in result.stderr


def test_init_then_check(cli: Cli, tmp_path: Path) -> None:
    first = cli("init", str(tmp_path / "branch-screens"), cwd=tmp_path)
    assert first.exit_code == 0, first.stderr
    checked = cli("check", cwd=tmp_path / "branch-screens")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    again = cli("init", str(tmp_path / "branch-screens"), cwd=tmp_path)
    assert again.exit_code == 1 and "already holds a project" in again.stderr


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = readme.split("Install and run the tests:")[1].split("```sh\n")[1].split("\n")[0]
    assert "pytest" in command
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "Install and run the tests:" in ci and 'eval "$cmd"' in ci


def test_render_led_from_the_command_line(cli: Cli, example_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "led"
    ok = cli(
        "--project",
        str(example_dir),
        "render",
        "led",
        "--slogan",
        "two-cards",
        "--screen",
        "96x16",
        "--mode",
        "pages",
        "-o",
        str(out),
    )
    assert ok.exit_code == 0, ok.stderr
    assert (out / "page-01.png").is_file() and "page-01.png" in ok.stdout
    bad = cli(
        "--project", str(example_dir), "render", "led", "--slogan", "two-cards", "--screen", "96x0", "-o", str(out)
    )
    assert bad.exit_code == 1 and "Traceback" not in bad.stderr
    assert "--screen: screen size '96x0' has a zero side" in bad.stderr
    assert (out / "page-01.png").is_file()  # the earlier output is still there


def test_branch_texts_without_a_branch_list_the_branches_and_short_forms_are_checked(
    cli: Cli, project_copy: Path
) -> None:
    text = cli("text", "{{ branch.name }}提醒您", "--width", "300", cwd=project_copy)
    assert text.exit_code == 1
    assert "give --branch (changzhi-yingxiong, beijing-chaoyang)" in text.stderr
    card = cli(
        "render",
        "card",
        "--template",
        "a6-table",
        "--slogan",
        "branch-reminder",
        "-o",
        str(project_copy / "c.pdf"),
        cwd=project_copy,
    )
    assert card.exit_code == 1 and "slogan 'branch-reminder' names the branch" in card.stderr
    assert "-H, --height" in cli("text", "-h", cwd=project_copy).stdout  # -h is help everywhere
    line = edit(project_copy / "content" / "slogans.yaml", "两卡不租不借不卖", "两卡不租不借不卖不送人不转手")
    check = cli("check", cwd=project_copy)
    assert check.exit_code == 1
    assert f"slogans.yaml:{line}: two-cards.short.zh-Hans-CN: a short form has at most 12 characters" in check.stdout
    listed = cli("list", "screens", cwd=project_copy).stdout.splitlines()
    assert "tv-1080p\ttv\t1920x1080\tcase-16x9,slogan-16x9\ttext minimum 32 px for 4 m" in listed


def test_an_unknown_branch_or_screen_is_said_before_a_missing_option(cli: Cli, example_dir: Path) -> None:
    """What the user named wrong comes first, as it did before the commands moved to signage/cli."""
    result = cli("--project", str(example_dir), "plan", "--branch", "nope")
    assert result.exit_code == 1 and "no branch 'nope'" in result.output
    result = cli("--project", str(example_dir), "plan", "--branch", "beijing-chaoyang", "--screen", "zz")
    assert result.exit_code == 1 and "has no screen 'zz'" in result.output
    result = cli("--project", str(example_dir), "plan", "--branch", "beijing-chaoyang")
    assert result.exit_code == 1 and "give --at TIME or --day DATE" in result.output
    result = cli("--project", str(example_dir / "nowhere"), "rotate", "--at", "10:00")
    assert result.exit_code == 1 and "no signage.yaml" in result.output
