"""``signage status``: every screen's state from its heartbeats; exit 3 when any screen is dark."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..app.status import StatusReport, screen_status
from ..app.times import shown
from .context import project_of

DARK_EXIT = 3  # 1 is an error of the command itself; monitoring tells the two apart


@click.command()
@click.option("--branch", "branch_id", help="One branch (default: every branch).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--prometheus",
    "prometheus_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the states in Prometheus' text format to FILE (*.prom, atomically) for node_exporter's "
    "textfile collector.",
)
@click.option(
    "--stale-minutes", type=float, default=None, help="A screen without a heartbeat this long is stale (default 5)."
)
@click.option(
    "--dark-hours",
    type=float,
    default=None,
    help="A screen without a heartbeat this long is dark (default 2); so is one whose page is not visible.",
)
@click.pass_context
def status(
    ctx: click.Context,
    branch_id: str | None,
    as_json: bool,
    prometheus_file: Path | None,
    stale_minutes: float | None,
    dark_hours: float | None,
) -> None:
    """Every screen's last heartbeat and the version it shows against the live one; exit 3 when any is dark.

    States: playing (the live version), behind (another version), stale (no heartbeat for
    --stale-minutes), dark (none for --dark-hours, or the page hidden), never-seen, and
    cannot-report for LED signs, whose controllers do not report.
    """
    project = project_of(ctx)
    report = screen_status(project, branch_id, stale_minutes, dark_hours, prometheus_file)
    zones = {b.id: b.timezone for b in project.config.branches}
    if as_json:
        click.echo(json.dumps(_as_data(report, zones), ensure_ascii=False, indent=1))
    else:
        for s in report.screens:
            last = shown(_utc(s.seen.at), zones[s.branch]) if s.seen else "-"
            click.echo(f"{s.branch}/{s.screen:<10} {s.kind:<3} {s.state:<13} {last:<22} {s.why}")
        click.echo(", ".join(f"{n} {state}" for state, n in report.counts.items() if n) or "no screens")
    if report.dark:
        ctx.exit(DARK_EXIT)


def _utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


def _as_data(report: StatusReport, zones: dict[str, str]) -> dict[str, object]:
    return {
        "at": report.now.isoformat(timespec="seconds"),
        "stale_minutes": report.thresholds.stale_minutes,
        "dark_hours": report.thresholds.dark_hours,
        "counts": report.counts,
        "screens": [
            {
                "branch": s.branch,
                "screen": s.screen,
                "kind": s.kind,
                "state": s.state,
                "why": s.why,
                "live": s.live,
                "last_heartbeat": shown(_utc(s.seen.at), zones[s.branch]) if s.seen else None,
                "version": s.seen.version if s.seen else None,
                "campaign": s.seen.campaign if s.seen else None,
                "showing": s.seen.showing if s.seen else None,
                "visible": s.seen.visible if s.seen else None,
                "errors": s.seen.errors if s.seen else None,
            }
            for s in report.screens
        ],
    }
