"""Frames as YUV 4:2:0 planes (BT.709, limited range), made once and sliced per frame.

Handing ffmpeg ready yuv420p frames skips its per-frame RGB conversion and halves what
goes through the pipe. A ticker strip is converted once, with its chroma subsampled at
both pixel parities, so a window at any whole-pixel offset is three array slices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

# BT.709 RGB -> Y'CbCr, 8-bit limited range (16-235 luma, 16-240 chroma)
_KR, _KB = 0.2126, 0.0722
_KG = 1 - _KR - _KB


def _planes(image: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rgb = np.asarray(image.convert("RGB"), dtype=np.float32) / 255
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = _KR * r + _KG * g + _KB * b
    u = (b - y) / (2 * (1 - _KB))
    v = (r - y) / (2 * (1 - _KR))
    return 16 + 219 * y, 128 + 224 * u, 128 + 224 * v


def _quantise(plane: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(plane), 0, 255).astype(np.uint8)


def _subsample(plane: np.ndarray) -> np.ndarray:
    """2x2 box average (the image has even sides)."""
    return (plane[0::2, 0::2] + plane[1::2, 0::2] + plane[0::2, 1::2] + plane[1::2, 1::2]) / 4


@dataclass
class YuvFrame:
    """One picture as Y (h x w) and U, V (h/2 x w/2) uint8 planes."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @classmethod
    def from_image(cls, image: Image.Image) -> YuvFrame:
        if image.width % 2 or image.height % 2:
            raise ValueError("4:2:0 frames need even sides")
        y, u, v = _planes(image)
        return cls(_quantise(y), _quantise(_subsample(u)), _quantise(_subsample(v)))

    @classmethod
    def over(cls, base: YuvFrame, image: Image.Image, rows: tuple[int, int] | None) -> YuvFrame:
        """``image`` as a frame, converting only ``rows`` (where it differs from ``base``'s picture)."""
        frame = base.copy()
        if rows is not None:
            top, bottom = rows
            part = cls.from_image(image.crop((0, top, image.width, bottom)))
            frame.set_rows(part, top)
        return frame

    def set_rows(self, part: YuvFrame, top: int) -> None:
        """Overwrite rows from ``top`` (even) with ``part``."""
        h = part.y.shape[0]
        self.y[top : top + h] = part.y
        self.u[top // 2 : (top + h) // 2] = part.u
        self.v[top // 2 : (top + h) // 2] = part.v

    def copy(self) -> YuvFrame:
        return YuvFrame(self.y.copy(), self.u.copy(), self.v.copy())

    def copy_into(self, out: YuvFrame) -> YuvFrame:
        for src, dst in ((self.y, out.y), (self.u, out.u), (self.v, out.v)):
            dst[...] = src
        return out

    def blend(self, other: YuvFrame, alpha: float, out: YuvFrame, rows: tuple[int, int] | None = None) -> YuvFrame:
        """(1 - alpha) * self + alpha * other into ``out``: a crossfade step (YUV is affine in RGB).

        With ``rows`` only that band is mixed: elsewhere the two pictures are the same and
        ``out`` already holds them.
        """
        w = round(alpha * 256)
        top, bottom = rows if rows is not None else (0, self.y.shape[0])
        for a, b, o, step in ((self.y, other.y, out.y, 1), (self.u, other.u, out.u, 2), (self.v, other.v, out.v, 2)):
            sl = slice(top // step, bottom // step)
            mixed = (a[sl].astype(np.uint16) * (256 - w) + b[sl].astype(np.uint16) * w + 128) >> 8
            np.copyto(o[sl], mixed, casting="unsafe")
        return out

    def write(self, stream: object) -> None:
        for plane in (self.y, self.u, self.v):
            stream.write(plane.data if plane.flags.c_contiguous else np.ascontiguousarray(plane).data)  # type: ignore[attr-defined]

    def rgb(self) -> Image.Image:
        """Back to RGB (chroma upsampled by repetition), for poster frames and tests."""
        y = (self.y.astype(np.float32) - 16) / 219
        u = (self.u.astype(np.float32).repeat(2, 0).repeat(2, 1) - 128) / 224
        v = (self.v.astype(np.float32).repeat(2, 0).repeat(2, 1) - 128) / 224
        r = y + 2 * (1 - _KR) * v
        b = y + 2 * (1 - _KB) * u
        g = (y - _KR * r - _KB * b) / _KG
        rgb = np.stack([r, g, b], axis=-1) * 255
        return Image.fromarray(np.clip(np.rint(rgb), 0, 255).astype(np.uint8))


_CHUNK = 4096  # columns converted at a time (even)


class YuvStrip:
    """A looping strip (text + gap) ready to be cut at any whole-pixel offset."""

    def __init__(self, image: Image.Image, window: int):
        if image.height % 2 or image.width % 2 or window % 2:
            raise ValueError("a ticker strip and its window need even sizes")
        from ..scroll import looped

        self.width = image.width
        self.window = window
        h, w = image.height, image.width
        y = np.empty((h, w), np.uint8)
        chroma = [np.empty((h // 2, w // 2), np.uint8) for _ in range(4)]  # u even, u odd, v even, v odd
        # Converted in column chunks, so a long strip (all slogans: 100,000 px) never has a
        # float copy of itself in memory. Each chunk reads one column more for odd offsets.
        for x0 in range(0, w, _CHUNK):
            x1 = min(w, x0 + _CHUNK)
            cols = [*range(x0, x1), x1 % w]  # the column after the chunk (wrapping at the end)
            py, pu, pv = _planes(Image.fromarray(np.asarray(image)[:, cols]))
            y[:, x0:x1] = _quantise(py[:, :-1])
            for k, plane in ((0, pu), (2, pv)):
                chroma[k][:, x0 // 2 : x1 // 2] = _quantise(_subsample(plane[:, :-1]))
                chroma[k + 1][:, x0 // 2 : x1 // 2] = _quantise(_subsample(plane[:, 1:]))
        self.y = looped(y, window)
        # chroma for even offsets, and for odd ones (the strip moved one pixel left)
        self.u = [looped(chroma[0], window // 2), looped(chroma[1], window // 2)]
        self.v = [looped(chroma[2], window // 2), looped(chroma[3], window // 2)]

    def paste(self, frame: YuvFrame, x: int, top: int) -> None:
        """Put the window starting at strip column ``x`` into ``frame`` at row ``top`` (even)."""
        h, w = self.y.shape[0], self.window
        parity, cx = x % 2, x // 2
        frame.y[top : top + h, :w] = self.y[:, x : x + w]
        frame.u[top // 2 : (top + h) // 2, : w // 2] = self.u[parity][:, cx : cx + w // 2]
        frame.v[top // 2 : (top + h) // 2, : w // 2] = self.v[parity][:, cx : cx + w // 2]

    def window_frame(self, x: int) -> YuvFrame:
        """The window alone as a frame (the strip's height), sliced without copying where possible."""
        parity, cx, w = x % 2, x // 2, self.window
        return YuvFrame(self.y[:, x : x + w], self.u[parity][:, cx : cx + w // 2], self.v[parity][:, cx : cx + w // 2])
