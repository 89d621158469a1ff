"""``signage init``, ``check`` and ``list``: making, validating and listing a project."""

from __future__ import annotations

from pathlib import Path

import click

from ..app.check import check_project
from ..app.init import init_project
from ..app.listing import LISTS, describe
from ..project.loader import find_project_dir
from .context import explicit_project, project_of


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Write a working copy of the example project into DIRECTORY."""
    for path in init_project(directory):
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {directory} && signage check")


@click.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate the whole project: one line per problem, exit 1 when there is any."""
    root = find_project_dir(explicit=explicit_project(ctx))
    problems = check_project(root)
    for problem in problems:
        click.echo(str(problem))
    errors = [p for p in problems if not p.warning]
    if errors:
        click.echo(f"{len(errors)} problem(s) in {root}", err=True)
        ctx.exit(1)
    warned = f" ({len(problems)} warning(s))" if problems else ""
    click.echo(f"ok: {root} has no problems{warned}")


@click.command("list")
@click.argument("what", type=click.Choice(LISTS))
@click.pass_context
def list_command(ctx: click.Context, what: str) -> None:
    """List the project's slogans, cases, templates, screen profiles, branches or playlists, one a line."""
    for line in describe(project_of(ctx), what):
        click.echo(line)
