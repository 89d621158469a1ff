"""The preview's thumbnails: their width, and the one reduction each goes through, whether a card
makes its own from the picture in memory (signage/card/raster.py) or the preview makes it from a
store file (signage/preview/thumbs.py)."""

from __future__ import annotations

from PIL import Image

THUMB_WIDTH = 320


def reduce_to_thumbnail(picture: Image.Image) -> None:
    """``picture`` reduced in place to ``THUMB_WIDTH`` px wide at most, its proportions kept (a
    file's picture is reduced while decoding where its format allows)."""
    picture.thumbnail((THUMB_WIDTH, 100 * THUMB_WIDTH), reducing_gap=2.0)
