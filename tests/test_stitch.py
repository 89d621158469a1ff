"""Holds stitched from slices (signage/video/stitch.py, slices.py): every frame decodes to exactly the
regions' own pictures, no motion vector of the band reaches past its picture, the MP4 is one clean
stream, and a bitstream that cannot be stitched is refused."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from signage.errors import SignageError
from signage.ffmpeg import EncodeJob, ffmpeg_exe
from signage.h264.bitstream import BitReader, BitWriter, escape, nal_units, unescape
from signage.video import compose, graph, slices, stitch
from signage.video.graph import Band

from .helpers import REPO

W, H = 320, 180
FONT = REPO / "fonts" / "NotoSansCJK-Bold.ttc"


def _still(seed: int = 3) -> Image.Image:
    """A busy picture: blocks of colour and text everywhere, so x264 has texture to chase."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (W, H), (30, 60, 120))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 14)
    for _ in range(30):
        x, y = int(rng.integers(0, W)), int(rng.integers(0, H))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        draw.rectangle([x, y, x + int(rng.integers(4, 80)), y + int(rng.integers(4, 40))], fill=colour)
    for n in range(8):
        draw.text((int(rng.integers(0, W - 120)), 20 * n), "谨防电信诈骗 110", font=font, fill=(255, 255, 255))
    return image


def _calm_still(top: int, height: int) -> Image.Image:
    """Busy above and below, plain for 40 rows around the band: what the example's templates have."""
    image = _still()
    ImageDraw.Draw(image).rectangle([0, top - 40, W, top + height + 40], fill=(11, 31, 58))
    return image


def _band(top: int, height: int, speed: int) -> Band:
    font = ImageFont.truetype(str(FONT), height * 2 // 3)
    strip = Image.new("RGB", (700, height), (200, 16, 46))
    ImageDraw.Draw(strip).text((4, 0), "验证码不告诉任何人　不向陌生账户转账", font=font, fill=(255, 255, 255))
    return Band(strip, "test", top, speed, strip.width)


def _stitched(tmp_path: Path, top: int, height: int, speed: int, frames: int, preset: str = "superfast"):  # type: ignore[no-untyped-def]
    still = tmp_path / "still.rgb"
    still.write_bytes(_still().tobytes())
    hold = slices.Hold(still, (W, H), _band(top, height, speed), 0, frames, 25, preset, 20)
    lay = stitch.layout(W, H, top, height)
    assert lay is not None
    headers, parts = slices.encode_regions(hold, lay, tmp_path)
    stream = tmp_path / "stitched.h264"
    stream.write_bytes(stitch.stitch(headers[H], parts, frames))
    return lay, parts, stream, headers


def _frames(path: Path) -> list[np.ndarray]:
    """Every frame decoded, as one array of the Y, U and V planes stacked (yuv420p)."""
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="yuv420p") for f in container.decode(video=0)]


def _rows(frame: np.ndarray, height: int, top: int, bottom: int) -> np.ndarray:
    """Rows [top, bottom) of a yuv420p frame of ``height`` rows, luma and both chroma planes."""
    y = frame[:height]
    u = frame[height : height + height // 4].reshape(height // 2, -1)
    v = frame[height + height // 4 :].reshape(height // 2, -1)
    return np.concatenate([y[top:bottom].ravel(), u[top // 2 : bottom // 2].ravel(), v[top // 2 : bottom // 2].ravel()])


@pytest.mark.parametrize(
    ("top", "height", "speed"),
    [(140, 40, 4), (140, 40, 3), (64, 32, 5), (64, 32, 2)],
    ids=["foot-even", "foot-odd", "middle-odd", "middle-even"],
)
def test_stitched_frames_are_the_regions_own_pictures_exactly_when_the_check_says_so(
    tmp_path: Path, top: int, height: int, speed: int
) -> None:
    frames = 120
    lay, parts, stream, headers = _stitched(tmp_path, top, height, speed, frames)
    shown = _frames(stream)
    assert len(shown) == frames
    # 320x180 in 12 macroblock rows: at the foot, the still as two regions (far and near) above the band;
    # in the middle, one row above and three below (the near rows need no far ones)
    assert [r.moving for r in lay.regions] == ([False, False, True] if top + height == H else [False, True, False])
    for n, (region, _) in enumerate(parts):
        first, end = region.pixel_rows(H)
        own = _frames(tmp_path / f"region-{n}.h264")
        assert len(own) == (frames if region.moving else 1)
        same = [
            np.array_equal(
                _rows(frame, H, first, end), _rows(own[k] if region.moving else own[0], end - first, 0, end - first)
            )
            for k, frame in enumerate(shown)
        ]
        if not region.moving:  # copies of the still's one picture, whatever the band does
            assert all(same)
            continue
        assert not np.array_equal(own[0], own[-1])  # the band moves (else the comparison proves little)
        whole = slices.band_is_exact(tmp_path, stream.name, f"region-{n}.h264", (first, end), frames)
        assert whole == all(same)  # the psnr check agrees with a frame-by-frame comparison
        hold = slices.Hold(tmp_path / "still.rgb", (W, H), _band(top, height, speed), 0, frames, 25, "superfast", 20)
        assert slices.checked(tmp_path, hold, lay, headers, parts) == all(same)  # and so does the smaller picture
        # no block reads past the band's picture: exact, as the slices' independence says (the proof the
        # build takes instead of the decoding check)
        if slices.vectors_inside(hold, lay, parts[n][1]):
            assert all(same)
    if top + height == H:  # at the foot: the band's picture ends where the frame does
        assert slices.band_is_exact(
            tmp_path, stream.name, f"region-{len(parts) - 1}.h264", lay.band.pixel_rows(H), frames
        )


@pytest.mark.parametrize(("top", "height"), [(140, 40), (64, 32)], ids=["foot", "middle"])
def test_a_band_over_plain_rows_is_proved_by_its_vectors_and_is_exact(tmp_path: Path, top: int, height: int) -> None:
    still = tmp_path / "still.rgb"
    still.write_bytes(_calm_still(top, height).tobytes())
    frames = 60
    hold = slices.Hold(still, (W, H), _band(top, height, 4), 0, frames, 25, "superfast", 20)
    lay = stitch.layout(W, H, top, height)
    assert lay is not None
    headers, parts = slices.encode_regions(hold, lay, tmp_path)
    band = next(data for region, data in parts if region.moving)
    assert slices.vectors_inside(hold, lay, band)
    stream = tmp_path / "stitched.h264"
    stream.write_bytes(stitch.stitch(headers[H], parts, frames))
    first, end = lay.band.pixel_rows(H)
    own = _frames(tmp_path / f"region-{lay.regions.index(lay.band)}.h264")
    shown = _frames(stream)
    assert len(shown) == len(own) == frames and not np.array_equal(own[0], own[-1])
    assert all(
        np.array_equal(_rows(f, H, first, end), _rows(o, end - first, 0, end - first)) for f, o in zip(shown, own)
    )
    assert slices.checked(tmp_path, hold, lay, headers, parts)  # the decoding check agrees


def test_the_check_tells_another_band_apart(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    lay, _, stream, _ = _stitched(tmp_path / "a", 140, 40, 4, 30)
    _stitched(tmp_path / "b", 140, 40, 3, 30)
    band = f"region-{lay.regions.index(lay.band)}.h264"
    shutil.copy(tmp_path / "b" / band, tmp_path / "a" / "other.h264")
    rows = lay.band.pixel_rows(H)
    assert slices.band_is_exact(tmp_path / "a", stream.name, band, rows, 30)
    assert not slices.band_is_exact(tmp_path / "a", stream.name, "other.h264", rows, 30)
    assert not slices.band_is_exact(tmp_path / "a", stream.name, band, rows, 31)


def test_the_stitched_mp4_is_one_stream_that_every_decoder_takes(tmp_path: Path) -> None:
    frames = 60
    _, _, stream, _ = _stitched(tmp_path, 140, 40, 4, frames)
    mp4 = tmp_path / "stitched.mp4"
    slices.mux(stream, 25, mp4)
    ffprobe = shutil.which("ffprobe") or pytest.fail("Debian's ffprobe is required: apt-get install ffmpeg")
    probe = subprocess.run(
        [ffprobe, "-v", "error", "-show_streams", "-show_packets", "-of", "json", str(mp4)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stderr == ""
    data = json.loads(probe.stdout)
    assert [s["codec_type"] for s in data["streams"]] == ["video"]
    assert data["streams"][0]["profile"] == "High" and data["streams"][0]["height"] == H
    dts = [int(p["dts"]) for p in data["packets"]]
    assert len(dts) == frames and {b - a for a, b in zip(dts, dts[1:])} == {512}
    decoded = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(mp4), "-f", "null", "-"], capture_output=True)
    assert decoded.returncode == 0 and decoded.stderr == b""


def test_a_region_encoded_with_other_options_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, parts, _, _ = _stitched(tmp_path / "a", 140, 40, 4, 10)
    _, _, _, other = _stitched(tmp_path / "b", 140, 40, 4, 10, preset="ultrafast")  # no weighted prediction
    with pytest.raises(SignageError, match="picture parameter set differs"):
        stitch.stitch(other[H], parts, 10)


def test_parameters_whose_slices_cannot_turn_off_deblocking_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # without deblocking_filter_control_present_flag, a stitched picture is filtered across the slice
    # edges and its band rows are no longer the band's own encode: refused, as no proof would catch it
    _, parts, _, headers = _stitched(tmp_path, 140, 40, 4, 10)
    real = stitch.parse_pps
    monkeypatch.setattr(stitch, "parse_pps", lambda nal: dataclasses.replace(real(nal), deblocking_control=False))
    with pytest.raises(SignageError, match="cannot turn off deblocking"):
        stitch.stitch(headers[H], parts, 10)


def test_a_hold_with_a_band_is_stitched_and_looks_like_the_whole_picture_encode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compose, "STITCH_FROM", 0)  # a small picture: stitched only when told to
    still = tmp_path / "still.rgb"
    image = _still()
    digest = compose.save_still(image, still)
    band = _band(140, 40, 4)
    job = EncodeJob(tmp_path / "x.mp4", (W, H), (W, H), 25, 50, "superfast", 20)
    made = {}
    for stitched in (True, False):
        comp = compose.Composition((W, H), [still], [digest], band, [compose.Segment(0, 50, 0)])
        compose.STITCH = stitched
        try:
            compose.segment_keys(comp, job)
            compose.encode_segments(comp, comp.segments, job, tmp_path / f"store-{stitched}")
        finally:
            compose.STITCH = True
        made[stitched] = compose.segment_path(tmp_path / f"store-{stitched}", comp.segments[0].key)
    assert b"x264 - core" not in made[True].read_bytes()  # slices (no encoder banner), not one x264 run
    assert b"x264 - core" in made[False].read_bytes()
    one, other = _frames(made[True]), _frames(made[False])
    assert len(one) == len(other) == 50
    for a, b in zip(one, other):
        mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
        assert 10 * np.log10(255**2 / mse) > 38  # the same pictures within encoding noise


def test_a_hold_whose_stitched_band_is_not_exact_is_encoded_whole(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    still = tmp_path / "still.rgb"
    digest = compose.save_still(_still(), still)
    comp = compose.Composition((W, H), [still], [digest], _band(140, 40, 4), [compose.Segment(0, 20, 0)])
    job = EncodeJob(tmp_path / "x.mp4", (W, H), (W, H), 25, 20, "superfast", 20)
    monkeypatch.setattr(slices, "vectors_inside", lambda *_: False)
    monkeypatch.setattr(slices, "band_is_exact", lambda *_: False)
    monkeypatch.setattr(compose, "STITCH_FROM", 0)
    compose.segment_keys(comp, job)
    compose.encode_segments(comp, comp.segments, job, tmp_path / "store")
    made = compose.segment_path(tmp_path / "store", comp.segments[0].key)
    assert b"x264 - core" in made.read_bytes() and len(_frames(made)) == 20
    assert [p.name for p in (tmp_path / "store").iterdir() if p.name.startswith(".")] == []  # no temporaries left


def test_a_band_over_plain_rows_keeps_a_thinner_margin_of_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compose, "STITCH_FROM", 0)
    # each row one colour (a graded background) for three macroblock rows around the band: one row of
    # margin; a line of text there: three
    graded = Image.new("RGB", (W, H))
    graded.putdata([(y, 40, 200 - y) for y in range(H) for _ in range(W)])
    busy = graded.copy()
    ImageDraw.Draw(busy).text((10, 92), "西城支行", font=ImageFont.truetype(str(FONT), 12), fill=(255, 255, 0))
    # a rule at row 85: 55 rows above the band (top 140), yet inside the margin's macroblock rows (80-127),
    # as the layout rounds the band out to rows 128-191 before adding three rows of 16
    ruled = graded.copy()
    ImageDraw.Draw(ruled).line((20, 85, 120, 85), fill=(255, 255, 255))
    margins = {}
    for name, image in (("graded", graded), ("busy", busy), ("ruled", ruled)):
        still = tmp_path / f"{name}.rgb"
        digest = compose.save_still(image, still)
        comp = compose.Composition((W, H), [still], [digest], _band(140, 40, 4), [compose.Segment(0, 250, 0)])
        lay = compose.stitch_layout(comp.segments[0], comp, [])
        assert lay is not None
        margins[name] = 140 // 16 - lay.band.first
    assert margins == {"graded": stitch.PLAIN_MARGIN_ROWS, "busy": stitch.MARGIN_ROWS, "ruled": stitch.MARGIN_ROWS}
    assert (stitch.PLAIN_MARGIN_ROWS, stitch.MARGIN_ROWS) == (1, 3)


def test_the_layout_rounds_the_band_out_to_macroblock_rows_with_still_margins() -> None:
    lay = stitch.layout(1920, 1080, 984, 96)
    assert lay is not None
    assert [(r.first, r.end, r.moving) for r in lay.regions] == [(0, 55, False), (55, 58, False), (58, 68, True)]
    assert lay.band.pixel_rows(1080) == (928, 1080)
    check, first, end = lay.check()  # the band and the still rows next to it: what a segment's check decodes
    assert (check.height, first, end) == (1080 - 880, 1, 3)
    assert [(r.first, r.end, r.moving) for r in check.regions] == [(0, 3, False), (3, 13, True)]
    middle = stitch.layout(1920, 1080, 492, 96)
    assert middle is not None
    assert [(r.first, r.end) for r in middle.regions] == [(0, 24), (24, 27), (27, 40), (40, 43), (43, 68)]
    assert middle.check()[0].height == 16 * (43 - 24)
    small = stitch.layout(320, 180, 64, 32)
    assert small is not None and [(r.first, r.end) for r in small.regions] == [(0, 1), (1, 9), (9, 12)]
    assert stitch.layout(320, 180, 40, 100) is None  # nothing still left around the band


def test_bits_and_escapes_round_trip() -> None:
    w = BitWriter()
    values = [0, 1, 2, 3, 7, 8, 254, 255, 65535]
    for v in values:
        w.ue(v)
    for v in (0, 1, -1, 17, -300):
        w.se(v)
    w.align(1)
    r = BitReader(w.tobytes())
    assert [r.ue() for _ in values] == values
    assert [r.se() for _ in range(5)] == [0, 1, -1, 17, -300]
    rbsp = bytes([0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 9])
    payload = escape(rbsp)
    assert b"\x00\x00\x00" not in payload and b"\x00\x00\x01" not in payload and b"\x00\x00\x02" not in payload
    assert unescape(payload) == rbsp
    assert nal_units(b"\x00\x00\x00\x01\x67ab\x00\x00\x01\x68c") == [b"\x67ab", b"\x68c"]


def test_small_or_short_holds_are_one_picture_and_long_1080p_holds_are_stitched(tmp_path: Path) -> None:
    # stitching runs three ffmpeg processes where one picture takes one: it pays from STITCH_FROM
    for size, frames, stitched in (((320, 180), 250, False), ((1920, 1080), 25, False), ((1920, 1080), 50, True)):
        band = _band(size[1] - 96, 96, 4)
        still = tmp_path / "still.rgb"
        compose.save_still(Image.new("RGB", size, (11, 31, 58)), still)
        comp = compose.Composition(size, [still], ["plain"], band, [compose.Segment(0, frames, 0)])
        assert (compose.stitch_layout(comp.segments[0], comp, []) is not None) == stitched, (size, frames)


def test_a_variant_whose_text_is_far_from_the_band_takes_its_band_encode_from_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a per-branch variant: the same picture but for a line of text near the top, the band at the foot
    monkeypatch.setattr(compose, "STITCH_FROM", 0)
    checks: list[int] = []  # each band proved exact, by its vectors or by decoding
    real_inside = slices.vectors_inside
    monkeypatch.setattr(slices, "vectors_inside", lambda *a: checks.append(1) or real_inside(*a))
    band = _band(140, 40, 4)
    job = EncodeJob(tmp_path / "x.mp4", (W, H), (W, H), 25, 30, "superfast", 20)

    def hold(name: str, line: str, store: Path, y: int = 0) -> tuple[compose.Segment, Path]:
        image = _still()  # at 320x180 the band's picture and the rows next to it start at row 32
        ImageDraw.Draw(image).text((10, y), line, font=ImageFont.truetype(str(FONT), 12), fill=(255, 255, 0))
        still = tmp_path / f"{name}.rgb"
        digest = compose.save_still(image, still)
        comp = compose.Composition((W, H), [still], [digest], band, [compose.Segment(0, 30, 0)])
        entries = compose.compose(comp, job, store)
        segment = comp.segments[0]
        assert entries[0]["band"] == segment.band  # the manifest names it, so the store's clean-up keeps it
        return segment, compose.segment_path(store, segment.key)

    store = tmp_path / "store"
    first, _ = hold("east", "东城支行提醒您", store)
    kept = compose.band_path(store, first.band)
    assert len(checks) == 1 and kept.is_file()
    second, made = hold("west", "西城支行提醒您", store)
    assert second.key != first.key and second.band == first.band  # another segment, the same band encode
    assert len(checks) == 1  # the band was neither encoded nor checked again
    _, alone = hold("west-alone", "西城支行提醒您", tmp_path / "other")
    assert made.read_bytes() == alone.read_bytes()  # exactly what encoding the band and checking it gives
    assert len(_frames(made)) == 30
    # a band encode cut short (a power cut, a full disk): not used, encoded and checked again
    kept.write_bytes(kept.read_bytes()[:-100])
    made.unlink()
    hold("west", "西城支行提醒您", store)
    assert len(checks) == 3 and made.read_bytes() == alone.read_bytes()
    # text in the still rows next to the band: another band encode, checked
    near, _ = hold("near", "西城支行", store, y=96)
    assert near.band != first.band and len(checks) == 4


def test_stills_converted_once_make_the_same_segments_as_converted_in_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a crossfade and a stitched hold read each still's yuv420p conversion, made once per video; the
    # segments are the bytes they were when every ffmpeg run converted the RGB picture itself
    monkeypatch.setattr(compose, "STITCH_FROM", 0)
    job = EncodeJob(tmp_path / "x.mp4", (W, H), (W, H), 25, 40, "superfast", 20)
    made = {}
    for once in (True, False):
        folder = tmp_path / ("once" if once else "every")
        folder.mkdir()
        stills = [folder / "a.rgb", folder / "b.rgb"]
        digests = [compose.save_still(_still(seed), path) for seed, path in zip((3, 4), stills)]
        segments = [compose.Segment(0, 8, 1, 0, tuple(k / 8 for k in range(8))), compose.Segment(8, 32, 1)]
        comp = compose.Composition((W, H), stills, digests, _band(140, 40, 4), segments)
        if not once:
            monkeypatch.setattr(compose, "convert_stills", lambda *_: None)
        compose.segment_keys(comp, job)
        compose.encode_segments(comp, comp.segments, job, folder / "store", parallel=1)
        assert [graph.converted(path).is_file() for path in stills] == [once, once]
        made[once] = [compose.segment_path(folder / "store", s.key).read_bytes() for s in comp.segments]
    assert made[True] == made[False]
    assert b"x264 - core" in made[True][0] and b"x264 - core" not in made[True][1]  # a fade, a stitched hold
    # a still written again drops its conversion (never read back for another picture)
    again = tmp_path / "once" / "a.rgb"
    compose.save_still(_still(9), again)
    assert not graph.converted(again).exists()
