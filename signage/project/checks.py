"""Checks across files: what one file names must exist in another (fonts, templates, slogans, regions)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..card.template import CARD_TEMPLATES, HotlineBlock, ImageBlock, TextBlock
from ..errors import Problem
from ..led.template import LED_TEMPLATES, LedTemplate
from ..locales import Locale
from ..typography.fonts import FontSpec
from ..video.template import VIDEO_TEMPLATES
from ..yamlio import LocatedDict, line_of
from .config import ProjectConfig
from .loader import CONFIG_FILE, REQUIRED_ROLES, SLOGANS_FILE, Project
from .texts import TextEntry


def cross_check(project: Project, config_data: Any, case_origins: dict[str, tuple[Path, LocatedDict]],
                found: list[Problem]) -> list[Problem]:
    """Problems between files; ``found`` (already reported) keeps one fault from being reported twice."""
    root, config = project.root, project.config
    config_path = root / CONFIG_FILE
    problems = _cross_check(config, project.fonts.catalog, project.texts, config_path, config_data)
    problems += _check_screens(config, project.led_templates, config_path, config_data)
    problems += _template_roles(project)
    problems += _media_files(project)
    # a slogan that failed to load is reported already: no second error where a case names it
    slogan_problems = {p.item for p in found if p.file == root / SLOGANS_FILE}
    if None not in slogan_problems:
        for case in project.cases.values():
            path, raw = case_origins[case.id]
            for n, ref in enumerate(case.related_slogans):
                if ref not in project.slogans and ref not in slogan_problems:
                    line = line_of(raw, ("related_slogans", n))
                    problems.append(Problem(f"no slogan with id {ref!r}", path, line, case.id, "related_slogans"))
    return problems


def _media_files(project: Project) -> list[Problem]:
    """Images and music that templates name exist in the project."""
    named: list[tuple[Path, str, str, str]] = []  # template file, template, field, media file
    for name, card in project.card_templates.items():
        named += [(CARD_TEMPLATES / f"{name}.yaml", name, f"blocks[{n}].file", b.file)
                  for n, b in enumerate(card.blocks) if isinstance(b, ImageBlock)]
    for name, video in project.video_templates.items():
        if video.background.image:
            named.append((VIDEO_TEMPLATES / f"{name}.yaml", name, "background.image", video.background.image))
        if video.music:
            named.append((VIDEO_TEMPLATES / f"{name}.yaml", name, "music.file", video.music.file))
    return [Problem(f"{media} not found in the project folder", project.root / path, None, name, where)
            for path, name, where, media in named if not (project.root / media).is_file()]


def _template_roles(project: Project) -> list[Problem]:
    """Every font role a template asks for is defined in signage.yaml."""
    roles = project.config.fonts.get("default", {})
    used: list[tuple[Path, str, str, str]] = []  # file, template, field, role
    for name, led in project.led_templates.items():
        used += [(LED_TEMPLATES / f"{name}.yaml", name, f"fonts.{h}.role", f.role) for h, f in led.fonts.items()]
    for name, card in project.card_templates.items():
        used += [(CARD_TEMPLATES / f"{name}.yaml", name, f"blocks[{n}].role", b.role)
                 for n, b in enumerate(card.blocks) if isinstance(b, (TextBlock, HotlineBlock))]
    for name, video in project.video_templates.items():
        used += [(VIDEO_TEMPLATES / f"{name}.yaml", name, f"scenes[{n}].role", s.role) for n, s in enumerate(video.scenes)]
        if video.ticker:
            used.append((VIDEO_TEMPLATES / f"{name}.yaml", name, "ticker.role", video.ticker.role))
    return [Problem(f"font role {role!r} is not in signage.yaml's fonts", project.root / path, None, name, where)
            for path, name, where, role in used if role not in roles]


def _check_screens(
    config: ProjectConfig, templates: dict[str, LedTemplate], config_path: Path, data: Any
) -> list[Problem]:
    problems = []
    for n, screen in enumerate(config.led_screens):
        name = screen.template or screen.mode
        line = line_of(data, ("led_screens", n))

        def problem(message: str, field: str = "template", warning: bool = False) -> Problem:
            return Problem(message, config_path, line, screen.id, field, warning)  # noqa: B023

        template = templates.get(name)
        if template is None:
            problems.append(problem(f"no LED template {name!r} in {LED_TEMPLATES}"))
        elif template.mode != screen.mode:
            problems.append(problem(f"template {name!r} is for {template.mode}, the screen plays {screen.mode}"))
        else:
            try:
                template.row_for(screen.height)
            except ValueError as exc:
                problems.append(problem(str(exc)))
        if screen.width % 32 or screen.height % 16:
            problems.append(
                problem(f"{screen.size} is not a whole number of 32x16 modules", field="size", warning=True)
            )
    return problems


def _cross_check(
    config: ProjectConfig, catalog: dict[str, FontSpec], texts: Iterable[TextEntry], config_path: Path, data: Any
) -> list[Problem]:
    problems: list[Problem] = []
    for scope, roles in config.fonts.items():
        if scope != "default":
            try:
                Locale.parse(scope)
            except ValueError as exc:
                problems.append(Problem(str(exc), config_path, line_of(data, ("fonts", scope)), field=f"fonts.{scope}"))
        for role, chain in roles.items():
            for n, font_id in enumerate(chain):
                if font_id not in catalog:
                    problems.append(
                        Problem(f"unknown font {font_id!r} (known: {', '.join(sorted(catalog))})",
                                config_path, line_of(data, ("fonts", scope, role, n)), field=f"fonts.{scope}.{role}")
                    )
    for role in REQUIRED_ROLES:
        if role not in config.fonts.get("default", {}):
            problems.append(Problem(f"the default fonts need a {role!r} role", config_path,
                                    line_of(data, ("fonts", "default")), field="fonts.default"))
    groups = (("branches", [b.id for b in config.branches]), ("led_screens", [s.id for s in config.led_screens]))
    for kind, ids in groups:
        seen: set[str] = set()
        for n, item_id in enumerate(ids):
            if item_id in seen:
                problems.append(Problem("duplicate id", config_path, line_of(data, (kind, n)), item_id, "id"))
            seen.add(item_id)
    regions_needed = {Locale.parse(t.locale).region: t for t in texts}
    for branch in config.branches:
        regions_needed.setdefault(Locale.parse(branch.locale).region, None)  # type: ignore[arg-type]
    for region, entry in regions_needed.items():
        if region not in config.regions:
            where = f" (first used by {entry.item}.{entry.field})" if entry else ""
            problems.append(
                Problem(f"no region {region!r} with hotline and police numbers{where}", file=config_path, field="regions")
            )
    return problems
