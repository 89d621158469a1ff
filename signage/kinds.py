"""The output kinds, registered in one place: their templates and how each plans its jobs.

A new kind (a normalised clip, a playlist bundle) is a module with a Job subclass and a
``plan(project, context)`` function, added here; the build loop does not change.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .card.template import CardTemplate
from .errors import Problem
from .job import Planner
from .led.template import LedTemplate, check_screens
from .project.loader import load_project, read_project
from .project.locate import find_project_dir
from .project.model import Project
from .project.templates import TemplateKind
from .video.template import VideoTemplate


@dataclass(frozen=True)
class OutputKind:
    name: str  # as `build --only` and the output folder name it: led, cards, video
    templates: TemplateKind | None  # None: no design templates (supplied media)
    module: str  # its job module, imported when a build plans (renderers load numpy, Pillow, fpdf2)

    @property
    def plan(self) -> Planner:
        plan: Planner = importlib.import_module(self.module, __package__).plan
        return plan


KINDS: tuple[OutputKind, ...] = (
    OutputKind("led", TemplateKind("led", "LED", LedTemplate, check_screens), ".led.job"),
    OutputKind("cards", TemplateKind("card", "card", CardTemplate), ".card.job"),
    OutputKind("video", TemplateKind("video", "video", VideoTemplate), ".video.job"),
    OutputKind("media", None, ".media.job"),
)
TEMPLATE_KINDS = tuple(kind.templates for kind in KINDS if kind.templates is not None)
KIND_NAMES = tuple(kind.name for kind in KINDS)


def planners(only: Sequence[str] = ()) -> list[tuple[str, Planner]]:
    """(name, plan) of the kinds to build: ``only`` these, else all."""
    return [(kind.name, kind.plan) for kind in KINDS if not only or kind.name in only]


def open_project(root: Path) -> Project:
    """Load and validate a project with every kind's templates; one error listing every problem."""
    return load_project(root, TEMPLATE_KINDS)


def read(root: Path) -> tuple[Project | None, list[Problem]]:
    """Load what can be loaded, with every problem found on the way (for ``signage check``)."""
    return read_project(root, TEMPLATE_KINDS)


def find_and_open(explicit: str | None) -> Project:
    return open_project(find_project_dir(explicit=explicit))
