"""The project format: loading the example, and located errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from signage.app.check import check_project
from signage.errors import SignageError
from signage.kinds import open_project as load_project
from signage.project.content import FRAUD_TYPES
from signage.project.locate import find_project_dir

from .helpers import edit


def test_example_project_has_the_promised_content(example) -> None:  # type: ignore[no-untyped-def]
    assert len(example.slogans) >= 20
    assert len(example.cases) >= 10
    # one case for each of the ten common fraud types
    assert sorted(c.fraud_type for c in example.cases.values()) == sorted(FRAUD_TYPES)
    assert len(FRAUD_TYPES) == 10
    hk = [s for s in example.slogans.values() if "zh-Hant-HK" in s.text]
    assert len(hk) >= 5
    assert any("{{ hotline }}" in s.text["zh-Hant-HK"] for s in hk)


def test_texts_render_with_the_regions_hotline(example) -> None:  # type: ignore[no-untyped-def]
    hotline = example.slogans["hotline-ask"]
    cn = next(t for t in example.texts if t.item == "hotline-ask" and t.field == "text.zh-Hans-CN")
    hk = next(t for t in example.texts if t.item == "hotline-ask" and t.field == "text.zh-Hant-HK")
    assert "{{ hotline }}" in hotline.text["zh-Hans-CN"]
    assert "96110" in example.fill(cn)
    assert "18222" in example.fill(hk) and "96110" not in example.fill(hk)


def test_branch_variables_need_a_branch(example) -> None:  # type: ignore[no-untyped-def]
    entry = next(t for t in example.texts if "branch.name" in t.template)
    branch = example.branches_for(entry.locale)[0]
    assert branch.name in example.fill(entry, branch)
    with pytest.raises(SignageError, match="'branch' is undefined"):
        example.fill(entry)


def test_example_project_checks_clean(example_dir: Path) -> None:
    found = check_project(example_dir)
    assert [str(p) for p in found if not p.warning] == []
    # the example's app links are placeholders on purpose, and check says so
    assert sorted(p.field or "" for p in found if p.warning) == ["regions.CN.app_url", "regions.HK.app_url"]


def _problems(root: Path) -> list[str]:
    """Errors only: the example's placeholder app links are warnings, asserted above."""
    return [str(p) for p in check_project(root) if not p.warning]


def test_malformed_yaml_names_file_and_line(project_copy: Path) -> None:
    path = project_copy / "content" / "slogans.yaml"
    edit(path, "  text:\n    zh-Hans-CN: 银行卡、电话卡", "  text: [unclosed\n  text:\n    zh-Hans-CN: 银行卡、电话卡")
    problems = _problems(project_copy)
    assert len(problems) == 1
    assert "slogans.yaml:" in problems[0] and "invalid YAML" in problems[0]


def test_missing_field_names_file_line_item_and_field(project_copy: Path) -> None:
    path = project_copy / "content" / "cases" / "fake-loan.yaml"
    edit(path, "\nchannel: 贷款广告短信链接\n", "\n")
    (problem,) = _problems(project_copy)
    assert problem.startswith(str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path))
    assert ":1: fake-loan.channel: required field is missing" in problem


def test_wrong_values_are_located(project_copy: Path) -> None:
    path = project_copy / "content" / "slogans.yaml"
    edit(path, "kind: rule", "kind: poem")
    edit(path, "zh-Hant-HK:", "zh-Hant-XX:")
    problems = _problems(project_copy)
    lines = path.read_text(encoding="utf-8").splitlines()
    kind_line = next(n for n, l in enumerate(lines, 1) if "kind: poem" in l)
    assert any(f"slogans.yaml:{kind_line}: two-cards.kind:" in p and "poem" in p for p in problems)
    assert any("two-cards.text.zh-Hant-XX" in p and "unknown locale" in p for p in problems)


def test_unknown_template_variable_is_reported(project_copy: Path) -> None:
    path = project_copy / "content" / "slogans.yaml"
    line = edit(path, "拿不准就打{{ hotline }}", "拿不准就打{{ hotlne }}")
    problems = _problems(project_copy)
    assert len(problems) == 1
    assert f"slogans.yaml:{line}: " in problems[0] and ".zh-Hans-CN: 'hotlne' is undefined" in problems[0]


def test_character_without_glyph_is_reported_with_code_point(project_copy: Path) -> None:
    path = project_copy / "content" / "slogans.yaml"
    edit(path, "守好“两卡”", "守好“两卡”😀")
    (problem,) = _problems(project_copy)
    assert "two-cards.text.zh-Hans-CN" in problem and "U+1F600" in problem
    assert problem.endswith("in font role(s) pixel-12, pixel-16, sans, sans-bold")


def test_dangling_references_and_duplicates(project_copy: Path) -> None:
    case = project_copy / "content" / "cases" / "fake-loan.yaml"
    edit(case, "related_slogans: [", "related_slogans: [nope, ")
    slogans = project_copy / "content" / "slogans.yaml"
    text = slogans.read_text(encoding="utf-8")
    slogans.write_text(text + "\n- id: two-cards\n  text: {zh-Hans-CN: 重复}\n", encoding="utf-8")
    problems = _problems(project_copy)
    assert any("fake-loan.related_slogans: no slogan with id 'nope'" in p for p in problems)
    assert any("two-cards.id: duplicate slogan id" in p for p in problems)


def test_project_is_found_upwards_or_named(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project_copy / "content" / "cases")
    assert find_project_dir() == project_copy.resolve()
    assert find_project_dir(explicit=project_copy) == project_copy
    with pytest.raises(SignageError, match="no signage.yaml"):
        find_project_dir(explicit=project_copy / "content")


def test_init_writes_a_working_project(tmp_path: Path) -> None:
    from signage.app.init import init_project

    target = tmp_path / "new"
    init_project(target)
    project = load_project(target)
    assert len(project.slogans) >= 20 and _problems(target) == []
    with pytest.raises(SignageError, match="already holds a project"):
        init_project(target)


def test_empty_config_is_an_error(project_copy: Path) -> None:
    (project_copy / "signage.yaml").write_text("", encoding="utf-8")
    problems = _problems(project_copy)
    assert problems and "signage.yaml:1: must be a mapping" in problems[0]


def test_impossible_date_is_located(project_copy: Path) -> None:
    case = project_copy / "content" / "cases" / "fake-loan.yaml"
    line = edit(case, "\ndate: 2024-11-15\n", "\ndate: 2024-02-30\n") + 1
    (problem,) = _problems(project_copy)
    assert f"fake-loan.yaml:{line}: invalid YAML: '2024-02-30' is not a real date" in problem


def test_unknown_font_is_reported_once_at_its_line(project_copy: Path) -> None:
    edit(project_copy / "signage.yaml", "sans: [noto-sans-cjk]", "sans: [noto-sans-xyz]")
    (problem,) = _problems(project_copy)
    assert "signage.yaml:" in problem and "fonts.default.sans: unknown font 'noto-sans-xyz'" in problem


def test_missing_default_role_is_an_error(project_copy: Path) -> None:
    edit(project_copy / "signage.yaml", "    sans: [noto-sans-cjk]\n", "")
    problems = _problems(project_copy)
    assert any("the default fonts need a 'sans' role" in p for p in problems)


def test_template_errors_are_reported_once_and_never_crash(project_copy: Path) -> None:
    slogans = project_copy / "content" / "slogans.yaml"
    edit(slogans, "不违法。", "不违法{{ hotline。")
    edit(slogans, "可能构成帮助信息网络犯罪活动罪。", "{{ 1 / 0 }}。")
    edit(slogans, "且不得新开账户。", "{{ branch.__class__ }}。")
    problems = _problems(project_copy)
    assert len(problems) == 3, problems
    assert "two-cards.text.zh-Hans-CN: template syntax error" in problems[0]
    assert "helping-crime.text.zh-Hans-CN: template error: division by zero" in problems[1]
    assert "five-year-ban.text.zh-Hans-CN: template error" in problems[2] and "unsafe" in problems[2]


def test_empty_case_file_is_reported(project_copy: Path) -> None:
    (project_copy / "content" / "cases" / "blank.yaml").write_text("\n", encoding="utf-8")
    (problem,) = _problems(project_copy)
    assert "blank.yaml:1: the file is empty" in problem


def test_unquoted_jinja_and_an_empty_slogans_file_are_named(project_copy: Path) -> None:
    from signage.kinds import read

    slogans = project_copy / "content" / "slogans.yaml"
    original = slogans.read_text(encoding="utf-8")
    for value in ("{{ hotline }}", "{{ hotline }}遇到可疑情况请拨打"):  # a mapping, and a syntax error
        slogans.write_text(original, encoding="utf-8")
        line = edit(
            slogans,
            "zh-Hans-CN: 遇到可疑情况请拨打{{ hotline }}咨询，已被骗请立即拨打{{ police }}报警。",
            f"zh-Hans-CN: {value}",
        )
        _, problems = read(project_copy)
        assert any(f"slogans.yaml:{line}:" in str(p) and "quote the text" in str(p) for p in problems), problems
    slogans.write_text("# nothing here yet\n", encoding="utf-8")
    _, problems = read(project_copy)
    assert any(
        str(p).endswith("slogans.yaml:1: the file is empty: slogans are a list, each with an id and a text")
        for p in problems
    ), problems


@pytest.mark.parametrize(
    ("text", "locale", "foreign"),
    [
        ("社交平台叫你過數，銀行戶口搵本人", "zh-Hant-HK", ""),  # Hong Kong forms and variants are Traditional
        ("示例银行网点", "zh-Hant-HK", "银网点"),
        ("皇后公里後來", "zh-Hant-TW", ""),
        ("以案说险，後來", "zh-Hans-CN", "後來"),
        ("发现后来的皇后", "zh-Hans-CN", ""),
    ],
)
def test_characters_of_the_other_script_are_found(text: str, locale: str, foreign: str) -> None:
    from signage.labels import foreign_characters

    assert foreign_characters(text, locale) == foreign


def test_check_errors_on_an_output_that_mixes_scripts(project_copy: Path) -> None:
    from signage.app.check import check_project

    config = project_copy / "signage.yaml"
    text = config.read_text(encoding="utf-8")
    start = text.index("name:\n")
    end = text.index("default_locale")
    config.write_text(text[:start] + "name: 示例银行网点反诈宣传\n" + text[end:], encoding="utf-8")
    problems = [str(p) for p in check_project(project_copy) if not p.warning]
    assert any(
        "cards/a4-sign/zh-Hant-HK/two-cards (a4-sign): footer mixes scripts: 银、网、点、诈、传 are Simplified "
        "in a zh-Hant-HK (Traditional) output" in p
        for p in problems
    ), problems
    assert not any("zh-Hans-CN" in p for p in problems)
