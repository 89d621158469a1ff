"""LED templates (templates/led/NAME.yaml): fonts per row height, colours, text choice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, model_validator

from ..colour import Colour
from ..errors import Problem
from ..project.config import Strict
from ..project.model import CONFIG_FILE
from ..typography.linebreak import BreakLevel
from ..yamlio import line_of

if TYPE_CHECKING:
    from ..project.model import Project

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

    def font_roles(self) -> list[tuple[str, str]]:
        return [(f"fonts.{h}.role", f.role) for h, f in self.fonts.items()]

    def project_files(self) -> list[tuple[str, str]]:
        return []

    def text_sources(self) -> list[str]:
        return []


def check_screens(project: Project, config_data: Any) -> list[Problem]:
    """Each LED screen in signage.yaml has a template of its mode with a row that fits its height."""
    problems = []
    config_path = project.root / CONFIG_FILE
    templates = project.templates_of("led")
    for n, screen in enumerate(project.config.led_screens):
        name = screen.template or screen.mode
        line = line_of(config_data, ("led_screens", n))

        def problem(message: str, field: str = "template", warning: bool = False) -> Problem:
            return Problem(message, config_path, line, screen.id, field, warning)  # noqa: B023

        template = templates.get(name)
        if template is None:
            problems.append(problem(f"no LED template {name!r} in templates/led"))
        elif template.mode != screen.mode:
            problems.append(problem(f"template {name!r} is for {template.mode}, the screen plays {screen.mode}"))
        else:
            try:
                template.row_for(screen.height)
            except ValueError as exc:
                problems.append(problem(str(exc)))
        if screen.width % 32 or screen.height % 16:
            problems.append(
                problem(f"{screen.size} is not a whole number of 32x16 modules", field="size", warning=True)
            )
    return problems
