"""The build pipeline: one job model for every kind, keys that mean "same bytes", the catalogue and the store."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from signage import job as job_module
from signage.build import BuildReport, build
from signage.build.progress import Progress
from signage.card.pdf import FontSubsets
from signage.errors import SignageError
from signage.job import PlanContext
from signage.kinds import open_project, planners
from signage.project.model import Project
from signage.tree import CATALOGUE

from .helpers import REPO, Built, Cli, clone, copy_example, edit

TODAY = dt.date(2026, 6, 1)
SHARED = pytest.mark.xdist_group("built_small")  # the tests of `built_small` on one worker: one build
SLOGANS = """\
- id: two-cards
  kind: rule
  tags: [两卡]
  text:
    zh-Hans-CN: 银行卡、电话卡不出租、不出借、不出售，守好“两卡”不违法。
    zh-Hant-HK: 銀行戶口同電話卡，唔好租、唔好借、唔好賣，隨時誤墮法網。
  short:
    zh-Hans-CN: 两卡不租不借不卖
- id: formula-shuadan
  kind: slogan
  text:
    zh-Hans-CN: 刷单返利都是诈骗，先返小钱后骗大钱。
- id: counter-question
  kind: slogan
  text:
    zh-Hans-CN: 柜员多问一句，是为守住您的钱袋子。
- id: branch-hello
  kind: rule
  text:
    zh-Hans-CN: "{{ branch.name }}提醒您：转账前先核实。"
- id: ended
  kind: rule
  valid: {until: 2026-03-05}
  text:
    zh-Hans-CN: 春节抢票防诈骗，链接要当心。
- id: later
  kind: rule
  valid: {from: 2026-09-01}
  text:
    zh-Hans-CN: 国庆出游防诈骗，低价机票要当心。
"""
SCREENS = """branches:
  - {id: changzhi-yingxiong, name: 长治英雄中路支行, locale: zh-Hans-CN}
  - {id: beijing-chaoyang, name: 北京朝阳支行, locale: zh-Hans-CN}
  - {id: hk-central, name: 中環分行, locale: zh-Hant-HK, timezone: Asia/Hong_Kong}
led_screens:
  - {id: door, size: 64x16, mode: pages}
  - {id: strip, size: 64x16, mode: scroll, speed: 4}
"""


def make_small(root: Path) -> Path:
    """The example at ``root`` cut down to a few slogans, one case, two small LED screens, two card
    templates and one small video."""
    (root / "content" / "slogans.yaml").write_text(SLOGANS, encoding="utf-8")
    for case in (root / "content" / "cases").glob("*.yaml"):
        if case.stem != "shuadan-rebate":
            case.unlink()
    config = root / "signage.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("# Branches:")] + SCREENS, encoding="utf-8")
    for template in (root / "templates" / "card").glob("*.yaml"):
        if template.stem not in ("a6-table", "a5-case"):
            template.unlink()
    videos = root / "templates" / "video"
    for template in videos.glob("*.yaml"):
        if template.stem != "case-16x9":
            template.unlink()
    case = videos / "case-16x9.yaml"
    edit(case, "size: 1920x1080", "size: 256x144")
    edit(case, "height: 96", "height: 24")
    edit(case, "size: 52", "size: 14")
    return root


def run(root: Path, *only: str, today: dt.date = TODAY, workers: int = 1) -> BuildReport:
    return build(open_project(root), planners(only), workers=workers, today=today, tty=False)


@pytest.fixture()
def small(project_copy: Path) -> Path:
    """The small project, not built yet."""
    return make_small(project_copy)


@pytest.fixture(scope="session")  # not module: xdist interleaves modules on a worker, which would build it again
def built_small(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The small project built once (every kind, as of TODAY), for tests that only read it."""
    root = make_small(copy_example(tmp_path_factory.mktemp("small") / "proj"))
    return Built(root, run(root))


@pytest.fixture()
def built_small_copy(built_small: Built, tmp_path: Path) -> Path:
    """A copy of the built small project for one test to change and build again."""
    return clone(built_small.root, tmp_path / "proj")


def catalogue(root: Path) -> dict:  # type: ignore[type-arg]
    data = json.loads((root / "output" / CATALOGUE).read_text(encoding="utf-8"))
    return {r["id"]: r for r in data["records"]}


@SHARED
def test_catalogue_lists_every_artifact_with_stored_files(built_small: Built) -> None:
    small, report = built_small.root, built_small.report
    # 7 texts (two-cards in 2 locales, branch-hello for 2 branches, not `ended`) on 2 screens and one table
    # card each; the case poster (a5-case) and the case video
    assert report.planned == {"led": 14, "cards": 8, "video": 1, "media": 0}
    data = json.loads((small / "output" / CATALOGUE).read_text(encoding="utf-8"))
    schema = json.loads((REPO / "signage" / "schemas" / "catalogue.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    records = {r["id"]: r for r in data["records"]}
    assert sum(report.rendered.values()) == len(records) == 23
    for record in records.values():
        folder = small / "output" / record["id"]
        assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == record
        for f in record["files"]:
            stored = small / "output" / f["path"]
            assert stored.stat().st_size == f["bytes"]
            assert job_module.hashlib.sha256(stored.read_bytes()).hexdigest() == f["sha256"]
            assert os.path.samefile(stored, folder / f["name"])  # the readable tree links to the store
    pages = records["led/door/zh-Hans-CN/two-cards"]
    stays = [p["stay"] for p in pages["meta"]["pages"]]
    assert pages["duration"] == pytest.approx(sum(stays)) and all(2.0 <= s <= 8.0 for s in stays)
    video = records["video/case-16x9/zh-Hans-CN/shuadan-rebate"]
    assert [f["name"] for f in video["files"]] == ["video.mp4", "video.srt", "video.poster.png"]
    assert video["duration"] == video["meta"]["duration"] > 5
    assert records["led/door/zh-Hant-HK/two-cards"]["text"].startswith("銀行戶口")


@SHARED
def test_valid_dates_decide_what_is_built(built_small_copy: Path) -> None:
    small = built_small_copy
    report = run(small, "led")
    records = catalogue(small)
    assert not any("/ended" in key for key in records) and report.ended == {"ended": "2026-03-05"}
    assert records["led/door/zh-Hans-CN/later"]["valid"] == {"from": "2026-09-01", "until": None}
    earlier = run(small, "led", today=dt.date(2026, 3, 5))  # its last day: still shown
    assert "ended" not in earlier.ended and "led/door/zh-Hans-CN/ended" in catalogue(small)


@SHARED
def test_a_text_naming_the_branch_is_made_for_each_branch(built_small: Built) -> None:
    records = catalogue(built_small.root)
    names = {r["branch"]: r["text"] for k, r in records.items() if "/branch-hello" in k and k.startswith("led/door")}
    assert names == {
        "changzhi-yingxiong": "长治英雄中路支行提醒您：转账前先核实。",
        "beijing-chaoyang": "北京朝阳支行提醒您：转账前先核实。",
    }


@SHARED
def test_unchanged_keys_are_skipped_and_one_edit_renders_only_what_shows_it(
    built_small: Built, built_small_copy: Path
) -> None:
    small, first = built_small_copy, built_small.report
    second = run(small)
    assert sum(second.rendered.values()) == 0 and sum(second.unchanged.values()) == sum(first.rendered.values())
    # both edits reuse the project's own characters: the cards' font subsets stay cut (a new one takes seconds)
    slogans = small / "content" / "slogans.yaml"
    edit(slogans, "先返小钱后骗大钱", "先返大钱后骗小钱")
    third = run(small)
    # formula-shuadan on two LED screens, its table card and the case video's ticker (a related slogan)
    assert third.rendered == {"led": 2, "cards": 1, "video": 1}
    slogans.write_text(
        slogans.read_text(encoding="utf-8") + "- id: brand-new\n  kind: rule\n  text:\n"
        "    zh-Hans-CN: 转账前先核实，守住钱袋子。\n",
        encoding="utf-8",
    )
    fourth = run(small)
    # the new slogan only (2 screens, 1 card): the case video's ticker shows related slogans
    assert fourth.rendered == {"led": 2, "cards": 1}


def test_stale_outputs_and_unused_store_files_are_removed(small: Path) -> None:
    run(small, "led")
    before = catalogue(small)
    gone = [f["path"] for k, r in before.items() if k.endswith("/counter-question") for f in r["files"]]
    slogans = small / "content" / "slogans.yaml"
    text = slogans.read_text(encoding="utf-8")
    start = text.index("- id: counter-question")
    slogans.write_text(text[:start] + text[text.index("- id: branch-hello") :], encoding="utf-8")
    # the case names counter-question as related: drop that reference too
    case = small / "content" / "cases" / "shuadan-rebate.yaml"
    edit(case, ", counter-question", "")
    report = run(small, "led")
    assert report.removed == 2
    assert not (small / "output" / "led" / "door" / "zh-Hans-CN" / "counter-question").exists()
    assert all(not (small / "output" / path).exists() for path in gone)
    assert not any(k.endswith("/counter-question") for k in catalogue(small))


@SHARED
def test_a_template_edit_renders_again_only_what_uses_that_template(built_small_copy: Path) -> None:
    small = built_small_copy
    templates = small / "templates"
    edit(templates / "led" / "pages.yaml", "align: center", "align: left")
    assert run(small).rendered == {"led": 7}  # the page screen's 7 outputs; the scroll screen keeps its own
    edit(templates / "card" / "a6-table.yaml", "#c8102e", "#b00020")
    assert run(small).rendered == {"cards": 7}  # a6-table only: the a5-case poster is another template
    edit(templates / "video" / "case-16x9.yaml", "crossfade: 0.5", "crossfade: 0.4")
    assert run(small).rendered == {"video": 1}


@SHARED
def test_a_font_change_renders_again_what_draws_with_it(built_small_copy: Path) -> None:
    small = built_small_copy
    config = small / "signage.yaml"
    edit(config, "pixel-16: [wqy-bitmap-16, unifont]", "pixel-16: [unifont]")
    assert run(small).rendered == {"led": 14}  # every LED output is set in pixel-16; nothing else is
    edit(config, "sans-bold: [noto-sans-cjk-bold, noto-sans-cjk]", "sans-bold: [noto-sans-cjk]")
    assert run(small).rendered == {"cards": 8, "video": 1}  # titles and hotlines on cards, video text


@SHARED
def test_a_renderer_change_renders_again_everything_of_that_kind(
    built_small_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = built_small_copy
    bumped: set[str] = set()
    real = job_module.code_version

    def version(sources: tuple[str, ...]) -> str:
        return real(sources) + "".join(f"+{kind}" for kind in sorted(bumped) if kind in sources)

    monkeypatch.setattr(job_module, "code_version", version)
    for kind, rendered in (("led", {"led": 14}), ("card", {"cards": 8}), ("video", {"video": 1})):
        bumped.add(kind)  # the renderer's source changed
        assert run(small).rendered == rendered, kind


@SHARED
def test_a_content_error_fails_the_build_and_keeps_the_last_good_output(built_small_copy: Path) -> None:
    small = built_small_copy
    good = catalogue(small)["cards/a6-table/zh-Hans-CN/two-cards"]
    edit(small / "templates" / "card" / "a6-table.yaml", "size: [26, 12]", "size: [60, 58]")
    with pytest.raises(SignageError, match=r"a6-table\.slogan: two-cards: does not fit"):
        run(small, "cards")
    assert catalogue(small)["cards/a6-table/zh-Hans-CN/two-cards"] == good
    folder = small / "output" / "cards" / "a6-table" / "zh-Hans-CN" / "two-cards"
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["key"] == good["key"]


@SHARED
def test_an_interrupted_build_is_resumed_from_the_artifact_folders(built_small: Built, built_small_copy: Path) -> None:
    small, first = built_small_copy, built_small.report
    (small / "output" / CATALOGUE).unlink()  # as if killed before the catalogue was written
    (small / "output" / ".staging" / "job-x").mkdir(parents=True)
    (small / "output" / "led" / "door" / ".two-cards.new-abc").mkdir()
    again = run(small, "led")
    assert sum(again.rendered.values()) == 0 and again.unchanged == {"led": first.rendered["led"]}
    assert not (small / "output" / ".staging").exists()
    assert not (small / "output" / "led" / "door" / ".two-cards.new-abc").exists()


def test_a_worker_never_cuts_a_font_subset_the_plan_did_not_foresee(example: Project, tmp_path: Path) -> None:
    subsets = FontSubsets(tmp_path, {"反", "诈"}, frozen=True)
    face = example.fonts.chain("sans", "zh-Hans-CN").faces[0]
    with pytest.raises(RuntimeError, match="font subset miss"):
        subsets.path(face, {"骗"})
    assert not list(tmp_path.iterdir())


def test_progress_is_weighted_by_cost_and_readable_in_a_log() -> None:
    import io

    stream = io.StringIO()
    progress = Progress(total_cost=10.0, total_jobs=4, stream=stream, tty=False, every=0, workers=2)
    progress.advance(6.0, "the long video", seconds=12.0)  # it took twice as long as expected
    assert "1/4 jobs, 60% of the work" in stream.getvalue()
    assert progress.eta() == pytest.approx(4.0 * 2 / 2)  # 4 units left, x2 slower, on two workers
    progress.advance(2.0, seconds=4.0)
    progress.advance(1.0, seconds=2.0)
    assert progress.eta() == pytest.approx(2.0)  # one job left: one worker, however many there are
    progress.advance(1.0)
    assert stream.getvalue().splitlines()[-1].startswith("build: 4/4 jobs, 100% of the work")


def test_build_from_the_command_line_logs_progress_without_a_terminal(small: Path) -> None:
    first = Cli.process(
        "build", "--only", "led", "--only", "cards", "--today", "2026-06-01", "--workers", "2", cwd=small
    )
    assert first.returncode == 0, first.stderr
    assert "build: 22/22 jobs, 100% of the work" in first.stderr
    assert "led: 14 outputs, 14 rendered, 0 unchanged: led/" in first.stdout
    named = r"^cards: 8 outputs, 8 rendered, 0 unchanged: cards/\S+, cards/\S+, cards/\S+ and 5 more \(in "
    assert re.search(named, first.stdout, re.M)
    assert "not built, their time is over: ended (until 2026-03-05)" in first.stdout
    # the rest in this process (the command line's own code, without starting Python and its imports again)
    cli = Cli()
    second = cli("build", "--only", "cards", "--today", "2026-06-01", cwd=small)
    assert second.exit_code == 0 and "cards: 8 outputs, 0 rendered, 8 unchanged" in second.stdout
    assert "led/door" in (small / "output" / CATALOGUE).read_text(encoding="utf-8")  # other kinds kept
    # the preview links each print card's PDF, where the build put it
    assert cli("preview", cwd=small).exit_code == 0
    pages = "".join(p.read_text(encoding="utf-8") for p in (small / "output/preview/branches").glob("*.html"))
    links = re.findall(r'href="(\.\./\.\./cards/[^"]+\.pdf)"', pages)
    assert links and all((small / "output/preview/branches" / link).read_bytes()[:5] == b"%PDF-" for link in links)
    # each card comes with its thumbnail, reduced from its 300-dpi preview: the preview shows that one
    shown = set()
    for path in (small / "output/preview/thumbs").glob("*.png"):
        with Image.open(path) as picture:
            shown.add(picture.convert("RGB").tobytes())
    for link in links:
        card = (small / "output/preview/branches" / link).resolve().parent
        with Image.open(card / "preview.png") as big, Image.open(card / "thumb.png") as thumb:
            assert thumb.width == 320 and abs(thumb.height - big.height * 320 / big.width) <= 1
            assert thumb.convert("RGB").tobytes() in shown


def test_a_job_travels_as_data_and_its_result_comes_back_as_data(small: Path, tmp_path: Path) -> None:
    """What a distributed executor needs: the job pickles, and the files return as bytes, not paths."""
    import pickle

    from signage.build.runner import execute, init_worker
    from signage.build.store import Store
    from signage.job import RenderEnv

    project = open_project(small)
    jobs = [job for name, plan in planners(("led",)) for job in plan(project, PlanContext(TODAY))]
    job = pickle.loads(pickle.dumps(jobs[0]))
    assert job == jobs[0] and job.key(project.fonts) == jobs[0].key(project.fonts)
    init_worker(pickle.loads(pickle.dumps(RenderEnv(project.root, project.fonts))))
    as_data = execute(0, job, str(tmp_path), as_data=True)
    assert as_data.stage is None and as_data.data is not None and as_data.rendered is not None
    local = execute(0, job, str(tmp_path))
    assert local.stage is not None and local.rendered is not None
    store = Store(tmp_path / "out")
    from_data = [store.add_bytes(as_data.data[name], name) for name in as_data.rendered.files]
    from_files = [store.add(Path(local.stage) / name, name) for name in local.rendered.files]
    assert from_data == from_files  # the same bytes, stored once


@SHARED
def test_the_same_inputs_give_the_same_bytes(built_small_copy: Path) -> None:
    """Reproducible outputs: a second build from nothing makes every file again, byte for byte."""
    import shutil

    small = built_small_copy
    first = {r["id"]: [f["sha256"] for f in r["files"]] for r in catalogue(small).values()}
    shutil.rmtree(small / "output")
    run(small)
    second = {r["id"]: [f["sha256"] for f in r["files"]] for r in catalogue(small).values()}
    assert {r.split("/")[0] for r in first} == {"led", "cards", "video"}
    assert second == first  # PNG, BMP, GIF, PDF (fixed dates and ids), MP4 (same ffmpeg and machine)
