"""``signage check``: every problem in the project, one located line each."""

from __future__ import annotations

import click

from ..app.check import check_project
from ..project.locate import find_project_dir
from .context import explicit_project


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
        warned = f" and {len(problems) - len(errors)} warning(s)" if len(problems) > len(errors) else ""
        click.echo(f"{len(errors)} error(s){warned} in {root}", err=True)
        ctx.exit(1)
    warned = f" ({len(problems)} warning(s))" if problems else ""
    click.echo(f"ok: {root} has no problems{warned}")
