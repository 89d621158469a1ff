"""Card render jobs: one slogan or case on one card template, and the card part of the build's plan."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SignageError
from ..job import Job, Rendered, RenderEnv, project_files
from ..project.model import Project
from ..schedule.emergency import is_emergency_text
from ..typography.subsets import subsets_dir
from .icc import profile_digest
from .layout import PlacedText, catalogue_sizes, place_card, resolve_card
from .template import CardTemplate

if TYPE_CHECKING:
    from ..job import PlanContext
    from ..typography.fonts import FontRegistry
    from ..typography.layout import TextLayout

CARD_SECONDS = 0.15  # one PDF and its 300-dpi preview, measured on the example's A6 cards


@dataclass(frozen=True, kw_only=True)
class CardJob(Job):
    """A card: its template and every text it shows, filled in (see :func:`resolve_card`)."""

    template: CardTemplate
    texts: tuple[tuple[str, str], ...]  # block key -> text
    files: tuple[tuple[str, str], ...] = ()  # (project file, SHA-256) of every image it places
    caps: tuple[tuple[int, float], ...] = ()  # block index -> the catalogue's common size in pt (same_size)

    kind = "card"
    folder = "cards"
    sources = ("card", "job.py", "thumbnail.py", "png.py")
    libraries = ("pillow", "fpdf2", "pikepdf", "fonttools", "segno", "freetype-py", "uniseg", "rjieba", "opencc")

    def payload(self, fonts: FontRegistry) -> dict[str, Any]:
        roles = [role for _, role in self.template.font_roles()]
        return {
            "template": self.template.model_dump(mode="json"),
            "texts": [list(t) for t in self.texts],
            "files": [list(f) for f in self.files],
            "caps": [list(c) for c in self.caps],
            "fonts": self.faces_payload(fonts, roles),
            "print_profile": profile_digest() if self.template.print.cmyk else None,
        }

    def cost(self) -> float:
        w, h = self.template.trim_size
        return CARD_SECONDS * max(1.0, w * h / (105 * 148)) ** 0.5

    def shown(self) -> list[tuple[str, str]]:
        parts = []
        for key, text in self.texts:
            n, _, sub = key.partition(".")
            block = self.template.blocks[int(n)]
            parts.append((f"{block.name or f'blocks[{n}]'}{'.' + sub if sub else ''}", text))
        return parts

    @property
    def characters(self) -> set[str]:
        """Every character the card may draw: the font subsets are cut to these."""
        return {c for _, text in self.texts for c in text if c.isprintable()}

    def text_layouts(self, fonts: FontRegistry, root: Path) -> list[tuple[str, TextLayout]]:
        layout = place_card(self.template, dict(self.texts), self.content_id, self.locale, fonts, root, dict(self.caps))
        names = {text: name for name, text in layout.texts.items()}
        return [
            (names.get(item.layout.text, "text"), item.layout)
            for item in layout.items()
            if isinstance(item, PlacedText)
        ]

    def render(self, env: RenderEnv, stage: Path) -> Rendered:
        from ..png import png_bytes
        from .pdf import FontSubsets, PdfOptions, card_pdf
        from .raster import card_png, card_thumb

        subsets = env.extras.get("subsets")
        assert isinstance(subsets, FontSubsets), "CardJob.prepare cuts the font subsets before cards are rendered"
        layout = place_card(
            self.template, dict(self.texts), self.content_id, self.locale, env.fonts, env.root, dict(self.caps)
        )
        options = PdfOptions(cmyk=self.template.print.cmyk, marks=self.template.print.marks)
        (stage / "card.pdf").write_bytes(card_pdf([layout], subsets, options))
        picture = card_png(layout)
        (stage / "preview.png").write_bytes(png_bytes(picture, dpi=(300, 300)))
        card_thumb(picture).save(stage / "thumb.png", compress_level=6)
        meta = {
            "template": self.template.name,
            "content": self.content_id,
            "locale": self.locale,
            "branch": self.branch,
            "trim_mm": list(layout.trim),
            "bleed_mm": layout.bleed,
            "texts": layout.texts,
        }
        return Rendered(files=["card.pdf", "preview.png", "thumb.png"], meta=meta)

    @classmethod
    def prepare(cls, env: RenderEnv, planned: list[Job], todo: list[Job]) -> Callable[[], None] | None:
        """Font subsets cut to every character any card of the plan draws.

        The set covers the whole plan (not only the cards to render), so it stays the same
        from build to build while the content does and the cut subsets come from the cache.
        Workers get it frozen: a character the plan missed is a bug, never a quiet new cut.
        The cutting itself is returned, to run while other kinds render.
        """
        chars: set[str] = set()
        for job in planned:
            chars |= job.characters  # type: ignore[attr-defined]
        from .pdf import FontSubsets  # fpdf2 and pikepdf load only when cards are rendered

        subsets = FontSubsets(subsets_dir(), chars, frozen=True)
        env.extras["subsets"] = subsets
        roles = {role for job in todo for _, role in job.template.font_roles()}  # type: ignore[attr-defined]
        locales = {job.locale for job in todo}
        return lambda: subsets.prepare(env.fonts, roles, locales)


def card_job(
    project: Project, template: CardTemplate, content_id: str, locale: str, branch: str | None = None
) -> CardJob:
    texts = resolve_card(project, template, content_id, locale, branch)
    files = project_files(project.root, template)
    valid: tuple[str | None, str | None] = (None, None)
    if template.content == "slogan":
        valid = project.slogan(content_id).valid.iso()
    main = project.content_text(template.content, content_id, locale, branch)
    return CardJob(
        content_kind=template.content,
        content_id=content_id,
        locale=locale,
        branch=branch,
        target=template.name,
        text=main,
        valid_from=valid[0],
        valid_until=valid[1],
        template=template,
        texts=tuple(sorted(texts.items())),
        files=files,
    )


def plan(project: Project, context: PlanContext) -> list[CardJob]:
    """Every card template with the content it applies to; one card per branch where a text names it."""
    jobs = []
    for template in project.templates_of("card").values():
        try:
            jobs += template_jobs(project, template, context)
        except SignageError as exc:
            if not context.collected(exc):
                raise
    return jobs


def template_jobs(project: Project, template: CardTemplate, context: PlanContext) -> list[CardJob]:
    """The catalogue of one template, with the common sizes of its ``same_size`` blocks."""
    jobs = []
    uses_branch = any(project.expressions.uses(s, "branch") for s in template.text_sources())
    if template.content == "case":
        for case in project.cases.values():
            needs = uses_branch or project.item_uses_branch(case.id)
            jobs += [
                card_job(project, template, case.id, case.locale, b)
                for b in context.branches(project, case.locale, needs)
            ]
    else:
        rule = template.applies_to
        for slogan in context.current_slogans(project):
            if is_emergency_text(slogan.id):  # an emergency's words are for screens, never printed
                continue
            if rule.kinds and slogan.kind.value not in rule.kinds:
                continue
            if rule.tags and not set(rule.tags) & set(slogan.tags):
                continue
            for locale in slogan.text:
                needs = uses_branch or project.item_uses_branch(slogan.id, locale)
                jobs += [
                    card_job(project, template, slogan.id, locale, b) for b in context.branches(project, locale, needs)
                ]
    caps = catalogue_sizes(template, [(dict(job.texts), job.locale) for job in jobs], project.fonts)
    if caps:
        jobs = [dataclasses.replace(job, caps=tuple(sorted(caps.items()))) for job in jobs]
    return jobs
