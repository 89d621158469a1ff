"""``signage status``: every screen's state from its players' heartbeats, for people and for monitoring."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from ..atomic import atomic_write_bytes
from ..errors import SignageError
from ..project.model import Project
from ..proof.status import DARK, ScreenStatus, Thresholds, counts, prometheus, statuses
from .project import branch_of

__all__ = ["PROMETHEUS_SUFFIX", "StatusReport", "screen_status"]

PROMETHEUS_SUFFIX = ".prom"  # node_exporter's textfile collector reads only these


@dataclass(frozen=True)
class StatusReport:
    """Every chosen screen's state, how many are in each, and where the Prometheus file went."""

    now: dt.datetime
    thresholds: Thresholds
    screens: list[ScreenStatus]
    counts: dict[str, int]
    prometheus_file: Path | None

    @property
    def dark(self) -> list[ScreenStatus]:
        return [s for s in self.screens if s.state == DARK]


def screen_status(
    project: Project,
    branch_id: str | None = None,
    stale_minutes: float | None = None,
    dark_hours: float | None = None,
    prometheus_file: Path | None = None,
    now: dt.datetime | None = None,
) -> StatusReport:
    """The state of every screen (of one branch when ``branch_id``); with ``prometheus_file``, the same
    in Prometheus' text format, written atomically (a textfile collector never reads half a file)."""
    if branch_id is not None:
        branch_of(project, branch_id)  # an unknown branch is said, with the known ones
    if prometheus_file is not None and prometheus_file.suffix != PROMETHEUS_SUFFIX:
        raise SignageError(
            f"--prometheus {prometheus_file}: node_exporter's textfile collector reads only *{PROMETHEUS_SUFFIX} files"
        )
    try:
        limits = Thresholds(
            stale_minutes if stale_minutes is not None else Thresholds.stale_minutes,
            dark_hours if dark_hours is not None else Thresholds.dark_hours,
        )
    except ValueError as exc:
        raise SignageError(f"--stale-minutes/--dark-hours: {exc}") from None
    at = now if now is not None else clock.now()
    found = statuses(project, at, limits, [branch_id] if branch_id else None)
    if prometheus_file is not None:
        atomic_write_bytes(prometheus_file, prometheus(found, at).encode("utf-8"), mode=0o644)
    return StatusReport(at, limits, found, counts(found), prometheus_file)
