"""``signage render card``: one card as a print-ready PDF or its 300-dpi PNG preview."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_write_bytes
from ..card.job import template_jobs
from ..card.layout import CardLayout, layout_card
from ..card.pdf import FontSubsets, PdfOptions, card_pdf
from ..card.raster import card_png
from ..card.template import CardTemplate
from ..errors import Problem, SignageError
from ..job import PlanContext, local_today
from ..labels import fraud_type_label
from ..project.model import Project
from ..typography.subsets import subsets_dir


def font_subsets(project: Project) -> FontSubsets:
    """Font subsets in the user's cache, cut to every character the project's texts and templates hold."""
    chars: set[str] = set()
    for entry in project.texts:
        chars.update(entry.template)
    for template in project.templates_of("card").values():
        for strings in template.strings.values():
            for text in strings.values():
                chars.update(text)
    for branch in project.config.branches:
        chars.update(branch.name)
    for region in project.config.regions.values():
        chars.update(region.model_dump_json())
    chars.update(str(project.config.name))
    for case in project.cases.values():
        chars.update(fraud_type_label(case.fraud_type, case.locale))
    return FontSubsets(subsets_dir(), {c for c in chars if c.isprintable()})


@dataclass
class CardRequest:
    template: str
    slogan: str | None = None
    case: str | None = None
    locale: str | None = None
    branch: str | None = None


def card_layout(project: Project, request: CardRequest) -> CardLayout:
    template: CardTemplate = project.template("card", request.template)
    content_id = request.slogan or request.case
    if not content_id or (request.slogan and request.case):
        raise SignageError("give exactly one of --slogan ID and --case ID")
    wanted = "slogan" if request.slogan else "case"
    if template.content != wanted:
        raise SignageError(f"card template {template.name!r} is made for a {template.content}, not a {wanted}")
    locale = project.locale_for(request.locale, request.case)
    caps: dict[int, float] = {}
    if any(getattr(block, "same_size", False) for block in template.blocks):  # the size the build gives it
        catalogue = template_jobs(project, template, PlanContext(local_today(project)))
        caps = dict(catalogue[0].caps) if catalogue else {}
    return layout_card(project, template, content_id, locale, request.branch, caps)


def render_card(project: Project, request: CardRequest, output: Path, fmt: str | None, options: PdfOptions) -> str:
    """Write one card as PDF or 300-dpi PNG to ``output``; returns the format written."""
    fmt = fmt or ("png" if output.suffix.lower() == ".png" else "pdf")
    if output.suffix.lower() != f".{fmt}":
        raise SignageError(Problem(f"the file name should end in .{fmt}", file=output))
    if fmt == "png" and (options.cmyk or options.marks or options.sheet):
        raise SignageError("--cmyk, --marks and --sheet are for the PDF; the PNG is the trimmed card's preview")
    if options.sheet and options.sheet.upper() not in ("A4", "A3"):
        raise SignageError(f"--sheet: {options.sheet!r} is not A4 or A3")
    layout = card_layout(project, request)
    if fmt == "png":
        buffer = io.BytesIO()
        card_png(layout).save(buffer, format="PNG", dpi=(300, 300))
        atomic_write_bytes(output, buffer.getvalue())
    else:
        atomic_write_bytes(output, card_pdf([layout], font_subsets(project), options))
    return fmt
