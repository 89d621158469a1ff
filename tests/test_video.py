"""Lobby videos as players receive them: codec, profile, audio, timing, and text where the manifest says."""

from __future__ import annotations

import json
import math
import struct
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from signage.app.video import VideoRequest, render
from signage.errors import SignageError
from signage.kinds import open_project as load_project
from signage.kinds import read as read_project
from signage.project.model import Project

from .helpers import edit

SMALL = "320x180"


def probe(path: Path) -> dict:  # type: ignore[type-arg]
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        return {
            "codec": video.codec_context.name,
            "profile": video.codec_context.profile,
            "level": video.codec_context.level,
            "pix_fmt": video.codec_context.pix_fmt,
            "size": (video.width, video.height),
            "fps": float(video.average_rate),
            "frames": video.frames,
            "duration": container.duration / 1e6,
            "audio": (audio.codec_context.name, audio.rate, audio.channels) if audio else None,
        }


def frames_at(path: Path, times: list[float]) -> list[np.ndarray]:
    """RGB arrays of the frames shown at ``times`` (seconds)."""
    wanted = sorted(times)
    out: dict[float, np.ndarray] = {}
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            for t in wanted:
                if t not in out and frame.time is not None and frame.time + 1e-6 >= t:
                    out[t] = np.asarray(frame.to_image()).astype(int)
            if len(out) == len(wanted):
                break
    return [out[t] for t in times]


CASE_VIDEO = pytest.mark.xdist_group("case_video")  # the tests of `case_video` on one worker: one render


@pytest.fixture(scope="module")
def case_video(tmp_path_factory: pytest.TempPathFactory, example: Project) -> tuple[Path, dict]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("video") / "case.mp4"
    manifest = render(example, VideoRequest("case-16x9", case="shuadan-rebate", size="640x360"), out)
    return out, manifest


@CASE_VIDEO
def test_case_video_is_what_every_lobby_player_plays(case_video: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    path, manifest = case_video
    info = probe(path)
    assert (info["codec"], info["profile"], info["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert info["level"] <= 41
    assert info["size"] == (640, 360) and info["fps"] == 25
    assert info["frames"] == manifest["frames"] and info["duration"] == pytest.approx(manifest["duration"], abs=0.1)
    assert info["audio"] == ("aac", 48000, 2)
    head = path.read_bytes()[:65536]
    assert 0 <= head.find(b"moov") < max(head.find(b"mdat"), 0) or head.find(b"mdat") == -1  # +faststart


@CASE_VIDEO
def test_the_silent_track_is_silence_to_the_video_s_end_and_no_further(case_video: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    """The track is copied frames of silence (signage/ffmpeg.py, ``silent_track``): it decodes to zeros,
    ends within one AAC frame (1024 samples) before the last video frame does, and the file lasts
    exactly as long as its frames."""
    path, manifest = case_video
    with av.open(str(path)) as container:
        assert container.duration is not None
        assert container.duration / 1e6 == pytest.approx(manifest["frames"] / 25, abs=1e-3)
        stream = container.streams.audio[0]
        samples = [frame.to_ndarray() for frame in container.decode(stream)]
    audio = np.concatenate([s.ravel() for s in samples])
    assert not audio.any()
    seconds = sum(s.shape[-1] for s in samples) / 48000
    assert manifest["frames"] / 25 - 1024 / 48000 <= seconds <= manifest["frames"] / 25


@CASE_VIDEO
def test_srt_poster_and_manifest_come_with_it(case_video: tuple[Path, dict], example: Project) -> None:  # type: ignore[type-arg]
    path, manifest = case_video
    srt = path.with_suffix(".srt").read_text(encoding="utf-8")
    case = example.case("shuadan-rebate")
    assert case.title in srt and all(line in srt for line in case.short.video)
    assert srt.startswith("1\n00:00:00,000 --> 00:00:0")
    with Image.open(path.with_suffix(".poster.png")) as poster:
        assert poster.size == (640, 360)
    types = [s["type"] for s in manifest["scenes"]]
    assert types[0] == "title" and types[-1] == "hotline" and types.count("story") == len(case.short.video)
    starts = [s["start"] for s in manifest["scenes"]]
    assert starts == sorted(starts) and manifest["scenes"][-1]["end"] == pytest.approx(manifest["duration"], abs=0.05)
    assert json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["frames"] == manifest["frames"]


@CASE_VIDEO
def test_text_is_drawn_where_the_manifest_says(case_video: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    path, manifest = case_video
    slogan = next(s for s in manifest["scenes"] if s["type"] == "slogan")
    hotline = next(s for s in manifest["scenes"] if s["type"] == "hotline")
    mid = (slogan["start"] + slogan["end"]) / 2
    frame, later = frames_at(path, [mid, (hotline["start"] + hotline["end"]) / 2])
    picture_h = 360 - manifest["ticker"]["height"]
    for line in slogan["texts"][0]["lines"]:
        x, y, w, h = line["x"], line["y"], line["width"], line["height"]
        inside = frame[y : y + h, x : x + w]
        assert (inside.max(axis=2) > 200).mean() > 0.05, line  # white strokes in the line's box
        row = frame[y - 6 if y >= 6 else y + h + 2]  # just above the line: background only
        assert (row[x : x + w].max(axis=1) < 120).all()
    # outside every text box of the slogan the picture is background (dark blue), not text
    boxes = np.zeros((picture_h, 640), bool)
    for line in slogan["texts"][0]["lines"]:
        boxes[
            max(0, line["y"] - 4) : line["y"] + line["height"] + 8,
            max(0, line["x"] - 4) : line["x"] + line["width"] + 4,
        ] = True
    assert (frame[:picture_h][~boxes].max(axis=1) < 140).mean() > 0.99
    # the hotline number is in the accent colour (yellow: red and green high, blue low)
    number = later[hotline["texts"][1]["lines"][0]["y"] :][: hotline["texts"][1]["lines"][0]["height"]]
    yellow = (number[..., 0] > 180) & (number[..., 1] > 160) & (number[..., 2] < 90)
    assert yellow.sum() > 50


def test_ticker_moves_a_whole_number_of_pixels_per_frame(example: Project, tmp_path: Path) -> None:
    out = tmp_path / "ticker.mp4"
    manifest = render(example, VideoRequest("ticker", text="反诈专线96110，转账前先核实", size=SMALL, duration=2), out)
    speed = manifest["ticker"]["speed"]
    top, height = manifest["ticker"]["top"], manifest["ticker"]["height"]
    assert manifest["frames"] == 50 and probe(out)["frames"] == 50
    a, b = frames_at(out, [0.8, 0.84])
    band_a, band_b = a[top : top + height].mean(axis=2), b[top : top + height].mean(axis=2)
    assert band_a.std() > 10  # text is in the band
    errors = {s: np.abs(band_a[:, s:] - band_b[:, : band_b.shape[1] - s]).mean() for s in range(2 * speed + 1)}
    assert min(errors, key=errors.get) == speed  # type: ignore[arg-type]
    assert errors[speed] < 3


def test_ticker_without_duration_is_one_seamless_loop(example: Project, tmp_path: Path) -> None:
    out = tmp_path / "loop.mp4"
    manifest = render(example, VideoRequest("ticker", text="反诈", size=SMALL), out)
    ticker = manifest["ticker"]
    assert ticker["strip_width"] % ticker["speed"] == 0
    assert manifest["frames"] == ticker["strip_width"] // ticker["speed"]


def test_portrait_rotation_writes_a_landscape_file(project_copy: Path, tmp_path: Path) -> None:
    path = project_copy / "templates" / "video" / "case-9x16.yaml"
    edit(path, "rotate: 0", "rotate: 90")
    project = load_project(project_copy)
    out = tmp_path / "rotated.mp4"
    manifest = render(project, VideoRequest("case-9x16", case="fake-loan", size="180x320", duration=4), out)
    assert manifest["canvas"] == [180, 320] and manifest["size"] == [320, 180]
    assert probe(out)["size"] == (320, 180)


def _tone(path: Path, seconds: float = 1.0) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / 22050)))
                for n in range(int(22050 * seconds))
            )
        )


def test_background_music_is_looped_to_the_video(project_copy: Path, tmp_path: Path) -> None:
    _tone(project_copy / "tone.wav")
    path = project_copy / "templates" / "video" / "slogan-16x9.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "music: {file: tone.wav, volume: 0.5}\n", encoding="utf-8")
    out = tmp_path / "music.mp4"
    manifest = render(
        load_project(project_copy), VideoRequest("slogan-16x9", slogan="two-cards", size=SMALL, duration=3), out
    )
    assert manifest["audio"] == "tone.wav"
    with av.open(str(out)) as container:
        samples = np.concatenate([f.to_ndarray().ravel() for f in container.decode(audio=0)])
    assert np.abs(samples).max() > 0.05  # not silent
    assert len(samples) / 2 / 48000 == pytest.approx(3, abs=0.1)


@pytest.mark.parametrize(
    ("request_args", "message"),
    [
        ({"template": "ticker", "text": "反诈", "size": "321x180"}, "odd side"),
        ({"template": "ticker", "text": "反诈", "fps": 0}, "--fps"),
        ({"template": "ticker", "text": "反诈", "preset": "warp"}, "not an x264 preset"),
        ({"template": "ticker", "text": "反诈", "size": "1920x1080", "fps": 60}, "beyond H.264 level 4.1"),
        ({"template": "case-16x9", "slogan": "two-cards"}, "tells a case: give --case"),
        ({"template": "case-16x9", "case": "nope"}, "no case with id 'nope'"),
        ({"template": "ticker", "text": "反诈😀"}, r"U\+1F600"),
    ],
)
def test_bad_requests_are_clear_errors_and_write_nothing(
    example: Project,
    tmp_path: Path,
    request_args: dict,  # type: ignore[type-arg]
    message: str,
) -> None:
    out = tmp_path / "v.mp4"
    out.write_bytes(b"earlier video")
    with pytest.raises(SignageError, match=message):
        render(example, VideoRequest(**request_args), out)
    assert out.read_bytes() == b"earlier video"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.mp4"]


def test_missing_files_and_text_that_cannot_fit(project_copy: Path, tmp_path: Path) -> None:
    path = project_copy / "templates" / "video" / "slogan-16x9.yaml"
    original = path.read_text(encoding="utf-8")
    edit(path, 'background: {gradient: ["#8f0d20", "#c8102e"]}', "background: {image: bg.jpg}")
    lenient = read_project(project_copy)[0]  # as `render video` loads: it still stops at the missing file
    assert lenient is not None
    with pytest.raises(SignageError, match="slogan-16x9.background: background image bg.jpg not found"):
        render(lenient, VideoRequest("slogan-16x9", slogan="two-cards", size=SMALL), tmp_path / "a.mp4")
    path.write_text(original + "music: {file: missing.mp3}\n", encoding="utf-8")
    with pytest.raises(SignageError, match="slogan-16x9.music.file: missing.mp3 not found in the project folder"):
        load_project(project_copy)  # what `signage check` and `build` report
    lenient = read_project(project_copy)[0]
    assert lenient is not None
    with pytest.raises(SignageError, match="music file missing.mp3 not found"):
        render(lenient, VideoRequest("slogan-16x9", slogan="two-cards", size=SMALL), tmp_path / "b.mp4")
    path.write_text(original, encoding="utf-8")
    edit(
        path,
        '{type: slogan, text: "{{ slogan.text }}"}',
        '{type: slogan, text: "{{ slogan.text }}", box: [0.1, 0.1, 0.1, 0.05]}',
    )
    with pytest.raises(SignageError, match=r"slogan-16x9.scenes\[0\] \(slogan\) slogan.*does not fit"):
        render(
            load_project(project_copy), VideoRequest("slogan-16x9", slogan="two-cards", size=SMALL), tmp_path / "c.mp4"
        )
    assert [p.name for p in tmp_path.iterdir()] == ["proj"]  # no video, no temporary file


def test_ticker_only_subtitles_follow_each_slogan_across_the_screen(example: Project, tmp_path: Path) -> None:
    out = tmp_path / "t.mp4"
    manifest = render(example, VideoRequest("ticker", text="第一句反诈提醒　　　第二句反诈提醒", size=SMALL), out)
    cues = out.with_suffix(".srt").read_text(encoding="utf-8").strip().split("\n\n")
    assert [c.split("\n")[2] for c in cues] == ["第一句反诈提醒", "第二句反诈提醒"]
    first_end = cues[0].split("\n")[1].split(" --> ")[1]
    second_start = cues[1].split("\n")[1].split(" --> ")[0]
    assert cues[0].split("\n")[1].startswith("00:00:00,000")  # enters at once
    assert second_start < first_end  # both on screen for a while
    assert manifest["frames"] == manifest["ticker"]["strip_width"] // manifest["ticker"]["speed"]


def test_check_reports_missing_media(project_copy: Path) -> None:
    from signage.app.check import check_project

    path = project_copy / "templates" / "video" / "slogan-16x9.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "music: {file: theme.mp3}\n", encoding="utf-8")
    problems = [str(p) for p in check_project(project_copy)]
    assert any("slogan-16x9.music.file: theme.mp3 not found in the project folder" in p for p in problems)


def test_a_ticker_is_full_from_its_first_frame(example: Project, tmp_path: Path) -> None:
    out = tmp_path / "full.mp4"
    manifest = render(example, VideoRequest("ticker", text="反诈专线96110，转账前先核实", size=SMALL, duration=1), out)
    top, height = manifest["ticker"]["top"], manifest["ticker"]["height"]
    (first,) = frames_at(out, [0.0])
    band = first[top : top + height].max(axis=2)
    assert (band[:, :40] > 200).any()  # the text starts at the left edge, not off-screen right
    assert (band[:, SMALL_W // 2 :] > 200).any()  # and reaches across the screen


SMALL_W = 320


def test_each_slogan_video_shows_its_own_next_slogans(example: Project) -> None:
    from signage.video.job import video_job

    template = example.template("video", "slogan-16x9")
    ids = [s.id for s in example.slogans.values() if "zh-Hans-CN" in s.text][:3]
    tickers = [video_job(example, template, "slogan", i, "zh-Hans-CN").texts.ticker for i in ids]
    assert len(set(tickers)) == 3  # not all the same first slogans
    for slogan_id, ticker in zip(ids, tickers, strict=True):
        own = example.slogan(slogan_id).text["zh-Hans-CN"]
        assert ticker and own not in ticker
        assert ticker.count("　　　") <= 2  # the next three at most: what a short video can show


def test_the_hotline_holds_long_enough_to_remember_the_number(example: Project) -> None:
    from signage.video.job import video_job
    from signage.video.scenes import build_timeline

    template = example.template("video", "case-16x9")
    job = video_job(example, template, "case", "fake-loan", "zh-Hans-CN")
    states = build_timeline(template, job.texts, example.fonts, example.root, "zh-Hans-CN").states
    hotline = states[-1]
    assert hotline.kind == "hotline"
    # "反诈专线" and five digits read at 5 characters a second, each digit counting three
    assert hotline.duration == pytest.approx((4 + 5 * 3) / 5)


def test_the_portrait_template_uses_the_height_and_keeps_story_lines_whole(example: Project) -> None:
    from signage.video.job import video_job
    from signage.video.scenes import build_timeline

    template = example.template("video", "case-9x16")
    w, h = template.dimensions
    job = video_job(example, template, "case", "fake-loan", "zh-Hans-CN")
    states = build_timeline(template, job.texts, example.fonts, example.root, "zh-Hans-CN").states
    story = [s for s in states if s.kind == "story"][-1].texts[0]
    lines = story.layout.lines
    top = story.box[1] + lines[0].y
    bottom = story.box[1] + lines[-1].y + story.layout.size
    assert bottom - top > 0.5 * (h - template.ticker.height)  # type: ignore[union-attr]
    assert story.layout.size >= 0.1 * w  # portrait sizes, not the landscape ones
    assert story.layout.mid_phrase_breaks == 0
    assert all(len(line.text) >= 3 for line in lines)  # no orphaned word on a line of its own
    # a gap between sentences: a line that starts a sentence is more than a line pitch below the last
    starts = {i + 1 for i, c in enumerate(story.text) if c == "\n"}
    for above, below in zip(lines, lines[1:], strict=False):
        step = below.y - above.y
        assert step > story.layout.line_pitch if below.start in starts else step == story.layout.line_pitch


def test_hong_kong_outputs_carry_hong_kong_wording(example: Project) -> None:
    from signage.card.layout import resolve_card
    from signage.labels import fraud_type_label, strings_for

    assert fraud_type_label("冒充公检法及政府机关", "zh-Hant-HK") == "假冒官員騙案"
    assert fraud_type_label("网络游戏产品虚假交易", "zh-Hant-TW") == "網路遊戲產品虛假交易"  # Taiwan usage
    assert fraud_type_label("虚假贷款", "zh-Hans-CN") == "虚假贷款"
    template = example.template("video", "case-16x9")
    assert strings_for(template.strings, "zh-Hant-HK", "zh-Hans-CN")["kicker"] == "案例警示"
    assert strings_for(template.strings, "zh-Hant-MO", "zh-Hans-CN")["kicker"] == "案例警示"  # same script
    texts = resolve_card(example, example.template("card", "a4-sign"), "two-cards", "zh-Hant-HK")
    assert "示例銀行分行防騙宣傳" in texts.values()
