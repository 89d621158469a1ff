"""What every command reads from the group's context (the project it works on), and how switches are shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from ..app.project import open_project
from ..project.model import Project

if TYPE_CHECKING:
    from ..rotation import Switch


def project_of(ctx: click.Context) -> Project:
    """The project of ``--project`` (or the nearest one upwards), loaded and validated."""
    return open_project(ctx.find_root().obj["project"])


def explicit_project(ctx: click.Context) -> str | None:
    """``--project`` as given (None: look upwards from the current folder)."""
    value: str | None = ctx.find_root().obj["project"]
    return value


def echo_switches(switches: Sequence[Switch], prefix: str = "") -> None:
    """One line per screen switched: branch/screen: from -> to (why)."""
    for s in switches:
        click.echo(f"{prefix}{s.branch}/{s.screen}: {s.frm or '-'} -> {s.to} ({s.why})")
