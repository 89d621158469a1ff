"""Render one video: stills painted once, ffmpeg composing and encoding them (signage/video/compose.py),
then SRT, poster and manifest."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from ..colour import rgb255
from ..errors import Problem, SignageError
from ..ffmpeg import EncodeJob, check_level, gop_frames
from ..project.files import inside
from ..scroll import scroll_offsets
from ..typography.fonts import FontRegistry
from .compose import Composition, compose, cut, picture_digest, save_still
from .graph import Band, loop_window
from .scenes import Timeline, VideoTexts, build_timeline, ticker_strip
from .template import Ticker, VideoTemplate


@dataclass
class VideoFiles:
    """The four files of a video: the MP4 and, beside it, subtitles, poster and manifest."""

    video: Path

    @property
    def srt(self) -> Path:
        return self.video.with_suffix(".srt")

    @property
    def poster(self) -> Path:
        return self.video.with_suffix(".poster.png")

    @property
    def manifest(self) -> Path:
        return self.video.with_suffix(".json")

    def all(self) -> list[Path]:
        return [self.video, self.srt, self.poster, self.manifest]


def _srt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


Cue = tuple[float, float, str]


def timeline_cues(timeline: Timeline) -> list[Cue]:
    """One cue per still: the text it brings on screen, for as long as it shows."""
    return [(s.start, s.start + s.duration, s.cue) for s in timeline.states]


def ticker_cues(
    pieces: list[tuple[str, float, float]], ticker: Any, width: int, fps: int, duration: float, period: int
) -> list[Cue]:
    """For a ticker-only video, one cue per slogan and pass: while any of it is on screen. The
    ticker starts full (the strip's left edge at the screen's) and comes round every ``period`` px."""
    cues = []
    rate = ticker.speed * fps  # px a second
    lap = 0
    while lap * period / rate < duration:
        for text, left, right in pieces:
            start = max(0.0, (lap * period + left - width) / rate)
            end = min(duration, (lap * period + right) / rate)
            if start < end and (lap == 0 or start > 0):
                cues.append((start, end, text))
        lap += 1
    return sorted(cues)


def srt(cues: list[Cue]) -> str:
    return "".join(f"{n}\n{_srt_time(a)} --> {_srt_time(b)}\n{text}\n\n" for n, (a, b, text) in enumerate(cues, 1))


def render_video(
    template: VideoTemplate,
    texts: VideoTexts,
    fonts: FontRegistry,
    root: Path,
    locale: str,
    output: Path,
    duration: float | None = None,
    progress: Callable[[int], None] | None = None,
    label: str = "",
    segments: Path | None = None,
    parallel: int | None = None,
) -> dict[str, Any]:
    """Write ``output`` (MP4) and its .srt, .poster.png and .json, all complete, in a folder of their
    own (a staging folder, swapped in whole by the caller); returns the manifest.

    ``segments``: the folder of encoded segments to take from and add to (the build's store);
    None: a temporary one, nothing reused. ``parallel``: how many ffmpeg processes encode its scenes
    side by side (None: ``compose.PARALLEL``)."""
    if output.suffix.lower() != ".mp4":
        raise SignageError(Problem("the video is an MP4: give a file name ending in .mp4", file=output))
    w, h = template.dimensions
    check_level(w, h, template.fps)
    timeline = build_timeline(template, texts, fonts, root, locale, duration if template.scenes else None)
    text = image = None
    pieces: list[tuple[str, float, float]] = []
    ticker = template.ticker
    if ticker is not None:
        image, text, pieces = ticker_strip(template, texts.ticker or "", fonts, locale)
    period = image.width if image is not None else 0
    if timeline.states:
        frames = max(1, round(timeline.duration * template.fps))
        timeline.states[-1].duration += frames / template.fps - timeline.duration  # end on the last frame
    elif duration is not None or template.duration is not None:
        frames = max(1, round((duration or template.duration or 0) * template.fps))
    else:
        assert ticker is not None
        frames = period // ticker.speed  # one seamless loop
    band_top = 0
    if ticker is not None:
        band_top = h - ticker.height if ticker.position == "bottom" else (h - ticker.height) // 2
        band_top -= band_top % 2
    music = None
    if template.music is not None:
        try:
            music = inside(root, template.music.file)
        except ValueError as exc:
            raise SignageError(Problem(str(exc), item=f"{template.name}.music")) from None
        if not music.is_file():
            raise SignageError(
                Problem(f"music file {template.music.file} not found in {root}", item=f"{template.name}.music")
            )
    job = EncodeJob(
        output=output,
        frame_size=(w, h),
        canvas=(w, h),
        fps=template.fps,
        frames=frames,
        preset=template.preset,
        crf=template.crf,
        rotate=template.rotate,
        music=music,
        volume=template.music.volume if template.music else 1.0,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    offsets = scroll_offsets(period, w, ticker.speed, frames, enter=False) if ticker else []
    poster = _poster(timeline, image, offsets, band_top, template.fps)
    with tempfile.TemporaryDirectory(prefix="video-") as tmp:
        comp = _composition(timeline, template, image, band_top, Path(tmp))
        comp.segments = cut(timeline, frames, template.fps, gop_frames(template.fps))
        made = compose(comp, job, segments or Path(tmp) / "segments", parallel)
    if progress:
        progress(frames)
    files = VideoFiles(output)
    manifest = _manifest(template, timeline, label, locale, job, text, period, ticker, band_top, files)
    manifest["segments"] = made
    cues = timeline_cues(timeline) or ticker_cues(pieces, ticker, w, template.fps, job.duration, period)
    files.srt.write_text(srt(cues), encoding="utf-8")
    files.poster.write_bytes(poster)
    files.manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def _composition(
    timeline: Timeline, template: VideoTemplate, strip: Image.Image | None, band_top: int, folder: Path
) -> Composition:
    """Every still of the timeline painted once and written as raw RGB in ``folder`` (without scenes:
    the background with the ticker's bar), and the ticker's strip."""
    w, _ = template.dimensions
    stills, digests = [], []
    pictures = [timeline.paint(i).image or timeline.background for i in range(len(timeline.states))]
    if not pictures:
        still = timeline.background.copy()
        if template.ticker is not None:
            bar = Image.new("RGB", (w, template.ticker.height), rgb255(template.ticker.background))
            still.paste(bar, (0, band_top))
        pictures = [still]
    for n, picture in enumerate(pictures):
        path = folder / f"still-{n:02d}.rgb"
        digests.append(save_still(picture, path))
        stills.append(path)
    band = None
    if strip is not None and template.ticker is not None:
        band = Band(strip, picture_digest(strip), band_top, template.ticker.speed, strip.width)
    return Composition(template.dimensions, stills, digests, band)


def _poster(timeline: Timeline, strip: Image.Image | None, offsets: list[int], band_top: int, fps: int) -> bytes:
    """A frame of the video: the middle of the slogan (or last) still, ticker and all."""
    states = [timeline.paint(i) for i in range(len(timeline.states))]
    chosen = next((s for s in states if s.kind == "slogan"), states[-1] if states else None)
    image = (chosen.image if chosen and chosen.image else timeline.background).copy()
    if strip is not None and offsets:
        moment = chosen.start + chosen.duration / 2 if chosen else len(offsets) / fps / 3
        x = offsets[min(len(offsets) - 1, int(moment * fps))]
        image.paste(loop_window(strip, x, image.width), (0, band_top))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _manifest(
    template: VideoTemplate,
    timeline: Timeline,
    label: str,
    locale: str,
    job: EncodeJob,
    ticker_text: str | None,
    period: int,
    ticker: Ticker | None,
    band_top: int,
    files: VideoFiles,
) -> dict[str, Any]:
    w, h = template.dimensions
    scenes = []
    for state in timeline.states:
        scenes.append(
            {
                "scene": state.scene,
                "type": state.kind,
                "start": round(state.start, 3),
                "end": round(state.start + state.duration, 3),
                "fade_in": round(state.fade_in, 3),
                "texts": [t.to_dict() for t in state.texts],
            }
        )
    out_w, out_h = (h, w) if template.rotate in (90, 270) else (w, h)
    return {
        "template": template.name,
        "content": label,
        "locale": locale,
        "canvas": [w, h],
        "size": [out_w, out_h],
        "rotate": template.rotate,
        "fps": template.fps,
        "preset": template.preset,
        "crf": template.crf,
        "frames": job.frames,
        "duration": round(job.duration, 3),
        "audio": str(template.music.file) if template.music else "silent",
        "scenes": scenes,
        "ticker": None
        if ticker is None
        else {
            "text": ticker_text,
            "top": band_top,
            "height": ticker.height,
            "speed": ticker.speed,
            "strip_width": period,
        },
        "files": {"video": files.video.name, "srt": files.srt.name, "poster": files.poster.name},
    }
