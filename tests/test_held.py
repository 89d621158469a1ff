"""Still clips: one picture encoded by x264, every later frame a P picture of skipped macroblocks
written here (signage/h264/skip.py). Decoded by ffmpeg (libavcodec, through PyAV and the ffmpeg
command): every frame is the first, exactly, and the first is the picture."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from signage.errors import SignageError
from signage.ffmpeg import adts_frames, ffmpeg_exe, silent_track, still_clips
from signage.h264.bitstream import NAL_IDR, NAL_SLICE, nal_units, parse_sps
from signage.h264.skip import held

from .helpers import REPO


def _picture(path: Path, size: tuple[int, int]) -> np.ndarray:
    """A picture with what a still clip must keep: text with sharp edges, a gradient, flat colour."""
    w, h = size
    ramp = np.linspace(20, 200, w, dtype=np.uint8)
    pixels = np.dstack([np.tile(ramp, (h, 1)), np.full((h, w), 40, np.uint8), np.tile(ramp[::-1], (h, 1))])
    image = Image.fromarray(pixels)
    font = ImageFont.truetype(str(REPO / "fonts" / "NotoSansCJK-Bold.ttc"), max(10, h // 3))
    ImageDraw.Draw(image).text((w // 10, h // 4), "防范电信诈骗", font=font, fill=(255, 255, 255))
    image.save(path)
    return np.asarray(image).astype(int)


def _frames(path: Path) -> tuple[list[np.ndarray], av.video.stream.VideoStream]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [f.to_ndarray(format="rgb24").astype(int) for f in container.decode(stream)], stream


def _decode_errors(path: Path) -> str:
    done = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "null", "-"], capture_output=True, text=True, check=False
    )
    return done.stderr.strip()


def test_a_lobby_still_clip_is_the_picture_in_every_frame(tmp_path: Path) -> None:
    picture = _picture(tmp_path / "poster.png", (320, 180))
    clip = tmp_path / "poster.mp4"
    still_clips([(tmp_path / "poster.png", 60, clip)], audio=True, fps=25)
    frames, stream = _frames(clip)
    ctx = stream.codec_context
    assert (ctx.name, ctx.profile, ctx.pix_fmt, stream.average_rate) == ("h264", "High", "yuv420p", 25)
    assert len(frames) == 60
    assert all((frame == frames[0]).all() for frame in frames)  # each skipped picture copies the first exactly
    mse = ((frames[0] - picture) ** 2).mean()
    assert 10 * np.log10(255**2 / mse) > 33  # the picture (4:2:0, CRF 12): 34.9 dB; x264 on every frame gave 35.0
    assert _decode_errors(clip) == ""
    with av.open(str(clip)) as container:
        (audio,) = container.streams.audio
        assert audio.codec_context.name == "aac"
        assert container.duration is not None and abs(container.duration / 1e6 - 2.4) < 0.05
    # a few bytes a frame after the first: the whole clip is barely more than its one picture
    pictures = [n for n in nal_units(_annexb(clip)) if n[0] & 0x1F in (NAL_SLICE, NAL_IDR)]
    assert len(pictures) == 60 and max(len(n) for n in pictures[1:]) < 200


def _annexb(clip: Path) -> bytes:
    done = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(clip), "-map", "0:v", "-c", "copy", "-bsf:v", "h264_mp4toannexb"]
        + ["-f", "h264", "-"],
        capture_output=True,
        check=True,
    )
    return done.stdout


def test_an_led_page_clip_is_every_pixel_of_the_page_at_an_odd_size(tmp_path: Path) -> None:
    picture = _picture(tmp_path / "page.png", (97, 17))
    clip = tmp_path / "page.mp4"
    still_clips([(tmp_path / "page.png", 30, clip)], audio=False, exact=True)
    frames, stream = _frames(clip)
    assert (stream.codec_context.profile, stream.codec_context.pix_fmt) == ("High 4:4:4 Predictive", "yuv444p")
    assert (stream.width, stream.height) == (97, 17) and len(frames) == 30
    for frame in frames:  # lossless in YUV: within the rounding of BT.709's conversion back to RGB
        assert np.abs(frame - picture).max() <= 2
    assert all((frame == frames[0]).all() for frame in frames)
    with av.open(str(clip)) as container:
        assert not container.streams.audio


def _encode(source: Path, extra: list[str]) -> bytes:
    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(source), "-frames:v", "1", "-pix_fmt", "yuv420p"]
    cmd += ["-c:v", "libx264", "-preset", "veryfast", *extra, "-f", "h264", "-"]
    return subprocess.run(cmd, capture_output=True, check=True).stdout


def test_frame_numbers_wrap_round_as_the_standard_counts_them(tmp_path: Path) -> None:
    """An encode whose SPS counts frames to 16 held for 40 frames: frame_num runs 0..15 twice and on,
    and every frame decodes, each the first."""
    _picture(tmp_path / "p.png", (64, 48))
    stream = _encode(tmp_path / "p.png", ["-bf", "0", "-g", "8"])
    sps = parse_sps(next(n for n in nal_units(stream) if n[0] & 0x1F == 7))
    assert 2 * (1 << sps.log2_max_frame_num) < 40
    (tmp_path / "held.h264").write_bytes(held(stream, 40))
    clip = tmp_path / "held.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "h264", "-framerate", "25", "-i", str(tmp_path / "held.h264")]
        + ["-c", "copy", str(clip)],
        check=True,
    )
    frames, _ = _frames(clip)
    assert len(frames) == 40 and all((frame == frames[0]).all() for frame in frames)
    assert _decode_errors(clip) == ""


def test_an_encode_with_b_frames_or_without_a_first_idr_picture_is_refused(tmp_path: Path) -> None:
    _picture(tmp_path / "p.png", (64, 48))
    with pytest.raises(SignageError, match="cannot be held"):  # picture order counts: type 0, not 2
        held(_encode(tmp_path / "p.png", ["-bf", "2"]), 10)
    stream = _encode(tmp_path / "p.png", ["-bf", "0"])
    without_idr = b"".join(b"\x00\x00\x00\x01" + n for n in nal_units(stream) if n[0] & 0x1F != NAL_IDR)
    with pytest.raises(SignageError, match="no IDR picture"):
        held(without_idr, 10)


def test_a_silent_track_has_every_whole_aac_frame_that_fits(tmp_path: Path) -> None:
    """232 frames at 25 fps are 9.28 s: exactly 435 AAC frames of 1024 samples at 48 kHz (a float
    product rounds that to 434.99999 and would lose one)."""
    assert 232 / 25 * 48000 / 1024 < 435
    silent_track(tmp_path / "s.aac", 232, 25)
    frames = adts_frames((tmp_path / "s.aac").read_bytes())
    assert len(frames) == 435 and len(set(frames)) == 1
    silent_track(tmp_path / "t.aac", 570, 25)  # a 22.8 s case video: 1068.75 frames fit
    assert len(adts_frames((tmp_path / "t.aac").read_bytes())) == 1068


def test_a_monochrome_encode_is_refused(tmp_path: Path) -> None:
    """4:0:0 has no chroma weights in its slice headers, which the skipped slices write."""
    _picture(tmp_path / "p.png", (64, 48))
    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(tmp_path / "p.png"), "-frames:v", "1", "-pix_fmt", "gray"]
    cmd += ["-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-f", "h264", "-"]
    stream = subprocess.run(cmd, capture_output=True, check=True).stdout
    with pytest.raises(SignageError, match="monochrome"):
        held(stream, 10)
