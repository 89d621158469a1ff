"""LED render jobs: a pure description of one text on one screen, whose hash names it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .. import __version__
from ..errors import Problem, SignageError
from ..fingerprint import file_digest
from ..project.config import LedScreen
from ..project.content import Slogan
from ..project.loader import Project
from ..typography.fonts import FontRegistry
from .template import LedTemplate


@dataclass(frozen=True)
class LedJob:
    """Everything that decides what one LED output looks like, and nothing else."""

    content_id: str
    locale: str
    text: str  # final text: expressions filled, short or full form chosen
    form: str  # "short", "full" or "text" (given on the command line)
    screen: LedScreen
    template: LedTemplate
    branch: str | None = None

    @property
    def label(self) -> str:
        who = f"@{self.branch}" if self.branch else ""
        return f"{self.content_id}{who} ({self.locale}) on {self.screen.id or self.screen.size}"

    def key(self, fonts: FontRegistry) -> str:
        """A hash of the job and the font files it uses: same key, same output."""
        font_files = [
            [face.spec.id, face.index, file_digest(face.spec.path)]
            for font in self.template.fonts.values()
            for face in fonts.chain(font.role, self.locale).faces
        ]
        payload = {
            "version": __version__,
            "content": self.content_id,
            "locale": self.locale,
            "branch": self.branch,
            "text": self.text,
            "screen": self.screen.model_dump(mode="json"),
            "template": self.template.model_dump(mode="json"),
            "fonts": font_files,
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]


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
    if template.text == "auto" and short and page_capacity(screen, template) < template.short_below:
        return "short", short
    return "full", slogan.text[locale]


def slogan_jobs(project: Project, slogan: Slogan, screen: LedScreen, template: LedTemplate,
                locales: list[str] | None = None) -> list[LedJob]:
    """One job per locale of the slogan (and per branch when its text names the branch)."""
    jobs = []
    for locale in locales or slogan.locales:
        if locale not in slogan.text:
            raise SignageError(Problem(f"slogan has no {locale} text", item=slogan.id))
        form, source = slogan_form(slogan, locale, screen, template)
        entry = project.entry(slogan.id, f"{'short' if form == 'short' else 'text'}.{locale}")
        branches = project.branches_for(locale) if "branch" in source else [None]
        for branch in branches:
            text = project.render(entry, branch)
            jobs.append(LedJob(slogan.id, locale, text, form, screen, template, branch.id if branch else None))
    return jobs


def catalog_jobs(project: Project) -> list[LedJob]:
    """The LED catalogue: every slogan, in each of its locales, on every LED screen."""
    jobs = []
    for screen in project.config.led_screens:
        template = project.led_template(screen.template or screen.mode)
        for slogan in project.slogans.values():
            jobs += slogan_jobs(project, slogan, screen, template)
    return jobs
