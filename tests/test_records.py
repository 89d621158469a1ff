"""The typed records: their schemas are generated from them, and every file they read is written back byte for byte."""

from __future__ import annotations

import filecmp
import json
import shutil
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from signage.atomic import write_json
from signage.build import build
from signage.build.catalogue import Catalogue
from signage.kinds import open_project, planners
from signage.network.formats import read_playlist, write_screen
from signage.network.publish import read_version, timeline_js, version_digest, version_json
from signage.network.screens import Network
from signage.records import FILES, SCHEMAS_DIR, CatalogueFile, Playlist, Record, Timeline, json_schema
from signage.tree import catalogue_file, from_screen_folder

from .helpers import REPO, TODAY

ARTIFACT_KINDS = ("led", "cards", "video", "media")
TIMELINE_CALL = "signage.setTimeline("
SLOGANS = """\
- id: hotline-ask
  kind: hotline
  text:
    zh-Hans-CN: 遇到可疑情况请拨打{{ hotline }}咨询。
- id: two-cards
  kind: rule
  tags: [两卡]
  text:
    zh-Hans-CN: 银行卡、电话卡不出租、不出借、不出售。
"""
CONFIG_TAIL = """branches_file: branches.csv
led_screens:
  - {id: door-64x16, size: 64x16, mode: pages, stay: 2}
  - {id: strip-64x16, size: 64x16, mode: scroll, speed: 4}
tv_screens:
  - {id: tv-small, size: 320x180, videos: [case-16x9]}
playlist_rules:
  - {kind: led, playlist: door}
  - {kind: tv, playlist: lobby}
"""
BRANCHES = """id,name,locale,timezone,screens
east-1,东城支行,zh-Hans-CN,Asia/Shanghai,door=door-64x16;strip=strip-64x16;lobby=tv-small
"""
SCHEDULE = """dayparts:
  closed: "17:00-09:00"
campaigns:
  - {id: overnight, playlist: overnight, where: {kinds: [led]}, dayparts: [closed], priority: 5}
  - {id: news, playlist: ticker, mode: ticker, where: {kinds: [tv]}}
"""
PLAYLISTS = {
    "door": "suits: [led]\nentries:\n  - slogans: {kind: hotline}\n  - slogans: [two-cards]\n",
    "overnight": "suits: [led]\nentries:\n  - slogans: {kind: hotline}\n",
    "lobby": "suits: [tv]\nentries:\n  - image: media/poster.png\n    duration: 6\n",
    "ticker": "suits: [tv]\nentries:\n  - slogans: [two-cards]\n",
}


def round_trip(output: Path, scratch: Path) -> Counter[str]:
    """Read every record file of a built ``output`` into its model and write it again with the project's
    own writers; fail on the first file whose bytes differ. How many files of each kind were checked."""
    checked: Counter[str] = Counter()

    blob = catalogue_file(output).read_bytes()
    catalogue = CatalogueFile.model_validate_json(blob)
    assert Catalogue({r.id: r for r in catalogue.records}).to_json() == blob
    checked["catalogue.json"] += 1

    for kind in ARTIFACT_KINDS:
        for manifest in sorted((output / kind).glob("**/manifest.json")):
            again = scratch / "manifest.json"
            write_json(again, Record.model_validate_json(manifest.read_bytes()).to_data())
            assert again.read_bytes() == manifest.read_bytes(), manifest
            checked["manifest.json"] += 1

    for version_file in sorted(output.glob("publish/*/v*/version.json")):
        folder = version_file.parent
        branch_id = folder.parent.name
        version = read_version(output, branch_id, folder.name)
        assert version_json(version) == version_file.read_text(encoding="utf-8"), version_file
        checked["version.json"] += 1

        script = (folder / "timeline.js").read_text(encoding="utf-8")
        timeline = Timeline.model_validate_json(script.removeprefix(TIMELINE_CALL).removesuffix(");\n"))
        assert timeline_js(timeline) == script, folder / "timeline.js"
        checked["timeline.js"] += 1

        screens: dict[str, Playlist] = {}
        for source in sorted(p.parent for p in folder.glob("*/playlist.json")):
            playlist = read_playlist(source / "playlist.json").unlinked()
            screens[source.name] = playlist
            target = scratch / branch_id / folder.name / source.name
            write_screen(playlist, output, target, from_screen_folder)
            written = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
            assert written == sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file()), source
            for name in written:
                assert filecmp.cmp(source / name, target / name, shallow=False), source / name
                checked[name.name if name.parent == Path() else f"{name.parent}/*"] += 1
        assert version_digest(screens, timeline) == version.digest, version_file  # the digest reads the same
    return checked


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny network, built and published once: LED pages and scroll, an image on a TV with a ticker
    campaign, a schedule that switches the LED signs overnight."""
    root = tmp_path_factory.mktemp("records") / "proj"
    for name in ("templates/led", "templates/video/case-16x9.yaml", "media/poster.png", "content/words.txt"):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy2)(REPO / name, target)
    text = (REPO / "signage.yaml").read_text(encoding="utf-8")
    (root / "signage.yaml").write_text(text[: text.index("# Branches:")] + CONFIG_TAIL, encoding="utf-8")
    (root / "branches.csv").write_text(BRANCHES, encoding="utf-8")
    (root / "content" / "slogans.yaml").write_text(SLOGANS, encoding="utf-8")
    (root / "playlists").mkdir()
    for name, body in PLAYLISTS.items():
        (root / "playlists" / f"{name}.yaml").write_text(body, encoding="utf-8")
    (root / "playlists" / "schedule.yaml").write_text(SCHEDULE, encoding="utf-8")
    build(open_project(root), planners(()), workers=1, today=TODAY, tty=False, network=Network)
    return root / "output"


def test_the_committed_schemas_are_what_the_models_generate() -> None:
    for name in FILES:
        committed = (SCHEMAS_DIR / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == json_schema(name), f"run `python -m signage.records --write-schemas` ({name})"


def test_every_record_file_of_a_build_is_written_back_byte_for_byte(built: Path, tmp_path: Path) -> None:
    checked = round_trip(built, tmp_path)
    assert checked["catalogue.json"] == 1
    assert checked["manifest.json"] == 5  # 2 slogans on 2 LED signs, and the poster
    assert checked["version.json"] == checked["timeline.js"] == 1
    assert checked["playlist.json"] == checked["playlist.m3u"] == checked["playlist.smil"] == 6
    assert checked["program/*"] > 0


def test_a_ticker_and_an_led_colour_are_written_only_where_they_apply(built: Path) -> None:
    screens = {
        p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in built.glob("publish/*/v*/*/playlist.json")
    }
    assert list(screens["lobby"]) == [
        "$schema",
        "version",
        "branch",
        "screen",
        "playlist",
        "chosen_by",
        "duration",
        "items",
    ]
    assert list(screens["lobby~default+news"])[:2] == ["$schema", "ticker"]
    assert "color" not in screens["lobby"]["screen"] and screens["door"]["screen"]["color"] == "red"
    assert list(screens["door"]["items"][0])[-2:] == ["entry", "href"]


def test_every_written_file_follows_its_schema(built: Path) -> None:
    schemas = {name: json.loads(json_schema(name)) for name in FILES}
    jsonschema.validate(json.loads(catalogue_file(built).read_text(encoding="utf-8")), schemas["catalogue"])
    for path in built.glob("publish/*/v*/*/playlist.json"):  # the ticker's too
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schemas["playlist"])
    for path in built.glob("publish/*/v*/version.json"):
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schemas["version"])
        script = (path.parent / "timeline.js").read_text(encoding="utf-8")
        timeline = json.loads(script.removeprefix(TIMELINE_CALL).removesuffix(");\n"))
        jsonschema.validate(timeline, schemas["timeline"])
        assert timeline["screens"]["door"][0][1] in ("door", "door~overnight")
