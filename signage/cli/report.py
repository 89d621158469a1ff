"""``signage report``: the campaign report of a period, planned beside played."""

from __future__ import annotations

from pathlib import Path

import click

from ..app.report import FORMATS, make_report
from .context import project_of


@click.command()
@click.option("--from", "date_from", required=True, help="First day, in the branch's (else the project's) zone.")
@click.option("--to", "date_to", required=True, help="Last day, inclusive.")
@click.option("--branch", "branch_id", help="One branch (default: every branch).")
@click.option("--where", "where", help="The screens a selector names: tag:T, locale:L, screen:S, kind:led|tv, ...")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="html, pdf or csv (default: --out's suffix, else html)."
)
@click.option(
    "--hourly/--no-hourly",
    default=None,
    help="The frequency rules and dark screens hour by hour, from every raw event of the period (default: for "
    "periods of up to eight days; about 15 CPU-s a day for 1,000 lobby TVs).",
)
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default: standard output)."
)
@click.pass_context
def report(
    ctx: click.Context,
    date_from: str,
    date_to: str,
    branch_id: str | None,
    where: str | None,
    fmt: str | None,
    out: Path | None,
    hourly: bool | None,
) -> None:
    """The campaign report of a period: plays, screen-hours and reach per slogan, case and campaign,
    planned beside played.

    Also the minimum-frequency rules held or broken per screen and hour, the emergencies
    and how long they ran, the screens that went dark, and each branch's print cards.
    LED signs cannot report: their plays are counted from the schedule, marked planned.
    """
    result = make_report(project_of(ctx), date_from, date_to, branch_id, where, fmt, out, hourly=hourly)
    if out is None:
        click.echo(result.data, nl=False)
        return
    r = result.report
    played = sum(c.plays for c in r.content)
    planned = sum(c.planned_plays for c in r.content)
    led = sum(c.led_plays for c in r.content)
    click.echo(
        f"wrote {out} ({result.format}): {r.branches} branch(es), {played} plays reported, {planned:.0f} planned on "
        f"screens that report, {led:.0f} planned on {r.led_screens} LED sign(s); plays from {r.source}"
    )
    for note in r.notes:
        click.echo(f"note: {note}", err=True)
