"""The preview's pictures: a small PNG per store file, LED pages as the sign's dots."""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from ..thumbnail import THUMB_WIDTH, reduce_to_thumbnail

FOLDER = "thumbs"  # inside the preview folder


class Thumbs:
    """Small pictures of store files, one per source and size, written into the preview folder.

    Each is made on a thread of its own while the pages are written (Pillow lets go of the GIL to
    decode, reduce and encode: a 300-dpi card's preview takes about 45 ms, most of the preview's
    time after a build); ``wait`` before the folder is used. As a context manager it waits on leaving."""

    def __init__(self, output: Path, folder: Path, previous: Path | None = None, threads: int | None = None):
        self.output, self.folder, self.previous = output, folder, previous
        self.made: dict[str, str] = {}
        self._pool = ThreadPoolExecutor(max_workers=threads or min(4, os.cpu_count() or 1))
        self._pending: list[Future[None]] = []

    def __enter__(self) -> Thumbs:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.wait()
        else:  # something failed already: stop, and say that rather than any thumbnail's error
            self._pool.shutdown(wait=True, cancel_futures=True)

    def wait(self) -> None:
        """Every thumbnail handed out is written (the first error of one raised). The threads end
        here: no thumbnail can be asked for after it."""
        try:
            for future in self._pending:
                future.result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pending = []

    def get(self, store_path: str, led: bool = False) -> str | None:
        """The thumbnail's path relative to the preview folder, or None when the file is not a picture."""
        key = f"{store_path}|{led}"
        if key in self.made:
            return self.made[key]
        source = self.output / store_path
        if source.suffix.lower() not in (".png", ".bmp", ".gif") or not source.is_file():
            return None
        name = f"{FOLDER}/{source.stem[:20]}{'-dots' if led else ''}.png"  # store files are named by content
        target = self.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        self.made[key] = name
        if self.previous is not None and (self.previous / name).is_file():  # the last preview made it already
            os.link(self.previous / name, target)
            return name
        self._pending.append(self._pool.submit(_thumbnail, source, target, led))
        return name


def _thumbnail(source: Path, target: Path, led: bool) -> None:
    with Image.open(source) as picture:
        if getattr(picture, "n_frames", 1) > 1:
            picture.seek(_fullest_frame(picture))
        if not led:  # reduce while decoding what it can: a 300-dpi card is 2,480 px wide
            reduce_to_thumbnail(picture)
        image = picture.convert("RGB")
    if led:
        image = dots(image)
    image.save(target, compress_level=6)


def _fullest_frame(animation: Image.Image, samples: int = 32) -> int:
    """The frame, of a few spread over an animation, with the most lit pixels: a scroll starts on
    a dark sign, so its first frame would show nothing of its text."""
    frames = animation.n_frames  # type: ignore[attr-defined]
    best, most = 0, -1
    for index in range(0, frames, max(1, frames // samples)):
        animation.seek(index)
        lit = int((np.asarray(animation.convert("L")) > 40).sum())
        if lit > most:
            best, most = index, lit
    return best


def dots(page: Image.Image) -> Image.Image:
    """An LED page as the sign shows it: each pixel a round dot, unlit ones dim."""
    w, h = page.size
    scale = max(2, min(8, THUMB_WIDTH // max(w, 1)))
    pixels = np.asarray(page.resize((w * scale, h * scale), Image.Resampling.NEAREST)).astype(np.int16)
    yy, xx = np.mgrid[0:scale, 0:scale]
    centre = (scale - 1) / 2
    disc = ((yy - centre) ** 2 + (xx - centre) ** 2) <= (scale * 0.42) ** 2
    mask = np.tile(disc, (h, w))[..., None]
    lit = pixels.max(axis=2, keepdims=True) > 40
    colour = np.where(lit, pixels, np.array([40, 40, 40]))
    return Image.fromarray(np.where(mask, colour, 0).astype(np.uint8))
