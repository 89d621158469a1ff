"""``signage list``: the project's slogans, cases, templates, screens, branches or playlists."""

from __future__ import annotations

import click

from ..app.listing import LISTS, describe
from .context import project_of


@click.command("list")
@click.argument("what", type=click.Choice(LISTS))
@click.pass_context
def list_command(ctx: click.Context, what: str) -> None:
    """List the project's slogans, cases, templates, screen profiles, branches or playlists, one a line."""
    for line in describe(project_of(ctx), what):
        click.echo(line)
