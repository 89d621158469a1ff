"""``signage build``: render what changed, publish every branch, refresh the preview."""

from __future__ import annotations

import click

from ..app.build import BuildOptions, build_and_publish
from ..app.times import parse_day
from ..kinds import KIND_NAMES
from .context import echo_switches, project_of


@click.command()
@click.option("--workers", type=click.IntRange(1, 64), help="Processes to render with (default: one per core).")
@click.option(
    "--only", multiple=True, type=click.Choice(KIND_NAMES), help="Build only these kinds (repeatable); default all."
)
@click.option(
    "--today",
    help="Build as of this date, 2026-12-07 or tomorrow (default: today in the branches' time zones).",
)
@click.option("--no-publish", is_flag=True, help="Render only; publish no playlists.")
@click.option("-v", "--verbose", is_flag=True, help="List every output rendered, with its folder.")
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
    today: str | None,
    no_publish: bool,
    wait: bool,
    executor: str | None,
    scheduler: str | None,
    verbose: bool,
) -> None:
    """Render what the catalogue and every branch screen need, only what changed; then publish the playlists."""
    project = project_of(ctx)
    options = BuildOptions(
        workers=workers,
        only=only,
        today=parse_day(today, project.config.timezone, "--today") if today else None,
        publish=not no_publish,
        wait=wait,
        executor=executor,
        scheduler=scheduler,
    )
    result = build_and_publish(project, options)
    for warning in result.report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for line in result.report.summary(verbose):
        click.echo(line)
    echo_switches(result.switches, "switched ")
    if result.preview is not None:
        state = f"{result.preview_branches} branches" if result.preview_written else "unchanged"
        click.echo(f"preview: {result.preview} ({state})")
