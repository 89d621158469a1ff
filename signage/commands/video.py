"""``signage render video`` and the video part of ``signage build``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import __version__
from ..errors import SignageError
from ..fingerprint import file_digest, fonts_fingerprint
from ..parallel import run_jobs
from ..project.loader import Project, load_project
from ..project.views import content_context, slogan_texts
from ..publish import read_manifest, write_json
from ..video.render import VideoFiles, render_video
from ..video.template import VideoTemplate
from .build import BuildReport, remove_stale_files


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
    template = project.video_template(request.template)
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
        option = {"fps": "--fps", "preset": "--preset", "size": "--size"}.get(str(err["loc"][0]) if err["loc"] else "",
                                                                            "--size")
        raise SignageError(f"{option}: {str(err['msg']).removeprefix('Value error, ')}") from None


def video_context(project: Project, template: VideoTemplate, request: VideoRequest) -> tuple[dict[str, Any], str, str]:
    """(Jinja context, locale, content label) for one request."""
    given = [v for v in (request.case, request.slogan, request.text) if v]
    if len(given) > 1:
        raise SignageError("give at most one of --case, --slogan and --text")
    if template.content == "case" and not request.case:
        raise SignageError(f"video template {template.name!r} tells a case: give --case ID")
    if template.content == "slogan" and not request.slogan:
        raise SignageError(f"video template {template.name!r} shows a slogan: give --slogan ID")
    locale = project.locale_for(request.locale, request.case)
    kind = "case" if request.case else "slogan" if request.slogan else "text"
    content_id = request.case or request.slogan
    ctx = content_context(project, kind, content_id, locale, request.branch)
    ctx["slogans"] = slogan_texts(project, locale)
    ctx["related"] = slogan_texts(project, locale, project.case(request.case).related_slogans) if request.case else []
    if not ctx["related"]:
        ctx["related"] = ctx["slogans"]
    text = request.text
    if text:
        text = project.templates.render_string(text, ctx)
    elif request.slogan:
        text = ctx["slogan"]["text"]
    elif request.case:
        text = ctx["case"]["short"]["led"]
    ctx["text"] = text or ""
    return ctx, locale, content_id or "text"


def render(project: Project, request: VideoRequest, output: Path,
           progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    template = _template(project, request)
    ctx, locale, label = video_context(project, template, request)
    return render_video(project, template, ctx, locale, output, request.duration, progress, label)


def catalog(project: Project) -> list[VideoRequest]:
    """Every case in each case template; a ticker of all slogans per locale; slogans of kind 'slogan'."""
    requests = []
    locales = sorted({loc for s in project.slogans.values() for loc in s.text})
    for name, template in sorted(project.video_templates.items()):
        if template.content == "case":
            requests += [VideoRequest(name, case=c) for c in sorted(project.cases)]
        elif template.content == "slogan":
            for slogan in project.slogans.values():
                if slogan.kind.value == "slogan":
                    requests += [VideoRequest(name, slogan=slogan.id, locale=loc) for loc in slogan.text
                                 if "branch" not in slogan.text[loc]]
        else:
            requests += [VideoRequest(name, locale=loc) for loc in locales]
    return requests


def output_path(root: Path, request: VideoRequest, project: Project) -> Path:
    content = request.case or request.slogan or "all-slogans"
    locale = request.locale or (project.case(request.case).locale if request.case else project.config.default_locale)
    return root / request.template / locale / f"{content}.mp4"


def _key(project: Project, request: VideoRequest) -> str:
    template = project.video_template(request.template)
    ctx, locale, _ = video_context(project, template, request)
    payload = {"version": __version__, "template": template.model_dump(mode="json"), "locale": locale,
               "ctx": {k: v for k, v in ctx.items() if k != "branch"},
               "fonts": fonts_fingerprint(project.fonts.catalog, project.config.fonts),
               "files": [file_digest(project.root / f) for f in _template_files(template) if (project.root / f).is_file()]}
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def _template_files(template: VideoTemplate) -> list[str]:
    files = [template.background.image] if template.background.image else []
    return files + ([template.music.file] if template.music else [])


_worker: Project | None = None


def _init_worker(root: Path) -> None:
    global _worker
    _worker = load_project(root)


def _work(request: VideoRequest, output: Path, key: str) -> None:
    assert _worker is not None
    manifest = render(_worker, request, output)
    manifest["key"] = key
    write_json(VideoFiles(output).manifest, manifest)


def build_videos(project: Project, root: Path, progress: Callable[[int], None] | None = None,
                 workers: int | None = None) -> BuildReport:
    """The video catalogue into root/TEMPLATE/LOCALE/ID.mp4 (+ .srt, .poster.png, .json), only what changed.

    One video per worker at a time; x264 inside each uses threads of its own as well.
    """
    report = BuildReport("video", root)
    todo = []
    wanted = set()
    for request in catalog(project):
        out = output_path(root, request, project)
        wanted.add(out)
        key = _key(project, request)
        sidecar = VideoFiles(out).manifest
        manifest = read_manifest(sidecar.parent, sidecar.name)
        if manifest is not None and manifest.get("key") == key and out.is_file():
            report.unchanged += 1
            if progress:
                progress(1)
        else:
            todo.append((request, out, key))
    run_jobs(_work, todo, _init_worker, (project.root,), workers, progress)
    report.rendered = len(todo)
    report.removed = remove_stale_files(root, wanted, (".mp4", ".srt", ".poster.png"))
    return report


