"""The preview's own fonts: the project's sans face cut to the characters the pages show.

One face per glyph form the pages need (SC, HK, TC, by each page's language), inline in
the stylesheet as data (file:// pages may not load font files), so no page depends on
the viewer's fonts. The cut comes from :mod:`signage.typography.subsets`, cached there.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from ..locales import Locale
from ..project.model import Project
from ..typography.subsets import WEB, SubsetCache, subsets_dir


@dataclass(frozen=True)
class WebFont:
    family: str
    data: str  # the cut face, base64


@dataclass(frozen=True)
class LanguageFont:
    lang: str  # a page's lang attribute
    family: str


def family(lang: str) -> str:
    """The font family of a page in ``lang``: one per glyph form."""
    return f"Signage{Locale.parse(lang).glyph_forms}"


def page_fonts(project: Project, stage: Path) -> tuple[list[WebFont], list[LanguageFont]]:
    """The faces the written pages in ``stage`` need, and which family each page language uses."""
    texts: dict[str, set[str]] = {}
    for page in stage.rglob("*.html"):
        content = page.read_text(encoding="utf-8")
        lang = content.split('lang="', 1)[1].split('"', 1)[0]
        texts.setdefault(lang, set()).update(c for c in content if ord(c) > 127 and c.isprintable())
    families: dict[str, tuple[str, set[str]]] = {}  # family -> (the first language using it, characters)
    for lang, chars in sorted(texts.items()):
        families.setdefault(family(lang), (lang, set()))[1].update(chars)
    cache = SubsetCache(subsets_dir(), WEB)
    fonts = []
    for name, (lang, chars) in sorted(families.items()):
        face = project.fonts.chain("sans", lang).faces[0]
        fonts.append(WebFont(name, base64.b64encode(cache.read(face, chars)).decode("ascii")))
    return fonts, [LanguageFont(lang, family(lang)) for lang in sorted(texts)]
