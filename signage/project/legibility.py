"""How small a text may be drawn on a screen and still be read from where people stand.

The rule: a character must be at least 1/200 of the viewing distance high (5 mm a metre,
about 17 minutes of arc), the minimum the US Federal Aviation Administration gives for
display text and the lower end of the 16-22 arc-minute range human-factors handbooks
accept (see the README's "Readable at the screen's distance"). A screen turns that height
into pixels by its pixel pitch: an LED sign's module pitch (P10: 10 mm), a TV's diagonal
over its diagonal in pixels. A profile may instead fix ``min_text`` in pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DISTANCE_PER_HEIGHT = 200  # viewing distance / least character height
# Defaults when a profile gives no viewing distance: a door-head sign is read from the pavement
# and across the street; a lobby TV from the waiting seats; a portrait stand by the entrance,
# passed at arm's length to a few steps.
LED_DISTANCE_M = 20.0
LANDSCAPE_DISTANCE_M = 4.0
PORTRAIT_DISTANCE_M = 3.0
LED_PITCH_MM = 10.0  # P10 modules (32x16 px, 10 mm pitch)
TV_DIAGONAL_IN = 55.0  # the common lobby size
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class MinimumText:
    """The least text height in screen pixels, and why (for messages)."""

    px: int
    why: str  # "for 4 m", "set by min_text"

    def __str__(self) -> str:
        return f"minimum {self.px} px {self.why}"


def least_height_px(distance_m: float, pitch_mm: float) -> int:
    """Pixels a character needs to be read from ``distance_m`` on pixels ``pitch_mm`` apart."""
    return max(1, math.ceil(distance_m * 1000 / DISTANCE_PER_HEIGHT / pitch_mm - 1e-9))


def tv_pitch_mm(diagonal_in: float, width_px: int, height_px: int) -> float:
    """Millimetres per pixel of a TV of ``diagonal_in`` inches showing ``width_px`` x ``height_px``."""
    return diagonal_in * MM_PER_INCH / math.hypot(width_px, height_px)


def least_text(min_text: int | None, distance_m: float, pitch_mm: float) -> MinimumText:
    """A profile's least text height: its own ``min_text``, else the distance rule."""
    if min_text is not None:
        return MinimumText(min_text, "set by min_text")
    return MinimumText(least_height_px(distance_m, pitch_mm), f"for {distance_m:g} m")
