"""``signage init``: a working copy of the example project."""

from __future__ import annotations

from pathlib import Path

import click

from ..app.init import init_project


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Write a working copy of the example project into DIRECTORY."""
    for path in init_project(directory):
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {directory} && signage check")
