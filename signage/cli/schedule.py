"""``signage rotate`` and ``log``: switching screens on schedule, and what was switched."""

from __future__ import annotations

import signal
import threading

import click

from ..app.rotate import log_rows, rotate_forever, rotate_now
from ..errors import SignageError
from .context import echo_switches, explicit_project, project_of


@click.command()
@click.option("--once", is_flag=True, help="One pass, then exit (for cron or a systemd timer).")
@click.option(
    "--at",
    "at",
    help="With --once: only say what would switch at this instant (project time zone unless it "
    "has an offset: 18:00, tomorrow 09:00, 2026-12-07T10:00); nothing changes.",
)
@click.option("--force", is_flag=True, help="With --at: do switch the live screens to that instant's plan now.")
@click.pass_context
def rotate(ctx: click.Context, once: bool, at: str | None, force: bool) -> None:
    """Switch each screen to what its schedule says, at the instant it says; SIGTERM stops it."""
    project = project_of(ctx)  # a project that does not load is said first, and not in the loop
    if at and not once:
        raise SignageError("--at is for --once")
    if force and not at:
        raise SignageError("--force is for --once --at")
    if once:
        done = rotate_now(project, at, force)
        echo_switches(done.switches, "would switch " if done.dry else "")
        if done.dry:
            click.echo(
                f"as of {done.at}: {len(done.switches)} screen(s) would switch; nothing changed "
                "(--force switches them now)"
            )
        else:
            click.echo(f"rotated as of {done.at}: {len(done.switches)} switch(es)")
        return
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
@click.option(
    "--since",
    help="Only from this instant, in the branch's time zone with --branch, else the project's: "
    "18:00, tomorrow 09:00, 2026-12-03, 2026-12-03T10:00.",
)
@click.pass_context
def log(ctx: click.Context, branch_id: str | None, since: str | None) -> None:
    """Every switch, emergency and rotation error, oldest first, in each branch's local time."""
    for at, event, branch, screen, frm, to, why in log_rows(project_of(ctx), branch_id, since):
        where = f"{branch}/{screen}" if screen else branch or "-"
        moved = f"{frm or '-'} -> {to}" if event == "switch" else ""
        click.echo(f"{at}  {event:<17} {where:<24} {moved:<40} {why}".rstrip())
