"""Design templates (templates/KIND/NAME.yaml) as the project sees them: a folder and a model per kind.

The project layer knows no renderer. Each output kind describes its templates with a
:class:`TemplateKind` (see ``signage.outputs``), and the loader validates every file of
every kind it is given. A template model tells the generic checks which font roles and
which project files it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

if TYPE_CHECKING:
    from ..errors import Problem
    from .model import Project


class DesignTemplate(Protocol):
    """What the generic checks ask of any template model."""

    name: str

    def font_roles(self) -> list[tuple[str, str]]:
        """(field, role) for every font role the template sets text in."""

    def project_files(self) -> list[tuple[str, str]]:
        """(field, path relative to the project) for every file the template reads."""

    def text_sources(self) -> list[str]:
        """Every Jinja2 text of the template, to see which variables it uses."""


@dataclass(frozen=True)
class TemplateKind:
    """One kind of design template: where its files live and the model that validates them."""

    name: str  # "led", "card", "video": the folder under templates/
    label: str  # as messages say it: "LED", "card", "video"
    model: type[BaseModel]
    # checks between these templates and the rest of the project (say, LED screens and their templates)
    check: Callable[[Project, Any], list[Problem]] | None = None

    @property
    def folder(self) -> Path:
        return Path("templates") / self.name
