"""``signage plan``: what plays on a branch's screens at an instant, or a day's switches.

``--at`` is answered from the published answers when they hold (``app.plan_answers``), which
imports nothing heavy; only otherwise are the project and the scheduling modules loaded.
"""

from __future__ import annotations

import json
from typing import Any

import click

from ..app.plan_answers import DayPlan, InstantPlan, published_plan_at
from ..errors import SignageError
from .quick import instant_lines


@click.command()
@click.option("--branch", "branch_id", required=True, help="Branch id.")
@click.option("--screen", "screen_id", help="One screen of the branch (default: all).")
@click.option(
    "--at",
    "at",
    help="An instant in the branch's time zone (unless it has an offset): now, 18:00, tomorrow 09:00, "
    "2026-12-07 (midnight) or 2026-12-07T10:00.",
)
@click.option(
    "--day", "day", help="A day in the branch's time zone, its timeline of switches: 2026-12-07, today, tomorrow."
)
@click.option("--explain", is_flag=True, help="Every campaign that could apply, and why it won or lost.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def plan(
    ctx: click.Context,
    branch_id: str,
    screen_id: str | None,
    at: str | None,
    day: str | None,
    explain: bool,
    as_json: bool,
) -> None:
    """What plays on a branch's screens at an instant (with its items in order), or a day's switches."""
    if at is not None and day is None and not explain and not as_json:
        published = published_plan_at(ctx.find_root().obj["project"], branch_id, screen_id, at)
        if published is not None:
            _show_at(published, branch_id, as_json, explain)
            return
    # imported here, not above: loading the project and the scheduling modules is what the answers spare
    from ..app.plan import plan_at, plan_day
    from ..app.project import branch_of, screens_of
    from .context import project_of

    project = project_of(ctx)
    screens_of(branch_of(project, branch_id), screen_id)  # an unknown branch or screen is said first
    if (at is None) == (day is None):
        raise SignageError("give --at TIME or --day DATE")
    if day is not None:
        _show_day(plan_day(project, branch_id, screen_id, day), branch_id, as_json)
    else:
        _show_at(plan_at(project, branch_id, screen_id, at or "now"), branch_id, as_json, explain)


def _show_day(days: list[DayPlan], branch_id: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(_data(days), ensure_ascii=False, indent=1))
        return
    for d in days:
        click.echo(f"{branch_id}/{d.screen} on {d.day} ({d.timezone}):")
        for s in d.switches:
            click.echo(f"  {s.at[11:16]}  {s.playlist:<28} {s.why}")


def _show_at(plans: list[InstantPlan], branch_id: str, as_json: bool, explain: bool) -> None:
    if as_json:
        click.echo(json.dumps(_data(plans), ensure_ascii=False, indent=1))
        return
    for line in instant_lines(plans, branch_id, explain):
        click.echo(line)


def _data(value: Any) -> Any:
    """Named tuples as objects (their fields in order), lists as lists: the JSON of a plan."""
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {name: _data(field) for name, field in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [_data(v) for v in value]
    return value
