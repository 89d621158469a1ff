"""Colours as templates write them: names, #rrggbb or cmyk(c,m,y,k); one parser for every renderer."""

from __future__ import annotations

import re
from typing import Annotated

from PIL import ImageColor
from pydantic import AfterValidator

_CMYK = re.compile(r"^cmyk\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*\)$")
RGB = tuple[int, int, int]


def parse_colour(value: str) -> tuple[str, tuple[float, ...]]:
    """('rgb', (r, g, b)) in 0..1 from a name or #rrggbb, or ('cmyk', (c, m, y, k)) from cmyk(0,100,100,0)."""
    match = _CMYK.match(value.strip().lower())
    if match:
        parts = tuple(float(p) / 100 for p in match.groups())
        if any(p > 1 for p in parts):
            raise ValueError(f"{value!r}: CMYK percentages go from 0 to 100")
        return "cmyk", parts
    try:
        r, g, b = ImageColor.getrgb(value)[:3]
    except ValueError:
        raise ValueError(f"{value!r} is not a colour (a name, #rrggbb or cmyk(c,m,y,k))") from None
    return "rgb", (r / 255, g / 255, b / 255)


def rgb255(colour: str) -> RGB:
    """Any template colour as 8-bit RGB (CMYK converted naively, for screens and previews)."""
    space, values = parse_colour(colour)
    if space == "cmyk":
        c, m, y, k = values
        values = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    r, g, b = (round(v * 255) for v in values)
    return (r, g, b)


def hex_rgb(colour: str) -> str:
    """'0xrrggbb', the form ffmpeg's filters take."""
    return "0x{:02x}{:02x}{:02x}".format(*rgb255(colour))


def _checked(value: str) -> str:
    parse_colour(value)
    return value


Colour = Annotated[str, AfterValidator(_checked)]
"""A template field holding a colour, checked when the template is read."""
