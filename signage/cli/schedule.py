"""``signage rotate`` and ``log``: switching screens on schedule, and what was switched."""

from __future__ import annotations

import signal
import threading

import click

from ..app.rotate import log_rows, rotate_forever, rotate_now
from ..errors import SignageError
from .context import explicit_project, project_of


@click.command()
@click.option("--once", is_flag=True, help="One pass, then exit (for cron or a systemd timer).")
@click.option("--at", "at", help="With --once: rotate as of this instant (ISO, project time zone unless offset).")
@click.pass_context
def rotate(ctx: click.Context, once: bool, at: str | None) -> None:
    """Switch each screen to what its schedule says, at the instant it says; SIGTERM stops it."""
    if at and not once:
        raise SignageError("--at is for --once")
    if once:
        instant, switches = rotate_now(project_of(ctx), at)
        for s in switches:
            click.echo(f"{s.branch}/{s.screen}: {s.frm or '-'} -> {s.to} ({s.why})")
        click.echo(f"rotated as of {instant.isoformat(timespec='seconds')}: {len(switches)} switch(es)")
        return
    project_of(ctx)  # a project that does not load is an error now, not in the loop
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo("rotating; SIGTERM or Ctrl-C stops")
    try:
        rotate_forever(explicit_project(ctx), stop, say=click.echo)
    except KeyboardInterrupt:
        pass
    click.echo("stopped")


@click.command()
@click.option("--branch", "branch_id", help="Only this branch.")
@click.option("--since", help="Only from this instant (ISO; project time zone unless offset).")
@click.pass_context
def log(ctx: click.Context, branch_id: str | None, since: str | None) -> None:
    """Every switch, emergency and rotation error, oldest first."""
    for at, event, branch, screen, frm, to, why in log_rows(project_of(ctx), branch_id, since):
        where = f"{branch}/{screen}" if screen else branch or "-"
        moved = f"{frm or '-'} -> {to}" if event == "switch" else ""
        click.echo(f"{at}  {event:<17} {where:<24} {moved:<40} {why}".rstrip())
