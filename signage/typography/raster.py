"""Paint a TextLayout onto a Pillow image: the raster painter shared by previews, LED and video."""

from __future__ import annotations

from PIL import Image, ImageDraw

from ..errors import SignageError
from .layout import TextLayout

Colour = int | str | tuple[int, ...]
MAX_PREVIEW_PIXELS = 60_000_000


def paint_text(
    image: Image.Image,
    layout: TextLayout,
    origin: tuple[float, float] = (0, 0),
    fill: Colour = "black",
    antialias: bool | None = None,
) -> None:
    """Draw every line of ``layout`` with the box's top-left corner at ``origin``.

    Bitmap fonts (and ``antialias=False``) are drawn 1-bit: no grey pixels.
    """
    draw = ImageDraw.Draw(image)
    smooth = not layout.chain.is_bitmap if antialias is None else antialias
    draw.fontmode = "L" if smooth else "1"
    ox, oy = origin
    for line in layout.lines:
        for face_index, text, x in line.runs():
            font = layout.chain.faces[face_index].pillow(layout.size)
            position = (ox + x, oy + line.baseline)
            if not smooth:
                position = (round(position[0]), round(position[1]))
            draw.text(position, text, font=font, fill=fill, anchor="ls")


def preview(layout: TextLayout, scale: int = 1, margin: int = 12) -> Image.Image:
    """A picture of the box (grey frame), each line's em box (pale blue) and the text."""
    width = int(layout.box.width)
    height = int(layout.box.height if layout.box.height is not None else max(layout.height, layout.size))
    pixels = (width + 2 * margin) * (height + 2 * margin) * scale * scale
    if pixels > MAX_PREVIEW_PIXELS:
        raise SignageError(f"the preview would be {pixels / 1e6:.0f} megapixels: use a smaller box or --scale")
    canvas = Image.new("RGB", (width + 2 * margin, height + 2 * margin), "white")
    draw = ImageDraw.Draw(canvas)
    for line in layout.lines:
        top = margin + line.y
        draw.rectangle(
            (margin + line.x, top, margin + line.x + max(line.width, 1) - 1, top + layout.size - 1),
            fill=(226, 238, 252),
        )
    draw.rectangle((margin - 1, margin - 1, margin + width, margin + height), outline=(150, 150, 150))
    paint_text(canvas, layout, (margin, margin), fill=(20, 20, 20))
    if scale > 1:
        canvas = canvas.resize((canvas.width * scale, canvas.height * scale), Image.Resampling.NEAREST)
    return canvas
