"""Lay a card out once: every block placed in millimetres, text set at 300 dpi.

The PDF and PNG painters both draw this one layout, so the preview shows exactly what
the print shop gets. Text is measured with unhinted (design) advances, as a PDF viewer
places glyphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from PIL import Image

from ..errors import Problem, SignageError, TextOverflowError
from ..labels import strings_for
from ..project.files import inside
from ..project.model import Project
from ..project.views import content_context
from ..typography.fonts import FontRegistry
from ..typography.layout import Box, TextLayout, TextStyle, fit_text
from .template import CardTemplate, HotlineBlock, ImageBlock, QrBlock, RectBlock, TextBlock

DPI = 300
PX_PER_MM = DPI / 25.4
PX_PER_PT = DPI / 72

MmBox = tuple[float, float, float, float]


@dataclass
class PlacedRect:
    box: MmBox
    color: str


@dataclass
class PlacedText:
    box: MmBox  # the block's box; the layout's coordinates are px from its top-left
    layout: TextLayout
    color: str

    @property
    def size_pt(self) -> float:
        return self.layout.size / PX_PER_PT


@dataclass
class PlacedImage:
    box: MmBox  # already fitted inside the block, aspect kept
    path: Path


@dataclass
class PlacedQr:
    box: MmBox  # square, quiet zone included
    modules: list[list[bool]]
    color: str


Placed = PlacedRect | PlacedText | PlacedImage | PlacedQr


@dataclass
class CardFace:
    """One face: items in mm from the face's top-left, drawn at ``offset`` on the trim, maybe upside down."""

    items: list[Placed]
    offset: tuple[float, float] = (0.0, 0.0)
    upside_down: bool = False


@dataclass
class CardLayout:
    template: CardTemplate
    content_id: str
    locale: str
    trim: tuple[float, float]
    bleed: float
    faces: list[CardFace]
    texts: dict[str, str] = field(default_factory=dict)  # block name -> the text set

    @property
    def characters(self) -> set[str]:
        return {c for item in self.items() if isinstance(item, PlacedText) for c in item.layout.text if c.isprintable()}

    def items(self) -> list[Placed]:
        return [item for face in self.faces for item in face.items]


def card_context(
    project: Project, template: CardTemplate, content_id: str, locale: str, branch: str | None = None
) -> dict[str, Any]:
    """Variables for block texts: the slogan or case, the project's, and the template's strings."""
    ctx = content_context(project, template.content, content_id, locale, branch)
    ctx["strings"] = strings_for(template.strings, locale, project.config.default_locale)
    return ctx


def resolve_card(
    project: Project, template: CardTemplate, content_id: str, locale: str, branch: str | None = None
) -> dict[str, str]:
    """Every text the card shows, expressions filled: block index -> text (hotline: "N.label", "N.number")."""
    ctx = card_context(project, template, content_id, locale, branch)
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for n, block in enumerate(template.blocks):
        where = f"{template.name}.{block.name or f'blocks[{n}]'} ({template.content} {content_id})"

        def fill(source: str, where: str = where) -> str:
            return project.fill_template("card", template.name, source, ctx, where, problems)

        if isinstance(block, TextBlock):
            texts[str(n)] = fill(block.text)
        elif isinstance(block, HotlineBlock):
            texts[f"{n}.label"] = fill(block.label)
            texts[f"{n}.number"] = fill(block.number)
        elif isinstance(block, QrBlock):
            texts[str(n)] = fill(block.data)
    if problems:  # every block's problem at once, not the first
        raise SignageError(problems)
    return texts


def layout_card(
    project: Project,
    template: CardTemplate,
    content_id: str,
    locale: str,
    branch: str | None = None,
    caps: dict[int, float] | None = None,
) -> CardLayout:
    """Place every block of ``template`` for one slogan or case of the project."""
    texts = resolve_card(project, template, content_id, locale, branch)
    return place_card(template, texts, content_id, locale, project.fonts, project.root, caps)


def place_card(
    template: CardTemplate,
    texts: dict[str, str],
    content_id: str,
    locale: str,
    fonts: FontRegistry,
    root: Path,
    caps: dict[int, float] | None = None,
) -> CardLayout:
    """Place every block of ``template`` with its filled ``texts`` (from :func:`resolve_card`).

    ``caps``: block index -> the largest size in pt, the catalogue's common size for
    ``same_size`` blocks (see :func:`catalogue_sizes`).

    Text blocks that flow (``after``, or named by one) and take a size range share one
    size: the largest at which the whole stack fits, so the sections fill their space
    rather than leave a gap under the last.
    """
    caps = dict(caps or {})
    flowing = {b.after for b in template.blocks if isinstance(b, TextBlock) and b.after}
    stack = [
        n
        for n, b in enumerate(template.blocks)
        if isinstance(b, TextBlock) and (b.after or b.name in flowing) and b.sizes_pt[0] > b.sizes_pt[1]
    ]
    if not stack:
        return _place_blocks(template, texts, content_id, locale, fonts, root, caps)
    blocks = [template.blocks[n] for n in stack]
    low = min(b.sizes_pt[1] for b in blocks if isinstance(b, TextBlock))
    high = max(b.sizes_pt[0] for b in blocks if isinstance(b, TextBlock))
    steps = [low + 0.5 * k for k in range(int((high - low) / 0.5) + 1)]  # half-point steps
    best, lo, hi = None, 0, len(steps) - 1
    while lo <= hi:  # a larger shared size only makes the stack taller: search by halving
        mid = (lo + hi) // 2
        try:
            sizes = {**{n: steps[mid] for n in stack}, **caps}
            best = _place_blocks(template, texts, content_id, locale, fonts, root, sizes, frozenset(stack))
            lo = mid + 1
        except SignageError:
            hi = mid - 1
    return best or _place_blocks(template, texts, content_id, locale, fonts, root, caps)  # raises, located


def _place_blocks(
    template: CardTemplate,
    texts: dict[str, str],
    content_id: str,
    locale: str,
    fonts: FontRegistry,
    root: Path,
    caps: dict[int, float],
    exact: frozenset[int] = frozenset(),
) -> CardLayout:
    """Place the blocks, each ``caps`` block at most that size (``exact`` ones at exactly it, or fail)."""
    items: list[Placed] = []
    shown: dict[str, str] = {}
    bottoms: dict[str, float] = {}  # text block name -> where its text ends, mm from the face's top
    width, height = template.face_size
    for n, block in enumerate(template.blocks):
        name = block.name or f"blocks[{n}]"
        where = f"{template.name}.{name}: {content_id}"
        if isinstance(block, RectBlock):
            items.append(PlacedRect(_bleed_box(block, width, height, template), block.color))
        elif isinstance(block, TextBlock):
            text = texts[str(n)]
            box = _flowed_box(block, bottoms, where)
            bottoms[name] = box[1]
            if text:
                shown[name] = text
                placed = _place_text(fonts, block, text, locale, where, box, caps.get(n), n in exact)
                items.append(placed)
                lines = placed.layout.lines
                bottoms[name] = box[1] + (lines[-1].y + placed.layout.size) / PX_PER_MM if lines else box[1]
        elif isinstance(block, HotlineBlock):
            items += _place_hotline(fonts, block, texts[f"{n}.label"], texts[f"{n}.number"], locale, where)
        elif isinstance(block, ImageBlock):
            items.append(_place_image(root, block, where))
        elif isinstance(block, QrBlock):
            items.append(_place_qr(block, texts[str(n)], where))
    trim = template.trim_size
    if template.fold == "tent":
        faces = [CardFace(items, (0.0, 0.0), upside_down=True), CardFace(items, (0.0, trim[1] / 2))]
    else:
        faces = [CardFace(items)]
    return CardLayout(template, content_id, locale, trim, template.bleed, faces, shown)


def _bleed_box(block: RectBlock, width: float, height: float, template: CardTemplate) -> MmBox:
    """A filled shape; a side on (or past) the trim edge runs on to the bleed edge."""
    x, y, w, h = block.box
    if not block.bleed:
        return x, y, w, h
    b, eps = template.bleed, 0.01
    x1, y1, x2, y2 = x, y, x + w, y + h
    x1 = -b if x1 <= eps else x1
    # a tent face's top edge is the fold, not a cut: nothing runs over it
    y1 = -b if y1 <= eps and template.fold != "tent" else max(y1, 0.0)
    x2 = width + b if x2 >= width - eps else x2
    y2 = height + b if y2 >= height - eps else y2
    return x1, y1, x2 - x1, y2 - y1


def _fit(
    fonts: FontRegistry, text: str, box: MmBox, style: TextStyle, locale: str, where: str, smallest_pt: float
) -> TextLayout:
    chain = fonts.chain(style.role, locale, design_metrics=True)
    try:
        return fit_text(
            text, Box(box[2] * PX_PER_MM, box[3] * PX_PER_MM), style, chain, item=where, unit=("mm", PX_PER_MM)
        )
    except TextOverflowError as exc:
        raise SignageError(
            Problem(f"does not fit its {box[2]:g}x{box[3]:g} mm box at {smallest_pt:g} pt: {exc.overflow}", item=where)
        ) from None


def _flowed_box(block: TextBlock, bottoms: dict[str, float], where: str) -> MmBox:
    """The block's box, its top moved to ``gap`` below the text it comes ``after`` (bottom kept)."""
    x, y, w, h = block.box
    if block.after is None:
        return x, y, w, h
    top = bottoms[block.after] + block.gap
    if top >= y + h - 1:
        raise SignageError(
            Problem(
                f"comes after {block.after}, which ends at {top - block.gap:.1f} mm: its box (bottom at "
                f"{y + h:g} mm) has no room left",
                item=where,
            )
        )
    return x, top, w, y + h - top


def catalogue_sizes(
    template: CardTemplate, cards: list[tuple[dict[str, str], str]], fonts: FontRegistry
) -> dict[int, float]:
    """For each ``same_size`` text block: the common size (pt) of the catalogue ``cards``
    ((texts, locale) each): the median of the sizes each text fits at on its own, so at least
    half the cards share it exactly and a text that cannot fit there is set smaller."""
    caps: dict[int, float] = {}
    for n, block in enumerate(template.blocks):
        if not isinstance(block, TextBlock) or not block.same_size or block.after is not None:
            continue
        sizes = []
        for texts, locale in cards:
            if texts.get(str(n)):
                try:
                    placed = _place_text(fonts, block, texts[str(n)], locale, "", block.box)
                except SignageError:
                    continue  # reported when that card is rendered
                sizes.append(placed.layout.size / PX_PER_PT)
        if sizes:
            caps[n] = round(sorted(sizes)[(len(sizes) - 1) // 2], 2)
    return caps


def _place_text(
    fonts: FontRegistry,
    block: TextBlock,
    text: str,
    locale: str,
    where: str,
    box: MmBox,
    cap: float | None = None,
    exact: bool = False,
) -> PlacedText:
    largest, smallest = block.sizes_pt
    if cap is not None:
        largest = max(smallest, min(largest, cap))
        smallest = largest if exact else smallest
    style = TextStyle(
        role=block.role,
        size=max(1, round(largest * PX_PER_PT)),
        min_size=max(1, round(smallest * PX_PER_PT)),
        max_lines=block.max_lines,
        line_height=block.line_height,
        align=block.align,
        valign=block.valign,
        level=block.break_level,
        headline=block.headline,
        hanging=block.hanging,
    )
    return PlacedText(box, _fit(fonts, text, box, style, locale, where, smallest), block.color)


def _place_hotline(
    fonts: FontRegistry, block: HotlineBlock, label: str, number: str, locale: str, where: str
) -> list[Placed]:
    """A label over a big number: the label takes the top third, the number the rest."""
    x, y, w, h = block.box
    placed: list[Placed] = []
    top = (x, y, w, h * 0.32)
    rest = (x, y + h * 0.32, w, h * 0.68)
    if label:
        style = TextStyle(
            role=block.role,
            size=round(top[3] * 0.8 * PX_PER_MM),
            min_size=round(6 * PX_PER_PT),
            max_lines=1,
            line_height=1.0,
            align=block.align,
            valign="bottom",
        )
        placed.append(
            PlacedText(
                top, _fit(fonts, label, top, style, locale, where + " label", 6), block.label_color or block.color
            )
        )
    style = TextStyle(
        role=block.role,
        size=round(rest[3] * 0.9 * PX_PER_MM),
        min_size=round(8 * PX_PER_PT),
        max_lines=1,
        line_height=1.0,
        align=block.align,
        valign="middle",
    )
    placed.append(PlacedText(rest, _fit(fonts, number, rest, style, locale, where + " number", 8), block.color))
    return placed


def _place_image(root: Path, block: ImageBlock, where: str) -> PlacedImage:
    try:
        path = inside(root, block.file)
    except ValueError as exc:
        raise SignageError(Problem(str(exc), item=where)) from None
    try:
        with Image.open(path) as image:
            iw, ih = image.size
    except FileNotFoundError:
        raise SignageError(Problem(f"image {block.file} not found in {root}", item=where)) from None
    except OSError as exc:
        raise SignageError(Problem(f"image {block.file} cannot be read: {exc}", item=where)) from None
    x, y, w, h = block.box
    scale = min(w / iw, h / ih)
    fw, fh = iw * scale, ih * scale
    return PlacedImage((x + (w - fw) / 2, y + (h - fh) / 2, fw, fh), path)


@lru_cache(maxsize=64)
def _qr_matrix(data: str, error: str) -> tuple[int, tuple[tuple[bool, ...], ...]]:
    """(version, modules) of a QR code: every card of a project encodes the same few URLs (20 ms each)."""
    code = segno.make_qr(data, error=error, boost_error=False)
    return int(code.version), tuple(tuple(bool(v) for v in row) for row in code.matrix)


def _place_qr(block: QrBlock, data: str, where: str) -> PlacedQr:
    if not data:
        raise SignageError(Problem("the QR code has no data", item=where))
    try:
        version, matrix = _qr_matrix(data, block.error.lower())
    except segno.DataOverflowError:
        raise SignageError(Problem(f"QR data too long ({len(data)} characters) for any QR code", item=where)) from None
    modules = [list(row) for row in matrix]
    x, y, w, h = block.box
    side = min(w, h)
    count = len(modules) + 8  # 4 modules of quiet zone on each side
    module = side / count
    if module < block.min_module:
        need = block.min_module * count
        raise SignageError(
            Problem(
                f"QR data too long for a {side:g} mm code: version {version} has {len(modules)} modules, "
                f"{module:.2f} mm each (at least {block.min_module:g} mm scans reliably; needs {need:.0f} mm)",
                item=where,
            )
        )
    return PlacedQr((x + (w - side) / 2, y + (h - side) / 2, side, side), modules, block.color)
