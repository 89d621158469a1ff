"""Paint a CardLayout at 300 dpi: the PNG preview of the trimmed card, from the same layout as the PDF."""

from __future__ import annotations

from PIL import Image, ImageDraw

from ..colour import rgb255
from ..thumbnail import reduce_to_thumbnail
from .layout import PX_PER_MM, CardFace, CardLayout, PlacedImage, PlacedQr, PlacedRect, PlacedText


def card_png(layout: CardLayout) -> Image.Image:
    """The trimmed card as an RGB image at 300 dpi."""
    w, h = (round(v * PX_PER_MM) for v in layout.trim)
    image = Image.new("RGB", (w, h), "white")
    fw, fh = (round(v * PX_PER_MM) for v in layout.template.face_size)
    for face in layout.faces:
        ox, oy = (round(v * PX_PER_MM) for v in face.offset)
        if face.upside_down:
            panel = Image.new("RGB", (fw, fh), "white")
            _paint(panel, face)
            image.paste(panel.rotate(180), (ox, oy))
        else:
            _paint(image, face, (ox, oy))
    if layout.template.fold == "tent":  # where to fold, as a dashed grey guide (the PDF marks it outside the trim)
        draw = ImageDraw.Draw(image)
        dash, gap = round(3 * PX_PER_MM), round(2 * PX_PER_MM)
        for x in range(0, w, dash + gap):
            draw.line((x, h // 2, min(w, x + dash), h // 2), fill=(150, 150, 150), width=max(1, round(PX_PER_MM / 4)))
    image.info["dpi"] = (300, 300)
    return image


def card_thumb(picture: Image.Image) -> Image.Image:
    """The card's picture reduced as the preview shows it (``picture`` itself, reduced in place: no
    copy of the 300-dpi picture). Made here, from the picture in memory, rather than by the preview
    decoding the 300-dpi PNG again after the build (2.8 CPU-s for the example's 108 cards, on the
    build's one busy core at its end)."""
    reduce_to_thumbnail(picture)
    return picture


def _paint(image: Image.Image, face: CardFace, origin: tuple[int, int] = (0, 0)) -> None:
    draw = ImageDraw.Draw(image)
    ox, oy = origin

    def px(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x, y, w, h = box
        return ox + x * PX_PER_MM, oy + y * PX_PER_MM, w * PX_PER_MM, h * PX_PER_MM

    for item in face.items:
        if isinstance(item, PlacedRect):
            x, y, w, h = px(item.box)
            draw.rectangle((round(x), round(y), round(x + w) - 1, round(y + h) - 1), fill=rgb255(item.color))
        elif isinstance(item, PlacedText):
            x, y, _, _ = px(item.box)
            layout = item.layout
            fill = rgb255(item.color)
            for line in layout.lines:
                for glyph in line.glyphs:  # one by one: unhinted positions, as in the PDF
                    font = layout.chain.faces[glyph.face].pillow(layout.size)
                    draw.text(
                        (round(x + glyph.x), round(y + line.baseline)), glyph.char, font=font, fill=fill, anchor="ls"
                    )
        elif isinstance(item, PlacedImage):
            x, y, w, h = px(item.box)
            with Image.open(item.path) as source:
                picture = source.convert("RGBA").resize((max(1, round(w)), max(1, round(h))), Image.Resampling.LANCZOS)
            image.paste(picture, (round(x), round(y)), picture)
        elif isinstance(item, PlacedQr):
            x, y, side, _ = px(item.box)
            module = side / (len(item.modules) + 8)
            fill = rgb255(item.color)
            for r, row in enumerate(item.modules):
                for c, dark in enumerate(row):
                    if dark:
                        x0, y0 = x + (4 + c) * module, y + (4 + r) * module
                        draw.rectangle(
                            (round(x0), round(y0), round(x0 + module) - 1, round(y0 + module) - 1), fill=fill
                        )
