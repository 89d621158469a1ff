"""``signage report``: the campaign report of a period, as HTML, PDF or CSV."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .. import clock
from ..atomic import atomic_write_bytes
from ..errors import SignageError
from ..project.model import Project
from ..project.schedule import Where
from ..proof.report import CampaignReport, campaign_report, choose_screens
from ..proof.status import STALE_MINUTES
from .project import branch_of
from .times import parse_day

__all__ = ["FORMATS", "MAX_DAYS", "ReportResult", "make_report"]

FORMATS = ("html", "pdf", "csv")
MAX_DAYS = 400  # a year and a bit: longer periods are a mistake more often than a wish


@dataclass(frozen=True)
class ReportResult:
    """The report, the bytes it was written as, and where they went (None: for standard output)."""

    report: CampaignReport
    format: str
    data: bytes
    out: Path | None


def _format(fmt: str | None, out: Path | None) -> str:
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out is not None else ""
        fmt = suffix if suffix in FORMATS else "html"
    if fmt == "pdf" and out is None:
        raise SignageError("--format pdf needs --out FILE.pdf (a PDF is not written to the terminal)")
    return fmt


def make_report(
    project: Project,
    date_from: str,
    date_to: str,
    branch_id: str | None = None,
    where: str | None = None,
    fmt: str | None = None,
    out: Path | None = None,
    now: dt.datetime | None = None,
    hourly: bool | None = None,
) -> ReportResult:
    """The report of ``--from``..``--to`` (days in the branch's zone, else the project's) for one branch,
    the screens a selector names, or every screen; written atomically to ``out`` when given."""
    if branch_id is not None and where is not None:
        raise SignageError("give --branch or --where, not both")
    zone = branch_of(project, branch_id).timezone if branch_id else project.config.timezone
    at = now if now is not None else clock.now()
    first = parse_day(date_from, zone, "--from", at)
    last = parse_day(date_to, zone, "--to", at)
    if last < first:
        raise SignageError(f"--to {last} is before --from {first}")
    if (last - first).days >= MAX_DAYS:
        raise SignageError(f"--from {first} --to {last}: over {MAX_DAYS} days; report a shorter period")
    selector = None
    if where is not None:
        try:
            selector = Where.parse(where)
        except ValueError as exc:
            raise SignageError(str(exc).splitlines()[0]) from None
    chosen = _format(fmt, out)
    refs = choose_screens(project, branch_id, selector)
    if not refs:
        raise SignageError(
            f"--where {where}: no screen of the project matches" if where else "the project has no screens"
        )
    scope = f"branch {branch_id}" if branch_id else selector.describe() if selector else "all screens"
    report = campaign_report(project, first, last, refs, scope, at, STALE_MINUTES * 60, hourly)
    locale = branch_of(project, branch_id).locale if branch_id else project.config.default_locale
    title = f"{project.config.name_for(locale)}: campaign report {first} – {last}"
    if chosen == "csv":
        from ..proof.formats import to_csv

        data = to_csv(report)
    else:
        from ..proof.charts import campaigns_chart, days_chart

        charts = [days_chart(report), campaigns_chart(report)]
        if chosen == "html":
            from ..proof.formats import to_html, web_font

            data = to_html(report, charts, title, locale, web_font(project, report, title, locale))
        else:
            from ..proof.pdf import to_pdf

            data = to_pdf(report, charts, project, title, locale)
    if out is not None:
        atomic_write_bytes(out, data)
    return ReportResult(report, chosen, data, out)
