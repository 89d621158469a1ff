"""Paint a CardLayout as a print-ready PDF: vector text in embedded font subsets, page boxes, marks.

MediaBox is trim + bleed (plus a slug for crop marks when asked); TrimBox and BleedBox
are set; every font subset has a tag of its own. With ``cmyk`` every colour and image is
DeviceCMYK for the printing condition of the output intent (see :mod:`.prepress`), and
black text is 100 % K only.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from fpdf import FPDF
from fpdf.drawing import DeviceCMYK, DeviceRGB
from fpdf.fonts import TTFFont

from ..colour import parse_colour
from ..errors import SignageError
from ..typography.fonts import FontFace, FontRegistry
from ..typography.subsets import PDF, SubsetCache
from .layout import PX_PER_MM, PX_PER_PT, CardFace, CardLayout, PlacedImage, PlacedQr, PlacedRect, PlacedText
from .prepress import add_output_intent, cmyk_colour, cmyk_image, tag_subsets
from .template import PAGE_SIZES

PT_PER_MM = 72 / 25.4
FIXED_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
SLUG = 10.0  # mm of paper around the bleed for crop marks
MARK_GAP = 1.0  # mm between the bleed edge and a crop mark
MARK_LENGTH = 5.0  # mm
MARK_WIDTH_PT = 0.25
logging.getLogger("fpdf").setLevel(logging.ERROR)

# Characters every card may need beyond its content: ASCII and common Chinese punctuation.
_BASE_CHARS = {chr(c) for c in range(0x20, 0x7F)} | set("，。、：；！？“”‘’（）《》「」『』【】…—·％￥●○■□◆▲★")


class FontSubsets:
    """The faces a project's cards use, cut (see :mod:`signage.typography.subsets`) to every
    character its cards may draw.

    Loading a 20 MB CJK collection costs fpdf2 about 0.3 s a card; a face cut to the
    project's few thousand characters loads in milliseconds. fpdf2 still embeds only the
    glyphs each card uses. The set only grows, so one cut serves every card of a build.
    """

    def __init__(self, cache_dir: Path, characters: set[str] | None = None, frozen: bool = False):
        self.cache = SubsetCache(cache_dir, PDF)
        self.characters = set(characters or ()) | _BASE_CHARS
        # frozen: the plan foresaw every character, so a miss is a bug, not a reason to cut a new subset
        self.frozen = frozen

    @property
    def used(self) -> set[Path]:
        """Every subset file handed out (what a cluster's workers are sent)."""
        return self.cache.used

    def prepare(self, fonts: FontRegistry, roles: set[str], locales: set[str]) -> None:
        """Cut the faces these roles use in these locales now, so workers only read them."""
        for role in roles:
            for locale in locales:
                for face in fonts.chain(role, locale).faces:
                    if not face.is_bitmap:
                        self.path(face, set())

    def path(self, face: FontFace, needed: set[str]) -> Path:
        """The subset of ``face`` holding ``needed`` and every character seen before."""
        if not needed <= self.characters:
            if self.frozen:
                missing = "".join(sorted(needed - self.characters))
                raise RuntimeError(f"font subset miss: the plan did not foresee {missing!r}")
            self.characters |= needed
        return self.cache.path(face, self.characters)

    def pack(self) -> dict[str, Any]:
        """The subsets handed out so far and the character set (what a cluster worker is sent)."""
        files = {p.name: p.read_bytes() for p in sorted(self.used) if p.is_file()}
        return {"characters": sorted(self.characters), "files": files}

    @classmethod
    def unpack(cls, packed: dict[str, Any], folder: Path) -> FontSubsets:
        """The packed subsets written under ``folder``, frozen: a worker cuts none of its own."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in packed["files"].items():
            (folder / name).write_bytes(data)
        return cls(folder, set(packed["characters"]), frozen=True)


@dataclass
class PdfOptions:
    cmyk: bool = False
    marks: bool = False  # crop marks in a slug outside the bleed
    sheet: str | None = None  # impose on an A4 or A3 sheet


def _device(colour: str, cmyk: bool) -> DeviceCMYK | DeviceRGB:
    space, values = parse_colour(colour)
    if space == "cmyk":
        if cmyk:
            return DeviceCMYK(*values)
        c, m, y, k = values
        return DeviceRGB((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    r, g, b = values
    if not cmyk:
        return DeviceRGB(r, g, b)
    return DeviceCMYK(*cmyk_colour(r, g, b))  # black is 100 % K, never a four-colour black


class _Painter:
    """Draws card faces onto an fpdf2 document, positions in mm from the page's top-left."""

    def __init__(self, pdf: FPDF, subsets: FontSubsets, options: PdfOptions, layouts: list[CardLayout]):
        self.pdf = pdf
        self.subsets = subsets
        self.options = options
        self.fonts: dict[tuple[str, int], str] = {}
        # every character any card of this document draws: the embedded face must have them all
        self.characters: set[str] = set().union(*(layout.characters for layout in layouts))

    def card(self, layout: CardLayout, origin: tuple[float, float]) -> None:
        """The card with its trim's top-left corner at ``origin`` (mm); shapes stop at the bleed."""
        ox, oy = origin
        for face in layout.faces:
            self.face(face, layout, (ox + face.offset[0], oy + face.offset[1]))

    def face(self, face: CardFace, layout: CardLayout, origin: tuple[float, float]) -> None:
        fw, fh = layout.template.face_size
        ox, oy = origin
        if face.upside_down:
            cx, cy = (ox + fw / 2) * PT_PER_MM, (oy + fh / 2) * PT_PER_MM
            with self.pdf.rotation(180, cx, cy):
                self._items(face, layout, origin)
        else:
            self._items(face, layout, origin)

    def _items(self, face: CardFace, layout: CardLayout, origin: tuple[float, float]) -> None:
        for item in face.items:
            if isinstance(item, PlacedRect):
                self._rect(item.box, item.color, origin)
            elif isinstance(item, PlacedText):
                self._text(item, origin)
            elif isinstance(item, PlacedImage):
                x, y, w, h = item.box
                self.pdf.image(
                    cmyk_image(item.path) if self.options.cmyk else str(item.path),
                    (origin[0] + x) * PT_PER_MM,
                    (origin[1] + y) * PT_PER_MM,
                    w * PT_PER_MM,
                    h * PT_PER_MM,
                )
            elif isinstance(item, PlacedQr):
                self._qr(item, origin)

    def _rect(self, box: tuple[float, float, float, float], colour: str, origin: tuple[float, float]) -> None:
        x, y, w, h = box
        self.pdf.set_fill_color(_device(colour, self.options.cmyk))
        self.pdf.rect((origin[0] + x) * PT_PER_MM, (origin[1] + y) * PT_PER_MM, w * PT_PER_MM, h * PT_PER_MM, style="F")

    def _font(self, face: FontFace) -> str:
        key = (face.spec.id, face.index)
        name = self.fonts.get(key)
        if name is None:
            name = self.fonts[key] = f"f{len(self.fonts)}"
            self.pdf.add_font(name, "", str(self.subsets.path(face, self.characters)))
            # fpdf2 cuts each card's own subset from ours when it writes the PDF; saving it would
            # draw every glyph again to recompute the font's bounding box (a third of a card's
            # time): the box of the face it was cut from encloses every glyph, and is what it keeps
            added = self.pdf.fonts[name]
            assert isinstance(added, TTFFont)  # a font file, never one of the PDF's core fonts
            added.ttfont.recalcBBoxes = False
        return name

    def _text(self, item: PlacedText, origin: tuple[float, float]) -> None:
        layout = item.layout
        chain = layout.chain
        bx, by = (origin[0] + item.box[0]) * PX_PER_MM, (origin[1] + item.box[1]) * PX_PER_MM
        self.pdf.set_text_color(_device(item.color, self.options.cmyk))
        size_pt = layout.size / PX_PER_PT
        for line in layout.lines:
            for face_index, text, x in line.runs():
                self.pdf.set_font(self._font(chain.faces[face_index]), size=size_pt)
                self.pdf.text((bx + x) / PX_PER_PT, (by + line.baseline) / PX_PER_PT, text)

    def _qr(self, item: PlacedQr, origin: tuple[float, float]) -> None:
        x, y, side, _ = item.box
        count = len(item.modules) + 8
        module = side / count
        self.pdf.set_fill_color(_device(item.color, self.options.cmyk))
        for r, row in enumerate(item.modules):
            c = 0
            while c < len(row):  # one rectangle per run of dark modules
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                self.pdf.rect(
                    (origin[0] + x + (4 + start) * module) * PT_PER_MM,
                    (origin[1] + y + (4 + r) * module) * PT_PER_MM,
                    (c - start) * module * PT_PER_MM + 0.01,
                    module * PT_PER_MM + 0.01,
                    style="F",
                )

    def crop_marks(self, trim: tuple[float, float, float, float], bleed: float) -> None:
        """Eight short lines at the trim corners, starting just outside the bleed."""
        x, y, w, h = trim
        pdf = self.pdf
        pdf.set_line_width(MARK_WIDTH_PT)
        pdf.set_draw_color(DeviceCMYK(1, 1, 1, 1) if self.options.cmyk else DeviceRGB(0, 0, 0))
        start, end = bleed + MARK_GAP, bleed + MARK_GAP + MARK_LENGTH
        for cx in (x, x + w):
            for cy in (y, y + h):
                sx = -1 if cx == x else 1
                sy = -1 if cy == y else 1
                pdf.line(cx * PT_PER_MM, (cy + sy * start) * PT_PER_MM, cx * PT_PER_MM, (cy + sy * end) * PT_PER_MM)
                pdf.line((cx + sx * start) * PT_PER_MM, cy * PT_PER_MM, (cx + sx * end) * PT_PER_MM, cy * PT_PER_MM)

    def fold_marks(self, trim: tuple[float, float, float, float], bleed: float) -> None:
        """Dashed lines outside the bleed on both sides at a tent card's fold (the middle)."""
        x, y, w, h = trim
        pdf = self.pdf
        pdf.set_line_width(MARK_WIDTH_PT)
        pdf.set_draw_color(DeviceCMYK(1, 1, 1, 1) if self.options.cmyk else DeviceRGB(0, 0, 0))
        pdf.set_dash_pattern(dash=1.5 * PT_PER_MM, gap=1 * PT_PER_MM)
        fold = (y + h / 2) * PT_PER_MM
        start, end = bleed + MARK_GAP, bleed + MARK_GAP + MARK_LENGTH
        pdf.line((x - start) * PT_PER_MM, fold, (x - end) * PT_PER_MM, fold)
        pdf.line((x + w + start) * PT_PER_MM, fold, (x + w + end) * PT_PER_MM, fold)
        pdf.set_dash_pattern()

    def sheet_marks(self, slots: list[tuple[float, float]], card: tuple[float, float], bleed: float) -> None:
        """A mark outside the grid at the end of every cut line."""
        pdf = self.pdf
        pdf.set_line_width(MARK_WIDTH_PT)
        pdf.set_draw_color(DeviceCMYK(1, 1, 1, 1) if self.options.cmyk else DeviceRGB(0, 0, 0))
        xs = sorted({x for x, _ in slots} | {x + card[0] for x, _ in slots})
        ys = sorted({y for _, y in slots} | {y + card[1] for _, y in slots})
        left, right, top, bottom = xs[0] - bleed, xs[-1] + bleed, ys[0] - bleed, ys[-1] + bleed
        for x in xs:
            for y0, y1 in (
                (top - MARK_GAP, top - MARK_GAP - MARK_LENGTH),
                (bottom + MARK_GAP, bottom + MARK_GAP + MARK_LENGTH),
            ):
                pdf.line(x * PT_PER_MM, y0 * PT_PER_MM, x * PT_PER_MM, y1 * PT_PER_MM)
        for y in ys:
            for x0, x1 in (
                (left - MARK_GAP, left - MARK_GAP - MARK_LENGTH),
                (right + MARK_GAP, right + MARK_GAP + MARK_LENGTH),
            ):
                pdf.line(x0 * PT_PER_MM, y * PT_PER_MM, x1 * PT_PER_MM, y * PT_PER_MM)


def card_pdf(layouts: list[CardLayout], subsets: FontSubsets, options: PdfOptions) -> bytes:
    """One page per card (or sheets of imposed cards); bytes of the finished PDF."""
    first = layouts[0]
    if options.sheet:
        return _imposed(layouts, subsets, options)
    w, h = first.trim
    b = first.bleed
    slug = SLUG if options.marks else 0.0
    media = (w + 2 * (b + slug), h + 2 * (b + slug))
    pdf = _new_pdf(media)
    painter = _Painter(pdf, subsets, options, layouts)
    boxes = []
    for layout in layouts:
        pdf.add_page()
        painter.card(layout, (b + slug, b + slug))
        if options.marks:
            painter.crop_marks((b + slug, b + slug, w, h), b)
            if layout.template.fold == "tent":
                painter.fold_marks((b + slug, b + slug, w, h), b)
        boxes.append(((slug + b, slug + b, w, h), (slug, slug, w + 2 * b, h + 2 * b)))
    return _finish(bytes(pdf.output()), media, boxes, options)


def _new_pdf(media: tuple[float, float]) -> FPDF:
    pdf = FPDF(unit="pt", format=(media[0] * PT_PER_MM, media[1] * PT_PER_MM))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("signage")
    pdf.set_lang("zh")
    pdf.set_creation_date(FIXED_DATE)  # the same inputs give the same bytes: no clock in the file
    return pdf


def sheet_slots(
    card: tuple[float, float], bleed: float, sheet: str
) -> tuple[tuple[float, float], list[tuple[float, float]]]:
    """Sheet size and the trim origins of as many cards as fit.

    Neighbouring cards keep their own bleed (a gutter of two bleeds) and share cut
    lines; crop marks go outside the grid, so the margin holds a bleed and a mark.
    """
    sw, sh = PAGE_SIZES[sheet.upper()]
    cw, ch = card
    gutter = 2 * bleed
    margin = bleed + MARK_GAP + MARK_LENGTH + 1
    best: tuple[tuple[float, float], list[tuple[float, float]]] = ((sw, sh), [])
    for width, height in ((sw, sh), (sh, sw)):
        cols = max(0, int((width - 2 * margin + gutter) // (cw + gutter)))
        rows = max(0, int((height - 2 * margin + gutter) // (ch + gutter)))
        if cols * rows > len(best[1]):
            used_w = cols * cw + (cols - 1) * gutter
            used_h = rows * ch + (rows - 1) * gutter
            x0, y0 = (width - used_w) / 2, (height - used_h) / 2
            slots = [(x0 + c * (cw + gutter), y0 + r * (ch + gutter)) for r in range(rows) for c in range(cols)]
            best = ((width, height), slots)
    return best


def _imposed(layouts: list[CardLayout], subsets: FontSubsets, options: PdfOptions) -> bytes:
    first = layouts[0]
    sheet = options.sheet or "A4"
    size, slots = sheet_slots(first.trim, first.bleed, sheet)
    if not slots:
        raise SignageError(f"a {first.trim[0]:g}x{first.trim[1]:g} mm card does not fit on an {sheet} sheet")
    pdf = _new_pdf(size)
    painter = _Painter(pdf, subsets, options, layouts)
    cards = [layouts[i % len(layouts)] for i in range(max(len(layouts), len(slots)))]
    boxes = []
    for page_start in range(0, len(cards), len(slots)):
        pdf.add_page()
        for layout, origin in zip(cards[page_start : page_start + len(slots)], slots):
            painter.card(layout, origin)
        painter.sheet_marks(slots, first.trim, first.bleed)
        boxes.append(((0.0, 0.0, *size), (0.0, 0.0, *size)))
    return _finish(bytes(pdf.output()), size, boxes, options)


def _finish(
    data: bytes,
    media: tuple[float, float],
    boxes: list[tuple[tuple[float, float, float, float], tuple[float, float, float, float]]],
    options: PdfOptions,
) -> bytes:
    """TrimBox and BleedBox on every page (fpdf2 writes only the MediaBox), a subset tag per font and,
    in CMYK, the output intent."""
    height = media[1]

    def rect(box: tuple[float, float, float, float]) -> pikepdf.Array:
        x, y, w, h = box  # mm from the top-left -> points from the bottom-left
        return pikepdf.Array([round(v * PT_PER_MM, 3) for v in (x, height - y - h, x + w, height - y)])

    with pikepdf.open(io.BytesIO(data)) as doc:
        for page, (trim, bleed) in zip(doc.pages, boxes):
            page.obj.TrimBox = rect(trim)
            page.obj.BleedBox = rect(bleed)
        tag_subsets(doc)
        if options.cmyk:
            add_output_intent(doc)
        out = io.BytesIO()
        doc.save(out, compress_streams=True, deterministic_id=True)
    return out.getvalue()
