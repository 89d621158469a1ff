"""The build on a dask cluster (a LocalCluster of two worker processes): the same bytes as a local
build, a worker killed mid-build does not fail it, a content error reads the same."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from signage.build import build
from signage.errors import SignageError
from signage.kinds import open_project, planners
from signage.network.screens import Network

from .helpers import TODAY, Built, edit, make_network

pytestmark = pytest.mark.xdist_group("cluster")  # one worker starts the cluster, once


@pytest.fixture(scope="module")
def cluster():  # type: ignore[no-untyped-def]
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local,
        Client(local) as client,
    ):
        yield client


def _files(output: Path) -> dict[str, str]:
    """Artifact path -> (file name -> sha256) from the catalogue: what a build made, by content."""
    records = json.loads((output / "catalogue.json").read_text(encoding="utf-8"))["records"]
    return {r["id"]: {f["name"]: f["sha256"] for f in r["files"]} for r in records}  # type: ignore[misc]


@pytest.mark.slow  # a LocalCluster of worker processes: run with `pytest -m slow`
def test_a_cluster_build_equals_a_local_one(built_network: Built, tmp_path: Path, cluster) -> None:  # type: ignore[no-untyped-def]
    from signage.build.cluster import dask_executor

    local = built_network.root
    remote = tmp_path / "remote"
    shutil.copytree(local, remote, ignore=lambda folder, names: ["output"] if Path(folder) == local else [])
    report = build(
        open_project(remote), planners(()), today=TODAY, tty=False, network=Network, executor=dask_executor(cluster)
    )
    assert sum(report.rendered.values()) == 13
    ours, theirs = _files(local / "output"), _files(remote / "output")
    assert ours.keys() == theirs.keys()
    different = {k: v for k, v in theirs.items() if v != ours[k]}
    assert not different  # byte for byte, every file of every artifact (videos, PDFs and PNGs alike)
    for screen in ("door", "lobby"):  # and published the same way
        a = json.loads((local / "output/publish/east-1/current" / screen / "playlist.json").read_text("utf-8"))
        b = json.loads((remote / "output/publish/east-1/current" / screen / "playlist.json").read_text("utf-8"))
        assert [i["sha256"] for i in a["items"]] == [i["sha256"] for i in b["items"]]


@pytest.mark.slow  # a LocalCluster of worker processes: run with `pytest -m slow`
def test_a_worker_killed_mid_build_does_not_fail_it(project_copy: Path, cluster) -> None:  # type: ignore[no-untyped-def]
    from signage.build.cluster import dask_executor

    root = make_network(project_copy)
    pids = list(cluster.run(os.getpid).values())
    execute = dask_executor(cluster)
    killed = []

    def killing(jobs, env, on_done):  # type: ignore[no-untyped-def]
        def done(outcome):  # type: ignore[no-untyped-def]
            if not killed:  # after the first result, one worker dies with jobs still to do
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
            on_done(outcome)

        execute(jobs, env, done)

    report = build(open_project(root), planners(()), today=TODAY, tty=False, network=Network, executor=killing)
    assert killed and sum(report.rendered.values()) == 13 and not report.errors
    cluster.wait_for_workers(2, timeout=60)  # the LocalCluster brings a new one up for the next test


@pytest.mark.slow  # a LocalCluster of worker processes: run with `pytest -m slow`
def test_a_content_error_reads_the_same_on_the_cluster(project_copy: Path, cluster) -> None:  # type: ignore[no-untyped-def]
    from signage.build.cluster import dask_executor

    root = make_network(project_copy)
    path = root / "templates" / "video" / "slogan-16x9.yaml"
    edit(
        path,
        '{type: slogan, text: "{{ slogan.text }}"}',
        '{type: slogan, text: "{{ slogan.text }}", box: [0.1, 0.1, 0.1, 0.05]}',
    )
    messages = []
    for executor in (None, dask_executor(cluster)):
        with pytest.raises(SignageError) as raised:
            build(open_project(root), planners(("video",)), today=TODAY, tty=False, executor=executor, workers=1)
        messages.append(sorted(str(p) for p in raised.value.problems))
    assert messages[0] == messages[1] and "does not fit" in messages[0][0]


@pytest.mark.slow  # a LocalCluster of worker processes: run with `pytest -m slow`
def test_an_interrupted_cluster_build_leaves_the_previous_outputs_live(built_network_copy: Path, cluster) -> None:  # type: ignore[no-untyped-def]
    from signage.build.cluster import dask_executor

    root = built_network_copy
    before = (root / "output" / "catalogue.json").read_bytes()
    live = os.readlink(root / "output" / "publish" / "east-1" / "current")
    slogans = root / "content" / "slogans.yaml"
    edit(slogans, "刷单返利都是诈骗", "刷单返利全是诈骗")
    execute = dask_executor(cluster)

    def interrupted(jobs, env, on_done):  # type: ignore[no-untyped-def]
        def done(outcome):  # type: ignore[no-untyped-def]
            raise KeyboardInterrupt  # Ctrl-C on the client as the first result arrives

        execute(jobs, env, done)

    with pytest.raises(KeyboardInterrupt):
        build(open_project(root), planners(()), today=TODAY, tty=False, network=Network, executor=interrupted)
    assert (root / "output" / "catalogue.json").read_bytes() == before
    assert os.readlink(root / "output" / "publish" / "east-1" / "current") == live
    assert not (root / "output" / ".staging").exists() or not any((root / "output" / ".staging").iterdir())


def test_without_the_extra_the_option_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from signage.build.cluster import connect

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    with pytest.raises(SignageError, match=r"pip install 'signage\[cluster\]'"):
        connect("tcp://127.0.0.1:8786")
