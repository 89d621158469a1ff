"""``signage render card`` and the card part of ``signage build``."""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..card.layout import CardLayout, layout_card
from ..card.pdf import FontSubsets, PdfOptions, card_pdf
from ..card.raster import card_png
from ..card.template import CardTemplate, ImageBlock
from ..errors import Problem, SignageError
from ..fingerprint import file_digest, fonts_fingerprint
from ..locales import Locale
from ..parallel import run_jobs
from ..project.loader import Project, load_project
from ..publish import MANIFEST, atomic_write_bytes, read_manifest, staged_dir, write_json
from .build import BuildReport, remove_stale_folders


def font_subsets(project: Project) -> FontSubsets:
    """Font subsets in the user's cache, cut to every character the project shows."""
    chars: set[str] = set()
    for entry in project.texts:
        chars.update(entry.template)
    for template in project.card_templates.values():
        for strings in template.strings.values():
            for text in strings.values():
                chars.update(text)
    for branch in project.config.branches:
        chars.update(branch.name)
    for region in project.config.regions.values():
        chars.update(region.model_dump_json())
    chars.update(project.config.name)
    return FontSubsets(cache_dir() / "fonts", chars)


def cache_dir() -> Path:
    """Per-user cache (XDG_CACHE_HOME or ~/.cache)/signage: derived files shared by all projects."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "signage"


@dataclass
class CardRequest:
    template: str
    slogan: str | None = None
    case: str | None = None
    locale: str | None = None
    branch: str | None = None


def card_layout(project: Project, request: CardRequest) -> CardLayout:
    template = project.card_template(request.template)
    content_id = request.slogan or request.case
    if not content_id or (request.slogan and request.case):
        raise SignageError("give exactly one of --slogan ID and --case ID")
    wanted = "slogan" if request.slogan else "case"
    if template.content != wanted:
        raise SignageError(f"card template {template.name!r} is made for a {template.content}, not a {wanted}")
    locale = project.locale_for(request.locale, request.case)
    return layout_card(project, template, content_id, locale, request.branch)


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


def catalog(project: Project) -> list[tuple[CardTemplate, str, str]]:
    """(template, content id, locale) for every card the catalogue holds."""
    jobs = []
    for template in project.card_templates.values():
        if template.content == "case":
            jobs += [(template, case.id, case.locale) for case in project.cases.values()]
            continue
        rule = template.applies_to
        for slogan in project.slogans.values():
            if rule.kinds and slogan.kind.value not in rule.kinds:
                continue
            if rule.tags and not set(rule.tags) & set(slogan.tags):
                continue
            for locale in slogan.text:
                if "branch" not in slogan.text[locale]:
                    jobs.append((template, slogan.id, locale))
    return jobs


def _key(project: Project, template: CardTemplate, content_id: str, locale: str) -> str:
    content: Any = project.slogans.get(content_id) if template.content == "slogan" else project.cases.get(content_id)
    region = project.config.regions.get(Locale.parse(locale).region)
    payload = {
        "version": __version__,
        "template": template.model_dump(mode="json"),
        "content": content.model_dump(mode="json") if content else None,
        "region": region.model_dump(mode="json") if region else None,
        "project": project.config.name,
        "fonts": fonts_fingerprint(project.fonts.catalog, project.config.fonts),
        "images": [file_digest(project.root / b.file) for b in template.blocks
                   if isinstance(b, ImageBlock) and (project.root / b.file).is_file()],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()[:16]


_worker: tuple[Project, FontSubsets] | None = None


def _init_worker(root: Path) -> None:
    global _worker
    project = load_project(root)
    _worker = (project, font_subsets(project))


def _work(template_name: str, content_id: str, locale: str, folder: Path, key: str) -> None:
    assert _worker is not None
    project, subsets = _worker
    template = project.card_template(template_name)
    layout = layout_card(project, template, content_id, locale)
    with staged_dir(folder) as stage:
        (stage / "card.pdf").write_bytes(card_pdf([layout], subsets, PdfOptions()))
        card_png(layout).save(stage / "preview.png", dpi=(300, 300), compress_level=1)
        write_json(stage / MANIFEST, {
            "template": template.name, "content": content_id, "locale": locale, "key": key,
            "trim_mm": list(layout.trim), "bleed_mm": layout.bleed, "texts": layout.texts,
            "files": ["card.pdf", "preview.png"],
        })


def build_cards(project: Project, root: Path, progress: Any = None, workers: int | None = None) -> BuildReport:
    """Every catalogue card as card.pdf + preview.png in root/TEMPLATE/LOCALE/ID/, only what changed."""
    report = BuildReport("cards", root)
    todo = []
    wanted = set()
    for template, content_id, locale in catalog(project):
        folder = root / template.name / locale / content_id
        wanted.add(folder)
        key = _key(project, template, content_id, locale)
        manifest = read_manifest(folder)
        if manifest is not None and manifest.get("key") == key:
            report.unchanged += 1
            if progress:
                progress(1)
        else:
            todo.append((template.name, content_id, locale, folder, key))
    if todo:  # cut the fonts once, before the workers need them
        roles = {getattr(b, "role", "sans") for t in project.card_templates.values() for b in t.blocks}
        font_subsets(project).prepare(project.fonts, roles, {locale for _, _, locale, _, _ in todo})
    run_jobs(_work, todo, _init_worker, (project.root,), workers, progress)
    report.rendered = len(todo)
    report.removed = remove_stale_folders(root, wanted, depth=3)
    return report
