"""A video as content-addressed segments: each still painted once, ffmpeg makes the motion.

The timeline is cut where the picture changes: for every state a crossfade from the one
before (if it has one) and a hold. Each segment is one chain of an ffmpeg filter graph —
the state's still (painted once, written as raw RGB) held, or two stills blended frame by frame, and the
ticker band cut from its strip a whole number of pixels further each frame and laid over
it — encoded as its own closed-GOP H.264 file with the same encoder settings as every
other segment of its profile. Its name is the hash of everything that decides its
frames (the stills' and strip's bytes, where the band starts, how many frames, the
encoder's options and build), so a segment some video made already — the hotline scene
of a sibling, the unchanged scenes of a per-branch variant — is taken from the segment
store instead of being encoded again. The segments are joined by the concat demuxer
with stream copy; only the audio is encoded for the whole video.

Nothing crosses a pipe: Python writes each picture once as a raw RGB file (no PNG to encode and
decode again in every ffmpeg run: a 100,000 px ticker strip took a third of a second), ffmpeg reads it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from ..atomic import replace_files
from ..ffmpeg import BT709_TAGS, EncodeJob, ffmpeg_exe, ffmpeg_version, run_ffmpeg, segment_options, silent_track
from . import slices, stitch
from .graph import TO_YUV, Band, band_chain, converted, raw_input, still_input, stretch_of
from .scenes import Timeline

# Bump when the graph's meaning changes without its text changing (its text is in every key).
GRAPH_VERSION = "3"


@dataclass
class Segment:
    """Frames ``first`` to ``first + frames`` of a video: ``still`` held, or faded in over ``previous``
    (``alphas``: the share of ``still`` in each frame)."""

    first: int
    frames: int
    still: int  # index into the stills
    previous: int | None = None
    alphas: tuple[float, ...] = ()
    key: str = ""
    band: str = ""  # a stitched hold's: the key of its band's encode (slices.band_key), shared by variants


@dataclass
class Composition:
    """A video's stills (raw RGB files of ``size`` and their digests), its band and its segments, in
    playing order."""

    size: tuple[int, int]
    stills: list[Path]
    digests: list[str]
    band: Band | None
    segments: list[Segment] = field(default_factory=list)
    plain: dict[int, bool] = field(default_factory=dict)  # per still: its rows around the band are plain


def picture_digest(image: Image.Image, pixels: bytes | None = None) -> str:
    """SHA-256 of a picture's size and RGB pixels (``pixels``: its RGB bytes, when at hand)."""
    digest = hashlib.sha256(f"{image.width}x{image.height}:".encode())
    digest.update(image.convert("RGB").tobytes() if pixels is None else pixels)
    return digest.hexdigest()


def save_still(image: Image.Image, path: Path) -> str:
    """Write a picture as raw RGB and return its digest (the bytes taken from Pillow once for both)."""
    pixels = (image if image.mode == "RGB" else image.convert("RGB")).tobytes()
    path.write_bytes(pixels)
    converted(path).unlink(missing_ok=True)  # a conversion of what the file held before is stale
    return picture_digest(image, pixels)


def cut(timeline: Timeline, frames: int, fps: int, longest: int) -> list[Segment]:
    """The segments of a timeline: per state, its crossfade frames (if any), then its hold, cut
    every ``longest`` frames (one GOP: the joint is where a keyframe would be anyway, and the
    pieces are encoded side by side).

    A frame belongs to the last state started by its instant and is a fade while it is within
    that state's ``fade_in``; the instants are the same expressions the frames have always used.
    """
    pieces = []
    for segment in _by_state(timeline, frames, fps):
        for start in range(0, segment.frames, longest if segment.previous is None else segment.frames):
            count = min(longest, segment.frames - start) if segment.previous is None else segment.frames
            pieces.append(Segment(segment.first + start, count, segment.still, segment.previous, segment.alphas))
    return pieces


def _by_state(timeline: Timeline, frames: int, fps: int) -> list[Segment]:
    states = timeline.states
    if not states:
        return [Segment(0, frames, 0)]
    segments: list[Segment] = []
    index = 0
    for k in range(frames):
        t = k / fps
        while index + 1 < len(states) and t >= states[index + 1].start - 1e-9:
            index += 1
        state = states[index]
        fading = index > 0 and t - state.start < state.fade_in
        alpha = (t - state.start) / state.fade_in if fading else None
        last = segments[-1] if segments else None
        same = last is not None and last.still == index and (last.previous is not None) == fading
        if same and last is not None:
            last.frames += 1
            if alpha is not None:
                last.alphas += (alpha,)
        else:
            segments.append(Segment(k, 1, index, index - 1 if fading else None, (alpha,) if alpha is not None else ()))
    return segments


def _picture_chain(segment: Segment, fps: int, stills: dict[int, list[str]], n: int) -> str:
    """The picture of a segment (without band), ending in [p{n}]: a still held, or a crossfade,
    one blend a frame at that frame's share (the blends of YUV planes the frames always had)."""
    if segment.previous is None:
        source = stills[segment.still].pop()
        return f"[{source}]loop=loop={segment.frames - 1}:size=1:start=0,setpts=N/{fps}/TB[p{n}]"
    parts = []
    count = len(segment.alphas)
    cur, prev = stills[segment.still].pop(), stills[segment.previous].pop()
    parts.append(f"[{cur}]split={count}" + "".join(f"[c{n}_{j}]" for j in range(count)))
    parts.append(f"[{prev}]split={count}" + "".join(f"[q{n}_{j}]" for j in range(count)))
    for j, alpha in enumerate(segment.alphas):
        parts.append(f"[c{n}_{j}][q{n}_{j}]blend=all_mode=normal:all_opacity={alpha:.6f}[f{n}_{j}]")
    joined = "".join(f"[f{n}_{j}]" for j in range(count))
    parts.append(f"{joined}concat=n={count}:v=1:a=0,setpts=N/{fps}/TB[p{n}]")
    return ";".join(parts)


def _segment_text(segment: Segment, comp: Composition, fps: int, canvas: tuple[int, int], rotation: list[str]) -> str:
    """What decides a segment's frames, as text: the base of its key."""
    recipe = {
        "graph": GRAPH_VERSION,
        "still": comp.digests[segment.still],
        "previous": comp.digests[segment.previous] if segment.previous is not None else None,
        "alphas": [f"{a:.6f}" for a in segment.alphas],
        "frames": segment.frames,
        "fps": fps,
        "canvas": list(canvas),
        "rotation": rotation,
        # a hold with a band is made of slices (signage/video/stitch.py): its regions, or None (one picture)
        "stitched": _stitched_text(segment, comp, rotation),
        "band": None
        if comp.band is None
        # where the strip is at the segment's first frame (not the frame's number: a sibling's scene
        # that starts elsewhere with the band at the same place is the same segment)
        else [
            comp.band.digest,
            comp.band.top,
            comp.band.speed,
            comp.band.period,
            segment.first * comp.band.speed % comp.band.period,
        ],
    }
    return json.dumps(recipe, sort_keys=True)


def _stitched_text(segment: Segment, comp: Composition, rotation: list[str]) -> list[object] | None:
    lay = stitch_layout(segment, comp, rotation)
    return None if lay is None else [stitch.VERSION, [[r.first, r.end, r.moving] for r in lay.regions]]


def stitch_layout(segment: Segment, comp: Composition, rotation: list[str]) -> stitch.Layout | None:
    """How a segment is cut into slices: a hold with a band on an unturned picture, when still rows are
    left around the band; None: it is encoded as one picture (crossfades, turned pictures, no band)."""
    band = comp.band
    if band is None or segment.previous is not None or rotation or not STITCH:
        return None
    w, h = comp.size
    if (w // 16) * ((h + 15) // 16) * segment.frames < STITCH_FROM:
        return None
    if segment.still not in comp.plain:
        comp.plain[segment.still] = _plain_around(comp.stills[segment.still], comp.size, band)
    margin = stitch.PLAIN_MARGIN_ROWS if comp.plain[segment.still] else stitch.MARGIN_ROWS
    return stitch.layout(w, h, band.top, band.strip.height, margin)


def _plain_around(still: Path, size: tuple[int, int], band: Band) -> bool:
    """Whether every still row that the full margin (``stitch.MARGIN_ROWS`` macroblock rows each side of
    the band's own macroblock rows, as ``stitch.layout`` counts them) would hold is one colour (a flat
    or graded background: the band's encode needs only a thin margin of it)."""
    w, h = size
    mb, margin, bottom = stitch.MB, stitch.MARGIN_ROWS, band.top + band.strip.height
    first, end = max(0, (band.top // mb - margin) * mb), min(h, (-(-bottom // mb) + margin) * mb)
    spans = [(first, band.top), (bottom, end)]
    with open(still, "rb") as file:
        for top, bottom in spans:
            if bottom <= top:
                continue
            file.seek(top * w * 3)
            rows = np.frombuffer(file.read((bottom - top) * w * 3), np.uint8).reshape(bottom - top, w, 3)
            if not (rows == rows[:, :1]).all():
                return False
    return True


# Whether holds with a band are stitched from slices (benchmarks/stitch.py turns it off to compare).
STITCH = True
# Stitching pays from about this many macroblocks times frames: it runs three ffmpeg processes (the
# regions, the check, the MP4) where one picture takes one. Measured (CPU of a superfast hold,
# stitched / whole): 320x180 x 250 frames 0.26 / 0.13 s, 640x360 x 100 0.30 / 0.16, 1080p x 25 0.58 /
# 0.48, 1080p x 50 0.67 / 0.73. So 1080p holds of 2 s and more are stitched, a test's small video not.
STITCH_FROM = 400_000


def segment_keys(comp: Composition, job: EncodeJob) -> None:
    """Name every segment by what decides its bytes (and the encoder's options and build)."""
    options = segment_options(job.preset, job.crf, job.fps)
    base = json.dumps({"x264": options, "ffmpeg": ffmpeg_version()})
    for segment in comp.segments:
        text = _segment_text(segment, comp, job.fps, job.canvas, job.rotation_filters())
        segment.key = hashlib.sha256((base + text).encode()).hexdigest()
        lay = stitch_layout(segment, comp, job.rotation_filters())
        segment.band = "" if lay is None else slices.band_key(_hold(comp, segment, job), lay, base)


def _hold(comp: Composition, segment: Segment, job: EncodeJob) -> slices.Hold:
    assert comp.band is not None
    still = comp.stills[segment.still]
    return slices.Hold(still, comp.size, comp.band, segment.first, segment.frames, job.fps, job.preset, job.crf)


# ffmpeg processes encoding segments side by side, one segment each, for a video made by itself:
# enough to keep the cores busy, few enough that their encoders' memory stays small (about 125 MB
# each at 1080p). A build gives each worker its share of the cores instead (``RenderEnv.cores``).
PARALLEL = min(4, max(2, os.cpu_count() or 2))


def encode_segments(
    comp: Composition, todo: list[Segment], job: EncodeJob, store: Path, parallel: int | None = None
) -> None:
    """Encode ``todo`` (segments the store lacks), ``parallel`` (default ``PARALLEL``) ffmpeg processes
    at a time, the longest first (so the last to finish are short ones), one segment each."""
    longest_first = sorted(todo, key=lambda s: -s.frames)
    convert_stills(comp, {index for s in todo for index in (s.still, s.previous) if index is not None})
    with ThreadPoolExecutor(max(1, parallel or PARALLEL)) as pool:
        running = []
        for segment in longest_first:
            lay = stitch_layout(segment, comp, job.rotation_filters())
            if lay is None:
                running.append(pool.submit(_encode_batch, comp, [segment], job, store))
            else:
                running.append(pool.submit(_encode_stitched, comp, segment, lay, job, store))
        for done in running:
            done.result()


def convert_stills(comp: Composition, indices: set[int]) -> None:
    """Each of these stills converted to yuv420p once (TO_YUV, one ffmpeg run, written beside it:
    ``graph.converted``), for every segment that shows it to read as it is: a still is in a video's
    holds, every 250 frames of them, and in the crossfades either side (about 14 ms a 1080p picture
    each time)."""
    todo = sorted(index for index in indices if not converted(comp.stills[index]).is_file())
    if not todo:
        return
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
    outputs: list[str] = []
    for n, index in enumerate(todo):
        cmd += raw_input(comp.stills[index], comp.size)
        outputs += ["-map", f"{n}:v", "-vf", TO_YUV, "-f", "rawvideo", str(converted(comp.stills[index]))]
    run_ffmpeg([*cmd, *outputs], "convert the video's pictures")


def _encode_batch(comp: Composition, todo: list[Segment], job: EncodeJob, store: Path) -> None:
    """Encode ``todo`` in one ffmpeg run, then move each into the store under its key (written
    under a temporary name, renamed whole)."""
    with tempfile.TemporaryDirectory(prefix="segment-") as folder:
        _encode_in(comp, todo, job, store, folder)


def _encode_in(comp: Composition, todo: list[Segment], job: EncodeJob, store: Path, folder: str) -> None:
    w, _ = job.canvas
    uses: dict[int, int] = {}
    for segment in todo:
        for index in (segment.still, segment.previous):
            if index is not None:
                uses[index] = uses.get(index, 0) + 1
    order = sorted(uses)
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
    graph: list[str] = []
    labels: dict[int, list[str]] = {}
    for n, index in enumerate(order):
        source, to_yuv = still_input(comp.stills[index], comp.size)
        cmd += source
        names = [f"s{index}_{u}" for u in range(uses[index])]
        labels[index] = names
        graph.append(f"[{n}:v]{to_yuv},split={len(names)}" + "".join(f"[{x}]" for x in names))
    band = comp.band
    for n, segment in enumerate(todo):
        graph.append(_picture_chain(segment, job.fps, labels, n))
        tail = ",".join([BT709_TAGS, *job.rotation_filters()])
        if band is None:
            graph.append(f"[p{n}]{tail}[v{n}]")
            continue
        stretch = stretch_of(band, segment.first, segment.frames, w)
        path = Path(folder) / f"band-{n}.rgb"
        path.write_bytes(stretch.tobytes())
        cmd += raw_input(path, stretch.size)
        once = TO_YUV if band.speed % 2 == 0 else "format=rgb24"
        graph.append(f"[{len(order) + n}:v]{once}," + band_chain(band, segment.frames, job.fps, w, f"w{n}"))
        graph.append(f"[p{n}][w{n}]overlay=x=0:y={band.top}:eval=init,{tail}[v{n}]")
    store.mkdir(parents=True, exist_ok=True)
    temps = []
    outputs: list[str] = []
    options = segment_options(job.preset, job.crf, job.fps)
    for n, segment in enumerate(todo):
        temp = store / f".{segment.key}.{os.getpid()}.{threading.get_ident()}.tmp.mp4"
        temps.append(temp)
        outputs += ["-map", f"[v{n}]", *options, "-frames:v", str(segment.frames), "-an", "-f", "mp4", str(temp)]
    with tempfile.NamedTemporaryFile("w", suffix=".graph", delete=False, encoding="utf-8") as script:
        script.write(";\n".join(graph))
    try:
        run_ffmpeg([*cmd, "-/filter_complex", script.name, *outputs], "encode the video's scenes")
        # flushed before the rename: a segment is reused by its name alone, never read back first
        replace_files([(temp, segment_path(store, segment.key)) for segment, temp in zip(todo, temps, strict=True)])
    finally:
        Path(script.name).unlink(missing_ok=True)
        for temp in temps:
            temp.unlink(missing_ok=True)


def _encode_stitched(comp: Composition, segment: Segment, lay: stitch.Layout, job: EncodeJob, store: Path) -> None:
    """A hold with a band made from slices (signage/video/slices.py), moved into the store whole; encoded
    as one picture instead when the stitched band is not exactly the band's own encode."""
    hold = _hold(comp, segment, job)
    store.mkdir(parents=True, exist_ok=True)
    temp = store / f".{segment.key}.{os.getpid()}.{threading.get_ident()}.tmp.mp4"
    try:
        if not slices.encode_stitched(hold, lay, temp, band_path(store, segment.band) if segment.band else None):
            _encode_batch(comp, [segment], job, store)  # not exact: the whole picture, as without a band
            return
        replace_files([(temp, segment_path(store, segment.key))])
    finally:
        temp.unlink(missing_ok=True)


def segment_path(store: Path, key: str) -> Path:
    return store / f"{key}.mp4"


def band_path(store: Path, key: str) -> Path:
    """Where a stitched hold's band encode is kept (H.264, Annex B), for the holds that show the same
    band over the same rows: the same scene of every branch's variant."""
    return store / f"{key}.h264"


def join(paths: list[Path], job: EncodeJob) -> None:
    """The segments as one MP4, video copied (no re-encoding), audio made for the whole length (a
    silent track copied too, ``silent_track``; music encoded)."""
    with tempfile.TemporaryDirectory(prefix="join-") as tmp:
        listing = Path(tmp) / "segments.txt"
        lines = ["ffconcat version 1.0"]
        for path in paths:
            quoted = path.resolve().as_posix().replace("'", "'\\''")  # ffconcat's quoting
            lines.append(f"file '{quoted}'")
        listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0"]
        cmd += ["-i", str(listing)]
        if job.silent:
            cmd += [*silent_track(Path(tmp) / "silence.aac", job.frames, job.fps), "-map", "0:v", "-c:v", "copy"]
            cmd += ["-map", "1:a", "-c:a", "copy"]
        else:
            cmd += [*job.audio_input(), "-map", "0:v", "-c:v", "copy", *job.audio_tail(1)]
        run_ffmpeg(cmd + job.file_tail(), "join the video's scenes")


def compose(comp: Composition, job: EncodeJob, store: Path, parallel: int | None = None) -> list[dict[str, object]]:
    """Make ``job.output`` from the composition: encode the segments the store lacks, join them all.

    Returns, per segment, its key, frames and whether it was encoded now (False: reused)."""
    segment_keys(comp, job)
    todo, seen = [], set()
    for segment in comp.segments:
        if segment.key not in seen and not segment_path(store, segment.key).is_file():
            todo.append(segment)
        seen.add(segment.key)
    encode_segments(comp, todo, job, store, parallel)
    join([segment_path(store, s.key) for s in comp.segments], job)
    made = {s.key for s in todo}
    entries: list[dict[str, object]] = []
    for s in comp.segments:
        entries.append({"key": s.key, "first": s.first, "frames": s.frames, "encoded": s.key in made})
        if s.band:
            entries[-1]["band"] = s.band
    return entries
