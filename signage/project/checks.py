"""Checks across files: what one file names must exist in another (fonts, templates, slogans, regions)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import Problem, unknown_hint
from ..locales import Locale
from ..typography.fonts import FontSpec
from ..yamlio import LocatedDict, line_of
from .config import ProjectConfig
from .files import inside
from .model import CONFIG_FILE, REQUIRED_ROLES, SLOGANS_FILE, Project
from .screens import check_screens
from .texts import TextEntry


def cross_check(
    project: Project, config_data: Any, case_origins: dict[str, tuple[Path, LocatedDict]], found: list[Problem]
) -> list[Problem]:
    """Problems between files; ``found`` (already reported) keeps one fault from being reported twice."""
    root, config = project.root, project.config
    config_path = root / CONFIG_FILE
    problems = _cross_check(config, project.fonts.catalog, project.texts, config_path, config_data)
    problems += _template_roles(project)
    problems += _media_files(project)

    problems += check_screens(project, config_data)
    # a slogan that failed to load is reported already: no second error where a case names it
    slogan_problems = {p.item for p in found if p.file == root / SLOGANS_FILE}
    if None not in slogan_problems:
        for case in project.cases.values():
            path, raw = case_origins[case.id]
            for n, ref in enumerate(case.related_slogans):
                if ref not in project.slogans and ref not in slogan_problems:
                    line = line_of(raw, ("related_slogans", n))
                    hint = unknown_hint(ref, sorted(project.slogans), "slogans")
                    problems.append(Problem(f"no slogan with id {ref!r}{hint}", path, line, case.id, "related_slogans"))
    return problems


def _media_files(project: Project) -> list[Problem]:
    """Images and music that templates name exist in the project."""
    problems = []
    for kind, templates in project.templates.items():
        for name, template in templates.items():
            path = project.root / "templates" / kind / f"{name}.yaml"
            for where, media in template.project_files():
                try:
                    found = inside(project.root, media).is_file()
                except ValueError as exc:
                    problems.append(Problem(str(exc), path, None, name, where))
                    continue
                if not found:
                    problems.append(Problem(f"{media} not found in the project folder", path, None, name, where))
    return problems


def _template_roles(project: Project) -> list[Problem]:
    """Every font role a template asks for is defined in signage.yaml."""
    roles = project.config.fonts.get("default", {})
    problems = []
    for kind, templates in project.templates.items():
        for name, template in templates.items():
            path = project.root / "templates" / kind / f"{name}.yaml"
            for where, role in template.font_roles():
                if role not in roles:
                    problems.append(
                        Problem(f"font role {role!r} is not in signage.yaml's fonts", path, None, name, where)
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
                        Problem(
                            f"unknown font {font_id!r} (known: {', '.join(sorted(catalog))})",
                            config_path,
                            line_of(data, ("fonts", scope, role, n)),
                            field=f"fonts.{scope}.{role}",
                        )
                    )
    for role in REQUIRED_ROLES:
        if role not in config.fonts.get("default", {}):
            problems.append(
                Problem(
                    f"the default fonts need a {role!r} role",
                    config_path,
                    line_of(data, ("fonts", "default")),
                    field="fonts.default",
                )
            )
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
                Problem(
                    f"no region {region!r} with hotline and police numbers{where}", file=config_path, field="regions"
                )
            )
    return problems
