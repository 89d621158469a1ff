"""Text fields as Jinja2 templates: compiled once, rendered strictly per locale and branch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jinja2.sandbox

from ..errors import Problem, SignageError

KNOWN_VARIABLES = (
    "hotline",
    "police",
    "app",
    "app_url",
    "branch",
    "project",
    "locale",
    "slogan",
    "case",
    "hotline_name",
    "strings",
)


@dataclass(frozen=True)
class TextEntry:
    """One text field of the content, where it came from, and where it may be shown."""

    file: Path
    line: int | None
    item: str
    field: str
    locale: str
    template: str
    led: bool  # shown on LED signs too, so pixel fonts must cover it

    def problem(self, message: str) -> Problem:
        return Problem(message, file=self.file, line=self.line, item=self.item, field=self.field)


def _undefined(message: str, source: str, context: dict[str, Any]) -> str:
    """Jinja's "'dict object' has no attribute 'txt'" as a person would say it, with the fields
    there are and the closest one: "slogan has no field 'txt': did you mean 'text'?"."""
    import difflib
    import re

    available = ", ".join(k for k in KNOWN_VARIABLES if k in context)
    missing = re.search(r"has no attribute '([^']+)'", message)
    if missing:
        name = missing.group(1)
        for variable in re.findall(r"([A-Za-z_]\w*)\s*\.\s*" + re.escape(name) + r"\b", source):
            value = context.get(variable)
            if isinstance(value, dict):
                fields = sorted(str(k) for k in value)
                close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
                hint = f": did you mean {close[0]!r}?" if close else ""
                return f"{variable} has no field {name!r}{hint} (its fields: {', '.join(fields)})"
    undefined = re.match(r"'([^']+)' is undefined", message)
    if undefined:
        close = difflib.get_close_matches(undefined.group(1), [k for k in KNOWN_VARIABLES if k in context], n=1)
        hint = f": did you mean {close[0]!r}?" if close else ""
        return f"{undefined.group(1)!r} is undefined{hint} (variables here: {available})"
    return f"{message} (variables here: {available})"


class Expressions:
    """A strict Jinja2 environment: an unknown variable is an error, never an empty string."""

    def __init__(self) -> None:
        # Sandboxed: content is edited by branch staff, so no attribute tricks reach Python.
        self.env = jinja2.sandbox.SandboxedEnvironment(
            undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False
        )
        self._compiled: dict[str, jinja2.Template] = {}
        self._variables: dict[str, frozenset[str]] = {}

    def uses(self, source: str, variable: str) -> bool:
        """Whether ``source`` reads ``variable`` (say, ``branch``: one output per branch then)."""
        if "{" not in source:
            return False
        found = self._variables.get(source)
        if found is None:
            try:
                found = frozenset(jinja2.meta.find_undeclared_variables(self.env.parse(source)))
            except jinja2.TemplateSyntaxError:
                found = frozenset()
            self._variables[source] = found
        return variable in found

    def compile_source(self, source: str) -> str | None:
        """Compile ``source``; what is wrong with it, or None."""
        problem = self._compile(source, None)[1]
        return None if problem is None else problem.message

    def compile(self, entry: TextEntry) -> Problem | None:
        """Compile ``entry``'s template; a syntax error comes back as a located problem."""
        return self._compile(entry.template, entry)[1]

    def _compile(self, source: str, entry: TextEntry | None) -> tuple[jinja2.Template | None, Problem | None]:
        template = self._compiled.get(source)
        if template is not None:
            return template, None
        try:
            template = self._compiled[source] = self.env.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            message = f"template syntax error: {exc.message}"
            return None, entry.problem(message) if entry else Problem(message)
        return template, None

    def fill(self, entry: TextEntry, context: dict[str, Any]) -> str:
        return self.fill_string(entry.template, context, entry)

    def fill_string(
        self,
        source: str,
        context: dict[str, Any],
        entry: TextEntry | None = None,
        where: str | None = None,
        at: tuple[Path, int | None] | None = None,
    ) -> str:
        """Fill ``source``'s expressions; an error names the field (``entry``) or the template part
        (``where``, written in the file and line ``at``)."""
        if "{" not in source:
            return source

        def problem(message: str) -> Problem:
            if entry is not None:
                return entry.problem(message)
            return Problem(message, file=at[0] if at else None, line=at[1] if at else None, item=where)

        template, compiled = self._compile(source, entry)
        if template is None:
            raise SignageError(problem(compiled.message if compiled else "template syntax error"))
        try:
            return template.render(context)
        except jinja2.UndefinedError as exc:
            raise SignageError(problem(_undefined(str(exc.message), source, context))) from None
        except Exception as exc:  # noqa: BLE001 - {{ 1/0 }} and friends: the user's expression failed
            raise SignageError(problem(f"template error: {exc}")) from None
