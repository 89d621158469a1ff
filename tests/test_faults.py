"""Bad input and faults: each ends as a clear message, a non-zero exit, and every earlier output intact.

Faults are real where the machine allows (kill -9 and SIGTERM of a running build, a symbolic
link out of the project, a corrupt font, a YAML alias bomb) and injected where it does not
(the tests run as root, whom a read-only folder does not stop; a full disk is an ``OSError``
with ``ENOSPC`` raised where the store writes).
"""

from __future__ import annotations

import errno
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signage.build import store as store_module
from signage.errors import SignageError
from signage.kinds import read
from signage.yamlio import load_yaml

from .helpers import Cli, clone, copy_example, edit

SMALL = """led_screens:
  - {id: door, size: 64x16, mode: pages}
  - {id: lobby, size: 128x32, color: full, mode: scroll, speed: 2, fps: 40}
"""
SLOGANS = """\
- id: two-cards
  kind: rule
  text:
    zh-Hans-CN: 银行卡、电话卡不出租、不出借、不出售，守好“两卡”不违法。
- id: helping-crime
  kind: warning
  text:
    zh-Hans-CN: 把自己的账户借给别人收款、转账，可能构成帮助信息网络犯罪活动罪。
- id: hotline-ask
  kind: hotline
  text:
    zh-Hans-CN: 遇到可疑情况请拨打{{ hotline }}咨询。
- id: formula-shuadan
  kind: slogan
  text:
    zh-Hans-CN: 刷单返利都是诈骗，先返小钱后骗大钱。
- id: counter-question
  kind: slogan
  text:
    zh-Hans-CN: 柜员多问一句，是为守住您的钱袋子。
"""


def make_led_only(root: Path) -> Path:
    """The example at ``root`` with its LED screens only (no cards, no videos, no network) and a dozen
    texts to show (five slogans and a case on two screens): quick real builds that take a moment to stop."""
    (root / "content" / "slogans.yaml").write_text(SLOGANS, encoding="utf-8")
    for case in (root / "content" / "cases").glob("*.yaml"):
        if case.stem != "shuadan-rebate":  # its related slogans are among the five
            case.unlink()
    config = root / "signage.yaml"
    text = config.read_text(encoding="utf-8")
    branches = "branches:\n  - {id: changzhi-yingxiong, name: 长治英雄中路支行, locale: zh-Hans-CN}\n"
    config.write_text(text[: text.index("# Branches:")] + branches + SMALL, encoding="utf-8")
    for kind in ("card", "video"):
        for template in (root / "templates" / kind).glob("*.yaml"):
            template.unlink()
    for playlist in (root / "playlists").glob("*.yaml"):
        playlist.unlink()
    return root


@pytest.fixture()
def led_only(project_copy: Path) -> Path:
    return make_led_only(project_copy)


@pytest.fixture(scope="module")
def built_led_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``led_only`` built once, for the tests that stop a second build midway (each on its own copy)."""
    root = make_led_only(copy_example(tmp_path_factory.mktemp("led-only") / "proj"))
    assert Cli()("--project", str(root), "build").exit_code == 0
    return root


def change_every_output(root: Path) -> None:
    """A wider door sign and a slower lobby scroll: every LED output is made again."""
    edit(root / "signage.yaml", "size: 64x16", "size: 96x16")
    edit(root / "signage.yaml", "fps: 40", "fps: 25")


def snapshot(output: Path) -> dict[str, bytes]:
    """Every artifact folder's files, by path (the readable tree; what a person or controller reads)."""
    return {str(p.relative_to(output)): p.read_bytes() for p in sorted(output.glob("led/*/*/*/*")) if p.is_file()}


def complete(output: Path) -> None:
    """Every artifact folder holds exactly the files its manifest lists, with their sizes: never a mix."""
    for manifest in output.glob("led/*/*/*/manifest.json"):
        record = json.loads(manifest.read_text(encoding="utf-8"))
        names = {p.name for p in manifest.parent.iterdir()} - {"manifest.json"}
        assert names == {f["name"] for f in record["files"]}, manifest.parent
        for f in record["files"]:
            assert (manifest.parent / f["name"]).stat().st_size == f["bytes"]


def started_build(root: Path) -> subprocess.Popen[str]:
    """A real `signage build` process, once it has rendered something."""
    process = subprocess.Popen(
        [sys.executable, "-m", "signage", "build", "--workers", "2"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("build: ") and "100%" not in line:
            return process
    raise AssertionError("the build finished before it could be stopped")


@pytest.mark.slow  # real builds killed by real signals, timed: run with `pytest -m slow` (CI does)
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
@pytest.mark.xdist_group("built_led_only")  # both on one worker: one first build
def test_a_build_stopped_midway_leaves_whole_outputs_and_the_next_build_recovers(
    built_led_only: Path, tmp_path: Path, how: str
) -> None:
    led_only = clone(built_led_only, tmp_path / "proj")
    output = led_only / "output"
    before = snapshot(output)
    change_every_output(led_only)
    process = started_build(led_only)
    stopped = time.monotonic()
    process.send_signal(getattr(signal, how))
    code = process.wait(timeout=30)
    took = time.monotonic() - stopped
    assert code != 0
    if how == "SIGTERM":
        assert took < 5, f"SIGTERM took {took:.1f} s to stop the build"
        assert "Traceback" not in (process.stderr.read() if process.stderr else "")
    complete(output)
    after = snapshot(output)
    changed = [k for k in after if before.get(k) != after[k]]
    assert len(changed) < len(before)  # stopped before it was all done; each folder old or new, never a mix
    again = Cli.process("build", cwd=led_only)
    assert again.returncode == 0, again.stderr
    complete(output)
    assert not (output / ".staging").exists() and not list(output.glob("led/*/*/.*"))
    records = json.loads((output / "catalogue.json").read_text(encoding="utf-8"))["records"]
    assert {r["meta"]["screen"]["width"] for r in records if r["target"] == "door"} == {96}


def test_a_full_disk_is_a_located_error_and_loses_nothing(led_only: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the door sign's pages are enough here
    edit(led_only / "signage.yaml", "  - {id: lobby, size: 128x32, color: full, mode: scroll, speed: 2, fps: 40}\n", "")
    cli = Cli()
    assert cli("--project", str(led_only), "build").exit_code == 0
    output = led_only / "output"
    before = snapshot(output)
    catalogue = (output / "catalogue.json").read_bytes()
    edit(led_only / "signage.yaml", "size: 64x16", "size: 96x16")  # a wider door sign: every output again
    real, calls = store_module.Store.add, {"n": 0}

    def full(self: store_module.Store, source: Path, name: str) -> store_module.StoredFile:
        calls["n"] += 1
        if calls["n"] > 5:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.root / "ab" / "x.png"))
        return real(self, source, name)

    monkeypatch.setattr(store_module.Store, "add", full)
    result = cli("--project", str(led_only), "build")
    assert result.exit_code == 1
    assert "the disk is full" in result.stderr and "store" in result.stderr and "Traceback" not in result.output
    complete(output)
    assert (output / "catalogue.json").read_bytes() == catalogue  # the last complete catalogue
    assert len([k for k in snapshot(output) if snapshot(output)[k] != before.get(k)]) <= 10
    monkeypatch.undo()
    assert cli("--project", str(led_only), "build").exit_code == 0
    complete(output)


def test_a_read_only_output_folder_is_a_located_error(
    led_only: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    def read_only(*args: object, **kwargs: object) -> str:
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "out"))

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    result = Cli()(
        "--project", str(led_only), "render", "led", "--text", "反诈", "--screen", "door", "-o", str(tmp_path / "out")
    )
    assert result.exit_code == 1
    assert "the file system is read-only" in result.stderr and "out" in result.stderr
    assert not (tmp_path / "out").exists()


def test_characters_no_font_can_show_are_refused_everywhere(led_only: Path, tmp_path: Path) -> None:
    for text in ("反诈\u0378", "反诈\ue000"):  # unassigned; private use (Unifont has a box for both)
        result = Cli()("render", "led", "--text", text, "--screen", "door", "-o", str(tmp_path / "o"), cwd=led_only)
        assert result.exit_code == 1 and f"U+{ord(text[-1]):04X}" in result.stderr, result.stderr
        assert not (tmp_path / "o").exists()
    result = Cli()("text", "反诈\u0378", "--width", "300", cwd=led_only)
    assert result.exit_code == 1 and "U+0378 (not an assigned character)" in result.stderr


def test_files_reached_through_a_link_out_of_the_project_are_refused(project_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "logo.png").write_bytes((project_copy / "media" / "poster.png").read_bytes())
    (project_copy / "media" / "linked").symlink_to(outside)  # a linked folder inside the project
    template = project_copy / "templates" / "card" / "a6-table.yaml"
    template.write_text(
        template.read_text(encoding="utf-8") + "  - {type: image, box: [80, 6, 18, 14], file: media/linked/logo.png}\n",
        encoding="utf-8",
    )
    done = Cli()("check", cwd=project_copy)
    assert done.exit_code == 1
    assert "media/linked/logo.png leads outside the project folder through a symbolic link" in done.stdout
    card = Cli()(
        "render",
        "card",
        "--template",
        "a6-table",
        "--slogan",
        "two-cards",
        "-o",
        str(tmp_path / "c.pdf"),
        cwd=project_copy,
    )
    assert card.exit_code == 1 and "leads outside the project folder" in card.stderr
    assert not (tmp_path / "c.pdf").exists()


def test_a_corrupt_font_and_an_alias_bomb_are_named(project_copy: Path) -> None:
    fonts = project_copy / "fonts"
    fonts.mkdir()
    (fonts / "broken.ttf").write_bytes(b"\x00\x01\x00\x00 not really a font" * 10)
    (fonts / "fonts.yaml").write_text("broken: {file: broken.ttf}\n", encoding="utf-8")
    done = Cli.process("check", cwd=project_copy)
    assert (
        done.returncode == 1
        and "fonts.yaml:1: broken: font file broken.ttf: not a font FreeType can read" in done.stdout
    ), done.stdout
    (fonts / "fonts.yaml").unlink()
    bomb = "".join(f"- &a{n} [{', '.join([f'*a{n - 1}'] * 10) if n else 'x'}]\n" for n in range(9))
    (project_copy / "content" / "slogans.yaml").write_text(bomb, encoding="utf-8")
    done = Cli.process("check", cwd=project_copy)
    assert done.returncode == 1 and "slogans.yaml:7: expands to more than 1,000,000 values" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_one_long_string_aliased_many_times_is_refused_where_it_is_read(project_copy: Path) -> None:
    """A 100,000-character string aliased 100,000 times: a 1 MB file that stands for ten billion characters.
    Refused as it is read, at its line, before anything expands it (it used to end in a Rust panic)."""
    import time
    import tracemalloc

    case = project_copy / "content" / "cases" / "fake-loan.yaml"
    edit(case, "channel: 贷款广告短信链接", "channel: &long " + "诈" * 100_000)
    signs = (
        "warning_signs:\n  - 贷款门槛极低，宣称“黑户也能贷”\n"
        "  - 放款前以解冻金、保证金、会员费等名义收费\n  - 贷款APP需通过短信链接下载\n"
    )
    line = edit(case, signs, f"warning_signs: [{', '.join(['*long'] * 100_000)}]\n")
    expected = f"fake-loan.yaml:{line}: expands to more than 10,000,000 characters through its aliases"
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(SignageError, match=expected):
            load_yaml(case)
        took, (_, peak) = time.monotonic() - started, tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert took < 10 and peak < 100_000_000, (took, peak)  # the file's size in memory, not gigabytes
    result = Cli()("--project", str(project_copy), "build", "--only", "led")
    assert result.exit_code == 1 and expected in result.stderr, result.output


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=YAML_VALUES, slogans=YAML_VALUES, raw=st.text(max_size=200))
def test_no_yaml_document_makes_the_loader_raise_anything_but_its_own_error(
    project_copy: Path, config: object, slogans: object, raw: str
) -> None:
    (project_copy / "signage.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (project_copy / "content" / "slogans.yaml").write_text(
        yaml.safe_dump(slogans, allow_unicode=True), encoding="utf-8"
    )
    (project_copy / "content" / "cases" / "fuzz.yaml").write_text(raw, encoding="utf-8")
    project, problems = read(project_copy)  # never raises: everything wrong is a located problem
    assert project is not None or problems
    try:
        load_yaml(project_copy / "content" / "cases" / "fuzz.yaml")
    except SignageError:
        pass
