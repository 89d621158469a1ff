"""LED render jobs: one text on one screen, and the LED part of the build's plan."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, SignageError
from ..job import Job, Rendered, RenderEnv, timed_name
from ..project.config import LedScreen
from ..project.content import Slogan
from ..project.model import Project
from .template import LedTemplate

if TYPE_CHECKING:
    from ..job import PlanContext
    from ..typography.fonts import FontRegistry
    from ..typography.layout import TextLayout

# Rough costs for the progress bar, in seconds of one core (measured on the example project).
PAGE_SECONDS = 0.004
GIF_PIXEL_FRAME_SECONDS = 4e-9
MP4_PIXEL_FRAME_SECONDS = 2.5e-8
CLIPS_SECONDS = 0.03  # starting the ffmpeg that makes a page sign's clips
CLIP_SECONDS = 0.01  # and each page's clip


@dataclass(frozen=True, kw_only=True)
class LedJob(Job):
    """Everything that decides what one LED output looks like, and nothing else."""

    form: str  # "short", "full" or "text" (given on the command line)
    screen: LedScreen
    template: LedTemplate
    # a playlist entry's own time for the whole text, on a screen with clips: the pages' stays in
    # proportion (a scroll loops for it), so that the clips last what the playlist says
    seconds: float | None = None

    kind = "led"
    folder = "led"

    @property
    def path(self) -> str:
        """A case's short LED text lives beside the slogans as ``case.ID`` (ids have no dots); one made
        for an entry's own time is ``ID.10s`` (see ``timed_name``)."""
        name = f"case.{self.content_id}" if self.content_kind == "case" else self.content_id
        name = timed_name(name, self.seconds)
        return f"{self.folder}/{self.target}/{self.locale}/{name}" + (f"@{self.branch}" if self.branch else "")

    sources = ("led", "scroll.py", "ffmpeg.py", "job.py")
    libraries = ("pillow", "numpy", "freetype-py", "uniseg", "rjieba", "opencc")

    @property
    def uses_ffmpeg(self) -> bool:  # type: ignore[override]
        return self.screen.mode == "scroll" and self.screen.color == "full"

    def payload(self, fonts: FontRegistry) -> dict[str, Any]:
        roles = [font.role for font in self.template.fonts.values()]
        return {
            "text": self.text,
            "form": self.form,
            # where people stand decides what check says, not a pixel of the output
            "screen": self.screen.model_dump(mode="json", exclude={"viewing_distance", "pitch", "min_text"}),
            "template": self.template.model_dump(mode="json"),
            "fonts": self.faces_payload(fonts, roles),
            "seconds": self.seconds,
        }

    def text_heights(self, fonts: FontRegistry) -> list[tuple[str, int]]:
        from .render import text_height

        return [("text", text_height(self, fonts))]

    def cost(self) -> float:
        screen = self.screen
        if screen.mode == "pages":
            pages = max(1, len(self.text) * screen.height // max(screen.width, 1) // 4 + 1)
            return PAGE_SECONDS * pages + (CLIPS_SECONDS + CLIP_SECONDS * pages if screen.clips else 0.0)
        frames = (len(self.text) * screen.height + screen.width) / screen.speed
        per = MP4_PIXEL_FRAME_SECONDS if screen.color == "full" or screen.clips else GIF_PIXEL_FRAME_SECONDS
        return 0.01 + frames * screen.width * screen.height * per

    def text_layouts(self, fonts: FontRegistry, root: Path) -> list[tuple[str, TextLayout]]:
        """Page signs' lines (a scroll is one line)."""
        if self.screen.mode != "pages":
            return []
        from .render import page_rows

        return [("text", page_rows(self, fonts)[1])]

    def render(self, env: RenderEnv, stage: Path) -> Rendered:
        from .output import write_led
        from .render import render

        meta = write_led(render(self, env.fonts), stage)
        files = sorted(p.name for p in stage.iterdir())
        return Rendered(files=files, duration=meta["duration"], meta=meta, warnings=list(meta["warnings"]))


def page_capacity(screen: LedScreen, template: LedTemplate) -> int:
    """About how many full-width characters one screen shows at once."""
    row = template.row_for(screen.height)[0]
    columns = screen.width // row
    return columns * (screen.height // row) if template.mode == "pages" else columns


def slogan_form(slogan: Slogan, locale: str, screen: LedScreen, template: LedTemplate) -> tuple[str, str]:
    """(form, template text) of a slogan for this screen: short first on small signs."""
    short = slogan.short.get(locale)
    if template.text == "short" and short:
        return "short", short
    # a scroll shows any length in turn, so the short form is for page signs that cannot hold the text
    if (
        template.text == "auto"
        and short
        and template.mode == "pages"
        and page_capacity(screen, template) < template.short_below
    ):
        return "short", short
    return "full", slogan.text[locale]


def slogan_jobs(
    project: Project, slogan: Slogan, screen: LedScreen, template: LedTemplate, locales: list[str] | None = None
) -> list[LedJob]:
    """One job per locale of the slogan (and per branch when its text names the branch)."""
    jobs = []
    valid_from, valid_until = slogan.valid.iso()
    for locale in locales or slogan.locales:
        if locale not in slogan.text:
            raise SignageError(Problem(f"slogan has no {locale} text", item=slogan.id))
        form, source = slogan_form(slogan, locale, screen, template)
        entry = project.entry(slogan.id, f"{'short' if form == 'short' else 'text'}.{locale}")
        branches = project.branches_for(locale) if project.expressions.uses(source, "branch") else [None]
        for branch in branches:
            text = project.fill(entry, branch)
            jobs.append(
                LedJob(
                    content_kind="slogan",
                    content_id=slogan.id,
                    locale=locale,
                    branch=branch.id if branch else None,
                    target=screen.id,
                    text=text,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    form=form,
                    screen=screen,
                    template=template,
                )
            )
    return jobs


def text_job(
    project: Project, text: str, locale: str, branch: str | None, screen: LedScreen, template: LedTemplate
) -> LedJob:
    """A job for a text given on the command line."""
    return LedJob(
        content_kind="text",
        content_id="text",
        locale=locale,
        branch=branch,
        target=screen.id or "custom",
        text=text,
        form="text",
        screen=screen,
        template=template,
    )


def case_job(
    project: Project, case_id: str, screen: LedScreen, template: LedTemplate, branch: str | None = None
) -> LedJob:
    """A case on an LED sign: its short LED text."""
    case = project.case(case_id)
    text = project.fill(project.entry(case.id, "short.led"), project.branch(branch, case.locale))
    return LedJob(
        content_kind="case",
        content_id=case.id,
        locale=case.locale,
        branch=branch,
        target=screen.id,
        text=text,
        form="full",
        screen=screen,
        template=template,
    )


def plan(project: Project, context: PlanContext) -> list[LedJob]:
    """The LED catalogue: every current slogan, in each of its locales, on every LED screen; and the
    cases that screens' playlists show."""
    jobs = []
    for screen in project.config.led_screens:
        template = project.template("led", screen.template or screen.mode)
        for slogan in context.current_slogans(project):
            jobs += slogan_jobs(project, slogan, screen, template)
    seen: set[tuple[str, str | None]] = set()
    for want in context.demand:
        if want.kind != "led" or (want.content_kind != "case" and want.seconds is None):
            continue  # a slogan at its own time is in the catalogue above
        screen = project.led_screen(want.target)
        template = project.template("led", screen.template or screen.mode)
        if want.content_kind == "case":
            source = project.entry(want.content_id, "short.led").template
            branch = want.branch if project.expressions.uses(source, "branch") else None
            made = [case_job(project, want.content_id, screen, template, branch)]
        else:
            slogan = project.slogans[want.content_id]
            made = [
                job
                for job in slogan_jobs(project, slogan, screen, template, [want.locale])
                if job.branch in (None, want.branch)
            ]
        for job in made:
            if (want.path, job.branch) not in seen:
                seen.add((want.path, job.branch))
                jobs.append(dataclasses.replace(job, seconds=want.seconds))
    return jobs
