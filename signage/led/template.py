"""LED templates (templates/led/NAME.yaml): fonts per row height, colours, text choice."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from PIL import ImageColor
from pydantic import AfterValidator, Field, model_validator

from ..project.config import Strict
from ..typography.linebreak import BreakLevel


def _colour(value: str) -> str:
    try:
        ImageColor.getrgb(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a colour (a name such as red, or #rrggbb)") from None
    return value


Colour = Annotated[str, AfterValidator(_colour)]
DUAL_COLOURS = ("red", "green", "yellow")


class RowFont(Strict):
    role: str
    scale: Annotated[int, Field(ge=1, le=16)] = 1


class Palette(Strict):
    text: Colour = "red"
    emphasis: Colour | None = None
    background: Colour = "black"


class LedTemplate(Strict):
    """How text is set on an LED sign; the screen says how big and how it plays."""

    name: str = ""
    mode: Literal["scroll", "pages"]
    text: Literal["auto", "short", "full"] = "auto"
    short_below: Annotated[int, Field(ge=0)] = 24
    row_height: Annotated[int, Field(ge=1)] | Literal["max"] = 16
    fill: bool = True  # pages: a taller row when the whole text then fits on one page
    fonts: dict[Annotated[int, Field(ge=1, le=4096)], RowFont]
    align: Literal["left", "center", "right"] = "center"
    break_level: BreakLevel = BreakLevel.basic
    emphasis: Literal["none", "numbers"] = "numbers"
    colors: dict[Literal["dual", "full"], Palette] = Field(default_factory=dict)
    long_tokens: Literal["split", "error"] = "split"

    @model_validator(mode="after")
    def _checks(self) -> LedTemplate:
        if not self.fonts:
            raise ValueError("fonts: at least one row height with a font role")
        for height, font in self.fonts.items():
            if height % font.scale:
                raise ValueError(f"fonts.{height}: {height} px is not a multiple of scale {font.scale}")
        dual = self.colors.get("dual")
        if dual is not None:
            for name in (dual.text, dual.emphasis or dual.text):
                if name not in DUAL_COLOURS:
                    raise ValueError(f"colors.dual: {name!r} is not red, green or yellow (what a dual sign shows)")
        return self

    def row_for(self, screen_height: int) -> tuple[int, RowFont]:
        """Row height and font for a screen: the template's row height, or the tallest that fits."""
        fitting = sorted(h for h in self.fonts if h <= screen_height)
        if not fitting:
            raise ValueError(f"the screen is {screen_height} px high; the smallest row here is {min(self.fonts)} px")
        if self.row_height == "max":
            height = fitting[-1]
        else:
            height = max((h for h in fitting if h <= self.row_height), default=fitting[0])
        return height, self.fonts[height]


LED_TEMPLATES = Path("templates") / "led"
