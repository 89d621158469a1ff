"""``signage tokens issue|revoke|list``: the tokens the browser players report what they play with."""

from __future__ import annotations

import datetime as dt

import click

from ..app.tokens import issue, revoke, tokens
from .context import project_of


@click.group("tokens")
def tokens_command() -> None:
    """Issue, revoke and list the per-screen tokens the browser players report with."""


def _when(at: float | None) -> str:
    return "-" if at is None else dt.datetime.fromtimestamp(at, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@tokens_command.command("issue")
@click.argument("screen", metavar="BRANCH/SCREEN")
@click.option(
    "--replace", is_flag=True, help="Issue a new token for a screen that has one (the old one stops working)."
)
@click.pass_context
def issue_command(ctx: click.Context, screen: str, replace: bool) -> None:
    """Issue a token for one screen and show it, once (only its hash is kept)."""
    done = issue(project_of(ctx), screen, replace)
    click.echo(done.token)  # alone on stdout, for a script; the hint below never repeats it (stderr goes to logs)
    where = done.player.replace(done.token, "TOKEN")
    click.echo(
        f"{done.branch}/{done.screen}: open the player at http://HOST:PORT/{where} with TOKEN the line above; "
        "it is shown this once (only its hash is kept)",
        err=True,
    )


@tokens_command.command("revoke")
@click.argument("screen", metavar="BRANCH/SCREEN")
@click.pass_context
def revoke_command(ctx: click.Context, screen: str) -> None:
    """Revoke a screen's token: its player's reports are refused from now on."""
    branch, name = revoke(project_of(ctx), screen)
    click.echo(f"{branch}/{name}: token revoked")


@tokens_command.command("list")
@click.option("--branch", "branch_id", help="Only this branch's screens.")
@click.pass_context
def list_command(ctx: click.Context, branch_id: str | None) -> None:
    """Every screen's token: issued when, revoked when (never the token itself)."""
    for row in tokens(project_of(ctx), branch_id):
        state = "live" if row.revoked is None else f"revoked {_when(row.revoked)}"
        click.echo(f"{row.branch}/{row.screen}\tissued {_when(row.issued)}\t{state}")
