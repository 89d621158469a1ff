"""``signage emergency start|list|stop``: a slogan above every campaign on chosen screens."""

from __future__ import annotations

import click

from ..app.emergency import EmergencyRequest, list_emergencies, start_emergency, stop_emergency
from .context import project_of


@click.group()
def emergency() -> None:
    """Put a slogan above every campaign on chosen screens, until it expires by itself."""


@emergency.command("start")
@click.option("--slogan", help="The slogan to show (its LED and TV outputs are built).")
@click.option("--text", help="Or words of your own, shown as a warning slogan (may use {{ hotline }}).")
@click.option("--where", required=True, help="all, or branch:ID / tag:T / locale:L / screen:S / kind:tv ...")
@click.option("--for", "length", help="How long: 2h, 90m, 1d12h.")
@click.option("--until", help="Until this instant (ISO; project time zone unless offset).")
@click.pass_context
def start(ctx: click.Context, **request: str | None) -> None:
    """Start an emergency: record it, build and publish what it needs, switch the screens now."""
    started = start_emergency(project_of(ctx), EmergencyRequest(**request))  # type: ignore[arg-type]
    for line in started.report.summary():
        click.echo(line)
    e = started.emergency
    click.echo(
        f"emergency {e.id}: {e.slogan} on {started.screens} screen(s) until "
        f"{e.end.isoformat(timespec='minutes')}; {len(started.switches)} switch(es) now"
    )


@emergency.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """Every emergency, with whether it is on."""
    for e in list_emergencies(project_of(ctx)):
        click.echo(f"{e.id}\t{e.state}\t{e.slogan}\t{e.where}\t{e.start:%Y-%m-%d %H:%M}Z..{e.end:%Y-%m-%d %H:%M}Z")


@emergency.command("stop")
@click.argument("emergency_id")
@click.pass_context
def stop(ctx: click.Context, emergency_id: str) -> None:
    """End an emergency now; its screens go back to their schedule."""
    found, switches = stop_emergency(project_of(ctx), emergency_id)
    click.echo(f"emergency {found.id} stopped; {len(switches)} switch(es)")
