"""``signage check``: every problem in a project, one located line each."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from .. import clock
from ..build.plan import plan_jobs
from ..errors import Problem, SignageError
from ..job import Job, PlanContext, local_today
from ..kinds import planners, read
from ..labels import foreign_characters, script_fix
from ..locales import Locale
from ..network.scheduled import scheduled_plans, with_frequency
from ..network.select import select_network
from ..project.config import Branch
from ..project.model import SLOGANS_FILE, Project
from ..schedule.emergency import pending
from ..schedule.lint import lint_schedule
from ..typography.fonts import describe_char
from .legible import illegible_texts


def check_project(root: Path) -> list[Problem]:
    """Schema, templates, and glyph coverage of every text in every locale and branch."""
    project, problems = read(root)
    if project is None:
        return problems
    problems += _check_texts(project)
    problems += _placeholder_urls(project)
    if not any(not p.warning for p in problems):  # selections read a project without errors
        today = local_today(project)
        plans, found = select_network(project, today)
        problems += found
        if not found:
            live = pending(project, clock.now())  # stopped and ended ones are history
            variants, found = scheduled_plans(project, plans, today, live)
            problems += found + with_frequency(project, plans + variants, today)[1]
            problems += lint_schedule(project, today)
    clean = not any(not p.warning for p in problems)
    context = PlanContext(local_today(project), problems=[])  # every template's errors, not the first
    jobs: list[Job] = []
    try:  # templates filled for every piece of content: every broken one, also beside other errors
        jobs = plan_jobs(project, planners(), context)
        found = context.problems or []
        found += _mixed_scripts(project, jobs)
    except SignageError as exc:
        found = exc.problems
    # beside other errors, only what a template is to blame for: the rest follows from those errors
    problems += [p for p in found if p not in problems and (clean or _in_templates(project, p))]
    if clean:  # each text of each output against its screens' least readable height; words still split
        problems += illegible_texts(project, jobs)
        problems += _split_words(project, jobs)
    return problems


def _split_words(project: Project, jobs: list[Job]) -> list[Problem]:
    """A warning for every output whose lines still cut a word of the project's dictionary in two
    (no layout within the text's limits keeps it whole), naming the output, the part and the word.
    Only outputs that show a dictionary word are laid out."""
    words = frozenset(project.fonts.words)
    problems: list[Problem] = []
    for job in jobs:
        shown = [text for _, text in job.shown()]
        if not any(word in text for text in shown for word in words):
            continue
        try:
            layouts = job.text_layouts(project.fonts, project.root)
        except SignageError:
            continue  # a text that cannot be laid out is reported as such by the build
        for part, layout in layouts:
            split = layout.split_words(words)
            if split:
                problems.append(
                    Problem(
                        f"{'、'.join(split)} {'is' if len(split) == 1 else 'are'} split across lines in {part} "
                        "(no layout keeps it whole): shorten the text or give it more room",
                        item=f"{job.path} ({job.target})",
                        warning=True,
                    )
                )
    return problems


def _in_templates(project: Project, problem: Problem) -> bool:
    return problem.file is not None and (project.root / "templates") in Path(problem.file).parents


def _scripts(locale: str) -> tuple[str, str]:
    """(the locale's script, the other one)."""
    return ("Traditional", "Simplified") if Locale.parse(locale).traditional else ("Simplified", "Traditional")


def _foreign(foreign: str, locale: str, what: str) -> str:
    script, other = _scripts(locale)
    return f"{'、'.join(foreign)} {'is' if len(foreign) == 1 else 'are'} {other} in a {locale} ({script}) {what}"


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def _mixed_sources(project: Project) -> tuple[list[Problem], set[tuple[str, str]]]:
    """One error per source text (a slogan's or case's field, at its file and line) that mixes
    scripts, with OpenCC's conversion to suggest; and the (locale, character) pairs so reported."""
    problems, flagged = [], set()
    for entry in project.texts:
        plain = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", entry.template)
        try:
            foreign = foreign_characters(plain, entry.locale)
        except ValueError:
            continue  # a locale check reports elsewhere
        if not foreign:
            continue
        flagged |= {(entry.locale, c) for c in foreign}
        config, fixed = script_fix(entry.template, entry.locale)
        problems.append(
            entry.problem(
                f"mixes scripts: {_foreign(foreign, entry.locale, 'text')}; OpenCC {config} gives “{_short(fixed)}”"
            )
        )
    return problems, flagged


def _mixed_scripts(project: Project, jobs: list[Job]) -> list[Problem]:
    """An error for every text that would show characters of the other script than its locale's:
    once per source text where it comes from one (its file and line, with the conversion to make),
    else once per output text (a Simplified label on a Hong Kong poster), naming the output."""
    problems, flagged = _mixed_sources(project)
    seen: set[tuple[str, str]] = set()
    for job in jobs:
        try:
            Locale.parse(job.locale)
        except ValueError:
            continue  # media files have no locale
        for part, text in job.shown():
            foreign = "".join(c for c in foreign_characters(text, job.locale) if (job.locale, c) not in flagged)
            if not foreign or (job.locale, text) in seen:
                continue
            seen.add((job.locale, text))
            problems.append(
                Problem(
                    f"{part} mixes scripts: {_foreign(foreign, job.locale, 'output')}: “{_short(text)}”",
                    item=f"{job.path} ({job.target})",
                )
            )
    return problems


SHORT_MOST = 12  # characters of a slogan's short form, an expression counting as 5


def _short_length(template: str) -> int:

    return len(re.sub(r"\{\{.*?\}\}", "12345", template))


PLACEHOLDER_LABELS = ("example", "invalid", "test", "localhost")  # reserved names (RFC 2606) and example.com.hk


def _placeholder_urls(project: Project) -> list[Problem]:
    """A warning for every region whose app_url (printed as a QR code) still points at a placeholder."""

    problems = []
    for name, region in project.config.regions.items():
        host = (urlparse(region.app_url).hostname or "") if region.app_url else ""
        if host and set(host.split(".")) & set(PLACEHOLDER_LABELS):
            problems.append(
                Problem(
                    f"app_url {region.app_url} is a placeholder: the QR codes on cards would "
                    "lead nowhere; put your bank's own page here",
                    project.root / "signage.yaml",
                    None,
                    field=f"regions.{name}.app_url",
                    warning=True,
                )
            )
    return problems


def _check_texts(project: Project) -> list[Problem]:
    problems: list[Problem] = []
    for entry in project.texts:
        if (
            entry.field.startswith("short.")
            and entry.file == project.root / SLOGANS_FILE
            and _short_length(entry.template) > SHORT_MOST
        ):
            problems.append(
                entry.problem(
                    f"a short form has at most {SHORT_MOST} characters (an expression counts "
                    f"as 5); this one has {_short_length(entry.template)}"
                )
            )
        branches: list[Branch | None] = [*project.branches_for(entry.locale)] or [None]
        rendered: dict[str, None] = {}
        for branch in branches:
            try:
                rendered[project.fill(entry, branch)] = None
            except SignageError as exc:
                problems.extend(exc.problems)
                break
        missing: dict[str, list[str]] = {}  # character -> roles without it
        for role in project.fonts.role_names(entry.locale):
            try:
                chain = project.fonts.chain(role, entry.locale)
            except SignageError:
                continue  # an unknown font id is reported once, against signage.yaml
            if chain.is_bitmap and not entry.led:
                continue
            for char in chain.missing("".join(rendered)):
                missing.setdefault(char, []).append(role)
        if missing:
            chars = ", ".join(describe_char(c) for c in missing)
            roles = sorted({r for rs in missing.values() for r in rs})
            problems.append(entry.problem(f"no glyph for {chars} in font role(s) {', '.join(roles)}"))
    return problems
