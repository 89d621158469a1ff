"""Shared fixtures: the real example project, its fonts, and a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from signage.cli import main
from signage.kinds import open_project as load_project
from signage.project.model import Project
from signage.typography.fonts import FontChain

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Font subsets and every other cache under a temp folder, never the user's home; one per session,
    so the subsets are cut once for the whole suite (subprocesses inherit the variable)."""
    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("SIGNAGE_CACHE_DIR")
    os.environ["SIGNAGE_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["SIGNAGE_CACHE_DIR"]
    else:
        os.environ["SIGNAGE_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def example() -> Project:
    return load_project(REPO)


@pytest.fixture(scope="session")
def sans(example: Project) -> FontChain:
    return example.fonts.chain("sans", "zh-Hans-CN")


@pytest.fixture()
def project_copy(tmp_path: Path) -> Path:
    """A fresh copy of the example project (without fonts: those come bundled)."""
    target = tmp_path / "proj"
    target.mkdir()
    for name in ("signage.yaml", "branches.csv", "content", "templates", "playlists", "media"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, target / name)
        else:
            shutil.copy2(src, target / name)
    return target


def edit_first_line(path: Path, contains: tuple[str, ...], old: str, new: str) -> int:
    """Replace ``old`` with ``new`` on the first line holding all of ``contains``; its 1-based number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if all(c in line for c in contains))
    lines[n] = lines[n].replace(old, new)
    path.write_text("\n".join(lines), encoding="utf-8")
    return n + 1


class Cli:
    """Runs ``signage`` in-process (fast) or as a real process (to see tracebacks)."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, cwd: Path | None = None):  # type: ignore[no-untyped-def]
        return self.runner.invoke(main, list(args), catch_exceptions=False)

    @staticmethod
    def process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "signage", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
        )


@pytest.fixture()
def cli() -> Cli:
    return Cli()
