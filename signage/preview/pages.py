"""The preview's pages filled in from the Jinja templates shipped in ``templates/``.

Every value is escaped in the HTML templates (autoescape), the way the pages always were
(``html.escape``); the stylesheet and the search script are templates too, unescaped. An
HTML template is written one element a line for reading, and the lines are joined without
their indentation when it is loaded, so each page stays the one line it always was.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_eval_context, select_autoescape
from jinja2.ext import Extension
from jinja2.nodes import EvalContext
from markupsafe import Markup


class JoinLines(Extension):
    """Join an HTML template's lines, each stripped of its surrounding white space."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name is None or not name.endswith(".html"):
            return source
        return "".join(line.strip() for line in source.splitlines())


@pass_eval_context
def escape_as_before(context: EvalContext, value: Any) -> Any:
    """A value escaped by ``html.escape`` where autoescape is on, so ``'`` stays ``&#x27;`` (not
    Jinja's ``&#39;``) and the pages stay byte for byte what they were; safe markup passes as it is."""
    if not context.autoescape or hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value), quote=True))


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("signage.preview", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=[JoinLines],
        finalize=escape_as_before,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )


def fill(template: str, **values: Any) -> str:
    """The text of ``template`` with ``values`` filled in."""
    return environment().get_template(template).render(**values)
