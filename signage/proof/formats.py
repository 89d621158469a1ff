"""The campaign report as CSV and as one self-contained HTML page (charts inlined as PNG)."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from ..project.model import Project
from ..typography.subsets import WEB, SubsetCache, subsets_dir
from .report import CampaignReport, ContentLine

PLANNED_MARK = "planned"  # what marks the LED signs' figures: counted from the schedule, not reported


def hours(seconds: float) -> float:
    return round(seconds / 3600, 2)


FIGURES = ["plays", "screen_hours", "planned_plays", "planned_hours", "led_planned_plays", "led_planned_hours",
           "branches_reached", "branches_targeted"]  # fmt: skip


def _figures(c: ContentLine) -> list[Any]:
    """A content or campaign line's figures, rounded as the tables show them."""
    return [
        c.plays,
        hours(c.seconds),
        round(c.planned_plays, 1),
        hours(c.planned_seconds),
        round(c.led_plays, 1),
        hours(c.led_seconds),
        c.reached,
        c.targeted,
    ]


def tables(report: CampaignReport) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Each section of the report as (name, header, rows): what the CSV, the HTML and the PDF show."""
    head = ["kind", "content", "campaign", *FIGURES]
    content = [[c.kind, c.content, c.campaign, *_figures(c)] for c in report.content]
    campaigns = [[c.campaign, *_figures(c)] for c in report.campaigns()]
    frequency = [
        [f.branch, f.screen, f.rule, f.hours, f.held, len(f.broken), round(f.worst_gap), " ".join(f.broken)]
        for f in report.frequency
    ]
    zone = ZoneInfo("UTC")
    emergencies = [
        [
            e.id,
            e.slogan,
            e.where,
            e.start.astimezone(zone).isoformat(timespec="minutes"),
            e.end.astimezone(zone).isoformat(timespec="minutes"),
            hours(e.seconds),
            e.screens,
            e.switched,
            hours(e.screen_seconds),
        ]
        for e in report.emergencies
    ]
    dark = [
        [d.branch, d.screen, hours(d.seconds), d.outages, hours(d.longest), "yes" if d.never else ""]
        for d in report.dark
    ]
    cards = [[c.branch, c.name, len(c.cards), " ".join(c.cards)] for c in report.cards]
    days = [[d.isoformat(), played, round(planned, 1)] for d, played, planned in report.days]
    return [
        ("content", head, content),
        ("campaigns", head[2:], campaigns),
        ("days", ["day", "plays", "planned_plays"], days),
        (
            "frequency",
            ["branch", "screen", "rule", "hours_judged", "hours_held", "hours_broken", "worst_gap_s", "broken_hours"],
            frequency,
        ),
        (
            "emergencies",
            [
                "id",
                "slogan",
                "where",
                "start_utc",
                "end_utc",
                "hours",
                "screens",
                "screens_switched",
                "screen_hours_on",
            ],
            emergencies,
        ),
        ("dark", ["branch", "screen", "dark_hours", "outages", "longest_hours", "never_reported"], dark),
        ("cards", ["branch", "name", "cards", "card_ids"], cards),
    ]


def summary(report: CampaignReport) -> list[tuple[str, str]]:
    return [
        ("period", f"{report.first} to {report.last} (each branch's local days)"),
        ("scope", report.scope),
        ("branches", str(report.branches)),
        ("screens that report", str(report.screens)),
        ("LED signs", f"{report.led_screens} (cannot report: their plays are {PLANNED_MARK}, from the schedule)"),
        ("plays from", report.source),
        ("made", report.generated.isoformat(timespec="seconds")),
    ]


def characters(project: Project, report: CampaignReport, title: str) -> set[str]:
    """What a report's text is drawn from: ASCII, a few marks, the project's and its branches' names and
    tags, the same for every report of a project so that its face is cut once (a CJK cut takes a
    second); and whatever else the report shows, when it shows more."""
    found = {chr(c) for c in range(32, 127)} | set("–…·×")
    names = project.config.name
    found |= set(names if isinstance(names, str) else "".join(names.values()))
    for branch in project.config.branches:
        found |= set(branch.name) | set("".join(branch.tags))
    shown = set(title) | {c for k, v in summary(report) for c in k + v} | {c for n in report.notes for c in n}
    for _, head, rows in tables(report):
        shown |= set("".join(head)) | {c for row in rows for v in row for c in str(v)}
    return found if shown <= found else found | shown


def web_font(project: Project, report: CampaignReport, title: str, locale: str) -> str:
    """The project's ``sans`` face for ``locale``, cut to the report's characters, as base64 (an HTML
    report shows its Chinese on a machine without Chinese fonts, as the preview does)."""
    face = project.fonts.chain("sans", locale).primary
    data = SubsetCache(subsets_dir(), WEB).read(face, characters(project, report, title))
    return base64.b64encode(data).decode("ascii")


def to_csv(report: CampaignReport) -> bytes:
    """One CSV: a summary, then each table under its own header; every row starts with its table's name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["summary", "field", "value"])
    writer.writerows(["summary", k, v] for k, v in summary(report))
    writer.writerows(["summary", "note", n] for n in report.notes)
    for name, head, rows in tables(report):
        writer.writerow([])
        writer.writerow([name, *head])
        writer.writerows([name, *row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def to_html(report: CampaignReport, charts: Sequence[bytes], title: str, lang: str, font: str | None = None) -> bytes:
    """One HTML page: the summary, the charts, every table; ``font`` (base64 OpenType) inlined as its face."""
    environment = Environment(
        loader=PackageLoader("signage.proof", "templates"), autoescape=select_autoescape(), keep_trailing_newline=True
    )
    page = environment.get_template("report.html").render(
        title=title,
        lang=lang,
        summary=summary(report),
        notes=report.notes,
        charts=[_data_uri(png) for png in charts],
        tables=[(name, head, rows) for name, head, rows in tables(report)],
        planned=PLANNED_MARK,
        font=font,
    )
    return page.encode("utf-8")
