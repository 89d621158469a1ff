"""Pieces of the ffmpeg filter graphs that make a video's motion: the ticker band and raw pictures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

TO_YUV = "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p"
# A picture TO_YUV converted before, read back: the same pixels, tagged as TO_YUV tags them
AS_CONVERTED = "setparams=colorspace=bt709:range=tv"


@dataclass(frozen=True)
class Band:
    """The ticker band: its strip (one loop, ``period`` px), where it sits and how far it moves each
    frame. Each segment is given only the stretch of the strip it shows (a few thousand px rather
    than a loop of every slogan: 100,000 px to read and convert in every ffmpeg run)."""

    strip: Image.Image
    digest: str
    top: int
    speed: int
    period: int


def loop_window(strip: Image.Image, x: int, width: int) -> Image.Image:
    """The ``width`` px of the looping strip from column ``x``."""
    out = Image.new("RGB", (width, strip.height))
    for left in range(-x, width, strip.width):
        out.paste(strip, (left, 0))
    return out


def raw_input(path: Path, size: tuple[int, int]) -> list[str]:
    """ffmpeg's input options for one raw RGB picture."""
    return ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size[0]}x{size[1]}", "-i", str(path)]


def converted(still: Path) -> Path:
    """Where a raw RGB still's yuv420p conversion (TO_YUV, made once per video: ``convert_stills``)
    is kept: beside it."""
    return still.with_suffix(".yuv")


def still_input(still: Path, size: tuple[int, int]) -> tuple[list[str], str]:
    """ffmpeg's input options for a still and the filter that makes it yuv420p as TO_YUV does: its
    conversion made once, when there is one (read as it is), else the RGB picture (converted here)."""
    yuv = converted(still)
    if yuv.is_file():
        return ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{size[0]}x{size[1]}", "-i", str(yuv)], AS_CONVERTED
    return raw_input(still, size), TO_YUV


def band_chain(band: Band, frames: int, fps: int, width: int, label: str) -> str:
    """The band of a segment as a yuv420p stream: its stretch of the strip held and a window cut from
    it ``speed`` px further each frame. At an even speed every offset is even and the stretch was
    converted once (a yuv420p crop keeps whole chroma pairs); at an odd one the window is cut in RGB
    (exact at any offset) and converted."""
    crop = f"crop=w={width}:h=ih:x='n*{band.speed}':y=0"
    convert = "" if band.speed % 2 == 0 else f",{TO_YUV}"
    return f"loop=loop={frames - 1}:size=1:start=0,setpts=N/{fps}/TB,{crop}{convert}[{label}]"


def stretch_of(band: Band, first: int, frames: int, width: int) -> Image.Image:
    """The stretch of the strip a segment from frame ``first`` shows over ``frames`` frames."""
    return loop_window(band.strip, first * band.speed % band.period, (frames - 1) * band.speed + width)
