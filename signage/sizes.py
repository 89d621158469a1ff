"""``WxH`` sizes as users write them (96x16, 1920x1080, 90x54 mm): parsed in one place."""

from __future__ import annotations

import re

_WXH = re.compile(r"\s*(\d+(?:\.\d+)?)\s*[xX×*]\s*(\d+(?:\.\d+)?)\s*")


def parse_wxh(text: object, what: str = "size") -> tuple[float, float]:
    """'96x16' -> (96.0, 16.0); ValueError naming ``what`` when it is not two numbers."""
    match = _WXH.fullmatch(str(text))
    if not match:
        raise ValueError(f"{what} {text!r} is not WxH (for example 1920x1080)")
    return float(match.group(1)), float(match.group(2))


def parse_pixels(
    text: object, what: str = "size", low: int = 1, high: int = 4096, even: bool = False
) -> tuple[int, int]:
    """Whole pixels from ``low`` to ``high`` a side; ``even`` for 4:2:0 video."""
    w, h = parse_wxh(text, what)
    if w != int(w) or h != int(h):
        raise ValueError(f"{what} {text!r} is not in whole pixels")
    width, height = int(w), int(h)
    if not (low <= width <= high and low <= height <= high):
        raise ValueError(f"{what} {text!r}: each side must be {low} to {high} px")
    if even and (width % 2 or height % 2):
        raise ValueError(f"{what} {text!r} has an odd side: H.264 in 4:2:0 needs even width and height")
    return width, height
