"""The preview's pictures: a small PNG per store file, LED pages as the sign's dots."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

THUMB_WIDTH = 320
FOLDER = "thumbs"  # inside the preview folder


class Thumbs:
    """Small pictures of store files, one per source and size, written into the preview folder."""

    def __init__(self, output: Path, folder: Path, previous: Path | None = None):
        self.output, self.folder, self.previous = output, folder, previous
        self.made: dict[str, str] = {}

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
        if self.previous is not None and (self.previous / name).is_file():  # the last preview made it already
            os.link(self.previous / name, target)
            self.made[key] = name
            return name
        with Image.open(source) as picture:
            if getattr(picture, "n_frames", 1) > 1:
                picture.seek(_fullest_frame(picture))
            if not led:  # reduce while decoding what it can: a 300-dpi card is 2,480 px wide
                picture.thumbnail((THUMB_WIDTH, 100 * THUMB_WIDTH), reducing_gap=2.0)
            image = picture.convert("RGB")
        if led:
            image = dots(image)
        image.save(target, compress_level=6)
        self.made[key] = name
        return name


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
