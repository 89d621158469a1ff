"""``signage emergency start|list|stop``: a slogan above every campaign on chosen screens."""

from __future__ import annotations

import click

from ..app.emergency import EmergencyRequest, list_emergencies, start_emergency, stop_emergency
from ..app.times import shown
from .context import echo_switches, project_of


@click.group()
def emergency() -> None:
    """Put a slogan above every campaign on chosen screens, until it expires by itself."""


@emergency.command("start")
@click.option("--slogan", help="The slogan to show (made for the targeted screens if it is not already).")
@click.option("--text", help="Or words of your own, shown as a warning slogan (may use {{ hotline }}).")
@click.option("--where", required=True, help="all, or branch:ID / tag:T / locale:L / screen:S / kind:tv ...")
@click.option("--for", "length", help="How long, from the moment the screens switch: 2h, 90m, 1d12h.")
@click.option(
    "--until",
    help="Until this instant, in the targeted branches' time zone (the project's when they are in several) "
    "unless it has an offset: 18:00, tomorrow 09:00, 2026-12-07T10:00.",
)
@click.pass_context
def start(ctx: click.Context, **request: str | None) -> None:
    """Start an emergency: record it, make only what its screens play, switch them now (logged)."""
    started = start_emergency(project_of(ctx), EmergencyRequest(**request))  # type: ignore[arg-type]
    if started.report.rendered:
        click.echo("rendered " + ", ".join(f"{kind} {n}" for kind, n in started.report.rendered.items()))
    echo_switches(started.switches, "  ")
    e = started.emergency
    click.echo(
        f"emergency {e.id}: {e.slogan} on {started.screens} screen(s) from {shown(e.start, started.zone)} until "
        f"{shown(e.end, started.zone)}; {len(started.switches)} switch(es) now"
    )
    for warning in started.warnings:
        click.echo(f"warning: {warning}", err=True)


@emergency.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """Every emergency, with whether it is on (times in its branches' time zone, with the offset)."""
    for e in list_emergencies(project_of(ctx)):
        click.echo(f"{e.id}\t{e.state}\t{e.slogan}\t{e.where}\t{e.start} .. {e.end}")


@emergency.command("stop")
@click.argument("emergency_id")
@click.pass_context
def stop(ctx: click.Context, emergency_id: str) -> None:
    """End an emergency now; its screens go back to their schedule at once."""
    stopped = stop_emergency(project_of(ctx), emergency_id)
    echo_switches(stopped.switches, "  ")
    click.echo(f"emergency {stopped.emergency.id} stopped; {len(stopped.switches)} switch(es)")
    for warning in stopped.warnings:
        click.echo(f"warning: {warning}", err=True)
