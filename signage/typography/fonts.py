"""Fonts: the catalogue of font files, faces picked by locale, and role fallback chains.

A *role* (``sans``, ``sans-bold``, ``pixel-12``...) names what a template wants; the
project maps each role, per locale, to a chain of catalogue fonts. A character is drawn
by the first font in the chain that has it; a character no font has is an error, never
a box on screen.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import freetype
from fontTools.ttLib import TTFont
from PIL import ImageFont

from ..errors import Problem, SignageError
from ..locales import Locale
from ..yamlio import LocatedDict, load_yaml

# fontTools warns about Noto's 1904-epoch timestamps; nothing the user can act on.
logging.getLogger("fontTools").setLevel(logging.ERROR)


@dataclass(frozen=True, eq=False)
class FontSpec:
    """One entry of a fonts.yaml catalogue."""

    id: str
    path: Path
    faces: dict[str, int]  # glyph forms (SC/TC/HK) -> face index in a collection
    pixel_size: int | None  # bitmap (or pixel-grid) fonts are crisp at this size only
    licence: Path | None


class FontFace:
    """One face of one font file, with coverage and cached metrics at any size."""

    def __init__(self, spec: FontSpec, index: int):
        self.spec = spec
        self.index = index
        try:
            self._ft = freetype.Face(str(spec.path), index)
        except freetype.FT_Exception as exc:
            raise SignageError(
                Problem(f"cannot open face {index} of {spec.path.name}: {exc}", file=spec.path, item=spec.id)
            ) from None
        self._has: dict[str, bool] = {}
        self._pil: dict[int, ImageFont.FreeTypeFont] = {}
        self._advance: dict[tuple[int, str], float] = {}
        self._blank: dict[tuple[int, str], float] = {}
        self._em_ratio: float | None = None

    def __repr__(self) -> str:
        return f"FontFace({self.spec.id!r}, face {self.index})"

    @property
    def name(self) -> str:
        family = self._ft.family_name.decode("utf-8", "replace") if self._ft.family_name else self.spec.id
        return family

    @property
    def is_bitmap(self) -> bool:
        return self.spec.pixel_size is not None

    @property
    def _is_strike(self) -> bool:
        return self.spec.path.suffix.lower() in (".pcf", ".bdf")

    def has(self, char: str) -> bool:
        known = self._has.get(char)
        if known is None:
            known = self._has[char] = self._ft.get_char_index(ord(char)) != 0
        return known

    def pillow(self, size: int) -> ImageFont.FreeTypeFont:
        """A Pillow font at ``size`` px, with deterministic (no shaping) layout."""
        font = self._pil.get(size)
        if font is None:
            # A bitmap strike opens only at its own pixel size.
            open_size = self.spec.pixel_size if self._is_strike and self.spec.pixel_size else size
            font = self._pil[size] = ImageFont.truetype(
                str(self.spec.path), open_size, index=self.index, layout_engine=ImageFont.Layout.BASIC
            )
        return font

    def advance(self, char: str, size: int) -> float:
        """Horizontal advance of one character in px; sums equal Pillow's line width."""
        key = (size, char)
        value = self._advance.get(key)
        if value is None:
            value = self._advance[key] = self.pillow(size).getlength(char)
        return value

    def em_ascent(self, size: int) -> int:
        """Pixels from the top of the em box to the baseline at ``size``.

        Outline fonts say it in OS/2 (typo ascender over the em); a bitmap strike
        says it with its ideographs: the em box ends where 国 ends.
        """
        if self._is_strike:
            return size - int(self.pillow(size).getbbox("国", anchor="ls")[3])
        if self._em_ratio is None:
            self._em_ratio = _typo_ascent_ratio(self.spec.path, self.index)
        return round(size * self._em_ratio)

    def design_advance(self, char: str) -> float:
        """Unhinted advance of ``char`` in ems, as a PDF viewer places it."""
        key = (0, char)
        value = self._advance.get(key)
        if value is None:
            units = self._ft.get_advance(self._ft.get_char_index(ord(char)), freetype.FT_LOAD_NO_SCALE)
            value = self._advance[key] = units / self._ft.units_per_EM
        return value

    def start_blank(self, char: str, size: int) -> float:
        """Blank space left of the ink of ``char`` (an opening bracket or quote), at most half its advance."""
        key = (-size, char)
        value = self._blank.get(key)
        if value is None:
            mask, offset = self.pillow(size).getmask2(char, anchor="ls")
            box = mask.getbbox()
            advance = self.advance(char, size)
            ink_left = offset[0] + box[0] if box else 0
            value = self._blank[key] = max(0.0, min(advance / 2, ink_left))
        return value

    def end_blank(self, char: str, size: int) -> float:
        """Blank space right of the ink of ``char`` (half-width punctuation that may hang)."""
        key = (size, char)
        value = self._blank.get(key)
        if value is None:
            font = self.pillow(size)
            mask, offset = font.getmask2(char, anchor="ls")
            box = mask.getbbox()
            advance = self.advance(char, size)
            ink_right = offset[0] + box[2] if box else 0
            value = self._blank[key] = max(0.0, min(advance / 2, advance - ink_right))
        return value


@dataclass
class FontChain:
    """A role resolved for a locale: faces tried in order for each character."""

    role: str
    locale: str
    faces: list[FontFace]
    design_metrics: bool = False  # unhinted advances (print) instead of Pillow's hinted pixels
    _pick: dict[str, int | None] = field(default_factory=dict)
    # measured paragraphs by (text, size), for the line choice: a fit measures one text at a few sizes
    # several times over (linefit.measured); bounded, cleared when full
    measured: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def primary(self) -> FontFace:
        return self.faces[0]

    @property
    def is_bitmap(self) -> bool:
        return self.primary.is_bitmap

    @property
    def fixed_size(self) -> int | None:
        """The one size a bitmap chain can be set at, else None."""
        return self.primary.spec.pixel_size if self.primary.is_bitmap else None

    def face_index(self, char: str) -> int | None:
        """Index into ``faces`` of the face that draws ``char``, None when none can."""
        idx = self._pick.get(char, -1)
        if idx == -1:
            # An unassigned code point has no meaning to draw; a font that "has" it (Unifont's placeholder
            # boxes) would show a box, so it never counts as covered; nor do private-use and surrogates.
            if unicodedata.category(char) in _NO_MEANING:
                self._pick[char] = None
                return None
            idx = next((i for i, face in enumerate(self.faces) if face.has(char)), None)
            if idx is None and not _needs_glyph(char):
                idx = 0
            self._pick[char] = idx
        return idx

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` (each once, in order) that no face in the chain has."""
        seen: dict[str, None] = {}
        for char in text:
            if char not in seen and self.face_index(char) is None:
                seen[char] = None
        return list(seen)

    def missing_message(self, text: str) -> str | None:
        """'no glyph for “説” (U+8AAC) in font role ...', or None when all is covered."""
        missing = self.missing(text)
        if not missing:
            return None
        chars = ", ".join(describe_char(c) for c in missing)
        fonts = " → ".join(face.spec.id for face in self.faces)
        return f"no glyph for {chars} in font role {self.role!r} ({fonts}, {self.locale})"

    def advance(self, char: str, size: int) -> float:
        if not _needs_glyph(char):
            return 0.0
        face = self.faces[self.face_index(char) or 0]
        return face.design_advance(char) * size if self.design_metrics else face.advance(char, size)

    def end_blank(self, char: str, size: int) -> float:
        idx = self.face_index(char)
        return self.faces[idx or 0].end_blank(char, size)

    def start_blank(self, char: str, size: int) -> float:
        idx = self.face_index(char)
        return self.faces[idx or 0].start_blank(char, size)


def _typo_ascent_ratio(path: Path, index: int) -> float:
    font = TTFont(str(path), fontNumber=index, lazy=True)
    os2 = font["OS/2"]
    return os2.sTypoAscender / (os2.sTypoAscender - os2.sTypoDescender)


def _needs_glyph(char: str) -> bool:
    """Controls and invisible format characters (U+200B...) are never drawn, so need no glyph."""
    return unicodedata.category(char) not in _INVISIBLE


_INVISIBLE = ("Cc", "Cf", "Zl", "Zp")
_NO_MEANING = ("Cn", "Co", "Cs")


def describe_char(char: str) -> str:
    """'説' -> '“説” (U+8AAC)', for error messages."""
    if unicodedata.category(char) == "Cn":
        return f"U+{ord(char):04X} (not an assigned character)"
    return f"“{char}” (U+{ord(char):04X})"


def load_catalog(folder: Path) -> dict[str, FontSpec]:
    """Read ``folder/fonts.yaml`` into font specs; a missing file is an empty catalogue."""
    path = folder / "fonts.yaml"
    if not path.is_file():
        return {}
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise SignageError(Problem("a fonts catalogue must be a mapping of font id to font", file=path))
    specs: dict[str, FontSpec] = {}
    for font_id, entry in data.items():
        line = data.key_lines.get(font_id) if isinstance(data, LocatedDict) else None
        specs[font_id] = _spec(folder, path, line, str(font_id), entry)
    return specs


def _spec(folder: Path, path: Path, line: int | None, font_id: str, entry: Any) -> FontSpec:
    def fail(message: str) -> SignageError:
        return SignageError(Problem(message, file=path, line=line, item=font_id))

    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
        raise fail("each font needs at least `file: NAME`")
    unknown = set(entry) - {"file", "faces", "pixel_size", "licence", "source"}
    if unknown:
        raise fail(f"unknown key(s) {', '.join(sorted(unknown))}")
    font_path = folder / entry["file"]
    try:
        font_path.resolve().relative_to(folder.resolve())
    except ValueError:
        raise fail(f"font file {entry['file']} leads outside {folder} (a symbolic link, or ..)") from None
    if not font_path.is_file():
        raise fail(f"font file {entry['file']} not found in {folder}")
    problem = _unreadable(font_path)
    if problem:
        raise fail(f"font file {entry['file']}: {problem}")
    licence = folder / entry["licence"] if entry.get("licence") else None
    if licence is not None and not licence.is_file():
        raise fail(f"licence file {entry['licence']} not found in {folder}")
    faces = entry.get("faces") or {}
    if not isinstance(faces, dict) or not all(k in ("SC", "TC", "HK") and isinstance(v, int) for k, v in faces.items()):
        raise fail("faces maps SC, TC and HK to face numbers in the collection")
    pixel = entry.get("pixel_size")
    if pixel is not None and (not isinstance(pixel, int) or pixel <= 0):
        raise fail("pixel_size must be a positive whole number of pixels")
    return FontSpec(id=font_id, path=font_path, faces=dict(faces), pixel_size=pixel, licence=licence)


@lru_cache(maxsize=32)
def _unreadable(path: Path) -> str | None:
    """Why FreeType cannot use a font file (not a font, no character map), or None."""
    try:
        face = freetype.Face(str(path))
    except freetype.FT_Exception as exc:
        return f"not a font FreeType can read ({exc})"
    if face.num_charmaps == 0:
        return "it has no character map, so no character can be found in it"
    return None


@lru_cache(maxsize=64)
def _face(spec: FontSpec, index: int) -> FontFace:
    return FontFace(spec, index)


class FontRegistry:
    """Resolves (role, locale) to a FontChain from a catalogue and the project's roles."""

    def __init__(
        self, catalog: dict[str, FontSpec], roles: dict[str, dict[str, list[str]]], words: tuple[str, ...] = ()
    ):
        self.catalog = catalog
        self.roles = roles  # "default" / locale tag -> role -> chain of font ids
        # the project's own words (content/words.txt): where lines may break decides the layout too
        self.words = words
        self._chains: dict[tuple[str, str, bool], FontChain] = {}
        if words:
            from .words import add_words

            add_words(words)

    def __getstate__(self) -> dict[str, object]:
        # Font faces hold FreeType handles: a worker process opens its own.
        return {"catalog": self.catalog, "roles": self.roles, "words": self.words, "_chains": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self.words:  # a worker in another process learns the project's words too
            from .words import add_words

            add_words(self.words)

    @property
    def words_digest(self) -> str:
        """SHA-256 of the dictionary, for fingerprints: with a thousand branches it is thousands of
        words, hashed once rather than written into every job's key."""
        digest = self.__dict__.get("_words_digest")
        if digest is None:
            blob = "\n".join(self.words).encode("utf-8")
            digest = self.__dict__["_words_digest"] = hashlib.sha256(blob).hexdigest()
        return str(digest)

    def role_names(self, locale: str) -> list[str]:
        names = dict.fromkeys(self.roles.get("default", {}))
        names.update(dict.fromkeys(self.roles.get(locale, {})))
        return list(names)

    def chain(self, role: str, locale: str, design_metrics: bool = False) -> FontChain:
        """The faces for ``role`` in ``locale``; ``design_metrics`` for print (unhinted advances)."""
        key = (role, locale, design_metrics)
        chain = self._chains.get(key)
        if chain is None:
            chain = self._chains[key] = self._resolve(role, locale, design_metrics)
        return chain

    def _resolve(self, role: str, locale: str, design_metrics: bool) -> FontChain:
        ids = self.roles.get(locale, {}).get(role) or self.roles.get("default", {}).get(role)
        if not ids:
            known = ", ".join(self.role_names(locale)) or "none"
            raise SignageError(f"unknown font role {role!r} (roles: {known})")
        forms = Locale.parse(locale).glyph_forms
        faces = []
        for font_id in ids:
            spec = self.catalog.get(font_id)
            if spec is None:
                raise SignageError(f"font role {role!r} names unknown font {font_id!r}")
            faces.append(_face(spec, spec.faces.get(forms, 0)))
        return FontChain(role=role, locale=locale, faces=faces, design_metrics=design_metrics)
