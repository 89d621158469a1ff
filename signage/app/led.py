"""``signage render led``: one text on one LED screen, into a folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..atomic import check_replaceable
from ..build import render_into
from ..errors import SignageError
from ..job import RenderEnv
from ..led.job import LedJob, slogan_jobs, text_job
from ..led.template import LedTemplate
from ..project.config import LedScreen
from ..project.model import Project


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

    def __post_init__(self) -> None:
        if (self.slogan is None) == (self.text is None):  # said before any project is read
            raise SignageError("give exactly one of --slogan ID and --text TEXT")


def _screen(project: Project, options: LedOptions) -> LedScreen:
    """The named screen (or a WxH one) with the command line's settings, validated by the same model."""
    declared = {s.id: s for s in project.config.led_screens}
    base: dict[str, Any] = (
        declared[options.screen].model_dump(exclude_none=True)
        if options.screen in declared
        else {"id": "custom", "size": options.screen}
    )
    overrides = {
        "color": options.color,
        "mode": options.mode,
        "template": options.template,
        "speed": options.speed,
        "fps": options.fps,
        "gap": options.gap,
        "stay": options.stay,
    }
    base.update({k: v for k, v in overrides.items() if v is not None})
    if options.template and not options.mode:
        base["mode"] = _template(project, options.template).mode
    try:
        return LedScreen.model_validate(base)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        if field == "size" and "pattern" in message:
            message = (
                f"{options.screen!r} is neither WxH nor a screen in signage.yaml ({', '.join(declared) or 'none'})"
            )
        raise SignageError(f"--screen: {message}" if field in ("size", "") else f"--{field}: {message}") from None


def _template(project: Project, name: str) -> LedTemplate:
    template: LedTemplate = project.template("led", name)
    return template


def jobs_for(project: Project, options: LedOptions) -> list[LedJob]:
    screen = _screen(project, options)
    template = _template(project, screen.template or screen.mode)
    if template.mode != screen.mode:
        raise SignageError(f"--template {template.name} is for {template.mode}, not {screen.mode}")
    try:
        template.row_for(screen.height)
    except ValueError as exc:
        raise SignageError(f"--screen {screen.size}: {exc}") from None
    locale = project.locale_for(options.locale)
    if screen.color == "full" and screen.mode == "scroll" and (screen.width % 2 or screen.height % 2):
        raise SignageError(
            f"--screen {screen.size}: a full-colour scroll is also an H.264 video, which needs even sides"
        )
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
    text = project.expressions.fill_string(options.text or "", project.context(locale, branch))
    if not text.strip():
        raise SignageError("--text: there is nothing to show")
    return [text_job(project, text, locale, options.branch, screen, template)]


def render_led(project: Project, options: LedOptions, out_dir: Path) -> dict[str, Any]:
    """Render one text on one screen into ``out_dir``, replaced whole only on success; the LED manifest."""
    (job,) = jobs_for(project, options)
    check_replaceable(out_dir)
    rendered, _ = render_into(job, RenderEnv(project.root, project.fonts), out_dir, job.key(project.fonts))
    return rendered.meta
