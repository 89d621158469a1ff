"""The render job every output kind implements, and the key that says "same bytes out".

A job is a frozen, picklable description of one artifact: what it shows (texts already
filled in), on what (screen, template), with which fonts and files. It renders into a
folder it is given and returns what it made as data, so the same job runs in this
process, in a local worker pool or on another machine.

The key of a job is the SHA-256 of everything that decides its bytes:

- the job's own payload (texts, template and screen settings, locale, branch, ids);
- the bytes of every font face and project file (image, music) it reads;
- the code that renders it: a hash of the source files of its renderer and of the
  shared modules under it (typography, colours, ffmpeg writer), so any change to a
  renderer re-renders what it made, with no version number to forget;
- the versions of the libraries that write its bytes (Pillow, fpdf2, ...) and, for
  kinds that encode video, the ffmpeg build's version line.

Same key, same output: an artifact whose key is unchanged is never rendered again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from . import clock
from .errors import Problem, SignageError
from .ffmpeg import ffmpeg_version
from .fingerprint import file_digest
from .project.content import Slogan
from .project.files import inside
from .project.model import Project
from .tree import artifact_id, branch_variant

if TYPE_CHECKING:
    from .typography.fonts import FontRegistry
    from .typography.layout import TextLayout

PACKAGE_DIR = Path(__file__).resolve().parent
# Modules every renderer lays text out with.
TYPESETTING = ("typography", "colour.py", "locales.py", "errors.py")


@dataclass
class RenderEnv:
    """What a worker needs besides the job: fonts, the project folder for its files, font subsets.

    Sent to each worker once, not with every job.
    """

    root: Path
    fonts: FontRegistry
    extras: dict[str, Shippable] = field(default_factory=dict)  # what a kind prepared for its jobs (font subsets)
    # a folder of content-addressed intermediate files that jobs share across the build and later
    # builds (a video's encoded scenes); None: each job keeps its own, in a temporary folder
    segments: Path | None = None
    # the cores a job may keep busy with its own subprocesses (a video's ffmpeg runs): a build's share
    # of the machine per worker; None: all of them
    cores: int | None = None


@runtime_checkable
class Shippable(Protocol):
    """Something a kind prepares for its jobs (``RenderEnv.extras``), which a cluster build
    ships to each worker: ``pack`` gives its content as picklable data, ``unpack`` makes it
    again on the worker under a folder of its own. The build never needs to know the kind."""

    def pack(self) -> dict[str, Any]: ...

    @classmethod
    def unpack(cls, packed: dict[str, Any], folder: Path) -> Shippable: ...


@dataclass
class Rendered:
    """What a job made: its files (names in the stage folder, main file first) and what they hold."""

    files: list[str]
    duration: float | None = None  # seconds, for what plays (LED, video)
    meta: dict[str, Any] = field(default_factory=dict)  # kind-specific: pages, frames, scenes, trim...
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Job(ABC):
    """One artifact to render. Subclasses are frozen dataclasses holding only data."""

    content_kind: str  # "slogan", "case" or "text"
    content_id: str
    locale: str
    branch: str | None
    target: str  # the screen (LED) or template (cards, video) it is made for
    text: str  # the main text it shows, for the catalogue
    valid_from: str | None = None  # ISO dates from the content's validity
    valid_until: str | None = None

    kind: ClassVar[str]  # "led", "card", "video"
    folder: ClassVar[str]  # its tree under the output folder: "led", "cards", "video"
    sources: ClassVar[tuple[str, ...]]  # files and packages of signage/ whose code decides the bytes
    libraries: ClassVar[tuple[str, ...]]  # distributions whose version decides the bytes
    uses_ffmpeg: ClassVar[bool] = False

    @property
    def path(self) -> str:
        """Where the artifact's folder lives under the output folder (a readable name)."""
        return artifact_id(self.folder, self.target, self.locale, self.content_id, self.branch)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.target} {self.locale} {branch_variant(self.content_id, self.branch)}"

    @abstractmethod
    def payload(self, fonts: FontRegistry) -> dict[str, Any]:
        """Everything of the job's own that decides its bytes (JSON-able): texts, settings, digests
        of the font faces (from ``fonts``) and project files it reads."""

    @abstractmethod
    def cost(self) -> float:
        """Expected seconds of one core to render it: the progress bar's weight and ETA."""

    @abstractmethod
    def render(self, env: RenderEnv, stage: Path) -> Rendered:
        """Write every file into ``stage`` (a fresh, empty folder) and say what was made."""

    @classmethod
    def prepare(cls, env: RenderEnv, planned: list[Job], todo: list[Job]) -> Callable[[], None] | None:
        """Once per build, before the workers start: put what this kind's jobs share into ``env``.

        May return slow work (cutting font subsets) that must be done before any job of this
        kind renders; the build runs it while the workers render other kinds.
        """
        return None

    def project_inputs(self) -> list[str]:
        """The project files (relative paths) the render reads: what a cluster worker is sent."""
        return [name for name, _ in getattr(self, "files", ())]

    def shown(self) -> list[tuple[str, str]]:
        """Every text the output shows, as (part, text): what the script check reads."""
        return [("text", self.text)] if self.text else []

    def text_heights(self, fonts: FontRegistry) -> list[tuple[str, int]]:
        """Every text the output draws, as (part, size in the output's pixels), laid out as the
        renderer lays it out: what ``check`` holds against the screen's least text height.
        Print and supplied media have no screen: none."""
        return []

    def text_layouts(self, fonts: FontRegistry, root: Path) -> list[tuple[str, TextLayout]]:
        """Every text the output sets, as (part, layout), laid out as the render would: what checks
        of the drawn lines read (words split across lines). None for outputs that set no text."""
        return []

    def faces_payload(self, fonts: FontRegistry, roles: list[str]) -> list[list[Any]]:
        """Font id, face index and file digest of every face the roles draw with in this locale."""
        seen: dict[tuple[str, int], list[Any]] = {}
        for role in roles:
            for face in fonts.chain(role, self.locale).faces:
                seen.setdefault((face.spec.id, face.index), [face.spec.id, face.index, file_digest(face.spec.path)])
        return sorted(seen.values())

    def key(self, fonts: FontRegistry) -> str:
        """SHA-256 of everything that decides the output (see the module's docstring)."""
        recipe = {
            "kind": self.kind,
            "code": code_version(self.sources),
            "libraries": {name: library_version(name) for name in self.libraries},
            "words": fonts.words_digest,  # the project's dictionary decides where lines break
            "ffmpeg": ffmpeg_build() if self.uses_ffmpeg else None,
            "job": {
                "content": [self.content_kind, self.content_id],
                "locale": self.locale,
                "branch": self.branch,
                "target": self.target,
                "valid": [self.valid_from, self.valid_until],
                **self.payload(fonts),
            },
        }
        blob = json.dumps(recipe, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()


def project_files(root: Path, template: Any) -> tuple[tuple[str, str], ...]:
    """(path, SHA-256) of every project file a template reads that exists (a missing one is `check`'s to report)."""
    digests = []
    for where, name in template.project_files():
        try:
            path = inside(root, name)
        except ValueError as exc:
            raise SignageError(Problem(str(exc), item=f"{template.name}.{where}")) from None
        if path.is_file():
            digests.append((name, file_digest(path)))
    return tuple(digests)


@lru_cache(maxsize=32)
def code_version(sources: tuple[str, ...]) -> str:
    """A hash of the source files (``*.py``) under signage/ that a renderer runs."""
    sha = hashlib.sha256()
    for name in sorted(set(sources) | set(TYPESETTING)):
        target = PACKAGE_DIR / name
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for path in files:
            sha.update(str(path.relative_to(PACKAGE_DIR)).encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


@lru_cache(maxsize=64)
def library_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def ffmpeg_build() -> str:

    return ffmpeg_version()


# What a plan is made for, and what screens want of it


def local_today(project: Project, now: dt.datetime | None = None) -> dt.date:
    """The earliest calendar date in any branch's time zone (the project's default zone without
    branches): content ends when its last day is over everywhere it is shown."""
    now = now or clock.now()
    zones = {b.timezone for b in project.config.branches} or {project.config.timezone}
    return min(now.astimezone(ZoneInfo(zone)).date() for zone in zones)


@dataclass(frozen=True)
class Want:
    """An artifact some screen's playlist plays, which the plan must hold."""

    path: str  # the catalogue record id it will have
    kind: str  # "led", "video", "media"
    target: str  # LED profile, video template or TV profile
    content_kind: str  # "slogan", "case", "image", "video"
    content_id: str  # slogan or case id, or the project file of an image or video
    locale: str
    branch: str | None = None
    # the playlist entry's own time, when the artifact must be made for it: the clips of a screen
    # that has them last what the playlist says (an image's time; an LED text's, its pages in proportion)
    seconds: float | None = None


def timed_name(name: str, seconds: float | None) -> str:
    """An artifact's name, made for a playlist entry's own time: ``poster-png.8s``, ``hotline-ask.12.5s``."""
    return name if seconds is None else f"{name}.{seconds:g}s"


@dataclass
class PlanContext:
    """The date a plan is made for, what screens want beyond the catalogue, and what was left out."""

    today: dt.date
    demand: list[Want] = field(default_factory=list)
    ended: dict[str, str] = field(default_factory=dict)  # slogan id -> last day shown
    # set by `check`: a template's errors are collected here and planning goes on with the next
    # template, so every broken template is reported at once; None (a build): they are raised
    problems: list[Problem] | None = None

    def collected(self, error: SignageError) -> bool:
        """Whether ``error`` was kept for the caller's list (else the planner raises it)."""
        if self.problems is None:
            return False
        self.problems.extend(p for p in error.problems if p not in self.problems)
        return True

    def current_slogans(self, project: Project) -> list[Slogan]:
        """Slogans whose validity has not ended by ``today``; ones that start later are built too."""
        current = []
        for slogan in project.slogans.values():
            if slogan.valid.ended(self.today):
                self.ended[slogan.id] = str(slogan.valid.until)
            else:
                current.append(slogan)
        return current

    def branches(self, project: Project, locale: str, needed: bool) -> list[str | None]:
        """The branches an output is made for: each of the locale's when its text names the branch."""
        return [b.id for b in project.branches_for(locale)] if needed else [None]


NO_LOCALE = "und"  # BCP 47 "undetermined": supplied media are for every locale


def media_id(name: str) -> str:
    """A safe artifact name for a project file: media/poster.png -> media-poster-png."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64] or "file"


Planner = Callable[[Project, PlanContext], "list[Job]"]  # a kind's plan(project, context): its jobs
