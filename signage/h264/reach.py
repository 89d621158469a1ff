"""Which picture rows an H.264 stream's inter prediction reads: every motion vector of every frame,
as FFmpeg's decoder exports them (PyAV, ``export_side_data=mvs``), turned into the rows its block reads from the
reference picture, luma and chroma, interpolation taps included (ITU-T H.264 8.4.2.2).

What a stitched band needs to know (signage/video/stitch.py): a band whose blocks read no row beyond
its own picture decodes to the same rows inside any taller picture made of its slices.

FFmpeg exports one vector per 16x16, 16x8, 8x16 and 8x8 partition. An 8x8 partition cut smaller
(8x4, 4x8, 4x4: x264's ``p4x4``, which only its slower presets turn on) shows only its first part's
vector, so for such streams this is no proof: ``SUB_8X8_PRESETS`` names the x264 presets that make them.
"""

from __future__ import annotations

import gc
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

# x264 presets whose partitions include p4x4 (sub-8x8 inter blocks, not all exported)
SUB_8X8_PRESETS = frozenset({"slower", "veryslow", "placebo"})
# Frames whose vectors are gathered before their rows are worked out (numpy over many at once)
BATCH = 64
# What the decoder is asked for: every frame's motion vectors as side data
DECODER_OPTIONS = {"export_side_data": "mvs"}
# AVPictureType of an intra picture: the one kind of frame that has no motion vector to export
INTRA = 1


@dataclass(frozen=True)
class Reach:
    """The first and last row any block reads, in luma rows and in chroma (4:2:0) rows of the coded
    picture; None when no frame has a motion vector (only intra pictures). ``unexported``: inter
    frames (P or B) that came without motion vectors: the decoder did not export them, or the frame's
    blocks are all intra; either way these rows say nothing of that frame."""

    luma: tuple[int, int] | None
    chroma: tuple[int, int] | None
    frames: int
    unexported: int = 0

    def inside(self, rows: int, top_open: bool = False, bottom_open: bool = False) -> bool:
        """Whether every block read inside a coded picture of ``rows`` luma rows; ``top_open`` /
        ``bottom_open``: reading past that edge is allowed (it is the edge of the whole picture too,
        where every decoder repeats the same edge row). Never when an inter frame's vectors are
        missing: what is not seen is not proved."""
        if self.unexported:
            return False
        for span, height in ((self.luma, rows), (self.chroma, rows // 2)):
            if span is None:
                continue
            first, last = span
            if (first < 0 and not top_open) or (last >= height and not bottom_open):
                return False
        return True


def rows_read(stream: bytes) -> Reach:
    """The rows every inter block of an Annex-B H.264 stream reads (its frames decoded by PyAV on one
    thread with their motion vectors exported). Raises ValueError on a stream FFmpeg cannot decode."""
    import av  # imported here: the build's other kinds and the quick commands never load it

    luma: list[tuple[int, int]] = []
    chroma: list[tuple[int, int]] = []
    gathered: list[np.ndarray] = []
    frames = unexported = 0
    try:
        with _collection_paused(), av.open(io.BytesIO(stream), format="h264") as container:
            video = container.streams.video[0]
            video.thread_type = "NONE"
            video.codec_context.options = dict(DECODER_OPTIONS)
            for frame in container.decode(video):
                frames += 1
                vectors = frame.side_data.get("MOTION_VECTORS")
                if vectors is not None:
                    gathered.append(vectors.to_ndarray().copy())
                elif int(frame.pict_type) != INTRA:
                    unexported += 1
                del frame, vectors
                if len(gathered) >= BATCH:
                    _spans(gathered, luma, chroma)
                    gathered = []
                    gc.collect(0)
    except av.error.FFmpegError as exc:
        raise ValueError(f"the stream cannot be decoded: {exc}") from exc
    _spans(gathered, luma, chroma)
    return Reach(_union(luma), _union(chroma), frames, unexported)


# PyAV's frames hold their side data in a reference cycle, so each decoded frame (and the decoder's
# buffers it keeps) is freed by the cycle collector, not when it is dropped; left to the collector's
# own pace, they and the container reach its oldest generation and a worker grows by megabytes a hold.
# So the automatic collection waits while streams are read, the youngest generation (only these frames,
# then) is collected every BATCH frames, and the two young ones (the container) at the end. Several
# threads may read at once (a build's thread pool): the first to start pauses the collector, the last
# to finish gives it back as it was.
_paused = threading.Lock()
_readers = 0
_was_enabled = False


@contextmanager
def _collection_paused() -> Iterator[None]:
    global _readers, _was_enabled
    with _paused:
        if _readers == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _readers += 1
    try:
        yield
    finally:
        gc.collect(1)
        with _paused:
            _readers -= 1
            if _readers == 0 and _was_enabled:
                gc.enable()


def _spans(gathered: list[np.ndarray], luma: list[tuple[int, int]], chroma: list[tuple[int, int]]) -> None:
    if gathered:
        vectors = np.concatenate(gathered)
        if len(vectors):
            rows = rows_of(vectors)
            luma.append(rows[0])
            chroma.append(rows[1])


def rows_of(vectors: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """The (first, last) luma rows and chroma rows that the blocks of these motion vectors read (a
    non-empty structured array with AVMotionVector's fields, as PyAV gives them)."""
    if np.any(vectors["motion_scale"] != 4):
        raise ValueError("motion vectors not in quarter samples: not an H.264 stream's")
    height = vectors["h"].astype(np.int64)
    # the block's top row (dst_y is its centre) in quarter rows, moved by its vector
    quarter = (vectors["dst_y"].astype(np.int64) - height // 2) * 4 + vectors["motion_y"].astype(np.int64)
    # luma: a fractional position reads 2 rows above and 3 below (the 6-tap filter)
    whole, fraction = quarter >> 2, (quarter & 3) != 0
    luma = int((whole - 2 * fraction).min()), int((whole + height - 1 + 3 * fraction).max())
    # chroma (4:2:0): the same number is the position in eighths of a chroma row; bilinear reads one more
    whole, fraction = quarter >> 3, (quarter & 7) != 0
    chroma = int(whole.min()), int((whole + height // 2 - 1 + fraction).max())
    return luma, chroma


def _union(spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    if not spans:
        return None
    return min(first for first, _ in spans), max(last for _, last in spans)
