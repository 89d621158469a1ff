"""What the tests share besides fixtures: copies of the example project, edits that fail when their
anchor is missing, the command line, and the small two-branch network most publishing tests use."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from signage.build import BuildReport, build
from signage.cli import main
from signage.ffmpeg import ffmpeg_exe
from signage.kinds import open_project, planners
from signage.network.screens import Network
from signage.resources import EXAMPLE_FILES

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 6, 1)  # the day the network tests build as of


def copy_example(target: Path) -> Path:
    """The example project (its EXAMPLE_FILES; fonts come bundled) copied into ``target``, a new folder."""
    target.mkdir(parents=True)
    for name in EXAMPLE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    return target


def clone(source: Path, target: Path) -> Path:
    """A project folder copied with its built output as it is: symbolic links stay links and files
    hard-linked together (the store and the readable tree) stay linked, in the copy only."""
    copies: dict[tuple[int, int], Path] = {}

    def copy(src: str, dst: str) -> None:
        stat = os.stat(src)
        first = copies.setdefault((stat.st_dev, stat.st_ino), Path(dst))
        if first == Path(dst):
            shutil.copy2(src, dst)
        else:
            os.link(first, dst)

    shutil.copytree(source, target, symlinks=True, copy_function=copy)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace the first ``count`` occurrences of ``old`` in a file with ``new`` (every one when ``count``
    is -1); fails the test when ``old`` is not there that often. The line (1-based) of the first."""
    text = path.read_text(encoding="utf-8")
    found = text.count(old)
    if found == 0 or found < count:
        pytest.fail(f"{path}: {old!r} is there {found} time(s), the edit needs {max(count, 1)}", pytrace=False)
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


@contextmanager
def working_dir(folder: Path | None) -> Iterator[None]:
    """Run the block in ``folder`` (as a user would, from inside a project), then come back."""
    previous = os.getcwd()
    if folder is not None:
        os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


class Cli:
    """Runs ``signage`` in-process (fast) or as a real process (to see tracebacks), in ``cwd`` if given."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, cwd: Path | None = None) -> Result:
        with working_dir(cwd):
            return self.runner.invoke(main, list(args), catch_exceptions=False)

    @staticmethod
    def process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "signage", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
        )


# The two-branch network: each branch with an LED door sign and a small lobby TV, one case, a poster and a clip.
NETWORK_SLOGANS = """\
- id: hotline-ask
  kind: hotline
  text:
    zh-Hans-CN: 遇到可疑情况请拨打{{ hotline }}咨询。
- id: two-cards
  kind: rule
  tags: [两卡]
  text:
    zh-Hans-CN: 银行卡、电话卡不出租、不出借、不出售。
- id: formula-shuadan
  kind: slogan
  text:
    zh-Hans-CN: 刷单返利都是诈骗，先返小钱后骗大钱。
- id: counter-question
  kind: slogan
  text:
    zh-Hans-CN: "{{ branch.name }}提醒：柜员多问一句，是为守住您的钱袋子。"
"""
NETWORK_CONFIG = """led_screens:
  - {id: door-64x16, size: 64x16, mode: pages, stay: 2}
tv_screens:
  - {id: tv-small, size: 320x180, videos: [case-16x9, slogan-16x9]}
playlist_rules:
  - {kind: led, playlist: door}
  - {kind: tv, playlist: lobby}
publish: {keep: 2}
"""
NETWORK_BRANCHES = """id,name,locale,tags,address,screens
east-1,东城支行,zh-Hans-CN,社区网点,东城路1号,door=door-64x16;lobby=tv-small
west-2,西城支行,zh-Hans-CN,,西城路2号,door=door-64x16;lobby=tv-small
"""


def make_clip(path: Path, seconds: float = 1.0, size: str = "200x150") -> None:
    """A small 4:3 test clip without sound, as a bank might supply."""
    subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size={size}:rate=30:duration={seconds}",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )


def make_network(root: Path) -> Path:
    """The example at ``root`` cut down to the two-branch network (see NETWORK_*)."""
    (root / "content" / "slogans.yaml").write_text(NETWORK_SLOGANS, encoding="utf-8")
    for case in (root / "content" / "cases").glob("*.yaml"):
        if case.stem != "shuadan-rebate":
            case.unlink()
    edit(
        root / "content" / "cases" / "shuadan-rebate.yaml",
        "related_slogans: [formula-shuadan, counter-question]",
        "related_slogans: [formula-shuadan]",
    )
    config = root / "signage.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("# Branches:")] + "branches_file: branches.csv\n" + NETWORK_CONFIG, "utf-8")
    (root / "branches.csv").write_text(NETWORK_BRANCHES, encoding="utf-8")
    for kind, keep in (("card", ()), ("video", ("case-16x9", "slogan-16x9"))):
        for template in (root / "templates" / kind).glob("*.yaml"):
            if template.stem not in keep:
                template.unlink()
    for name in ("case-16x9", "slogan-16x9"):
        path = root / "templates" / "video" / f"{name}.yaml"
        edit(path, "size: 1920x1080", "size: 320x180")
        edit(path, "height: 96", "height: 24")
        edit(path, "size: 52", "size: 14")
    make_clip(root / "media" / "film.mp4")
    playlists = root / "playlists"
    for old in playlists.glob("*.yaml"):
        old.unlink()
    (playlists / "door.yaml").write_text(
        "suits: [led]\nentries:\n  - slogans: {kind: hotline}\n  - slogans: [two-cards]\n  - cases: {newest: 1}\n",
        encoding="utf-8",
    )
    (playlists / "lobby.yaml").write_text(
        "suits: [tv]\nentries:\n  - cases: {outcome: stopped}\n  - slogans: {kind: [slogan, hotline]}\n"
        "  - image: media/poster.png\n    duration: 6\n  - video: media/film.mp4\n",
        encoding="utf-8",
    )
    return root


@dataclass(frozen=True)
class Built:
    """A project built once (by a session fixture) and what that build reported."""

    root: Path
    report: BuildReport


def build_network(root: Path, **options: Any) -> BuildReport:
    """Build and publish the project at ``root`` as of TODAY, one worker, no terminal: the build's report."""
    return build(open_project(root), planners(()), workers=1, today=TODAY, tty=False, network=Network, **options)
