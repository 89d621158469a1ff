"""The typed shape of ``signage.yaml``: project settings, regions, branches, font roles."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..locales import Locale, for_locale
from ..sizes import parse_pixels
from .legibility import (
    LANDSCAPE_DISTANCE_M,
    LED_DISTANCE_M,
    LED_PITCH_MM,
    PORTRAIT_DISTANCE_M,
    TV_DIAGONAL_IN,
    MinimumText,
    least_text,
    tv_pitch_mm,
)

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Metres = Annotated[float, Field(gt=0, le=1000)]
MinText = Annotated[int, Field(ge=1, le=4096)]


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


VarName = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$", max_length=64)]
RESERVED_VARS = ("id", "name", "locale", "timezone", "tags", "screens")


class BranchScreen(Strict):
    """One screen of a branch: its id there, the profile it is, and (optionally) its own playlist."""

    id: Id
    profile: Id
    playlist: Id | None = None  # overrides the project's playlist rules for this screen


class Branch(Strict):
    """A bank branch whose screens the project fills."""

    id: Id
    name: NonEmpty
    locale: LocaleTag
    timezone: TimeZone = "Asia/Shanghai"
    tags: list[NonEmpty] = Field(default_factory=list)  # region, city, branch type...: what rules select on
    vars: dict[VarName, str] = Field(default_factory=dict)  # address, phone...: {{ branch.address }}
    screens: list[BranchScreen] = Field(default_factory=list)

    @model_validator(mode="after")
    def _vars_do_not_hide_fields(self) -> Branch:
        clash = sorted(set(self.vars) & set(RESERVED_VARS))
        if clash:
            raise ValueError(f"vars: {', '.join(clash)} would hide the branch's own field; rename it")
        return self

    def view(self) -> dict[str, object]:
        """What texts see as ``branch``: id, name, locale, tags and every variable."""
        return {
            "id": self.id,
            "name": self.name,
            "locale": self.locale,
            "timezone": self.timezone,
            "tags": list(self.tags),
            **self.vars,
        }


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
    # pages: each page stays for its characters at `reading` per second, from stay_min to stay_max;
    # `stay` fixes one time for every page instead
    stay: Annotated[float, Field(gt=0, le=600)] | None = None
    reading: Annotated[float, Field(gt=0, le=50)] = 4.0
    stay_min: Annotated[float, Field(gt=0, le=600)] = 2.0
    stay_max: Annotated[float, Field(gt=0, le=600)] = 8.0
    # also every page, and the scroll of any colour, as an H.264 clip of its time, which the playlist's
    # M3U links: for a sign a PC drives with a media player (mpv, VLC), which shows a picture for a time of
    # its own; off by default, since a controller plays program/ and its pictures hold their stays there
    clips: bool = False
    # readable from here: no text drawn lower than 1/200 of the viewing distance (see legibility.py),
    # in pixels of `pitch` mm; or `min_text` px, whatever the distance
    viewing_distance: Metres = LED_DISTANCE_M
    pitch: Annotated[float, Field(gt=0, le=1000)] = LED_PITCH_MM
    min_text: MinText | None = None

    @property
    def minimum_text(self) -> MinimumText:
        """The least text height this sign may show, in its pixels."""
        return least_text(self.min_text, self.viewing_distance, self.pitch)

    def page_stay(self, text: str) -> float:
        """Seconds a page holding ``text`` stays on the sign."""
        if self.stay is not None:
            return self.stay
        visible = sum(1 for c in text if c.isalnum())
        return round(min(self.stay_max, max(self.stay_min, visible / self.reading)), 2)

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


class TvScreen(Strict):
    """A TV profile: a landscape or portrait screen and the video templates it plays."""

    id: Id
    size: Annotated[str, StringConstraints(pattern=r"^\s*\d+\s*[xX×]\s*\d+\s*$")] = "1920x1080"
    videos: Annotated[list[Id], Field(min_length=1)]  # video templates, e.g. [case-16x9, slogan-16x9]
    image_seconds: Annotated[float, Field(gt=0, le=3600)] = 10.0  # an image entry without a duration
    # also every image as an H.264 clip of its time (with a silent track), which the M3U links: media
    # players (mpv, VLC) show a picture for a default time of their own, not the playlist's
    clips: bool = True
    # readable from here: no text drawn lower than 1/200 of the viewing distance (default 4 m for a
    # landscape screen, 3 m for a portrait one), on a screen of `diagonal` inches; or `min_text` px
    viewing_distance: Metres | None = None
    diagonal: Annotated[float, Field(gt=0, le=1000)] = TV_DIAGONAL_IN
    min_text: MinText | None = None

    @property
    def minimum_text(self) -> MinimumText:
        """The least text height this screen may show, in its pixels."""
        w, h = self.dimensions
        distance = self.viewing_distance or (PORTRAIT_DISTANCE_M if h > w else LANDSCAPE_DISTANCE_M)
        return least_text(self.min_text, distance, tv_pitch_mm(self.diagonal, w, h))

    @property
    def dimensions(self) -> tuple[int, int]:
        return parse_pixels(self.size, "size", low=16, high=4096, even=True)

    @model_validator(mode="after")
    def _sane_size(self) -> TvScreen:
        self.dimensions  # noqa: B018 - raises ValueError for an odd or absurd size
        return self


ScreenKind = Literal["led", "tv"]


class PlaylistRule(Strict):
    """Which playlist a screen plays: the first rule whose every condition holds."""

    playlist: Id
    profile: Id | None = None
    kind: ScreenKind | None = None
    tag: NonEmpty | None = None  # a tag of the branch
    locale: LocaleTag | None = None
    screen: Id | None = None  # the screen's id in its branch (door, lobby...)

    def matches(self, branch: Branch, screen: BranchScreen, kind: str) -> bool:
        return (
            (self.profile is None or self.profile == screen.profile)
            and (self.kind is None or self.kind == kind)
            and (self.tag is None or self.tag in branch.tags)
            and (self.locale is None or self.locale == branch.locale)
            and (self.screen is None or self.screen == screen.id)
        )


class Publishing(Strict):
    keep: Annotated[int, Field(ge=1, le=1000)] = 5  # published versions kept per branch (the live one always)


FontIds = Annotated[list[Id], Field(min_length=1)]
RoleName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Cluster(Strict):
    """Where `signage build` renders: local processes, or a dask.distributed cluster."""

    executor: Literal["local", "dask"] = "local"
    scheduler: NonEmpty | None = None  # tcp://HOST:8786


class ProjectConfig(Strict):
    """Everything in signage.yaml."""

    name: NonEmpty | Annotated[dict[LocaleTag, NonEmpty], Field(min_length=1)]  # one, or per locale
    default_locale: LocaleTag = "zh-Hans-CN"
    timezone: TimeZone = "Asia/Shanghai"  # where dates are counted when there are no branches
    output: NonEmpty = "output"
    regions: dict[str, Region]
    # "default" or a locale tag -> role -> fallback chain of font ids
    fonts: dict[str, dict[RoleName, FontIds]]
    branches: list[Branch] = Field(default_factory=list)
    branches_file: str | None = None  # a CSV of branches, one row each (see README), beside signage.yaml
    led_screens: list[LedScreen] = Field(default_factory=list)  # LED profiles
    tv_screens: list[TvScreen] = Field(default_factory=list)  # TV profiles
    playlist_rules: list[PlaylistRule] = Field(default_factory=list)
    publish: Publishing = Field(default_factory=Publishing)
    cluster: Cluster | None = None

    def name_for(self, locale: str) -> str:
        """The project's name in ``locale``: its own, else one of the same script, else the default's."""
        if isinstance(self.name, str):
            return self.name
        return for_locale(self.name, locale, self.default_locale) or next(iter(self.name.values()))

    @model_validator(mode="after")
    def _default_fonts(self) -> ProjectConfig:
        if "default" not in self.fonts:
            raise ValueError("fonts: a 'default' set of font roles is required")
        return self
