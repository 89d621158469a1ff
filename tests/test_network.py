"""From the catalogue to a bank's screens: selection, playlists in every format, publishing, rollback, export."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import av
import jsonschema
import pytest

from signage.app.check import check_project
from signage.errors import SignageError
from signage.kinds import open_project
from signage.network import publish as publish_module
from signage.network.publish import current_version, rollback, versions

from .helpers import REPO, Built, Cli, build_network, edit, make_network

SMIL = "{http://www.w3.org/ns/SMIL}"
SHARED = pytest.mark.xdist_group("built_network")  # the tests of `built_network` on one worker: one build


@pytest.fixture()
def network(project_copy: Path) -> Path:
    """The two-branch network (see ``helpers.make_network``), not built yet."""
    return make_network(project_copy)


def live(root: Path, branch: str, screen: str, name: str = "playlist.json") -> Path:
    return root / "output" / "publish" / branch / "current" / screen / name


@SHARED
def test_every_screen_gets_its_playlist_in_every_format(built_network: Built) -> None:
    network, report = built_network.root, built_network.report
    assert "published: 2 branch(es) with a new version, 0 unchanged, 4 screen(s)" in report.published
    assert "18 playlist selections point at 9 artifact(s)" in report.published  # 2 x (3 door + 6 lobby) items
    schema = json.loads((REPO / "signage" / "schemas" / "playlist.schema.json").read_text(encoding="utf-8"))
    data = json.loads(live(network, "east-1", "lobby").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert data["chosen_by"] == "playlist_rules[1]" and data["screen"]["size"] == [320, 180]
    contents = [(i["content"]["kind"], i["content"]["id"]) for i in data["items"]]
    assert contents == [
        ("case", "shuadan-rebate"),
        ("slogan", "hotline-ask"),
        ("slogan", "formula-shuadan"),
        ("slogan", "counter-question"),
        ("image", "media-poster-png"),
        ("video", "media-film-mp4"),
    ]
    assert "东城支行提醒" in data["items"][3]["text"]  # the branch's own variant
    folder = live(network, "east-1", "lobby").parent
    for item in data["items"]:  # every link resolves, through `current`, to the stored bytes
        target = folder / item["href"]
        assert target.is_file() and target.stat().st_size == item["bytes"]
    assert data["items"][4]["duration"] == 6

    m3u = live(network, "east-1", "lobby", "playlist.m3u").read_text(encoding="utf-8").splitlines()
    assert m3u[0] == "#EXTM3U"
    extinf = [line for line in m3u if line.startswith("#EXTINF:")]
    links = [line for line in m3u if line and not line.startswith("#")]
    assert len(extinf) == len(links) == len(data["items"])
    assert [float(line[8:].split(",")[0]) for line in extinf] == [i["duration"] for i in data["items"]]
    assert all((folder / link).is_file() for link in links)

    smil = ET.parse(live(network, "east-1", "lobby", "playlist.smil")).getroot()
    assert smil.tag == f"{SMIL}smil" and smil.get("version") == "3.0"
    seq = smil.find(f"{SMIL}body/{SMIL}par/{SMIL}seq")
    assert seq is not None and seq.get("repeatCount") == "indefinite"
    assert [child.tag.removeprefix(SMIL) for child in seq] == ["video", "video", "video", "video", "img", "video"]
    assert len(smil.findall(f"{SMIL}body/{SMIL}par/{SMIL}prefetch")) == len(data["items"])
    root_layout = smil.find(f"{SMIL}head/{SMIL}layout/{SMIL}root-layout")
    assert root_layout is not None and (root_layout.get("width"), root_layout.get("height")) == ("320", "180")

    door = json.loads(live(network, "west-2", "door").read_text(encoding="utf-8"))
    jsonschema.validate(door, schema)
    assert [i["kind"] for i in door["items"]] == ["image"] * len(door["items"])  # LED pages, one item each
    program = live(network, "west-2", "door").parent / "program"
    listing = (program / "program.txt").read_text(encoding="utf-8").splitlines()[1:]
    assert [line.split("\t")[0] for line in listing] == [f"{n:03d}.png" for n in range(1, len(door["items"]) + 1)]
    assert all((program / line.split("\t")[0]).stat().st_size > 0 for line in listing)


@SHARED
def test_a_supplied_clip_is_normalised_once_per_profile(built_network: Built) -> None:
    network = built_network.root
    record = next(
        r
        for r in json.loads((network / "output" / "catalogue.json").read_text(encoding="utf-8"))["records"]
        if r["kind"] == "media" and r["content"]["kind"] == "video"
    )
    clip = network / "output" / record["files"][0]["path"]
    with av.open(str(clip)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (320, 180)  # letterboxed 4:3 in 16:9
        assert video.codec_context.profile == "High" and video.codec_context.pix_fmt == "yuv420p"
        assert round(float(video.average_rate)) == 25
        assert container.streams.audio and container.streams.audio[0].codec_context.name == "aac"  # a silent track
    assert clip.read_bytes()[:4096].find(b"moov") != -1  # faststart: the index comes first
    assert record["duration"] == pytest.approx(1.0, abs=0.1)


@SHARED
def test_shared_content_is_rendered_once_for_every_branch(built_network: Built) -> None:
    network, report = built_network.root, built_network.report
    records = json.loads((network / "output" / "catalogue.json").read_text(encoding="utf-8"))["records"]
    ids = {r["id"] for r in records}
    assert "video/slogan-16x9/zh-Hans-CN/hotline-ask" in ids  # a hotline slogan video: the playlist wants it
    assert {
        "video/slogan-16x9/zh-Hans-CN/counter-question@east-1",
        "video/slogan-16x9/zh-Hans-CN/counter-question@west-2",
    } <= ids
    assert report.rendered["media"] == 2  # the poster and the film, once for the one TV profile
    east = json.loads(live(network, "east-1", "lobby").read_text(encoding="utf-8"))["items"]
    west = json.loads(live(network, "west-2", "lobby").read_text(encoding="utf-8"))["items"]
    shared = [(a["file"], b["file"]) for a, b in zip(east, west) if a["content"]["id"] != "counter-question"]
    assert all(a == b for a, b in shared)  # the same stored file for both branches


@SHARED
def test_versions_only_when_something_changed_and_rollback(built_network_copy: Path) -> None:
    network = built_network_copy
    out = network / "output"
    assert versions(out, "east-1") == ["v0001"]
    again = build_network(network)
    assert "0 branch(es) with a new version, 2 unchanged" in again.published and versions(out, "east-1") == ["v0001"]
    # the edits are to a slogan only the door signs show: a new version each, its LED pages made again in
    # milliseconds (one on the lobby's videos would encode two videos for every edit)
    slogans = network / "content" / "slogans.yaml"
    edit(slogans, "不出售。", "不转卖。")
    build_network(network)
    assert versions(out, "east-1") == ["v0001", "v0002"] and current_version(out, "east-1") == "v0002"
    assert "不转卖" in live(network, "east-1", "door").read_text(encoding="utf-8")
    assert rollback(out, "east-1")[:2] == ("v0002", "v0001")
    assert "不出售" in live(network, "east-1", "door").read_text(encoding="utf-8")
    assert "不转卖" not in live(network, "east-1", "door").read_text(encoding="utf-8")
    for screen in ("door", "lobby"):
        assert os.readlink(out / "publish" / "east-1" / "screens" / screen) == f"../v0001/{screen}"
    assert (
        "0 branch(es) with a new version" in build_network(network).published
    )  # the rollback holds until content changes
    assert current_version(out, "east-1") == "v0001"
    edit(slogans, "不转卖。", "不倒卖。")
    build_network(network)
    edit(slogans, "不倒卖。", "不售卖。")
    report = build_network(network)
    assert versions(out, "east-1") == ["v0003", "v0004"] and "old version(s) removed" in report.published  # keep: 2
    for version in versions(out, "east-1"):  # what kept versions play is still in the store
        files = [
            item["file"]
            for screen in ("door", "lobby")
            for item in json.loads((out / "publish" / "east-1" / version / screen / "playlist.json").read_text())[
                "items"
            ]
        ]
        assert all((out / file).is_file() for file in files)
    assert "不倒卖" in (out / "publish" / "east-1" / "v0003" / "door" / "playlist.json").read_text(encoding="utf-8")


@SHARED
def test_a_crash_during_publish_leaves_the_previous_version_live(
    built_network_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    network = built_network_copy
    out = network / "output"
    before = live(network, "east-1", "door").read_bytes()
    slogans = network / "content" / "slogans.yaml"
    edit(slogans, "不出售。", "不转卖。")  # on the door signs only: no video to encode

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # as if SIGTERM arrived just before the switch

    monkeypatch.setattr(publish_module, "switch", killed)
    with pytest.raises(KeyboardInterrupt):
        build_network(network)
    assert current_version(out, "east-1") == "v0001" and live(network, "east-1", "door").read_bytes() == before
    monkeypatch.undo()
    build_network(network)  # the next build finds v0002 complete, and makes it live
    assert current_version(out, "east-1") == "v0002"
    assert "不转卖" in live(network, "east-1", "door").read_text(encoding="utf-8")


@SHARED
def test_export_makes_a_bundle_that_plays_anywhere(built_network: Built, tmp_path: Path) -> None:
    network = built_network.root
    done = Cli.process("export", "--branch", "east-1", "--to", str(tmp_path / "usb.zip"), cwd=network)
    assert done.returncode == 0, done.stderr
    unpacked = tmp_path / "usb"
    with zipfile.ZipFile(tmp_path / "usb.zip") as archive:
        archive.extractall(unpacked)
    for screen in ("door", "lobby"):
        data = json.loads((unpacked / screen / "playlist.json").read_text(encoding="utf-8"))
        for item in data["items"]:
            assert item["href"].startswith("../assets/") and (unpacked / screen / item["href"]).is_file()
        links = [
            x
            for x in (unpacked / screen / "playlist.m3u").read_text(encoding="utf-8").splitlines()
            if x and not x.startswith("#")
        ]
        assert all((unpacked / screen / link).is_file() for link in links)
    assert (unpacked / "door" / "program" / "001.png").is_file()
    # the index at the top: each screen, what it plays now, the folder a media player loads, the player link
    assert re.search(r"east-1 v\d{4}, 2 screen\(s\) \(\d+ playlist folder", done.stdout), done.stdout
    index = (unpacked / "README.txt").read_text(encoding="utf-8")
    for screen in ("door", "lobby"):
        now = (network / "output/publish/east-1/screens" / screen).readlink().name
        load = f"{now}/program/" if screen == "door" else f"{now}/playlist.m3u"
        assert f"  media player:     {load}" in index and f"player.html?screen={screen}" in index
        assert (unpacked / load).exists()
    html = (unpacked / "index.html").read_text(encoding="utf-8")
    assert 'href="player.html?screen=lobby"' in html and "<td><b>door</b>" in html


@SHARED
def test_export_refuses_a_target_whose_folder_is_missing(built_network: Built, tmp_path: Path) -> None:
    missing = tmp_path / "not-mounted" / "usb.zip"
    done = Cli.process("export", "--branch", "east-1", "--to", str(missing), cwd=built_network.root)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{missing}: the folder {missing.parent} does not exist" in done.stderr
    assert not missing.parent.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("playlists/lobby.yaml", "cases: {outcome: stopped}", "cases: {outcome: lost}"),
            "lobby.entries[0]: the cases selection matches nothing",
        ),
        (
            (
                "playlists/door.yaml",
                "suits: [led]\nentries:\n",
                "suits: [led]\nentries:\n  - image: media/poster.png\n",
            ),
            "an image file cannot play on LED sign door-64x16",
        ),
        (("branches.csv", "door=door-64x16;lobby", "door=door-99;lobby"), "no screen profile 'door-99'"),
        (("signage.yaml", "- {kind: tv, playlist: lobby}", "- {kind: tv, playlist: nope}"), "no playlist 'nope'"),
    ],
)
def test_check_names_file_item_and_field(network: Path, change: tuple[str, str, str], message: str) -> None:
    assert not [p for p in check_project(network) if not p.warning]
    path, old, new = change
    edit(network / path, old, new)
    found = "\n".join(str(p) for p in check_project(network))
    assert message in found, found


def test_bad_branch_rows_and_undecodable_media_are_located(network: Path) -> None:
    csv = network / "branches.csv"
    csv.write_text(
        csv.read_text(encoding="utf-8") + "bad id,北站,zh-Hans-CN,,,door=door-64x16\neast-1,重复,zh-Hans-CN,,,\n",
        encoding="utf-8",
    )
    (network / "media" / "film.mp4").write_bytes(b"not a video at all")
    done = Cli.process("check", cwd=network)  # as a user runs it: exit 1, located lines, no traceback
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "branches.csv:4: bad id.id:" in done.stdout
    assert "branches.csv:5: east-1.id: duplicate branch id" in done.stdout
    assert "lobby.entries[3].video: film.mp4 is not a media file ffmpeg can read" in done.stdout


def test_a_branch_variable_fills_texts(network: Path) -> None:
    slogans = network / "content" / "slogans.yaml"
    edit(slogans, "{{ branch.name }}提醒", "{{ branch.address }}")
    project = open_project(network)
    entry = project.entry("counter-question", "text.zh-Hans-CN")
    assert project.fill(entry, project.branch("west-2")).startswith("西城路2号")
    csv = network / "branches.csv"
    edit(csv, "西城路2号", "")  # west-2 has none
    found = "\n".join(str(p) for p in check_project(network))
    assert "counter-question.text.zh-Hans-CN: branch has no field 'address'" in found, found


def test_two_writers_never_run_at_once(network: Path) -> None:
    """A second build refuses (or waits) while another holds the project; a killed holder never blocks."""
    import threading
    import time

    from signage.lock import project_lock

    output = network / "output"
    with project_lock(output, "build"):
        refused = Cli.process("build", cwd=network)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert f"signage build (pid {os.getpid()}) is writing this project's output" in refused.stderr
        assert "--wait" in refused.stderr
        with pytest.raises(SignageError, match="is writing this project's output"), project_lock(output, "build"):
            pass
    order: list[str] = []

    def second() -> None:
        with project_lock(output, "build", wait=True):
            order.append("second")

    with project_lock(output, "build"):
        waiter = threading.Thread(target=second)
        waiter.start()
        time.sleep(0.3)
        order.append("first done")
    waiter.join(timeout=10)
    assert order == ["first done", "second"]
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from pathlib import Path; from signage.lock import project_lock\n"
                f"with project_lock(Path({str(output)!r}), 'build'):\n    print('held', flush=True); time.sleep(60)"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()  # kill -9 while holding it
    holder.wait()
    with project_lock(output, "build"):  # the kernel released it: not stale, free
        pass
