"""From a video template and content to a timeline of still states, each laid out by the typography core.

A state is one picture that holds for a while: a title card, each step of a story as
its lines appear, a slogan, the hotline. Frames are these states, crossfaded where one
gives way to the next, with the ticker bar pasted on top.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageChops

from ..colour import rgb255
from ..errors import Problem, SignageError, TextOverflowError
from ..project.files import inside
from ..project.model import Project
from ..scroll import padded_gap
from ..typography.fonts import FontRegistry
from ..typography.layout import Box, TextLayout, TextStyle, fit_text
from ..typography.raster import paint_text
from .template import Background, Scene, VideoTemplate

# Default boxes (fractions of the picture area) and sizes (fractions of the shorter side).
_BOXES = {
    "title": (0.08, 0.14, 0.84, 0.72),
    "story": (0.08, 0.10, 0.84, 0.80),
    "slogan": (0.08, 0.12, 0.84, 0.76),
    "hotline": (0.08, 0.16, 0.84, 0.68),
}
_SIZES = {"title": (0.10, 0.04), "story": (0.075, 0.035), "slogan": (0.11, 0.045), "hotline": (0.09, 0.04)}
_LABEL_LEAST = 0.03  # the hotline's label: its least size
_VISIBLE = re.compile(r"\w", re.UNICODE)


@dataclass
class PlacedText:
    name: str
    text: str
    box: tuple[int, int, int, int]  # x, y, w, h in canvas px
    layout: TextLayout
    color: str

    def to_dict(self) -> dict[str, Any]:
        x, y, _, _ = self.box
        return {
            "name": self.name,
            "text": self.text,
            "box": list(self.box),
            "size": self.layout.size,
            "lines": [
                {
                    "text": line.text,
                    "x": round(x + line.x),
                    "y": round(y + line.y),
                    "width": round(line.width),
                    "height": self.layout.size,
                }
                for line in self.layout.lines
            ],
        }


@dataclass
class State:
    """A still picture of the timeline and how long it holds."""

    scene: int
    kind: str
    duration: float
    fade_in: float  # seconds of crossfade from the previous state
    texts: list[PlacedText]
    cue: str  # the text this state adds, for the SRT file
    image: Image.Image | None = None
    start: float = 0.0
    rows: tuple[int, int] | None = None  # the rows (even bounds) where the picture differs from the background


@dataclass
class Timeline:
    background: Image.Image
    states: list[State] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.states)

    def paint(self, index: int) -> State:
        """The state with its picture painted (done when first needed, so encoding starts early)."""
        state = self.states[index]
        if state.image is None:
            state.image = _paint(self.background, state.texts)
            state.rows = _changed_rows(state.image, self.background)
        return state


def background_image(spec: Background, size: tuple[int, int], root: Path, where: str = "") -> Image.Image:
    w, h = size
    if spec.color is not None:
        return Image.new("RGB", size, rgb255(spec.color))
    if spec.gradient is not None:
        top, bottom = (np.array(rgb255(c), np.float32) for c in spec.gradient)
        ramp = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        rows = top + (bottom - top) * ramp
        return Image.fromarray(np.rint(np.broadcast_to(rows, (h, w, 3))).astype(np.uint8))
    assert spec.image is not None
    try:
        path = inside(root, spec.image)
    except ValueError as exc:
        raise SignageError(Problem(str(exc), item=where)) from None
    try:
        with Image.open(path) as source:
            picture = source.convert("RGB")
    except FileNotFoundError:
        raise SignageError(Problem(f"background image {spec.image} not found in {root}", item=where)) from None
    except OSError as exc:
        raise SignageError(Problem(f"background image {spec.image} cannot be read: {exc}", item=where)) from None
    scale = max(w / picture.width, h / picture.height)  # cover, then crop the middle
    picture = picture.resize((max(w, round(picture.width * scale)), max(h, round(picture.height * scale))))
    left, top = (picture.width - w) // 2, (picture.height - h) // 2
    return picture.crop((left, top, left + w, top + h))


def reading_time(text: str, template: VideoTemplate) -> float:
    """Seconds to read ``text`` at the template's speed, within its minimum and maximum.

    A digit counts as three characters: a number (the hotline, an amount) is read digit
    by digit and, to be remembered, read again.
    """
    visible = _VISIBLE.findall(text)
    chars = len(visible) + 2 * sum(c.isdigit() for c in visible)
    r = template.reading
    return min(r.max, max(r.min, chars / r.chars_per_second))


@dataclass
class VideoTexts:
    """Every text a video shows, expressions filled: per scene, part name -> text; and the ticker's."""

    scenes: list[dict[str, str]]
    ticker: str | None = None
    # Per scene, the seconds it holds whatever its own text's reading time: a video made for each
    # branch holds a scene that names the branch as long as the branch with the longest text needs,
    # so every branch's video has the same timing and shares every later scene (see same_timing).
    holds: list[float | None] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scenes": self.scenes, "ticker": self.ticker}
        if self.holds is not None:
            out["holds"] = self.holds
        return out


def scene_reading_time(scene: dict[str, str], template: VideoTemplate) -> float:
    """The reading time of a one-still scene (a title, a slogan, the hotline): all of its texts."""
    return reading_time("\n".join(scene.values()), template)


def resolve_texts(project: Project, template: VideoTemplate, ctx: dict[str, Any]) -> VideoTexts:
    """Fill every scene's and the ticker's expressions for one piece of content."""

    problems: list[Problem] = []

    def fill(source: str, where: str) -> str:
        return project.fill_template("video", template.name, source, ctx, where, problems)

    scenes = []
    for n, scene in enumerate(template.scenes):
        where = f"{template.name}.scenes[{n}]"
        if scene.type == "story":
            scenes.append({"lines": fill(scene.lines, where)})
        elif scene.type == "title":
            scenes.append({"kicker": fill(scene.kicker, where), "title": fill(scene.text, where)})
        elif scene.type == "slogan":
            scenes.append({"slogan": fill(scene.text, where)})
        else:
            scenes.append(
                {"label": fill(scene.text or "{{ hotline_name }}", where), "number": fill(scene.number, where)}
            )
    ticker = None
    if template.ticker is not None:
        ticker = fill(template.ticker.text, f"{template.name}.ticker").replace("\n", "　").strip()
    if problems:  # every part's problem at once, not the first
        raise SignageError(problems)
    return VideoTexts(scenes, ticker)


class _SceneLayout:
    """Places one scene's texts with the typography core."""

    def __init__(self, fonts: FontRegistry, template: VideoTemplate, locale: str, picture: tuple[int, int]):
        self.fonts, self.template, self.locale = fonts, template, locale
        self.picture = picture

    def box(self, scene: Scene, part: tuple[float, float] = (0.0, 1.0)) -> tuple[int, int, int, int]:
        fx, fy, fw, fh = scene.box or _BOXES[scene.type]
        w, h = self.picture
        top, share = part
        return round(fx * w), round((fy + fh * top) * h), round(fw * w), round(fh * share * h)

    def fit(
        self,
        scene: Scene,
        n: int,
        name: str,
        text: str,
        box: tuple[int, int, int, int],
        sizes: tuple[float, float],
        color: str,
        headline: bool = True,
        max_lines: int | None = None,
        paragraph_gap: float = 0.0,
    ) -> PlacedText:
        short = min(self.template.dimensions)
        style = TextStyle(
            role=scene.role,
            size=max(8, round(sizes[0] * short)),
            min_size=max(8, round(sizes[1] * short)),
            max_lines=max_lines,
            line_height=1.3,
            paragraph_gap=paragraph_gap,
            align="center",
            valign="middle",
            headline=headline,
        )
        chain = self.fonts.chain(scene.role, self.locale)
        where = f"{self.template.name}.scenes[{n}] ({scene.type}) {name}"
        try:
            layout = fit_text(text, Box(box[2], box[3]), style, chain, item=where)
        except TextOverflowError as exc:
            raise SignageError(
                Problem(f"does not fit its {box[2]}x{box[3]} px box: {exc.overflow}", item=where)
            ) from None
        return PlacedText(name, text, box, layout, color)


def build_timeline(
    template: VideoTemplate,
    texts: VideoTexts,
    fonts: FontRegistry,
    root: Path,
    locale: str,
    duration: float | None = None,
) -> Timeline:
    """Every state of the video, laid out and timed (durations scaled to ``duration`` if given)."""
    w, h = template.dimensions
    timeline = Timeline(background_image(template.background, (w, h), root, f"{template.name}.background"))
    timeline.states = lay_out_states(template, texts, fonts, locale)
    if timeline.states and duration is not None:
        if duration < 0.5 * len(timeline.states):
            raise SignageError(
                f"--duration {duration:g} s is too short for {len(timeline.states)} stills "
                f"(at least {0.5 * len(timeline.states):g} s)"
            )
        scale = duration / timeline.duration
        for state in timeline.states:
            state.duration *= scale
            state.fade_in = min(state.fade_in, state.duration / 2)
    start = 0.0
    for state in timeline.states:
        state.start = start
        start += state.duration
    return timeline


def lay_out_states(template: VideoTemplate, texts: VideoTexts, fonts: FontRegistry, locale: str) -> list[State]:
    """Every still of the scenes with its texts laid out, unpainted and untimed: what the video
    draws, and what ``check`` measures against the screen's least text height."""
    w, h = template.dimensions
    picture_h = h - (template.ticker.height if template.ticker else 0)
    place = _SceneLayout(fonts, template, locale, (w, picture_h))
    states: list[State] = []
    for n, scene in enumerate(template.scenes):
        hold = texts.holds[n] if texts.holds else None
        states += _scene_states(place, scene, n, texts.scenes[n], hold)
    return states


def _scene_states(
    place: _SceneLayout, scene: Scene, n: int, shown: dict[str, str], hold: float | None = None
) -> list[State]:
    t = place.template
    sizes = scene.size or _SIZES[scene.type]
    if scene.type == "story":
        lines = [line.strip() for line in shown["lines"].split("\n") if line.strip()]
        if not lines:
            raise SignageError(Problem("a story scene needs lines", item=f"{t.name}.scenes[{n}]"))
        # Each story line is a short sentence read at a distance: set as display text (balanced,
        # never cut inside a word), with a little space between them.
        whole = place.fit(scene, n, "lines", "\n".join(lines), place.box(scene), sizes, scene.color, paragraph_gap=0.4)
        states = []
        for k, line in enumerate(lines):
            revealed = _first_paragraphs(whole, k + 1)
            states.append(
                State(
                    n,
                    "story",
                    scene.duration or reading_time(line, t),
                    t.crossfade if k == 0 else t.reveal_fade,
                    [revealed],
                    line,
                )
            )
        return states
    texts: list[PlacedText] = []
    if scene.type == "title":
        kicker, title = shown["kicker"], shown["title"]
        if kicker:
            texts.append(
                place.fit(
                    scene,
                    n,
                    "kicker",
                    kicker,
                    place.box(scene, (0.0, 0.2)),
                    (0.45 * sizes[0], 0.025),
                    scene.accent,
                    max_lines=1,
                )
            )
        texts.append(
            place.fit(
                scene,
                n,
                "title",
                title,
                place.box(scene, (0.2 if kicker else 0.0, 0.8 if kicker else 1.0)),
                sizes,
                scene.color,
            )
        )
    elif scene.type == "slogan":
        texts.append(place.fit(scene, n, "slogan", shown["slogan"], place.box(scene), sizes, scene.color))
    else:  # hotline
        label, number = shown["label"], shown["number"]
        number_sizes = scene.size or (0.3, 0.06)
        # the label a fifth of the number's largest size, never below 0.03 of the short side: read
        # from the waiting seats (before, a fifth of the scene's text size: 19 px against a floor of 32)
        label_sizes = (max(0.2 * number_sizes[0], _LABEL_LEAST), _LABEL_LEAST)
        texts.append(
            place.fit(scene, n, "label", label, place.box(scene, (0.0, 0.3)), label_sizes, scene.color, max_lines=1)
        )
        texts.append(
            place.fit(scene, n, "number", number, place.box(scene, (0.3, 0.7)), number_sizes, scene.accent, max_lines=1)
        )
    cue = "\n".join(p.text for p in texts)
    return [State(n, scene.type, scene.duration or hold or reading_time(cue, t), t.crossfade, texts, cue)]


def _first_paragraphs(placed: PlacedText, count: int) -> PlacedText:
    """The story text with only its first ``count`` lines of content showing (positions kept)."""
    ends = [i for i, c in enumerate(placed.text) if c == "\n"] + [len(placed.text)]
    limit = ends[count - 1]
    lines = tuple(line for line in placed.layout.lines if line.start < limit)
    shown_text = placed.text[:limit]
    return PlacedText(
        placed.name, shown_text, placed.box, dataclasses.replace(placed.layout, lines=lines), placed.color
    )


def _changed_rows(image: Image.Image, background: Image.Image) -> tuple[int, int] | None:
    box = ImageChops.difference(image, background).getbbox()
    if box is None:
        return None
    top, bottom = box[1] - box[1] % 2, box[3] + box[3] % 2
    return top, min(bottom, image.height)


def union_rows(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), max(a[1], b[1])


def _paint(background: Image.Image, texts: list[PlacedText]) -> Image.Image:
    image = background.copy()
    for placed in texts:
        paint_text(image, placed.layout, (placed.box[0], placed.box[1]), fill=rgb255(placed.color))
    return image


def ticker_strip(
    template: VideoTemplate, text: str, fonts: FontRegistry, locale: str
) -> tuple[Image.Image, str, list[tuple[str, float, float]]]:
    """The ticker as one strip (bar colour, text vertically centred, then a gap), its text,
    and each piece of it (a slogan between wide spaces) with its left and right x."""
    ticker = template.ticker
    assert ticker is not None
    if not text:
        raise SignageError(Problem("the ticker has no text", item=f"{template.name}.ticker"))
    chain = fonts.chain(ticker.role, locale)
    message = chain.missing_message(text)
    if message:
        raise SignageError(Problem(message, item=f"{template.name}.ticker"))
    if ticker.size > ticker.height:
        raise SignageError(
            Problem(f"size {ticker.size} px is taller than the {ticker.height} px bar", item=f"{template.name}.ticker")
        )
    layout = fit_text(text, Box(10**8), TextStyle(role=ticker.role, size=ticker.size, line_height=1.0), chain)
    text_w = int(np.ceil(layout.width))
    text_w += text_w % 2
    width = template.dimensions[0]
    # a loop that divides by the speed (seamless) and by 2 (4:2:0 chroma)
    gap = padded_gap(text_w, width if ticker.gap is None else ticker.gap, math.lcm(ticker.speed, 2))
    strip = Image.new("RGB", (text_w + gap, ticker.height), rgb255(ticker.background))
    top = (ticker.height - ticker.size) // 2
    paint_text(strip, layout, (0, top), fill=rgb255(ticker.color))
    x_of = {g.index: (g.x, g.x + g.advance) for line in layout.lines for g in line.glyphs}
    pieces = [
        (m.group(), x_of[m.start()][0], x_of[m.end() - 1][1])
        for m in re.finditer(r"[^\s\u3000]+(?:\s[^\s\u3000]+)*", text)
        if m.start() in x_of
    ]
    return strip, text, pieces
