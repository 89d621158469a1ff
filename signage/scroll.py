"""Seamless left scrolling of a strip, shared by LED signs and video tickers.

A strip is the text followed by a gap; its width divides by the speed, so one loop is
``width / speed`` frames and the last frame leads back into the first.
"""

from __future__ import annotations

import numpy as np


def scroll_offsets(
    strip_width: int, window: int, speed: int, frames: int | None = None, enter: bool = True
) -> list[int]:
    """Left edge, on the looping strip, of the ``window``-wide view in each frame.

    With ``enter`` the first frame shows the end of the gap, so the text enters from the
    right edge (an LED sign switched on); without, the first frame starts at the text, so
    a video's ticker is full from its first frame. Every frame moves ``speed`` whole
    pixels. ``frames`` defaults to one loop.
    """
    start = strip_width - window if enter and strip_width >= window else 0
    count = strip_width // speed if frames is None else frames
    return [(start + k * speed) % strip_width for k in range(count)]


def looped(strip: np.ndarray, window: int) -> np.ndarray:
    """The strip repeated end to start, long enough that every window is a plain slice."""
    reps = -(-(strip.shape[1] + window) // strip.shape[1])
    return np.tile(strip, (1, reps) + (1,) * (strip.ndim - 2))


def padded_gap(text_width: int, gap: int, speed: int) -> int:
    """The gap widened so that text + gap divides by the speed (judder-free, seamless)."""
    return gap + (-(text_width + gap) % speed)
