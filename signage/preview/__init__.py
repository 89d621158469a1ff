"""``output/preview/``: a static site of what every branch plays, to look at before it plays.

Works from file:// with no network: plain HTML, one stylesheet, a few lines of script for
the search; thumbnails only (LED pages as dot-matrix pictures in the sign's colours, video
posters, card previews), each made once per source file and shared by every branch page.
The index lists the network by region with the check's warnings on top; a branch page
shows each screen at its real aspect ratio with what plays now, today's timeline of
switches (the same ``decide`` as ``signage plan`` and ``rotate``), and every item of every
playlist the screen plays today with its text, where it is used, the campaign that put it
there and its dates.

What a page shows is computed in :mod:`.views`; the HTML comes from the templates in
``templates/`` (:mod:`.pages`), the pictures from :mod:`.thumbs`, the fonts from :mod:`.fonts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .. import clock
from ..atomic import staged_dir
from ..project.model import Project
from ..tree import PREVIEW_INDEX, PREVIEW_INPUTS, preview_dir, preview_index, preview_inputs
from .fonts import page_fonts
from .pages import fill
from .thumbs import Thumbs
from .views import Published, branch_view, index_view

BRANCHES = "branches"  # inside the preview folder: one page per branch
STYLESHEET = "style.css"

__all__ = ["PreviewReport", "preview_is_current", "write_preview"]


@dataclass
class PreviewReport:
    branches: int = 0
    thumbs: int = 0
    pages_bytes: int = 0
    problems: list[str] = field(default_factory=list)


def preview_is_current(project: Project, inputs: str | None = None) -> bool:
    """Whether the preview was written today (the project's time zone): its timelines are today's;
    and, given ``inputs``, whether its warnings were checked from those same inputs."""
    index = preview_index(project.output_dir)
    if not index.is_file():
        return False
    zone = ZoneInfo(project.config.timezone)
    written = dt.datetime.fromtimestamp(index.stat().st_mtime, tz=zone).date()
    if written != clock.now().astimezone(zone).date():
        return False
    if inputs is None:
        return True
    try:
        return preview_inputs(project.output_dir).read_text(encoding="utf-8") == inputs
    except OSError:
        return False


def write_preview(
    project: Project,
    warnings: list[str] | Callable[[], list[str]] | None = None,
    now: dt.datetime | None = None,
    inputs: str = "",
) -> PreviewReport:
    """Write ``output/preview/`` (swapped in whole) from the catalogue and the published versions.
    ``inputs`` names what the ``warnings`` were checked from; it is kept beside the pages, for
    ``preview_is_current``. ``warnings`` may be a function, called when the index page is written
    (after the branches' pages, their thumbnails under way): a check running meanwhile on a thread."""
    output = project.output_dir
    now = now or clock.now()
    report = PreviewReport()
    published = Published.read(project, now)
    previous = preview_dir(output)
    with staged_dir(previous) as stage, Thumbs(output, stage, previous if previous.is_dir() else None) as thumbs:
        (stage / BRANCHES).mkdir()
        for branch in project.config.branches:
            view = branch_view(project, branch, published, thumbs, now)
            (stage / BRANCHES / f"{branch.id}.html").write_text(fill("branch.html", branch=view), encoding="utf-8")
            report.branches += 1
        notes = warnings() if callable(warnings) else warnings
        index = index_view(project, published, notes or [], now)
        (stage / PREVIEW_INDEX).write_text(fill("index.html", page=index), encoding="utf-8")
        fonts, languages = page_fonts(project, stage)  # the characters of the pages just written
        (stage / STYLESHEET).write_text(fill(STYLESHEET, fonts=fonts, languages=languages), encoding="utf-8")
        thumbs.wait()  # the thumbnails, made meanwhile on their threads
        report.thumbs = len(thumbs.made)
        report.pages_bytes = sum(p.stat().st_size for p in stage.rglob("*.html"))
        if inputs:
            (stage / PREVIEW_INPUTS).write_text(inputs, encoding="utf-8")
    return report
