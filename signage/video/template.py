"""Video templates (templates/video/NAME.yaml): canvas, scenes, background, ticker, audio."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..colour import Colour
from ..project.config import LocaleTag, Strict
from ..sizes import parse_pixels

X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
Fraction = Annotated[float, Field(ge=0, le=1)]
FracBox = tuple[Fraction, Fraction, Annotated[float, Field(gt=0, le=1)], Annotated[float, Field(gt=0, le=1)]]


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' -> (1920, 1080); even sides from 16 to 4096 (4:2:0 video needs even sizes)."""
    return parse_pixels(text, "size", low=16, high=4096, even=True)


def _inside_project(value: str | None) -> str | None:
    if value is not None and (Path(value).is_absolute() or ".." in Path(value).parts):
        raise ValueError(f"{value!r} must be a file inside the project folder")
    return value


ProjectFile = Annotated[str, AfterValidator(_inside_project)]


class Background(Strict):
    color: Colour | None = None
    gradient: tuple[Colour, Colour] | None = None  # top to bottom
    image: ProjectFile | None = None  # a file of the project, cropped to fill

    @model_validator(mode="after")
    def _one(self) -> Background:
        if sum(v is not None for v in (self.color, self.gradient, self.image)) != 1:
            raise ValueError("background: give exactly one of color, gradient, image")
        return self


class Reading(Strict):
    """Scene durations from reading speed when a scene gives none."""

    chars_per_second: Annotated[float, Field(gt=0, le=50)] = 5.0
    min: Annotated[float, Field(gt=0, le=60)] = 2.5
    max: Annotated[float, Field(gt=0, le=120)] = 9.0


class Music(Strict):
    file: ProjectFile  # a file of the project; looped or cut to the video's length
    volume: Annotated[float, Field(ge=0, le=2)] = 0.7


class Ticker(Strict):
    """A scrolling subtitle bar along the bottom, moving whole pixels per frame."""

    text: str = "{{ slogans | join('　　') }}"
    height: Annotated[int, Field(ge=16, le=2160, multiple_of=2)] = 96  # even: 4:2:0 chroma
    speed: Annotated[int, Field(ge=1, le=64)] = 4  # px per frame
    size: Annotated[int, Field(ge=8, le=1000)] = 52  # px
    role: str = "sans-bold"
    color: Colour = "white"
    background: Colour = "#c8102e"
    gap: Annotated[int, Field(ge=0)] | None = None  # px after the text before it comes round; default the width
    position: Literal["bottom", "middle"] = "bottom"  # middle: a full-frame ticker


class Scene(Strict):
    type: Literal["title", "story", "slogan", "hotline"]
    text: str = ""  # title, slogan, or the hotline's label
    kicker: str = ""  # title: a small line above
    lines: str = ""  # story: one line each, revealed one by one
    number: str = "{{ hotline }}"  # hotline
    duration: Annotated[float, Field(gt=0, le=600)] | None = None  # else from reading speed
    role: str = "sans-bold"
    color: Colour = "white"
    accent: Colour = "#ffd400"
    box: FracBox | None = None  # fractions of the picture area (above the ticker)
    # the main text's largest and smallest size, as fractions of the canvas's shorter side
    size: tuple[Annotated[float, Field(gt=0, le=1)], Annotated[float, Field(gt=0, le=1)]] | None = None


class VideoTemplate(Strict):
    name: str = ""
    content: Literal["case", "slogan", "text"]
    size: str = "1920x1080"
    fps: Annotated[int, Field(ge=1, le=120)] = 25
    rotate: Literal[0, 90, 180, 270] = 0  # clockwise, for portrait screens that play landscape files
    preset: str = "superfast"
    crf: Annotated[int, Field(ge=0, le=51)] = 20
    background: Background = Field(default_factory=lambda: Background(color="#0b1f3a"))
    crossfade: Annotated[float, Field(ge=0, le=5)] = 0.5
    reveal_fade: Annotated[float, Field(ge=0, le=5)] = 0.3
    reading: Reading = Field(default_factory=Reading)
    music: Music | None = None
    ticker: Ticker | None = None
    duration: Annotated[float, Field(gt=0, le=3600)] | None = None  # a ticker-only video; default one loop
    scenes: list[Scene] = Field(default_factory=list)
    # fixed wording per locale, used in texts as {{ strings.kicker }}
    strings: dict[LocaleTag, dict[str, str]] = Field(default_factory=dict)

    @field_validator("size", mode="before")
    @classmethod
    def _size(cls, value: object) -> object:
        parse_size(str(value))
        return value

    @field_validator("preset")
    @classmethod
    def _preset(cls, value: str) -> str:
        if value not in X264_PRESETS:
            raise ValueError(f"preset {value!r} is not an x264 preset ({', '.join(X264_PRESETS)})")
        return value

    @model_validator(mode="after")
    def _something(self) -> VideoTemplate:
        if not self.scenes and self.ticker is None:
            raise ValueError("a video needs scenes, a ticker, or both")
        if self.ticker is not None and self.ticker.height >= self.dimensions[1]:
            raise ValueError("ticker.height leaves no picture")
        if self.ticker is not None and self.ticker.position == "middle" and self.scenes:
            raise ValueError("ticker.position middle is for a ticker-only video: over scenes it would cover their text")
        return self

    def resized(self, size: str) -> dict[str, object]:
        """This template's fields for another canvas: the ticker bar and its text scale with the height."""
        data = self.model_dump()
        h = parse_size(size)[1]
        data["size"] = size
        if self.ticker is not None:
            scale = h / self.dimensions[1]
            data["ticker"]["height"] = max(16, round(self.ticker.height * scale / 2) * 2)
            data["ticker"]["size"] = max(8, round(self.ticker.size * scale))
        return data

    @property
    def dimensions(self) -> tuple[int, int]:
        return parse_size(self.size)

    def font_roles(self) -> list[tuple[str, str]]:
        roles = [(f"scenes[{n}].role", s.role) for n, s in enumerate(self.scenes)]
        return roles + ([("ticker.role", self.ticker.role)] if self.ticker else [])

    def project_files(self) -> list[tuple[str, str]]:
        files = [("background.image", self.background.image)] if self.background.image else []
        return files + ([("music.file", self.music.file)] if self.music else [])

    def text_sources(self) -> list[str]:
        sources = [text for s in self.scenes for text in (s.text, s.kicker, s.lines, s.number)]
        return sources + ([self.ticker.text] if self.ticker else [])
