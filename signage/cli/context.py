"""What every command reads from the group's context: the project it works on."""

from __future__ import annotations

import click

from ..app.project import open_project
from ..project.model import Project


def project_of(ctx: click.Context) -> Project:
    """The project of ``--project`` (or the nearest one upwards), loaded and validated."""
    return open_project(ctx.find_root().obj["project"])


def explicit_project(ctx: click.Context) -> str | None:
    """``--project`` as given (None: look upwards from the current folder)."""
    value: str | None = ctx.find_root().obj["project"]
    return value
