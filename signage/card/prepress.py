"""What a print shop's preflight reads beyond the drawing: the printing condition a CMYK card is
made for (an output intent carrying its ICC profile), colours and images converted to it, and a
subset tag of its own on every embedded font.

The condition and its profile are named in :mod:`.icc`. RGB colours and pictures are
converted to it relative colorimetric with black point compensation (the profile's own grey
balance for a photo's greys); neutral template colours, black included, and greyscale pictures
go to the black plate alone, so grey text never depends on registration.
"""

from __future__ import annotations

import hashlib
import re
import string
import zlib
from functools import lru_cache
from pathlib import Path

import pikepdf
from PIL import Image, ImageCms

from ..errors import SignageError
from .icc import CONDITION, CONDITION_IDENTIFIER, PROFILE, PROFILE_NAME, REGISTRY, profile_bytes

_TAG = re.compile(r"^[A-Z]{6}\+")


def add_output_intent(doc: pikepdf.Pdf) -> None:
    """A GTS_PDFX output intent: the printing condition every DeviceCMYK value of the file is meant
    for, with the profile embedded, which is where prepress and RIPs look for it."""
    profile = pikepdf.Stream(doc, b"")
    profile.write(_compressed_profile(), filter=pikepdf.Name.FlateDecode)
    profile.N = 4
    profile.Alternate = pikepdf.Name.DeviceCMYK
    doc.Root.OutputIntents = pikepdf.Array(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent,
                S=pikepdf.Name.GTS_PDFX,
                OutputConditionIdentifier=pikepdf.String(CONDITION_IDENTIFIER),
                OutputCondition=pikepdf.String(CONDITION),
                RegistryName=pikepdf.String(REGISTRY),
                Info=pikepdf.String(PROFILE_NAME),
                DestOutputProfile=doc.make_indirect(profile),
            )
        ]
    )


@lru_cache(maxsize=1)
def _compressed_profile() -> bytes:
    """Compressed once a process: deflating the 1 MB profile for every card cost 90 ms a card."""
    return zlib.compress(profile_bytes(), 9)


@lru_cache(maxsize=1)
def _to_cmyk() -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"),
        ImageCms.ImageCmsProfile(str(PROFILE)),
        "RGB",
        "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )


def _convert(image: Image.Image) -> Image.Image:
    converted = ImageCms.applyTransform(image, _to_cmyk())
    assert converted is not None  # None only when converting in place
    return converted


@lru_cache(maxsize=4096)
def cmyk_colour(r: float, g: float, b: float) -> tuple[float, float, float, float]:
    """An sRGB colour (0..1) as the printing condition's C, M, Y, K (0..1); greys on K alone. Kept
    per process: LittleCMS takes about 15 ms for one pixel, and a card's few colours come back on
    every card."""
    if r == g == b:
        return (0.0, 0.0, 0.0, round(1 - r, 4))
    pixel = Image.new("RGB", (1, 1), tuple(round(v * 255) for v in (r, g, b)))
    values = _convert(pixel).getpixel((0, 0))
    assert isinstance(values, tuple)
    c, m, y, k = (round(v / 255, 4) for v in values)
    return (c, m, y, k)


def cmyk_image(path: Path) -> Image.Image:
    """A picture for a CMYK card: colour converted to the printing condition, greyscale to the
    black plate; a picture with transparency is refused (DeviceCMYK images carry no mask here)."""
    with Image.open(path) as opened:
        image = opened.copy()
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if "A" in image.getbands() and image.getextrema()[-1][0] < 255:
        raise SignageError(
            f"{path.name} has transparent pixels, which a CMYK card cannot keep: flatten it onto its "
            "background (or print this template without cmyk)"
        )
    if image.mode in ("1", "L", "LA", "I", "I;16", "F"):
        k = Image.eval(image.convert("L"), lambda v: 255 - v)
        blank = Image.new("L", image.size, 0)
        converted = Image.merge("CMYK", (blank, blank, blank, k))
    elif image.mode == "CMYK":
        converted = image  # already made for print: the supplier's separation is kept
    else:
        converted = _convert(image.convert("RGB"))
    converted.info.pop("icc_profile", None)  # else fpdf2 would tag the CMYK data with an RGB profile
    return converted


def tag_subsets(doc: pikepdf.Pdf) -> None:
    """A six-letter subset tag of its own for every embedded font (ISO 32000-1 §9.6.4), in place of
    the one tag fpdf2 gives them all; derived from the font's name and embedded bytes, so the same
    card gives the same file."""
    used: set[str] = set()
    for obj in doc.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != pikepdf.Name.Font:
            continue
        if obj.get("/Subtype") in (pikepdf.Name.CIDFontType0, pikepdf.Name.CIDFontType2):
            continue  # a descendant: renamed with its Type0 font
        base = str(obj.get("/BaseFont", ""))[1:]
        if not _TAG.match(base):
            continue  # a standard font: nothing embedded
        parts = [obj, *obj.DescendantFonts] if obj.get("/Subtype") == pikepdf.Name.Type0 else [obj]
        descriptor = parts[-1].get("/FontDescriptor")
        program = b""
        if descriptor is not None:
            stream = next((descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor), None)
            program = stream.read_bytes() if stream is not None else b""
        name = base[7:]
        tagged = pikepdf.Name(f"/{_unused_tag(name, program, used)}+{name}")
        for part in parts:
            part.BaseFont = tagged
        if descriptor is not None:
            descriptor.FontName = tagged


def _unused_tag(name: str, glyphs: bytes, used: set[str]) -> str:
    """Six capitals from a hash of the font; the next hash on the rare clash within one file."""
    for attempt in range(1000):
        number = int.from_bytes(hashlib.sha256(f"{name}\0{attempt}\0".encode() + glyphs).digest()[:8], "big")
        letters = []
        for _ in range(6):
            number, index = divmod(number, 26)
            letters.append(string.ascii_uppercase[index])
        tag = "".join(letters)
        if tag not in used:
            used.add(tag)
            return tag
    raise AssertionError("no free subset tag")  # 26^6 tags for a handful of fonts
