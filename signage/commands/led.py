"""``signage render led`` and the LED part of ``signage build``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import SignageError
from ..led.job import LedJob, catalog_jobs, slogan_jobs
from ..led.output import write_led
from ..led.render import render
from ..parallel import run_jobs
from ..project.config import LedScreen
from ..project.loader import Project
from ..publish import MANIFEST, check_replaceable, read_manifest, staged_dir, write_json
from ..typography.fonts import FontRegistry
from .build import BuildReport, remove_stale_folders


@dataclass
class LedOptions:
    """What `signage render led` was asked for."""

    screen: str  # WxH or the id of a screen in signage.yaml
    slogan: str | None = None
    text: str | None = None
    color: str | None = None
    mode: str | None = None
    template: str | None = None
    locale: str | None = None
    branch: str | None = None
    speed: int | None = None
    fps: int | None = None
    gap: int | None = None
    stay: float | None = None


def _screen(project: Project, options: LedOptions) -> LedScreen:
    declared = {s.id: s for s in project.config.led_screens}
    base: dict[str, Any] = (
        declared[options.screen].model_dump(exclude_none=True) if options.screen in declared
        else {"id": "custom", "size": options.screen}
    )
    overrides = {
        "color": options.color, "mode": options.mode, "template": options.template,
        "speed": options.speed, "fps": options.fps, "gap": options.gap, "stay": options.stay,
    }
    base.update({k: v for k, v in overrides.items() if v is not None})
    if options.template and not options.mode:
        base["mode"] = project.led_template(options.template).mode
    try:
        return LedScreen.model_validate(base)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        if field == "size" and "pattern" in message:
            message = f"{options.screen!r} is neither WxH nor a screen in signage.yaml ({', '.join(declared) or 'none'})"
        raise SignageError(f"--screen: {message}" if field in ("size", "") else f"--{field}: {message}") from None


def jobs_for(project: Project, options: LedOptions) -> list[LedJob]:
    screen = _screen(project, options)
    template = project.led_template(screen.template or screen.mode)
    if template.mode != screen.mode:
        raise SignageError(f"--template {template.name} is for {template.mode}, not {screen.mode}")
    try:
        template.row_for(screen.height)
    except ValueError as exc:
        raise SignageError(f"--screen {screen.size}: {exc}") from None
    locale = project.locale_for(options.locale)
    if screen.color == "full" and screen.mode == "scroll" and (screen.width % 2 or screen.height % 2):
        raise SignageError(f"--screen {screen.size}: a full-colour scroll is also an H.264 video, which needs "
                           "even sides")
    if options.slogan:
        slogan = project.slogan(options.slogan)
        jobs = slogan_jobs(project, slogan, screen, template, [locale])
        if options.branch is not None:
            project.branch(options.branch, locale)  # known, and of this locale
            jobs = [job for job in jobs if job.branch in (None, options.branch)]
        elif len(jobs) > 1:
            branches = ", ".join(job.branch or "" for job in jobs)
            raise SignageError(f"slogan {slogan.id!r} names the branch: give --branch ({branches})")
        return jobs[:1]
    branch = project.branch(options.branch, locale)
    text = project.templates.render_string(options.text or "", project.context(locale, branch))
    if not text.strip():
        raise SignageError("--text: there is nothing to show")
    return [LedJob("text", locale, text, "text", screen, template, options.branch)]


def render_led(project: Project, options: LedOptions, out_dir: Path) -> dict[str, Any]:
    """Render one text on one screen into ``out_dir``, replaced whole only on success."""
    (job,) = jobs_for(project, options)
    check_replaceable(out_dir)
    return _render_job(job, project.fonts, out_dir)


def _render_job(job: LedJob, fonts: FontRegistry, out_dir: Path, key: str | None = None) -> dict[str, Any]:
    key = key or job.key(fonts)
    result = render(job, fonts)
    with staged_dir(out_dir) as stage:
        manifest = write_led(result, stage, key)
        write_json(stage / MANIFEST, manifest)
    return manifest


def job_dir(root: Path, job: LedJob) -> Path:
    name = job.content_id + (f"@{job.branch}" if job.branch else "")
    return root / job.screen.id / job.locale / name


_worker_fonts: FontRegistry | None = None


def _init_worker(fonts: FontRegistry) -> None:
    global _worker_fonts
    _worker_fonts = fonts


def _work(job: LedJob, out_dir: Path, key: str | None = None) -> tuple[str, list[str]]:
    assert _worker_fonts is not None
    manifest = _render_job(job, _worker_fonts, out_dir, key)
    return job.label, list(manifest["warnings"])


def build_led(project: Project, root: Path, progress: Callable[[int], None] | None = None,
              workers: int | None = None) -> BuildReport:
    """Render the LED catalogue into ``root``: only jobs whose key changed, in parallel."""
    jobs = catalog_jobs(project)
    report = BuildReport("led", root)
    todo: list[tuple[LedJob, Path, str]] = []
    wanted: set[Path] = set()
    for job in jobs:
        folder = job_dir(root, job)
        wanted.add(folder)
        key = job.key(project.fonts)  # computed once: the worker writes it into the manifest
        manifest = read_manifest(folder)
        if manifest is not None and manifest.get("key") == key:
            report.unchanged += 1
            if progress:
                progress(1)
        else:
            todo.append((job, folder, key))
    # Each job's folder is swapped in whole, so a failing job leaves its old output as it was.
    for _, warns in run_jobs(_work, todo, _init_worker, (project.fonts,), workers, progress):
        report.warnings += warns
        report.rendered += 1
    report.removed = remove_stale_folders(root, wanted, depth=3)
    return report
