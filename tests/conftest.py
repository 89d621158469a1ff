"""Shared fixtures: copies of the example project (never the repository itself), its fonts, a CLI runner.

Plain helpers (copying, checked edits, the CLI, the two-branch network) live in ``tests/helpers.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from signage.kinds import open_project as load_project
from signage.project.model import Project
from signage.typography.fonts import FontChain

from .helpers import REPO, Built, Cli, build_network, clone, copy_example, make_network

__all__ = ["REPO", "Cli"]  # still importable from here; new code imports them from .helpers


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own hook, which this one repairs
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make ``--dist loadgroup`` group again under pytest 9.2.

    pytest-xdist (3.8) tells its scheduler a test's group by appending ``@group`` to the test's
    id, and does so by setting ``item._nodeid``; pytest 9.2 keeps the id in ``item._id`` instead,
    so the suffix never arrives and every ``xdist_group`` is silently ignored
    (pytest-dev/pytest-xdist#1386): a shared build was made on both workers, the browser started
    twice. Where the suffix is missing, set it where this pytest reads it; with a pytest and
    pytest-xdist that agree, the suffix is already there and nothing changes.
    """
    if not getattr(config.option, "loadgroup", False):  # set on xdist's workers under --dist loadgroup
        return
    for item in items:
        names = sorted(
            {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")}
        )
        if not names:
            continue
        suffix = "@" + "_".join(names)
        if item.nodeid.endswith(suffix):
            continue
        node_id = getattr(item, "_id", None)
        if node_id is None:
            raise RuntimeError(f"cannot tell pytest-xdist the group of {item.nodeid}: update the repair in conftest.py")
        item._id = type(node_id).parse(item.nodeid + suffix)


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Font subsets and every other cache under a temp folder, never the user's home; one per run,
    shared by the xdist workers (each subset is written atomically), so a subset is cut once for the
    whole suite (subprocesses inherit the variable)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.getbasetemp().parent / "cache"  # the run's folder, above each worker's
        folder.mkdir(exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("SIGNAGE_CACHE_DIR")
    os.environ["SIGNAGE_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["SIGNAGE_CACHE_DIR"]
    else:
        os.environ["SIGNAGE_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def example_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project copied once per session, for tests that only read it (never write here:
    take ``project_copy``); an ``output/`` in the repository cannot change what they see."""
    return copy_example(tmp_path_factory.mktemp("example") / "proj")


@pytest.fixture(scope="session")
def example(example_dir: Path) -> Project:
    return load_project(example_dir)


@pytest.fixture(scope="session")
def sans(example: Project) -> FontChain:
    return example.fonts.chain("sans", "zh-Hans-CN")


@pytest.fixture()
def project_copy(tmp_path: Path) -> Path:
    """A fresh copy of the example project for one test to change (without fonts: those come bundled)."""
    return copy_example(tmp_path / "proj")


@pytest.fixture(scope="session")
def built_network(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The two-branch network (``helpers.make_network``) built and published once per session, for
    tests that only read it."""
    root = make_network(copy_example(tmp_path_factory.mktemp("network") / "proj"))
    return Built(root, build_network(root))


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, driven by playwright: started once per worker for the browser tests
    (tests/test_browser.py, tests/test_player_page.py), each of which opens pages of its own. Those
    modules check that it is installed before asking for it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--autoplay-policy=no-user-gesture-required"]
        )
        yield chromium
        chromium.close()


@pytest.fixture()
def built_network_copy(built_network: Built, tmp_path: Path) -> Path:
    """A copy of the built network for one test to change and build again."""
    return clone(built_network.root, tmp_path / "proj")


@pytest.fixture()
def cli() -> Cli:
    return Cli()
