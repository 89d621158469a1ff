"""The rows an H.264 stream's blocks read (signage/h264/reach.py): the arithmetic of a block's rows,
luma and chroma, and real x264 streams whose blocks stay inside their picture or reach past it;
and a stitched band whose preset makes blocks FFmpeg does not export every vector of is never
proved by its vectors."""

from __future__ import annotations

import dataclasses
import gc
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from signage.ffmpeg import ffmpeg_exe
from signage.h264 import reach
from signage.video import slices, stitch

from .test_stitch import H, W, _band, _calm_still, _still

FIELDS = [("h", "u1"), ("dst_y", "i2"), ("motion_y", "i4"), ("motion_scale", "u2")]


def _vectors(*blocks: tuple[int, int, int]) -> np.ndarray:
    """(block height, centre row, vertical vector in quarter rows) as PyAV's structured array gives them."""
    return np.array([(h, centre, dy, 4) for h, centre, dy in blocks], dtype=FIELDS)


def test_a_block_reads_its_own_rows_and_the_filters_rows_past_them() -> None:
    # a 16x16 block at the top, not moving: rows 0-15, chroma rows 0-7
    assert reach.rows_of(_vectors((16, 8, 0))) == ((0, 15), (0, 7))
    # two whole rows down: no interpolation (luma 2-17); one whole chroma row (1-8)
    assert reach.rows_of(_vectors((16, 8, 8))) == ((2, 17), (1, 8))
    # one whole row down: luma needs no filter, but chroma is at half a row and reads one more (0-8)
    assert reach.rows_of(_vectors((16, 8, 4))) == ((1, 16), (0, 8))
    # a quarter row up: the 6-tap filter reads 2 rows above and 3 below; chroma one row above the block
    assert reach.rows_of(_vectors((16, 8, -1))) == ((-3, 17), (-1, 7))
    # an 8x8 partition's centre row 12 (rows 8-15), and the union over blocks
    assert reach.rows_of(_vectors((8, 12, 0), (16, 40, 0))) == ((8, 47), (4, 23))
    with pytest.raises(ValueError, match="quarter"):
        reach.rows_of(np.array([(16, 8, 0, 2)], dtype=FIELDS))


def test_inside_allows_reading_past_an_edge_the_whole_picture_shares() -> None:
    found = reach.Reach(luma=(-3, 70), chroma=(-1, 35), frames=5)
    assert not found.inside(64)
    assert not found.inside(64, top_open=True)
    assert found.inside(64, top_open=True, bottom_open=True)
    assert reach.Reach(luma=(0, 63), chroma=(0, 32), frames=5).inside(64) is False  # chroma row 32 of 32
    assert reach.Reach(luma=None, chroma=None, frames=1).inside(64)  # intra only: reads nothing


def _encode(frames: list[Image.Image], path: Path) -> bytes:
    size = f"{frames[0].width}x{frames[0].height}"
    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-i", "-"]
    cmd += ["-c:v", "libx264", "-preset", "superfast", "-crf", "20", "-bf", "0", "-threads", "1", "-f", "h264"]
    subprocess.run([*cmd, str(path)], input=b"".join(f.tobytes() for f in frames), check=True)
    return path.read_bytes()


def test_a_picture_moving_down_reads_above_its_top_and_a_still_one_only_itself(tmp_path: Path) -> None:
    picture = _still().crop((0, 0, 128, 160))
    # the picture sliding down 3 rows a frame, seen through a 64-row window: its top blocks match what
    # was 3 rows higher, above the window
    moving = [picture.crop((0, 90 - 3 * k, 128, 154 - 3 * k)) for k in range(12)]
    found = reach.rows_read(_encode(moving, tmp_path / "moving.h264"))
    assert found.frames == 12
    assert found.luma is not None and found.luma[0] < 0
    assert not found.inside(64)
    still = reach.rows_read(_encode([picture.crop((0, 0, 128, 64))] * 12, tmp_path / "still.h264"))
    assert still.frames == 12 and still.inside(64)
    with pytest.raises(ValueError, match="cannot be decoded"):
        reach.rows_read(b"\x00\x00\x01\x65" + bytes(range(256)) * 4)


def test_a_band_encoded_with_sub_8x8_blocks_is_not_proved_by_its_vectors(tmp_path: Path) -> None:
    still = tmp_path / "still.rgb"
    still.write_bytes(_calm_still(140, 40).tobytes())
    lay = stitch.layout(W, H, 140, 40)
    assert lay is not None
    for preset, provable in (("superfast", True), ("slower", False)):
        hold = slices.Hold(still, (W, H), _band(140, 40, 4), 0, 20, 25, preset, 20)
        folder = tmp_path / preset
        folder.mkdir()
        _, parts = slices.encode_regions(hold, lay, folder)
        band = next(data for region, data in parts if region.moving)
        assert slices.vectors_inside(hold, lay, band) is provable
        # and a stream with fewer frames than the hold is no proof either
        assert not slices.vectors_inside(dataclasses.replace(hold, frames=21), lay, band)


def test_reading_a_stream_leaves_no_frame_for_the_cycle_collector(tmp_path: Path) -> None:
    # PyAV's frames sit in reference cycles: left to the collector's pace, each hold's frames and decoder
    # stayed in memory, and a build worker grew by megabytes a hold
    stream = _encode([_still().crop((0, 0, 64, 64))] * 20, tmp_path / "still.h264")
    for _ in range(3):
        assert reach.rows_read(stream).frames == 20
    left = [type(o).__name__ for o in gc.get_objects() if type(o).__name__ in ("VideoFrame", "InputContainer")]
    assert left == []


def test_a_stream_whose_vectors_were_not_exported_proves_nothing(tmp_path: Path, monkeypatch) -> None:
    # a decoder that exports no vectors (an option renamed in a later FFmpeg, say) must not read as a
    # band whose blocks read nothing: its inter frames are counted as unseen and the proof fails
    still = tmp_path / "still.rgb"
    still.write_bytes(_calm_still(140, 40).tobytes())
    lay = stitch.layout(W, H, 140, 40)
    assert lay is not None
    hold = slices.Hold(still, (W, H), _band(140, 40, 4), 0, 20, 25, "superfast", 20)
    _, parts = slices.encode_regions(hold, lay, tmp_path)
    band = next(data for region, data in parts if region.moving)
    assert slices.vectors_inside(hold, lay, band)
    monkeypatch.setattr(reach, "DECODER_OPTIONS", {})
    found = reach.rows_read(band)
    assert found.frames == 20 and found.luma is None and found.unexported == 19
    assert not found.inside(10_000, top_open=True, bottom_open=True)
    assert not slices.vectors_inside(hold, lay, band)


def test_threads_reading_at_once_give_the_collector_back_as_it_was(tmp_path: Path) -> None:
    stream = _encode([_still().crop((0, 0, 64, 64))] * 20, tmp_path / "still.h264")
    assert gc.isenabled()
    with ThreadPoolExecutor(4) as pool:
        assert [r.frames for r in pool.map(lambda _: reach.rows_read(stream), range(16))] == [20] * 16
    assert gc.isenabled()
    gc.disable()
    try:
        reach.rows_read(stream)
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
