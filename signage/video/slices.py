"""A hold segment with a ticker band made from slices: the band's rows encoded for every frame, the
still rows for one frame, stitched into whole pictures (signage/video/stitch.py) and put in an MP4.

One ffmpeg run encodes every region (the still converted once, cropped per region, the band laid
over its own region as in a whole-picture segment); the whole picture's parameter sets come from
one encoded frame of the same size and options, made once per process and size (``_HEADERS``).
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_write_bytes
from ..ffmpeg import BT709_TAGS, ffmpeg_exe, ffmpeg_version, run_ffmpeg, segment_options
from ..h264 import reach
from . import stitch
from .graph import TO_YUV, Band, band_chain, raw_input, still_input, stretch_of


@dataclass(frozen=True)
class Hold:
    """What a stitched segment shows: ``still`` (a raw RGB file of ``size``) held for ``frames`` frames
    from frame ``first`` of its video, the band moving over it; and how it is encoded."""

    still: Path
    size: tuple[int, int]
    band: Band
    first: int
    frames: int
    fps: int
    preset: str
    crf: int


# Bytes of the SHA-256 after a kept band encode
DIGEST = 32
# The whole picture's SPS and PPS (an encoded frame) per size and options, made by this process.
_HEADERS: dict[str, bytes] = {}


def _header_key(hold: Hold, height: int) -> str:
    options = segment_options(hold.preset, hold.crf, hold.fps)
    return json.dumps([options, ffmpeg_version(), hold.size[0], height])


def band_key(hold: Hold, lay: stitch.Layout, base: str) -> str:
    """What decides a stitched hold's band encode and its check (``checked``), hashed: the still's rows
    the check decodes (the band's picture and the still rows next to it) and a macroblock row more each
    side (the conversion to 4:2:0 reads across a row edge), the band's stretch, the frames and the
    encoder (``base``: its options and build). Holds with the same key have the same band encode and
    the same check's answer: a per-branch variant whose text is elsewhere in the picture takes both."""
    w, h = hold.size
    _, first, end = lay.check()
    top = max(0, (lay.regions[first].first - 1) * stitch.MB)
    bottom = min(h, (lay.regions[end - 1].end + 1) * stitch.MB)
    band = hold.band
    recipe = [stitch.VERSION, base, hold.size, [[r.first, r.end, r.moving] for r in lay.regions], top, bottom]
    recipe += [band.digest, band.top, band.speed, band.period, hold.first * band.speed % band.period]
    recipe += [hold.frames, hold.fps, hold.preset, hold.crf, stitch.BAND_X264_PARAMS, stitch.STILL_X264_PARAMS]
    digest = hashlib.sha256(json.dumps(recipe).encode())
    with open(hold.still, "rb") as still:
        still.seek(top * w * 3)
        digest.update(still.read((bottom - top) * w * 3))
    return digest.hexdigest()


def encode_regions(
    hold: Hold, lay: stitch.Layout, folder: Path, band_done: bytes | None = None
) -> tuple[dict[int, bytes], list[tuple[stitch.Region, bytes]]]:
    """Each region's H.264 (Annex B), top to bottom, encoded in one ffmpeg run with the segment
    options (the band's with its motion limit, the still regions' with their IDR ratio), and one
    frame of the whole picture and of the picture it is checked on, for their parameter sets (by
    height; once per process and size). ``band_done``: the band's encode, made before (only the still
    regions are encoded)."""
    w, h = hold.size
    band = hold.band
    source, to_yuv = still_input(hold.still, hold.size)
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *source]
    check, first, end = lay.check()
    top = lay.regions[first].first * stitch.MB
    wanted = {h: 0, check.height: top}  # height: first row
    missing = [(height, row) for height, row in wanted.items() if _header_key(hold, height) not in _HEADERS]
    pictures = len(lay.regions) + len(missing)
    graph = [f"[0:v]{to_yuv},split={pictures}" + "".join(f"[s{n}]" for n in range(pictures))]
    if band_done is None:
        stretch = stretch_of(band, hold.first, hold.frames, w)
        (folder / "band.rgb").write_bytes(stretch.tobytes())
        cmd += raw_input(folder / "band.rgb", stretch.size)
        once = TO_YUV if band.speed % 2 == 0 else "format=rgb24"
        graph.append(f"[1:v]{once}," + band_chain(band, hold.frames, hold.fps, w, "w"))
    options = segment_options(hold.preset, hold.crf, hold.fps)
    outputs: list[str] = []
    for n, region in enumerate(lay.regions):
        top, bottom = region.pixel_rows(h)
        crop = f"[s{n}]crop=w={w}:h={bottom - top}:x=0:y={top}"
        target = ["-f", "h264", str(folder / f"region-{n}.h264")]
        if region.moving and band_done is not None:
            graph.append(f"[s{n}]nullsink")
            (folder / f"region-{n}.h264").write_bytes(band_done)
        elif region.moving:
            graph.append(f"{crop},loop=loop={hold.frames - 1}:size=1:start=0,setpts=N/{hold.fps}/TB[p]")
            graph.append(f"[p][w]overlay=x=0:y={band.top - top}:eval=init,{BT709_TAGS}[r{n}]")
            moving = segment_options(hold.preset, hold.crf, hold.fps, stitch.BAND_X264_PARAMS)
            outputs += ["-map", f"[r{n}]", *moving, "-frames:v", str(hold.frames), *target]
        else:
            graph.append(f"{crop},{BT709_TAGS}[r{n}]")
            still = segment_options(hold.preset, hold.crf, hold.fps, stitch.STILL_X264_PARAMS)
            outputs += ["-map", f"[r{n}]", *still, "-frames:v", "1", *target]
    for n, (height, row) in enumerate(missing, start=len(lay.regions)):
        graph.append(f"[s{n}]crop=w={w}:h={height}:x=0:y={row},{BT709_TAGS}[h{n}]")
        outputs += ["-map", f"[h{n}]", *options, "-frames:v", "1", "-f", "h264", str(folder / f"header-{height}.h264")]
    (folder / "graph.txt").write_text(";\n".join(graph), encoding="utf-8")
    run_ffmpeg([*cmd, "-/filter_complex", str(folder / "graph.txt"), *outputs], "encode the video's band")
    for height, _ in missing:
        _HEADERS[_header_key(hold, height)] = (folder / f"header-{height}.h264").read_bytes()
    parts = [(region, (folder / f"region-{n}.h264").read_bytes()) for n, region in enumerate(lay.regions)]
    return {height: _HEADERS[_header_key(hold, height)] for height in wanted}, parts


def mp4_timescale(fps: int) -> int:
    """The MP4 track timescale an x264 segment gets from ffmpeg (the frame rate doubled up to at
    least 10,000): a stitched segment takes the same, so a joined stream's frames stay evenly spaced."""
    scale = fps
    while scale < 10_000:
        scale *= 2
    return scale


def _mp4_options(stream: Path, fps: int, output: Path) -> tuple[list[str], list[str]]:
    """ffmpeg's input and output options putting an Annex-B H.264 stream of ``fps`` frames a second
    into an MP4 (stream copy)."""
    source = ["-f", "h264", "-framerate", str(fps), "-i", str(stream)]
    target = ["-c:v", "copy", "-an", "-video_track_timescale", str(mp4_timescale(fps)), "-f", "mp4", str(output)]
    return source, target


def mux(stream: Path, fps: int, output: Path) -> None:
    """An Annex-B H.264 stream of ``fps`` frames a second as an MP4 (stream copy)."""
    source, target = _mp4_options(stream, fps, output)
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *source, "-map", "0:v", *target]
    run_ffmpeg(cmd, "put the stitched band in a file")


def band_is_exact(
    folder: Path,
    stitched: str,
    band: str,
    rows: tuple[int, int],
    frames: int,
    mp4: tuple[Path, int, Path] | None = None,
) -> bool:
    """Whether the stitched stream (file ``stitched`` in ``folder``) shows in ``rows`` exactly the band's
    own encode (file ``band``), every frame: both decoded, compared by ffmpeg's psnr filter (infinite
    only where the sum of squared differences is zero).

    ``mp4``: (stream, fps, output): in the same ffmpeg run, that stream put into an MP4 (as ``mux``),
    left at ``output`` only when the answer is yes."""
    top, bottom = rows
    graph = f"[0:v]crop=w=iw:h={bottom - top}:x=0:y={top}[stitched];[stitched][1:v]psnr=stats_file=psnr.txt[c]"
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-threads", "1", "-f", "h264", "-i", stitched]
    cmd += ["-threads", "1", "-f", "h264", "-i", band]
    source, target = _mp4_options(*mp4) if mp4 is not None else ([], [])
    cmd += [*source, "-filter_complex", graph, "-map", "[c]", "-f", "null", "-"]
    cmd += ["-map", "2:v", *target] if mp4 is not None else []
    done = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, errors="replace", timeout=3600, check=False)
    lines = (folder / "psnr.txt").read_text(encoding="utf-8").splitlines() if done.returncode == 0 else []
    exact = not done.stderr.strip() and len(lines) == frames and all("psnr_avg:inf " in line for line in lines)
    if not exact and mp4 is not None:
        mp4[2].unlink(missing_ok=True)
    return exact


def encode_stitched(hold: Hold, lay: stitch.Layout, output: Path, kept: Path | None = None) -> bool:
    """The hold as an MP4 at ``output``, made from slices, when its band's rows decode exactly as the
    band's own encode; False (nothing written) when they do not: a motion vector reached past the
    band's picture (x264 may point one there, where its decoder repeats the edge row and the
    stitched picture has the still's rows).

    ``kept``: where the band's encode is kept once checked (its name ``band_key``): a hold that finds
    it there encodes only its still regions, and is not checked again (the same rows, band and
    encoder give the same band encode, the same still rows next to it and so the same answer)."""
    with tempfile.TemporaryDirectory(prefix="stitch-") as name:
        folder = Path(name)
        done = _read_kept(kept)
        headers, parts = encode_regions(hold, lay, folder, done)
        stream = folder / "stitched.h264"
        stream.write_bytes(stitch.stitch(headers[hold.size[1]], parts, hold.frames))
        if done is not None:
            mux(stream, hold.fps, output)
            return True
        band = next(data for region, data in parts if region.moving)
        if vectors_inside(hold, lay, band):
            mux(stream, hold.fps, output)
        elif not checked(folder, hold, lay, headers, parts, (stream, hold.fps, output)):
            return False
        if kept is not None:
            _keep(kept, band)
    return True


def vectors_inside(hold: Hold, lay: stitch.Layout, band: bytes) -> bool:
    """Whether every block of the band's encode reads only rows of the band's own picture (or past an
    edge it shares with the whole picture), so its rows decode alike in the stitched picture: the
    premise of stitching, read off the band's motion vectors (signage/h264/reach.py). False when that
    is no proof (an x264 preset with sub-8x8 blocks) or the stream cannot be read: ``checked`` decodes
    and compares instead."""
    if hold.preset in reach.SUB_8X8_PRESETS:
        return False
    region = lay.band
    try:
        found = reach.rows_read(band)
    except ValueError:
        return False
    rows = (region.end - region.first) * stitch.MB
    whole = math.ceil(lay.height / stitch.MB)
    return found.frames == hold.frames and found.inside(rows, region.first == 0, region.end == whole)


def _read_kept(kept: Path | None) -> bytes | None:
    """The band encode kept at ``kept``, when its SHA-256 trailer matches (a file a power cut cut short
    or damaged is removed, and the band encoded and checked again)."""
    if kept is None:
        return None
    try:
        blob = kept.read_bytes()
    except OSError:
        return None
    data, digest = blob[:-DIGEST], blob[-DIGEST:]
    if len(blob) > DIGEST and hashlib.sha256(data).digest() == digest:
        return data
    kept.unlink(missing_ok=True)
    return None


def _keep(kept: Path, data: bytes) -> None:
    """The band's encode into the store under its key, with its SHA-256 after it (the reader checks
    it, so the file is not flushed), renamed into place whole."""
    atomic_write_bytes(kept, data + hashlib.sha256(data).digest(), durable=False)


def checked(
    folder: Path,
    hold: Hold,
    lay: stitch.Layout,
    headers: dict[int, bytes],
    parts: list[tuple[stitch.Region, bytes]],
    mp4: tuple[Path, int, Path] | None = None,
) -> bool:
    """Whether the band's rows of the stitched frames are exactly the band's own encode, decoding only
    the band and the still rows next to it (``Layout.check``): their slices are the same bits as in the
    whole picture, and the band reads no row beyond them, so its rows decode alike in both. ``mp4``:
    the whole stitched stream put into an MP4 in the same run (``band_is_exact``)."""
    check, first, end = lay.check()
    pieces = [(region, data) for region, (_, data) in zip(check.regions, parts[first:end], strict=True)]
    (folder / "check.h264").write_bytes(stitch.stitch(headers[check.height], pieces, hold.frames))
    band = next(n for n, region in enumerate(lay.regions) if region.moving)
    rows = check.band.pixel_rows(check.height)
    return band_is_exact(folder, "check.h264", f"region-{band}.h264", rows, hold.frames, mp4)
