"""``signage render video``: one lobby video with its subtitles, poster and manifest."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..atomic import replace_files
from ..errors import Problem, SignageError
from ..project.model import Project
from ..video.job import video_job
from ..video.render import VideoFiles, render_video
from ..video.template import VideoTemplate


@dataclass
class VideoRequest:
    template: str
    case: str | None = None
    slogan: str | None = None
    text: str | None = None
    locale: str | None = None
    branch: str | None = None
    size: str | None = None
    fps: int | None = None
    duration: float | None = None
    preset: str | None = None


def _template(project: Project, request: VideoRequest) -> VideoTemplate:
    """The named template with the command line's size, frame rate and preset, validated again."""
    template: VideoTemplate = project.template("video", request.template)
    if request.duration is not None and not 0 < request.duration <= 3600:
        raise SignageError(f"--duration: {request.duration:g} s is not from 0 to 3600")
    if request.size is None and request.fps is None and request.preset is None:
        return template
    data = template.model_dump()
    if request.size is not None:
        try:
            data = template.resized(request.size)
        except ValueError as exc:
            raise SignageError(f"--size: {exc}") from None
    data.update({k: v for k, v in (("fps", request.fps), ("preset", request.preset)) if v is not None})
    try:
        return VideoTemplate.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        option = {"fps": "--fps", "preset": "--preset", "size": "--size"}.get(
            str(err["loc"][0]) if err["loc"] else "", "--size"
        )
        raise SignageError(f"{option}: {str(err['msg']).removeprefix('Value error, ')}") from None


def render(
    project: Project, request: VideoRequest, output: Path, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Write ``output`` (MP4) with its .srt, .poster.png and .json; each file complete before any is replaced."""
    template = _template(project, request)
    given = [v for v in (request.case, request.slogan, request.text) if v]
    if len(given) > 1:
        raise SignageError("give at most one of --case, --slogan and --text")
    if template.content == "case" and not request.case:
        raise SignageError(f"video template {template.name!r} tells a case: give --case ID")
    if template.content == "slogan" and not request.slogan:
        raise SignageError(f"video template {template.name!r} shows a slogan: give --slogan ID")
    if output.suffix.lower() != ".mp4":
        raise SignageError(Problem("the video is an MP4: give a file name ending in .mp4", file=output))
    locale = project.locale_for(request.locale, request.case)
    kind = "case" if request.case else "slogan" if request.slogan else "text"
    job = video_job(
        project,
        template,
        kind,
        request.case or request.slogan,
        locale,
        request.branch,
        text=request.text,
        duration=request.duration,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=output.parent, prefix=f".{output.name}.new-"))
    try:
        staged = VideoFiles(stage / output.name)
        manifest = render_video(
            template,
            job.texts,
            project.fonts,
            project.root,
            locale,
            staged.video,
            request.duration,
            progress,
            job.content_id if kind != "text" else "text",
        )
        # every file is complete: the video goes last, so what beside it describes is never older
        replace_files(list(reversed(list(zip(staged.all(), VideoFiles(output).all())))))
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return manifest
