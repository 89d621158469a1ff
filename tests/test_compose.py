"""Videos composed by ffmpeg from stills painted once, as content-addressed segments joined by stream
copy: one continuous stream, the same pictures as the renderer before, each distinct scene encoded once."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from signage.build import worker_cores
from signage.build.catalogue import Catalogue
from signage.build.store import Store
from signage.ffmpeg import ffmpeg_exe
from signage.job import PlanContext
from signage.kinds import open_project
from signage.project.model import Project
from signage.tree import segment_dir
from signage.video import compose
from signage.video.job import plan as video_plan
from signage.video.job import video_job
from signage.video.render import render_video
from signage.video.scenes import reading_time
from signage.video.template import VideoTemplate

from .helpers import REPO, Built, edit
from .test_players import play_in_mpv, play_in_vlc
from .test_video import frames_at

# made by the Python-frame renderer as it was just before it was replaced (the layout after issue 19)
BEFORE = REPO / "tests" / "data" / "video-before"


@pytest.fixture(scope="module")
def ffprobe() -> str:
    found = shutil.which("ffprobe")
    if found is None:
        pytest.fail("Debian's ffprobe is required: apt-get install ffmpeg")
    return found


def _template(project: Project, name: str, size: str) -> VideoTemplate:
    return VideoTemplate.model_validate(project.template("video", name).resized(size))


def _render(
    project: Project, name: str, size: str, out: Path, segments: Path, kind: str, item: str, **options: Any
) -> dict[str, Any]:
    template = _template(project, name, size)
    locale = options.pop("locale", "zh-Hans-CN")
    job = video_job(
        project, template, kind, item, locale, options.pop("branch", None), duration=options.get("duration")
    )
    return render_video(template, job.texts, project.fonts, project.root, locale, out, segments=segments, **options)


def _encoded(manifest: dict[str, Any]) -> list[int]:
    """The segments (by index) this render encoded; the others came from the store."""
    return [n for n, s in enumerate(manifest["segments"]) if s["encoded"]]


def _boxes(path: Path) -> list[bytes]:
    """The MP4's top-level box types."""
    data, at, types = path.read_bytes(), 0, []
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        types.append(data[at + 4 : at + 8])
        at += size if size >= 8 else len(data)
    return types


def _avcc(path: Path) -> bytes:
    """The stream's parameter sets (SPS and PPS, in the avcC box)."""
    data = path.read_bytes()
    at = data.index(b"avcC")
    return data[at - 4 : at - 4 + int.from_bytes(data[at - 4 : at], "big")]


@pytest.fixture(scope="module")
def slogan(tmp_path_factory: pytest.TempPathFactory, example: Project) -> tuple[Path, dict[str, Any], Path]:
    folder = tmp_path_factory.mktemp("joined")
    out, segments = folder / "slogan.mp4", folder / "segments"
    # its two holds stitched from slices, as a 1080p video's are (a small one is one picture by default),
    # so the joints below are those of stitched and whole-picture segments, in every player
    stitch_from, compose.STITCH_FROM = compose.STITCH_FROM, 0
    try:
        manifest = _render(example, "slogan-16x9", "320x180", out, segments, "slogan", "two-cards", duration=4.0)
    finally:
        compose.STITCH_FROM = stitch_from
    return out, manifest, segments


def test_the_joined_video_is_one_continuous_stream_with_one_index(
    slogan: tuple[Path, dict[str, Any], Path], ffprobe: str
) -> None:
    out, manifest, segments = slogan
    assert len(manifest["segments"]) == 3  # the slogan held, its crossfade to the hotline, the hotline held
    assert _boxes(out).count(b"moov") == 1 and _boxes(out).index(b"moov") < _boxes(out).index(b"mdat")
    probe = json.loads(
        subprocess.run(
            [ffprobe, "-v", "error", "-show_streams", "-show_packets", "-of", "json", str(out)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    kinds = [s["codec_type"] for s in probe["streams"]]
    assert sorted(kinds) == ["audio", "video"]
    video = [p for p in probe["packets"] if p["stream_index"] == kinds.index("video")]
    assert len(video) == manifest["frames"] == 100
    dts = [int(p["dts"]) for p in video]
    assert all(b > a for a, b in zip(dts, dts[1:]))  # strictly increasing: no gap, no overlap at a joint
    assert [int(p["pts"]) for p in video] == dts  # no reordering across a joint
    steps = {b - a for a, b in zip(dts, dts[1:])}
    assert len(steps) == 1  # one frame every 1/25 s throughout
    keyframes = [n for n, p in enumerate(video) if "K" in p["flags"]]
    assert {s["first"] for s in manifest["segments"]} <= set(keyframes)  # every segment starts on an IDR
    # every segment has the same parameter sets as the joined file: one stream, not three glued
    headers = {_avcc(segments / f"{s['key']}.mp4") for s in manifest["segments"]}
    assert headers == {_avcc(out)}
    # the holds are slices stitched here (no x264 banner), the crossfade one x264 picture a frame
    banners = [b"x264 - core" in (segments / f"{s['key']}.mp4").read_bytes() for s in manifest["segments"]]
    assert banners == [False, True, False]


@pytest.mark.parametrize(
    ("name", "size", "kind", "item", "least"),
    [
        ("case-16x9", "320x180", "case", "shuadan-rebate", 0.985),
        ("case-9x16", "180x320", "case", "shuadan-rebate", 0.985),
        ("slogan-16x9", "320x180", "slogan", "two-cards", 0.99),
    ],
)
def test_pictures_are_those_of_the_renderer_before(
    example: Project, tmp_path: Path, name: str, size: str, kind: str, item: str, least: float
) -> None:
    out = tmp_path / f"{name}.mp4"
    _render(example, name, size, out, tmp_path / "segments", kind, item, duration=4.0)
    done = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(BEFORE / f"{name}.mp4"), "-i", str(out), "-lavfi", "ssim"]
        + ["-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    ssim = float(done.stderr.rsplit("All:", 1)[1].split()[0])
    assert least <= ssim <= 1.0


def test_a_scene_two_videos_show_is_encoded_once(project_copy: Path, tmp_path: Path) -> None:
    # the same ticker and timings for every slogan: the hotline scene is the same picture in both
    template = project_copy / "templates" / "video" / "slogan-16x9.yaml"
    edit(template, "{{ upcoming[:3] | join('　　　') }}", "反诈专线96110")
    edit(
        template,
        '{type: slogan, text: "{{ slogan.text }}"}',
        '{type: slogan, text: "{{ slogan.text }}", duration: 1.5}',
    )
    edit(template, '{type: hotline, accent: "#ffffff"}', '{type: hotline, accent: "#ffffff", duration: 1.5}')
    project, segments = open_project(project_copy), tmp_path / "segments"
    first = _render(project, "slogan-16x9", "320x180", tmp_path / "a.mp4", segments, "slogan", "two-cards")
    second = _render(project, "slogan-16x9", "320x180", tmp_path / "b.mp4", segments, "slogan", "hotline-ask")
    assert _encoded(first) == [0, 1, 2]
    assert _encoded(second) == [0, 1]  # its own slogan and the fade out of it; the hotline from the store
    assert first["segments"][2]["key"] == second["segments"][2]["key"]
    assert len(list(segments.glob("*.mp4"))) == 5
    # the reused scene shows the same pictures in both videos
    a, b = frames_at(tmp_path / "a.mp4", [2.5]), frames_at(tmp_path / "b.mp4", [2.5])
    assert np.abs(a[0] - b[0]).mean() < 0.5


def test_a_branch_variant_encodes_only_its_own_scene(example: Project, tmp_path: Path) -> None:
    # as a build plans them: every branch's variant holds its slogan as long as the longest branch's
    small = VideoTemplate.model_validate(example.template("video", "slogan-16x9").resized("320x180"))
    variants = {
        job.branch: job
        for job in video_plan(example, PlanContext(dt.date(2026, 6, 1)))
        if job.content_id == "branch-reminder" and job.target == "slogan-16x9"
    }
    assert len(variants) >= 2
    texts = [job.texts.scenes[0]["slogan"] for job in variants.values()]
    natural = {reading_time(text, small) for text in texts}
    assert len(natural) > 1  # the branches' names are of different lengths, so their own times differ
    segments, made = tmp_path / "segments", []
    for branch in ("changzhi-yingxiong", "beijing-chaoyang"):
        job = variants[branch]
        out = tmp_path / f"{branch}.mp4"
        made.append(render_video(small, job.texts, example.fonts, example.root, job.locale, out, segments=segments))
    assert made[0]["scenes"][0]["texts"][0]["text"] != made[1]["scenes"][0]["texts"][0]["text"]
    assert made[0]["scenes"][0]["end"] == made[1]["scenes"][0]["end"] == max(natural)
    assert made[0]["duration"] == made[1]["duration"]
    assert _encoded(made[0]) == list(range(len(made[0]["segments"])))
    # the second branch: the slogan naming it (cut every 10 s) and the fade out of it; the rest from the store
    assert _encoded(made[1]) == [0, 1]
    assert [s["key"] for s in made[0]["segments"][2:]] == [s["key"] for s in made[1]["segments"][2:]]


def test_a_ticker_over_scenes_moves_any_whole_number_of_pixels(project_copy: Path, tmp_path: Path) -> None:
    edit(project_copy / "templates" / "video" / "slogan-16x9.yaml", "speed: 4", "speed: 3")
    out = tmp_path / "odd.mp4"
    manifest = _render(
        open_project(project_copy), "slogan-16x9", "320x180", out, tmp_path / "s", "slogan", "two-cards", duration=3.0
    )
    top, height = manifest["ticker"]["top"], manifest["ticker"]["height"]
    a, b = frames_at(out, [1.0, 1.04])  # an odd offset, then an even one
    band_a, band_b = a[top : top + height].mean(axis=2), b[top : top + height].mean(axis=2)
    errors = {s: np.abs(band_a[:, s:] - band_b[:, : band_b.shape[1] - s]).mean() for s in range(7)}
    assert min(errors, key=errors.get) == 3  # type: ignore[arg-type]
    assert errors[3] < 3


@pytest.mark.xdist_group("built_network")  # on the worker that builds it: one build
def test_a_build_keeps_each_videos_segments_in_the_store_and_nothing_else(built_network: Built) -> None:
    output = open_project(built_network.root).output_dir
    catalogue = Catalogue.load(output)
    videos = [r for r in catalogue.records.values() if r.id.startswith("video/")]
    assert videos
    joined = {str(s["key"]) for r in videos for s in r.meta["segments"]}  # type: ignore[union-attr]
    stored = {p.stem for p in segment_dir(output).glob("*.mp4")}
    # this network's videos are small, none stitched: no band encodes (test_stitch keeps and reuses them)
    assert joined == stored and {p.suffix for p in segment_dir(output).iterdir()} == {".mp4"}


def test_the_store_keeps_the_band_encodes_a_record_refers_to_and_no_other(built_network: Built, tmp_path: Path) -> None:
    catalogue = Catalogue.load(open_project(built_network.root).output_dir)
    video = next(r for r in catalogue.records.values() if r.id.startswith("video/"))
    parts = [dict(part, band="b" * 64) for part in video.meta["segments"]]  # type: ignore[union-attr]
    catalogue.records[video.id] = video.model_copy(update={"meta": {**video.meta, "segments": parts}})
    folder = segment_dir(tmp_path)
    folder.mkdir(parents=True)
    for name in (f"{parts[0]['key']}.mp4", f"{'b' * 64}.h264", f"{'c' * 64}.h264", f"{'d' * 64}.mp4"):
        (folder / name).write_bytes(b"x")
    removed = Store(tmp_path).collect(catalogue.referenced())
    kept = sorted([f"{parts[0]['key']}.mp4", f"{'b' * 64}.h264"])
    assert removed == 2 and sorted(p.name for p in folder.iterdir()) == kept


@pytest.mark.slow
def test_chromium_plays_the_joined_video_across_its_joints(slogan: tuple[Path, dict[str, Any], Path]) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    if not chromium.is_file():
        pytest.fail("Debian's chromium is required: apt-get install chromium")
    out, manifest, _ = slogan
    joints = [s["first"] / manifest["fps"] for s in manifest["segments"][1:]]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page()
        page.goto(out.parent.as_uri())
        page.set_content(f'<video src="{out.as_uri()}" muted autoplay></video>')
        page.wait_for_function("document.querySelector('video').ended", timeout=20_000)
        state = page.evaluate(
            "(() => { const v = document.querySelector('video'); const q = v.getVideoPlaybackQuality();"
            " return [v.error, v.duration, v.videoWidth, q.totalVideoFrames, q.corruptedVideoFrames]; })()"
        )
        browser.close()
    error, duration, width, frames, corrupted = state
    assert error is None and width == 320 and corrupted == 0
    assert abs(duration - manifest["duration"]) < 0.05 and max(joints) < duration
    assert frames >= manifest["frames"] - 2  # every frame decoded, through every joint


def test_segments_in_a_folder_with_a_quote_in_its_name_are_joined(example: Project, tmp_path: Path) -> None:
    out, segments = tmp_path / "o'clock" / "v.mp4", tmp_path / "o'clock" / "segments"
    manifest = _render(example, "slogan-16x9", "160x90", out, segments, "slogan", "two-cards", duration=1.0)
    assert out.is_file() and len(manifest["segments"]) >= 2


@pytest.mark.slow  # VLC plays in real time
def test_mpv_and_vlc_play_the_stitched_video_through_its_joints(
    slogan: tuple[Path, dict[str, Any], Path], tmp_path: Path
) -> None:
    out, manifest, _ = slogan
    if shutil.which("mpv") is None or shutil.which("cvlc") is None:
        pytest.fail("Debian's mpv and VLC are required: apt-get install mpv vlc-bin vlc-plugin-base")
    mpv = play_in_mpv(str(out), tmp_path / "mpv.log")
    assert mpv.code == 0 and mpv.refused == [] and abs(mpv.seconds - manifest["duration"]) < 0.5
    assert "decoding error" not in (tmp_path / "mpv.log").read_text(encoding="utf-8", errors="replace")
    stick = Path(tempfile.mkdtemp(prefix="signage-stitched-"))  # where VLC, as nobody under root, can read
    try:
        shutil.copy(out, stick / "slogan.mp4")
        (stick / "slogan.mp4").chmod(0o644)
        stick.chmod(0o755)
        vlc = play_in_vlc(str(stick / "slogan.mp4"), tmp_path / "vlc.log")
    finally:
        shutil.rmtree(stick, ignore_errors=True)
    log = (tmp_path / "vlc.log").read_text(encoding="utf-8", errors="replace")
    assert vlc.code == 0 and vlc.refused == [] and vlc.opened
    assert not re.search(r"decoder error|non-existing PPS|error while decoding|corrupt", log, re.IGNORECASE)
    assert abs(vlc.seconds - manifest["duration"]) < 1.0


def test_a_video_encodes_as_many_scenes_at_once_as_it_is_given_cores(
    example: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``parallel`` (a build worker's share of the cores, ``RenderEnv.cores``) caps the ffmpeg runs
    encoding one video's scenes side by side: one beside another worker's one, not two beside two."""
    import threading

    running, most, lock = 0, 0, threading.Lock()
    real = compose.run_ffmpeg

    def counted(cmd: list[str], what: str, *args: Any, **kwargs: Any) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            real(cmd, what, *args, **kwargs)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(compose, "run_ffmpeg", counted)
    monkeypatch.setattr(compose.slices, "run_ffmpeg", counted)
    for parallel, expected in ((1, 1), (2, 2)):
        most = 0
        out = tmp_path / f"p{parallel}.mp4"
        store = tmp_path / f"s{parallel}"
        manifest = _render(example, "case-16x9", "320x180", out, store, "case", "fake-loan", parallel=parallel)
        assert sum(1 for s in manifest["segments"] if s["encoded"]) > 4
        assert most == expected, (parallel, most)


def test_a_build_gives_each_worker_its_share_of_the_cores() -> None:
    assert worker_cores(2, 300, 2) == 1  # two workers on two cores: one ffmpeg each
    assert worker_cores(1, 300, 2) == 2
    assert worker_cores(2, 1, 2) == 2  # one job: the other core is its too
    assert worker_cores(2, 300, 8) == 4
    assert worker_cores(4, 3, 8) == 2
    assert worker_cores(3, 300, 2) == 1
