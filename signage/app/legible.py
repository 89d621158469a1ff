"""``check``: every text of every output drawn at least as high as its screen needs, read
from where people stand (the profile's viewing distance, see ``project/legibility.py``)."""

from __future__ import annotations

from ..errors import Problem, SignageError
from ..job import Job
from ..led.job import LedJob
from ..project.config import LedScreen, TvScreen
from ..project.model import Project
from ..video.job import VideoJob


def _screens(project: Project, job: Job) -> list[tuple[LedScreen | TvScreen, float]]:
    """The screen profiles that show ``job``'s output, each with the scale it is shown at."""
    if isinstance(job, LedJob):
        return [(job.screen, 1.0)]
    if not isinstance(job, VideoJob):
        return []  # print has its own floor (6 pt, in the card templates); media are supplied as they are
    tw, th = job.template.dimensions
    shown: list[tuple[LedScreen | TvScreen, float]] = []
    for tv in project.config.tv_screens:
        if job.target in tv.videos:
            sw, sh = tv.dimensions
            shown.append((tv, min(sw / tw, sh / th)))  # a player fits the video to its screen
    return shown


def illegible_texts(project: Project, jobs: list[Job]) -> list[Problem]:
    """An error for every part of every output drawn lower than its screen's least text height,
    naming the output, the screen and the part; measured on the layout the renderer draws."""
    problems: list[Problem] = []
    measured: dict[tuple[object, ...], list[tuple[str, int]]] = {}
    for job in jobs:
        screens = _screens(project, job)
        if not screens:
            continue
        # branch variants that show the same words are laid out once
        key = (job.kind, job.target, job.locale, tuple(job.shown()))
        if key not in measured:
            try:
                measured[key] = job.text_heights(project.fonts)
            except SignageError as exc:  # the build would fail the same way: say it now
                measured[key] = []
                problems += [Problem(p.message, item=p.item or job.label) for p in exc.problems]
        for screen, scale in screens:
            least = screen.minimum_text
            for part, px in measured[key]:
                drawn = int(px * scale)
                if drawn < least.px:
                    problems.append(Problem(f"part '{part}' {drawn} px < {least}", item=f"{job.label} on {screen.id}"))
    return problems
