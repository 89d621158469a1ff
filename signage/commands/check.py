"""``signage check``: every problem in a project, one located line each."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, SignageError
from ..project.config import Branch
from ..project.loader import Project, read_project


def check_project(root: Path) -> list[Problem]:
    """Schema, templates, and glyph coverage of every text in every locale and branch."""
    project, problems = read_project(root)
    if project is None:
        return problems
    problems += _check_texts(project)
    return problems


def _check_texts(project: Project) -> list[Problem]:
    problems: list[Problem] = []
    for entry in project.texts:
        branches: list[Branch | None] = [*project.branches_for(entry.locale)] or [None]
        rendered: dict[str, None] = {}
        for branch in branches:
            try:
                rendered[project.render(entry, branch)] = None
            except SignageError as exc:
                problems.extend(exc.problems)
                break
        roles = project.fonts.role_names(entry.locale)
        for role in roles:
            try:
                chain = project.fonts.chain(role, entry.locale)
            except SignageError as exc:
                problems.extend(exc.problems)
                continue
            if chain.is_bitmap and not entry.led:
                continue
            message = chain.missing_message("".join(rendered))
            if message:
                problems.append(entry.problem(message))
    return problems
