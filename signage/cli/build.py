"""``signage build``: render what changed, publish every branch, refresh the preview."""

from __future__ import annotations

import datetime as dt

import click

from ..app.build import BuildOptions, build_and_publish
from ..kinds import KIND_NAMES
from .context import project_of


@click.command()
@click.option("--workers", type=click.IntRange(1, 64), help="Processes to render with (default: one per core).")
@click.option(
    "--only", multiple=True, type=click.Choice(KIND_NAMES), help="Build only these kinds (repeatable); default all."
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Build as of this date (default: today in the branches' time zones).",
)
@click.option("--no-publish", is_flag=True, help="Render only; publish no playlists.")
@click.option("--wait", is_flag=True, help="Wait for another build or publish of this project instead of refusing.")
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    help="Where jobs render: local processes (default), or a dask cluster (signage.yaml cluster.executor).",
)
@click.option("--scheduler", help="The dask scheduler, tcp://HOST:8786 (default: signage.yaml cluster.scheduler).")
@click.pass_context
def build(
    ctx: click.Context,
    workers: int | None,
    only: tuple[str, ...],
    today: dt.datetime | None,
    no_publish: bool,
    wait: bool,
    executor: str | None,
    scheduler: str | None,
) -> None:
    """Render what the catalogue and every branch screen need, only what changed; then publish the playlists."""
    options = BuildOptions(
        workers=workers,
        only=only,
        today=today.date() if today else None,
        publish=not no_publish,
        wait=wait,
        executor=executor,
        scheduler=scheduler,
    )
    result = build_and_publish(project_of(ctx), options)
    for warning in result.report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for line in result.report.summary():
        click.echo(line)
    if result.preview is not None:
        state = f"{result.preview_branches} branches" if result.preview_written else "unchanged"
        click.echo(f"preview: {result.preview} ({state})")
