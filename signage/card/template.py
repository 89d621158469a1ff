"""Card templates (templates/card/NAME.yaml): page, bleed, safe area and blocks, in millimetres."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..colour import Colour
from ..project.config import Strict
from ..sizes import parse_wxh
from ..typography.linebreak import BreakLevel

PAGE_SIZES = {
    "A3": (297.0, 420.0),
    "A4": (210.0, 297.0),
    "A5": (148.0, 210.0),
    "A6": (105.0, 148.0),
    "90x54": (90.0, 54.0),
}
Mm = Annotated[float, Field(ge=-50, le=2000)]
Box = tuple[Mm, Mm, Annotated[float, Field(gt=0, le=2000)], Annotated[float, Field(gt=0, le=2000)]]


class Block(Strict):
    box: Box  # x, y, width, height in mm from the trim's top-left corner
    name: str = ""


class TextBlock(Block):
    type: Literal["text"]
    text: str  # Jinja2 over slogan / case / project
    role: str = "sans"
    # pt, or [max, min] pt to fit; print shops ask for at least 6 pt
    size: (
        tuple[Annotated[float, Field(ge=6, le=1000)], Annotated[float, Field(ge=6, le=1000)]]
        | Annotated[float, Field(ge=6, le=1000)]
    ) = 12
    max_lines: Annotated[int, Field(ge=1)] | None = None
    line_height: Annotated[float, Field(ge=0.8, le=3)] = 1.35
    color: Colour = "black"
    align: Literal["left", "center", "right", "justify"] = "left"
    valign: Literal["top", "middle", "bottom"] = "top"
    headline: bool = False
    break_level: BreakLevel = BreakLevel.basic
    # a line starting with a bullet or a number (● , 1. , 2、, （3）) wraps under its text, not the margin
    hanging: bool = True
    # one size across the template's catalogue: the size most of its texts fit at (a text that
    # cannot fit there goes smaller); for titles that should look alike from card to card
    same_size: bool = False
    # flow: the box starts ``gap`` mm below where the named earlier text block's text ends
    # (its bottom edge stays), so sections stack with their real heights
    after: str | None = None
    gap: Annotated[float, Field(ge=0, le=100)] = 2.0

    @property
    def sizes_pt(self) -> tuple[float, float]:
        if isinstance(self.size, tuple):
            return max(self.size), min(self.size)
        return self.size, self.size


class HotlineBlock(Block):
    type: Literal["hotline"]
    label: str = "{{ hotline_name }}"
    number: str = "{{ hotline }}"
    role: str = "sans-bold"
    color: Colour = "black"
    label_color: Colour | None = None
    align: Literal["left", "center", "right"] = "center"


class RectBlock(Block):
    type: Literal["rect"]
    color: Colour
    # a side that touches the trim runs on to the bleed edge, so trimming leaves no white hairline
    bleed: bool = True


class ImageBlock(Block):
    type: Literal["image"]
    file: str  # relative to the project folder

    @field_validator("file")
    @classmethod
    def _inside(cls, value: str) -> str:
        if Path(value).is_absolute() or ".." in Path(value).parts:
            raise ValueError(f"image {value!r} must be a file inside the project folder")
        return value


class QrBlock(Block):
    type: Literal["qr"]
    data: str  # Jinja2, e.g. "{{ app_url }}"
    color: Colour = "black"
    error: Literal["L", "M", "Q", "H"] = "M"
    min_module: Annotated[float, Field(gt=0)] = 0.3  # mm: smaller modules do not scan once printed


CardBlock = Annotated[TextBlock | HotlineBlock | RectBlock | ImageBlock | QrBlock, Field(discriminator="type")]


class AppliesTo(Strict):
    """Which slogans a slogan card is made for in the catalogue (all when empty)."""

    kinds: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class PrintSettings(Strict):
    """How `signage build` writes this template's PDFs for the print shop."""

    cmyk: bool = False  # DeviceCMYK colours, black text as 100 % K
    marks: bool = False  # crop marks in a slug outside the bleed


class CardTemplate(Strict):
    """A printed card or sign; ``fold: tent`` prints the face twice, the top one upside down."""

    name: str = ""
    content: Literal["slogan", "case"]
    page: str = "A6"
    orientation: Literal["portrait", "landscape"] = "portrait"
    bleed: Annotated[float, Field(ge=0, le=10)] = 3.0
    safe: Annotated[float, Field(ge=0, le=30)] = 3.0
    fold: Literal["none", "tent"] = "none"
    print: PrintSettings = Field(default_factory=PrintSettings)  # what build's PDFs are made with
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    # fixed wording per locale, used in blocks as {{ strings.title }}
    strings: dict[str, dict[str, str]] = Field(default_factory=dict)
    blocks: Annotated[list[CardBlock], Field(min_length=1)]

    @field_validator("page", mode="before")
    @classmethod
    def _page_is_text(cls, value: object) -> object:
        if isinstance(value, (int, float)):
            # pydantic turns ValueError (not TypeError) into a located message
            raise ValueError(  # noqa: TRY004
                f'write the page size in quotes, e.g. "90x54" (YAML read it as the number {value})'
            )
        return value

    @model_validator(mode="after")
    def _sane(self) -> CardTemplate:
        width, height = self.face_size
        if self.safe * 2 >= min(width, height):
            raise ValueError(f"safe: {self.safe:g} mm margins leave nothing of a {width:g}x{height:g} mm face")
        earlier: set[str] = set()
        for n, block in enumerate(self.blocks):
            x, y, w, h = block.box
            if isinstance(block, TextBlock):
                if block.after is not None and block.after not in earlier:
                    raise ValueError(
                        f"blocks[{n}] ({block.name or 'text'}): after: {block.after!r} is not the name of an "
                        "earlier text block"
                    )
                if block.name:
                    earlier.add(block.name)
            if isinstance(block, RectBlock):
                continue
            s = self.safe
            if x < s - 1e-6 or y < s - 1e-6 or x + w > width - s + 1e-6 or y + h > height - s + 1e-6:
                raise ValueError(
                    f"blocks[{n}] ({block.type} {block.name or ''}) leaves the safe area: keep it {s:g} mm "
                    f"inside the {width:g}x{height:g} mm face"
                )
        return self

    @property
    def trim_size(self) -> tuple[float, float]:
        """Width and height of the trimmed sheet in mm."""
        size = PAGE_SIZES.get(self.page.upper()) or PAGE_SIZES.get(self.page)
        if size is None:
            try:
                size = parse_wxh(self.page, "page")
            except ValueError:
                raise ValueError(f"page {self.page!r} is not A3-A6, 90x54 or WxH in mm") from None
        w, h = size
        if not (20 <= w <= 1200 and 20 <= h <= 1200):
            raise ValueError(f"page {self.page!r}: each side must be 20 to 1200 mm")
        if self.orientation == "landscape":
            w, h = max(w, h), min(w, h)
        else:
            w, h = min(w, h), max(w, h)
        return w, h

    @property
    def face_size(self) -> tuple[float, float]:
        """The area the blocks are placed in: the whole trim, or one half of a tent card."""
        w, h = self.trim_size
        return (w, h / 2) if self.fold == "tent" else (w, h)

    def font_roles(self) -> list[tuple[str, str]]:
        return [
            (f"blocks[{n}].role", b.role) for n, b in enumerate(self.blocks) if isinstance(b, (TextBlock, HotlineBlock))
        ]

    def project_files(self) -> list[tuple[str, str]]:
        return [(f"blocks[{n}].file", b.file) for n, b in enumerate(self.blocks) if isinstance(b, ImageBlock)]

    def text_sources(self) -> list[str]:
        sources: list[str] = []
        for block in self.blocks:
            if isinstance(block, TextBlock):
                sources.append(block.text)
            elif isinstance(block, HotlineBlock):
                sources += [block.label, block.number]
            elif isinstance(block, QrBlock):
                sources.append(block.data)
        return sources
