"""Pictures written as PNG by signage/png.py (the cards' 300-dpi pictures): Pillow and Debian's
Chromium read back every pixel as it was, the resolution is kept, and a flat picture with text
compresses as Pillow's own does."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from signage.png import png_bytes

from .helpers import REPO

CHROMIUM = Path("/usr/bin/chromium")


def _pictures() -> dict[str, Image.Image]:
    rng = np.random.default_rng(7)
    noise = Image.fromarray(rng.integers(0, 256, (37, 53, 3), dtype=np.uint8))  # odd sizes, every byte value
    card = Image.new("RGB", (620, 877), "#fff6e0")
    draw = ImageDraw.Draw(card)
    draw.rectangle([0, 0, 620, 140], fill="#c8102e")
    font = ImageFont.truetype(str(REPO / "fonts" / "NotoSansCJK-Bold.ttc"), 48)
    draw.text((40, 40), "谨防电信诈骗", font=font, fill="white")
    draw.text((40, 300), "验证码就是钱 96110", font=font, fill="#1a1a1a")
    graded = Image.new("L", (64, 200))
    graded.putdata([y for y in range(200) for _ in range(64)])
    see_through = Image.fromarray(rng.integers(0, 256, (20, 30, 4), dtype=np.uint8))  # RGBA
    return {"noise": noise, "card": card, "graded": graded, "see-through": see_through}


@pytest.mark.parametrize("name", ["noise", "card", "graded", "see-through"])
def test_pillow_reads_back_every_pixel_and_the_resolution(name: str) -> None:
    picture = _pictures()[name]
    data = png_bytes(picture, dpi=(300, 300))
    back = Image.open(io.BytesIO(data))
    back.load()  # verifies every chunk's CRC and the zlib stream
    assert back.mode == picture.mode and back.size == picture.size
    assert np.array_equal(np.asarray(back), np.asarray(picture))
    assert back.info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_a_card_compresses_as_pillows_own_png_does() -> None:
    card = _pictures()["card"]
    ours = len(png_bytes(card))
    pillows = io.BytesIO()
    card.save(pillows, "PNG", compress_level=1)
    assert ours < 1.15 * len(pillows.getvalue())


def test_other_modes_are_converted_first() -> None:
    palette = _pictures()["card"].quantize(16)
    back = Image.open(io.BytesIO(png_bytes(palette)))
    assert back.mode == "RGB" and np.array_equal(np.asarray(back), np.asarray(palette.convert("RGB")))
    # transparency survives: a premultiplied alpha band, and a palette with a transparent entry
    half = Image.new("RGBA", (8, 4), (200, 100, 50, 128)).convert("RGBa")
    back = Image.open(io.BytesIO(png_bytes(half)))
    assert back.mode == "RGBA" and np.array_equal(np.asarray(back), np.asarray(half.convert("RGBA")))
    keyed = palette.copy()
    keyed.info["transparency"] = 0
    back = Image.open(io.BytesIO(png_bytes(keyed)))
    assert back.mode == "RGBA" and np.array_equal(np.asarray(back), np.asarray(keyed.convert("RGBA")))
    assert (np.asarray(back)[..., 3] == 0).any()


def test_chromium_draws_every_pixel_as_written(browser) -> None:  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        if os.environ.get("SIGNAGE_BROWSER_TESTS") == "required":
            raise RuntimeError("Debian's chromium is required for the browser tests: apt-get install chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    picture = _pictures()["noise"]
    url = "data:image/png;base64," + base64.b64encode(png_bytes(picture)).decode()
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_content("<canvas id=c></canvas>")
    pixels = page.evaluate(
        """async (url) => {
            const img = new Image();
            img.src = url;
            await img.decode();
            const c = document.getElementById('c');
            c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d', {colorSpace: 'srgb'});
            g.drawImage(img, 0, 0);
            return Array.from(g.getImageData(0, 0, c.width, c.height).data);
        }""",
        url,
    )
    page.close()
    assert errors == []
    shown = np.array(pixels, np.uint8).reshape(picture.height, picture.width, 4)
    assert np.array_equal(shown[:, :, :3], np.asarray(picture)) and (shown[:, :, 3] == 255).all()
