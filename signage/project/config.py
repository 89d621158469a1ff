"""The typed shape of ``signage.yaml``: project settings, regions, branches, font roles."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..locales import Locale
from ..sizes import parse_pixels

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]


def _check_locale(tag: str) -> str:
    return Locale.parse(tag).tag


LocaleTag = Annotated[str, AfterValidator(_check_locale)]


class Strict(BaseModel):
    """Base for every project model: unknown keys are errors, objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Region(Strict):
    """Contact facts for one region, exposed to text templates as variables."""

    hotline: NonEmpty = Field(description="anti-fraud hotline, {{ hotline }}")
    police: NonEmpty = Field(description="police number, {{ police }}")
    app: str | None = Field(default=None, description="anti-fraud app name, {{ app }}")
    app_url: str | None = Field(default=None, description="where to get the app, {{ app_url }} (QR codes)")
    hotline_name: str = Field(default="反诈专线", description="what the hotline is called, {{ hotline_name }}")


def _check_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name such as Asia/Shanghai or Europe/London"
        ) from None
    return name


TimeZone = Annotated[str, AfterValidator(_check_zone)]


class Branch(Strict):
    """A bank branch whose screens the project fills."""

    id: Id
    name: NonEmpty
    locale: LocaleTag
    timezone: TimeZone = "Asia/Shanghai"


class LedScreen(Strict):
    """An LED sign: its pixel size, colour mode and how its controller plays."""

    id: Id
    size: Annotated[str, StringConstraints(pattern=r"^\s*\d+\s*[xX×]\s*\d+\s*$")]
    color: Literal["red", "green", "yellow", "white", "dual", "full"] = "red"
    mode: Literal["scroll", "pages"] = "scroll"
    template: Id | None = None  # templates/led/NAME.yaml; default: the mode's name
    speed: Annotated[int, Field(ge=1, le=64)] = 1  # scroll: whole pixels per frame
    fps: Annotated[int, Field(ge=1, le=120)] = 30  # scroll: frames per second
    gap: Annotated[int, Field(ge=0, le=4096)] | None = None  # scroll: px between loops; default a screen width
    stay: Annotated[float, Field(gt=0, le=600)] = 3.0  # pages: seconds per page

    @property
    def width(self) -> int:
        return parse_screen_size(self.size)[0]

    @property
    def height(self) -> int:
        return parse_screen_size(self.size)[1]

    @model_validator(mode="after")
    def _sane_size(self) -> LedScreen:
        parse_screen_size(self.size)
        return self


MAX_LED_SIDE = 4096


def parse_screen_size(text: str) -> tuple[int, int]:
    """'96x16' -> (96, 16); ValueError for zero or absurd sizes."""
    w, h = parse_pixels(text, "screen size", low=0, high=10**6)
    if w == 0 or h == 0:
        raise ValueError(f"screen size {text!r} has a zero side")
    if w > MAX_LED_SIDE or h > MAX_LED_SIDE:
        raise ValueError(f"screen size {text!r} is over {MAX_LED_SIDE} px on a side: not an LED sign")
    return w, h


FontIds = Annotated[list[Id], Field(min_length=1)]
RoleName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class ProjectConfig(Strict):
    """Everything in signage.yaml."""

    name: NonEmpty
    default_locale: LocaleTag = "zh-Hans-CN"
    timezone: TimeZone = "Asia/Shanghai"  # where dates are counted when there are no branches
    output: NonEmpty = "output"
    regions: dict[str, Region]
    # "default" or a locale tag -> role -> fallback chain of font ids
    fonts: dict[str, dict[RoleName, FontIds]]
    branches: list[Branch] = Field(default_factory=list)
    led_screens: list[LedScreen] = Field(default_factory=list)

    @model_validator(mode="after")
    def _default_fonts(self) -> ProjectConfig:
        if "default" not in self.fonts:
            raise ValueError("fonts: a 'default' set of font roles is required")
        return self
