"""The validated project: settings, content, fonts, templates, playlists and schedule, as typed objects.

``loader`` reads a folder into it; everything downstream works on it and never re-reads a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, SignageError, unknown_hint
from ..fingerprint import InputStamp
from ..locales import Locale
from ..typography.fonts import FontRegistry
from .config import Branch, LedScreen, ProjectConfig, TvScreen
from .content import CaseSummary, Slogan
from .locate import CONFIG_FILE
from .playlists import PLAYLISTS_DIR, Playlist
from .schedule import Schedule
from .templates import TemplateKind
from .texts import Expressions, TextEntry

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
REQUIRED_ROLES = ("sans",)  # the role `signage text` and card text default to
SLOGANS_FILE = Path("content") / "slogans.yaml"
CASES_DIR = Path("content") / "cases"
WORDS_FILE = Path("content") / "words.txt"


@dataclass
class Project:
    """A validated project: settings, content, fonts, and every text with its origin."""

    root: Path
    config: ProjectConfig
    slogans: dict[str, Slogan]
    cases: dict[str, CaseSummary]
    fonts: FontRegistry
    texts: list[TextEntry] = field(default_factory=list)
    expressions: Expressions = field(default_factory=Expressions)
    # kind ("led", "card", "video") -> name -> validated template model
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    template_kinds: dict[str, TemplateKind] = field(default_factory=dict)
    broken_templates: dict[str, list[Problem]] = field(default_factory=dict)  # "card/NAME" -> why
    # "card/NAME" -> each Jinja2 text of the template: source -> (file, line), for located errors
    template_texts: dict[str, dict[str, tuple[Path, int | None]]] = field(default_factory=dict)
    playlists: dict[str, Playlist] = field(default_factory=dict)
    broken_playlists: set[str] = field(default_factory=set)  # reported already; not "unknown" again
    branch_origins: dict[str, tuple[Path, int | None]] = field(default_factory=dict)  # id -> file, line
    schedule: Schedule = field(default_factory=Schedule)  # playlists/schedule.yaml
    inputs: tuple[InputStamp, ...] = ()  # the input files as they were read (``plan --at`` trusts what matches)
    _branch_index: dict[str, Branch] | None = field(default=None, repr=False)

    @property
    def output_dir(self) -> Path:
        return self.root / self.config.output

    def branches_for(self, locale: str) -> list[Branch]:
        return [b for b in self.config.branches if b.locale == locale]

    def playlist(self, name: str) -> Playlist:
        try:
            return self.playlists[name]
        except KeyError:
            hint = unknown_hint(name, sorted(self.playlists), "playlists")
            raise SignageError(Problem(f"no playlist {name!r}{hint}", file=self.root / PLAYLISTS_DIR)) from None

    def locale_for(self, requested: str | None, case_id: str | None = None) -> str:
        """A ``--locale`` checked, else the case's own locale, else the project's default."""
        if requested is not None:
            try:
                return Locale.parse(requested).tag
            except ValueError as exc:
                raise SignageError(f"--locale: {exc}") from None
        return self.case(case_id).locale if case_id else self.config.default_locale

    def branch(self, branch_id: str | None, locale: str | None = None) -> Branch | None:
        """The branch named on the command line (None: none), checked against the locale when given."""
        if branch_id is None:
            return None
        if self._branch_index is None:
            self._branch_index = {b.id: b for b in self.config.branches}
        branch = self._branch_index.get(branch_id)
        if branch is None:
            ids = list(self._branch_index)
            where = self.root / (self.config.branches_file or CONFIG_FILE)
            raise SignageError(
                Problem(f"no branch {branch_id!r}{unknown_hint(branch_id, ids, 'branches')}", file=where)
            )
        if locale is not None and branch.locale != locale:
            raise SignageError(f"--branch {branch_id} is a {branch.locale} branch, the text is {locale}")
        return branch

    def profile(self, profile_id: str) -> LedScreen | TvScreen | None:
        """The LED or TV screen profile with this id."""
        profiles: list[LedScreen | TvScreen] = [*self.config.led_screens, *self.config.tv_screens]
        return next((p for p in profiles if p.id == profile_id), None)

    def templates_of(self, kind: str) -> dict[str, Any]:
        """Every valid template of one kind, by name."""
        return self.templates.get(kind, {})

    def template(self, kind: str, name: str) -> Any:
        """The template ``templates/KIND/NAME.yaml``, or a located error saying why there is none."""
        found = self.templates.get(kind, {})
        if name in found:
            return found[name]
        why = self.broken_templates.get(f"{kind}/{name}")
        if why:
            raise SignageError(why)
        described = self.template_kinds.get(kind)
        label = described.label if described else kind
        hint = unknown_hint(name, sorted(found), "templates")
        raise SignageError(Problem(f"no {label} template {name!r}{hint}", file=self.root / "templates" / kind))

    def template_origin(self, kind: str, name: str, source: str) -> tuple[Path, int | None] | None:
        """Where the text ``source`` of template ``kind/name`` is written: (file, line)."""
        return self.template_texts.get(f"{kind}/{name}", {}).get(source)

    def fill_template(
        self, kind: str, name: str, source: str, ctx: dict[str, Any], where: str, problems: list[Problem]
    ) -> str:
        """A template text filled (stripped); what goes wrong is added to ``problems``, located at the
        template's line, and the text is empty, so every broken text of a template is found at once."""
        try:
            at = self.template_origin(kind, name, source)
            return self.expressions.fill_string(source, ctx, where=where, at=at).strip()
        except SignageError as exc:
            problems.extend(exc.problems)
            return ""

    def led_screen(self, screen_id: str) -> LedScreen:
        for screen in self.config.led_screens:
            if screen.id == screen_id:
                return screen
        hint = unknown_hint(screen_id, [s.id for s in self.config.led_screens], "screens")
        raise SignageError(Problem(f"no LED screen {screen_id!r}{hint}", file=self.root / CONFIG_FILE))

    def case(self, case_id: str) -> CaseSummary:
        try:
            return self.cases[case_id]
        except KeyError:
            hint = unknown_hint(case_id, sorted(self.cases), "cases")
            raise SignageError(Problem(f"no case with id {case_id!r}{hint}", file=self.root / CASES_DIR)) from None

    def slogan(self, slogan_id: str) -> Slogan:
        try:
            return self.slogans[slogan_id]
        except KeyError:
            hint = unknown_hint(slogan_id, sorted(self.slogans), "slogans")
            raise SignageError(
                Problem(f"no slogan with id {slogan_id!r}{hint}", file=self.root / SLOGANS_FILE)
            ) from None

    def entry(self, item: str, field: str) -> TextEntry:
        """The text entry of one field of one item, e.g. ("two-cards", "short.zh-Hans-CN")."""
        for entry in self.texts:
            if entry.item == item and entry.field == field:
                return entry
        raise SignageError(Problem(f"no text {field}", item=item))

    def item_uses_branch(self, item: str, locale: str | None = None) -> bool:
        """Whether any text of a slogan or case (in ``locale``) names the branch: one output per branch then."""
        return any(
            self.expressions.uses(e.template, "branch")
            for e in self.texts
            if e.item == item and (locale is None or e.locale == locale)
        )

    def content_text(self, kind: str, item: str, locale: str, branch_id: str | None = None) -> str:
        """The main text of a slogan (its full text) or case (its title), filled in."""
        field = f"text.{locale}" if kind == "slogan" else "title"
        return self.fill(self.entry(item, field), self.branch(branch_id, locale))

    def fill(self, entry: TextEntry, branch: Branch | None = None) -> str:
        """The text of ``entry`` with its Jinja2 expressions filled for one branch."""
        return self.expressions.fill(entry, self.context(entry.locale, branch))

    def context(self, locale: str, branch: Branch | None = None) -> dict[str, Any]:
        """Variables a text may use: hotline, police, app, branch, project, locale."""
        region = self.config.regions.get(Locale.parse(locale).region)
        ctx: dict[str, Any] = {"project": {"name": self.config.name_for(locale)}, "locale": locale}
        if region is not None:
            ctx.update(hotline=region.hotline, police=region.police, hotline_name=region.hotline_name)
            if region.app:
                ctx["app"] = region.app
            if region.app_url:
                ctx["app_url"] = region.app_url
        if branch is not None:
            ctx["branch"] = branch.view()
        return ctx
