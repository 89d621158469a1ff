"""LED files as controllers take them: exact-size PNG/BMP pages, scroll strip, GIF, MP4.

Single-colour signs get 1-bit BMPs and two-colour PNGs; dual-colour signs only black,
red, green and yellow; full-colour signs RGB and an H.264 MP4 of the scroll. Beside them
a dot preview (each LED pixel a round dot) and manifest.json.
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..colour import rgb255
from ..errors import SignageError
from ..ffmpeg import (
    BT709_TAGS,
    clip_frames,
    ffmpeg_exe,
    run_ffmpeg,
    still_clips,
    x264_exact_options,
    x264_options,
)
from ..project.config import LedScreen
from ..scroll import looped, padded_gap, scroll_offsets
from .render import EMPHASIS, OFF, TEXT, LedRender, LedStrip
from .template import LedTemplate, Palette

RGB = tuple[int, int, int]
SINGLE: dict[str, RGB] = {"red": (255, 0, 0), "green": (0, 255, 0), "yellow": (255, 255, 0), "white": (255, 255, 255)}
DUAL: dict[str, RGB] = {"red": (255, 0, 0), "green": (0, 255, 0), "yellow": (255, 255, 0)}
BLACK: RGB = (0, 0, 0)
DEFAULT_PALETTES = {"dual": Palette(text="red", emphasis="yellow"), "full": Palette(text="#ff2a2a", emphasis="#ffd400")}
PREVIEW_BG: RGB = (18, 18, 18)
PREVIEW_UNLIT: RGB = (48, 40, 40)
LOBBY_PRESET = "ultrafast"


class ScreenColours:
    """How palette indices (off, text, emphasis) become the screen's colours and files."""

    def __init__(self, screen: LedScreen, template: LedTemplate):
        self.mode = screen.color
        if screen.color in SINGLE:
            colour = SINGLE[screen.color]
            self.palette: list[RGB] = [BLACK, colour]  # the file's palette
            self.index_map = [0, 1, 1]  # OFF, TEXT, EMPHASIS -> file palette index
        elif screen.color == "dual":
            pal = template.colors.get("dual") or DEFAULT_PALETTES["dual"]
            self.palette = [BLACK, DUAL["red"], DUAL["green"], DUAL["yellow"]]
            order = ["black", "red", "green", "yellow"]
            self.index_map = [0, order.index(pal.text), order.index(pal.emphasis or pal.text)]
        else:
            pal = template.colors.get("full") or DEFAULT_PALETTES["full"]
            self.palette = [rgb255(pal.background), rgb255(pal.text), rgb255(pal.emphasis or pal.text)]
            self.index_map = [0, 1, 2]

    def indexed(self, index_image: Image.Image) -> Image.Image:
        """The index image as a palette image with exactly this screen's colours."""
        mapped = index_image.point(self.index_map + [0] * (256 - len(self.index_map)))
        return palette_image(np.asarray(mapped), [c for rgb in self.palette for c in rgb])

    def rgb(self, index_image: Image.Image) -> Image.Image:
        return self.indexed(index_image).convert("RGB")

    def png(self, index_image: Image.Image) -> Image.Image:
        """Full colour: RGB; single and dual: a palette of only the screen's colours."""
        return self.rgb(index_image) if self.mode == "full" else self.indexed(index_image)

    def bmp(self, index_image: Image.Image) -> Image.Image:
        """Single colour: 1 bit per pixel; dual: 8-bit palette; full: 24-bit."""
        if self.mode in SINGLE:
            return index_image.point(lambda v: 255 if v else 0, mode="1")
        return self.png(index_image)


def dot_preview(index_image: Image.Image, colours: ScreenColours, scale: int = 8) -> Image.Image:
    """Each LED pixel drawn as a round dot, scale x scale: what staff see on the sign.

    A palette image (background, unlit dot, text, emphasis): small and quick to encode.
    """
    w, h = index_image.size
    big = np.asarray(index_image.resize((w * scale, h * scale), Image.Resampling.NEAREST))
    # palette 0 is the background between dots; 1 + state is a dot's colour
    out = np.where(_disc_mask(scale, h, w), big + 1, 0).astype(np.uint8)
    lit = [colours.palette[colours.index_map[state]] for state in (TEXT, EMPHASIS)]
    return palette_image(out, [c for rgb in (PREVIEW_BG, PREVIEW_UNLIT, *lit) for c in rgb])


@lru_cache(maxsize=16)
def _disc_mask(scale: int, rows: int, columns: int) -> np.ndarray:
    yy, xx = np.mgrid[0:scale, 0:scale] + 0.5
    disc = np.hypot(yy - scale / 2, xx - scale / 2) <= scale * 0.42
    return np.tile(disc, (rows, columns))


def palette_image(indices: np.ndarray, palette: list[int]) -> Image.Image:
    """A mode P image from a 2-D array of palette indices."""
    h, w = indices.shape
    image = Image.frombuffer("P", (w, h), np.ascontiguousarray(indices, np.uint8).tobytes(), "raw", "P", 0, 1)
    image.putpalette(palette)
    return image


def _save(image: Image.Image, path: Path, **options: Any) -> str:
    if path.suffix == ".png":
        options.setdefault("compress_level", 3)  # tiny flat images: fast level, same size
    image.save(path, **options)
    return path.name


def write_led(result: LedRender, folder: Path) -> dict[str, Any]:
    """Write every file of one render into ``folder`` (a staging folder) and return the manifest."""
    job, screen = result.job, result.job.screen
    colours = ScreenColours(screen, job.template)
    manifest: dict[str, Any] = {
        "content": job.content_id,
        "locale": job.locale,
        "branch": job.branch,
        "form": job.form,
        "text": job.text,
        "template": job.template.name,
        "screen": {"id": screen.id, "width": screen.width, "height": screen.height, "color": screen.color},
        "mode": screen.mode,
        "warnings": result.warnings,
    }
    if screen.mode == "pages":
        pages: list[dict[str, Any]] = []
        previews = []
        stays = page_stays(screen, [page.text for page in result.pages], job.seconds)
        for n, (page, stay) in enumerate(zip(result.pages, stays), 1):
            stem = f"page-{n:02d}"
            pages.append(
                {
                    "file": _save(colours.png(page.image), folder / f"{stem}.png", optimize=False),
                    "bmp": _save(colours.bmp(page.image), folder / f"{stem}.bmp"),
                    "text": page.text,
                    "stay": stay,
                }
            )
            previews.append(page.image)
        if screen.clips:
            clips = [folder / f"page-{n:02d}.mp4" for n in range(1, len(pages) + 1)]
            sources = [folder / page["file"] for page in pages]
            still_clips(list(zip(sources, clip_frames(stays), clips)), audio=False, exact=True)
            for entry, clip in zip(pages, clips):
                entry["clip"] = clip.name
        manifest["pages"] = pages
        manifest["duration"] = round(sum(stays), 3)
        sheet = Image.new("L", (screen.width, (screen.height + 1) * len(previews) - 1), OFF)
        for n, image in enumerate(previews):
            sheet.paste(image, (0, n * (screen.height + 1)))
        manifest["preview"] = _save(
            dot_preview(sheet, colours, _preview_scale(sheet.width)), folder / "preview.png", compress_level=1
        )
    else:
        assert result.strip is not None
        manifest.update(_write_scroll(result, folder, colours))
    return manifest


def page_stays(screen: LedScreen, texts: list[str], seconds: float | None) -> list[float]:
    """Each page's stay: the screen's (for its characters, or fixed), or shares of ``seconds`` in
    proportion to those when the output is made for a playlist entry's own time."""
    stays = [screen.page_stay(text) for text in texts]
    if seconds is None or not stays:
        return stays
    total = sum(stays)
    return [round(stay * seconds / total, 3) for stay in stays]


def _preview_scale(width: int) -> int:
    return max(2, min(8, 8000 // max(width, 1)))


def played_strip(strip: LedStrip, screen: LedScreen) -> tuple[Image.Image, int]:
    """The strip the GIF and MP4 loop, and its gap: the strip itself when its gap is as wide as
    the sign; else the text with the gap widened to the sign's width (and to the speed), so each
    loop starts on a dark sign and the text enters from the right, as a sign switched on shows
    it. strip.png and strip.bmp keep the screen's gap: a controller scrolling them repeats the
    text that close."""
    if strip.gap >= screen.width:
        return strip.image, strip.gap
    gap = padded_gap(strip.text_width, screen.width, screen.speed)
    image = Image.new("L", (strip.text_width + gap, strip.image.height), OFF)
    image.paste(strip.image.crop((0, 0, strip.text_width, strip.image.height)), (0, 0))
    return image, gap


def _write_scroll(result: LedRender, folder: Path, colours: ScreenColours) -> dict[str, Any]:
    strip, screen = result.strip, result.job.screen
    assert strip is not None
    played, played_gap = played_strip(strip, screen)
    offsets = scroll_offsets(played.width, screen.width, screen.speed)
    frame_ms = 1000 / screen.fps
    info: dict[str, Any] = {
        "strip": _save(colours.png(strip.image), folder / "strip.png"),
        "strip_bmp": _save(colours.bmp(strip.image), folder / "strip.bmp"),
        "strip_width": strip.image.width,
        "text_width": strip.text_width,
        "gap": strip.gap,
        "loop_gap": played_gap,  # the GIF's and MP4's: at least the sign's width
        "speed": screen.speed,
        "fps": screen.fps,
        "frames": len(offsets),
        "duration": round(len(offsets) / screen.fps, 3),
    }
    indexed = colours.indexed(played)
    palette = indexed.getpalette() or []
    array = looped(np.asarray(indexed), screen.width)
    gif_frames = []
    for x in offsets:
        gif_frames.append(palette_image(array[:, x : x + screen.width], palette))
    durations = gif_delays(len(gif_frames), frame_ms)
    gif_frames[0].save(
        folder / "scroll.gif",
        save_all=True,
        append_images=gif_frames[1:],
        duration=durations,
        loop=0,
        optimize=False,
        disposal=1,
    )
    info["gif"] = "scroll.gif"
    info["gif_frame_ms"] = round(sum(durations) / len(durations), 2)
    if screen.color == "full" or screen.clips:
        # made for an entry's own time, the video runs the loop for that long (cut where the time ends)
        seconds = result.job.seconds
        count = len(offsets) if seconds is None else max(1, round(seconds * screen.fps))
        name = _write_mp4(indexed.convert("RGB"), (offsets[0], len(offsets)), count, folder / "scroll.mp4", screen)
        # full colour: the controller's own video; another colour: a clip for media players
        info["mp4" if screen.color == "full" else "clip"] = name
        if seconds is not None:
            info["duration"] = round(count / screen.fps, 3)
    info["preview"] = _save(
        dot_preview(strip.image, colours, _preview_scale(strip.image.width)), folder / "preview.png"
    )
    return info


def gif_delays(count: int, frame_ms: float) -> list[int]:
    """Whole-centisecond delays (what GIF stores) that add up to the true timing: 30, 30, 40 for 30 fps."""
    frame_ms = max(frame_ms, 20.0)  # browsers slow anything faster down to 100 ms
    delays, total = [], 0
    for k in range(1, count + 1):
        target = round(k * frame_ms / 10) * 10
        delays.append(target - total)
        total = target
    return delays


def _write_mp4(played: Image.Image, loop: tuple[int, int], count: int, path: Path, screen: LedScreen) -> str:
    """The scroll as H.264, +faststart, no audio: what full-colour controllers play (High, yuv420p), or
    another colour's clip for media players (lossless 4:4:4: every pixel of the sign as drawn). ``count``
    frames on the looping strip ``played``, the window ``screen.speed`` px further each frame (``loop``: where
    the first frame starts and how many frames a loop has: ``scroll_offsets``).

    ffmpeg makes the frames: the strip (looped once, so every window is a plain crop) is read once
    and held, a window cut from it each frame and converted (in RGB: exact at any offset); no frame
    crosses a pipe."""
    exact = screen.color != "full"
    if not exact and (screen.width % 2 or screen.height % 2):
        raise SignageError(
            f"{screen.id}: a full-colour screen of {screen.size} has an odd side; H.264 needs even sizes"
        )
    start, frames = loop
    strip = Image.fromarray(looped(np.asarray(played), screen.width))
    convert = f"scale=out_color_matrix=bt709:out_range=tv,format={'yuv444p' if exact else 'yuv420p'}"
    chain = [
        f"loop=loop={count - 1}:size=1:start=0,setpts=N/{screen.fps}/TB",
        f"crop=w={screen.width}:h={screen.height}:x='mod({start}+mod(n,{frames})*{screen.speed},{played.width})':y=0",
        convert,
        BT709_TAGS,
    ]
    x264 = x264_exact_options(screen.fps * 2) if exact else x264_options(LOBBY_PRESET, 12, screen.fps)
    with tempfile.TemporaryDirectory(prefix="scroll-") as name:
        raw = Path(name) / "strip.rgb"
        raw.write_bytes(strip.tobytes())
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24"]
        cmd += ["-s", f"{strip.width}x{strip.height}", "-framerate", str(screen.fps), "-i", str(raw)]
        cmd += ["-vf", ",".join(chain), "-map", "0:v", *x264, "-threads", "1", "-frames:v", str(count)]
        cmd += ["-movflags", "+faststart", "-f", "mp4", str(path)]
        run_ffmpeg(cmd, f"make the scroll video of {screen.id}")
    return path.name
