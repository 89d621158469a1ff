"""``signage events import``: events a player kept (from a USB bundle), taken into the proof database."""

from __future__ import annotations

from pathlib import Path

import click

from ..app.events import import_events
from .context import project_of


@click.group("events")
def events_command() -> None:
    """Take in the events a player kept and exported (a USB bundle's, the E key)."""


@events_command.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Check and store each exported file's events (a file taken in twice stores nothing again)."""
    project = project_of(ctx)
    for path in files:
        done = import_events(project, path)
        click.echo(f"{path}: {done.branch}/{done.screen}: {done.stored} stored, {done.duplicates} already there")
