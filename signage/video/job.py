"""Video render jobs: one piece of content in one video template, and the video part of the build's plan."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SignageError
from ..job import Job, Rendered, RenderEnv, project_files
from ..labels import strings_for
from ..project.content import Slogan
from ..project.model import Project
from ..project.views import content_context, slogan_texts
from ..schedule.emergency import is_emergency_text
from .scenes import VideoTexts, lay_out_states, resolve_texts, scene_reading_time
from .template import VideoTemplate

if TYPE_CHECKING:
    from ..job import PlanContext
    from ..typography.fonts import FontRegistry
    from ..typography.layout import TextLayout

# Seconds of one core per frame and canvas pixel, measured on the example project (x264 veryfast plus
# Python): 13 ms a 1080p frame of a case video, 11 ms of a ticker (only its band is sent; ffmpeg pads).
PIXEL_FRAME_SECONDS = 6.4e-9
TICKER_PIXEL_FRAME_SECONDS = 5.3e-9
# A ticker's strip is about this many font sizes wide per character (full-width text, some narrow).
TICKER_ADVANCE = 0.65


@dataclass(frozen=True, kw_only=True)
class VideoJob(Job):
    """A video: its template (sizes already applied) and every text it shows, filled in."""

    template: VideoTemplate
    texts: VideoTexts
    files: tuple[tuple[str, str], ...] = ()  # (project file, SHA-256) of its background image and music
    duration: float | None = None  # seconds; None: from the scenes (or one ticker loop)

    kind = "video"
    folder = "video"
    sources = ("video", "scroll.py", "ffmpeg.py", "job.py")
    libraries = ("pillow", "numpy", "freetype-py", "uniseg", "rjieba", "opencc")
    uses_ffmpeg = True

    def payload(self, fonts: FontRegistry) -> dict[str, Any]:
        roles = [role for _, role in self.template.font_roles()]
        return {
            "template": self.template.model_dump(mode="json"),
            "texts": self.texts.to_dict(),
            "duration": self.duration,
            "files": [list(f) for f in self.files],
            "fonts": self.faces_payload(fonts, roles),
        }

    def shown(self) -> list[tuple[str, str]]:
        parts = [
            (f"scenes[{n}].{name}", text) for n, scene in enumerate(self.texts.scenes) for name, text in scene.items()
        ]
        return parts + ([("ticker", self.texts.ticker)] if self.texts.ticker else [])

    def text_heights(self, fonts: FontRegistry) -> list[tuple[str, int]]:
        heights = [
            (f"scenes[{state.scene}] {state.kind} {placed.name}", placed.layout.size)
            for state in lay_out_states(self.template, self.texts, fonts, self.locale)
            for placed in state.texts
        ]
        if self.template.ticker is not None:
            heights.append(("ticker", self.template.ticker.size))
        return list(dict.fromkeys(heights))  # a story's lines repeat in each of its stills

    def cost(self) -> float:
        w, h = self.template.dimensions
        if self.template.scenes:
            chars = sum(len(text) for scene in self.texts.scenes for text in scene.values())
            seconds = self.duration or min(120.0, 4.0 * len(self.template.scenes) + chars / 5)
            return 0.3 + seconds * self.template.fps * w * h * PIXEL_FRAME_SECONDS
        ticker = self.template.ticker
        assert ticker is not None
        strip = len(self.texts.ticker or "") * ticker.size * TICKER_ADVANCE + w
        seconds = self.duration or self.template.duration or strip / ticker.speed / self.template.fps
        return 0.3 + seconds * self.template.fps * w * h * TICKER_PIXEL_FRAME_SECONDS

    def text_layouts(self, fonts: FontRegistry, root: Path) -> list[tuple[str, TextLayout]]:
        if not self.template.scenes:
            return []  # a ticker is one line
        states = lay_out_states(self.template, self.texts, fonts, self.locale)
        found = {(state.scene, text.name): text.layout for state in states for text in state.texts}
        return [(f"scenes[{scene}].{name}", layout) for (scene, name), layout in found.items()]

    def render(self, env: RenderEnv, stage: Path) -> Rendered:
        from .render import VideoFiles, render_video

        video = stage / "video.mp4"
        meta = render_video(
            self.template,
            self.texts,
            env.fonts,
            env.root,
            self.locale,
            video,
            self.duration,
            label=self.content_id,
            segments=env.segments,
            parallel=env.cores,
        )
        VideoFiles(video).manifest.unlink()  # the build's manifest.json says all of it
        files = [f.name for f in VideoFiles(video).all()[:3]]
        return Rendered(files=files, duration=meta["duration"], meta=meta)


def video_job(
    project: Project,
    template: VideoTemplate,
    content_kind: str,
    content_id: str | None,
    locale: str,
    branch: str | None = None,
    text: str | None = None,
    duration: float | None = None,
    current: list[str] | None = None,
) -> VideoJob:
    """The job for one case, slogan or given text in ``template`` (for ``locale`` and ``branch``).

    ``current``: the ids of the slogans that may be shown (a ticker leaves out ended ones).
    """
    ctx = content_context(project, content_kind, content_id, locale, branch)
    ctx["slogans"] = slogan_texts(project, locale, current)
    case = project.case(content_id) if content_kind == "case" and content_id else None
    related = [i for i in case.related_slogans if current is None or i in current] if case else []
    # The next slogans in rotation after this one (or after a place set by the case), so each
    # short video's ticker shows its own few rather than all of them starting from the first.
    order = current if current is not None else list(project.slogans)
    if content_kind == "slogan" and content_id in order:
        at = order.index(content_id) + 1
    else:
        at = sorted(project.cases).index(content_id) if case is not None and content_id else 0
    ctx["upcoming"] = [
        t for t in slogan_texts(project, locale, order[at:] + order[:at]) if t != ctx.get("slogan", {}).get("text")
    ]
    ctx["related"] = (slogan_texts(project, locale, related) if case else []) or ctx["upcoming"]
    if text is not None:
        text = project.expressions.fill_string(text, ctx, where="--text")
    elif content_kind == "slogan":
        text = ctx["slogan"]["text"]
    elif case is not None:
        text = ctx["case"]["short"]["led"]
    ctx["text"] = text or ""
    ctx["strings"] = strings_for(template.strings, locale, project.config.default_locale)
    texts = resolve_texts(project, template, ctx)
    files = project_files(project.root, template)
    valid: tuple[str | None, str | None] = (None, None)
    if content_kind == "slogan" and content_id:
        valid = project.slogan(content_id).valid.iso()
    shown = text or (texts.ticker or "")
    return VideoJob(
        content_kind=content_kind,
        content_id=content_id or "all-slogans",
        locale=locale,
        branch=branch,
        target=template.name,
        text=shown,
        valid_from=valid[0],
        valid_until=valid[1],
        template=template,
        texts=texts,
        files=files,
        duration=duration,
    )


def _template_jobs(
    project: Project,
    template: VideoTemplate,
    context: PlanContext,
    slogans: list[Slogan],
    current: list[str],
    locales: list[str],
) -> list[VideoJob]:
    """One template's videos: each case, each slogan of kind 'slogan', or a ticker per locale."""
    jobs: list[VideoJob] = []
    uses_branch = any(project.expressions.uses(s, "branch") for s in template.text_sources())
    if template.content == "case":
        for case in sorted(project.cases.values(), key=lambda c: c.id):
            needs = uses_branch or project.item_uses_branch(case.id)
            jobs += same_timing(
                [
                    video_job(project, template, "case", case.id, case.locale, branch, current=current)
                    for branch in context.branches(project, case.locale, needs)
                ]
            )
    elif template.content == "slogan":
        for slogan in slogans:
            if slogan.kind.value != "slogan":
                continue
            for locale in slogan.text:
                needs = uses_branch or project.item_uses_branch(slogan.id, locale)
                jobs += same_timing(
                    [
                        video_job(project, template, "slogan", slogan.id, locale, branch, current=current)
                        for branch in context.branches(project, locale, needs)
                    ]
                )
    else:
        for locale in locales:
            jobs += same_timing(
                [
                    video_job(project, template, "text", None, locale, branch, current=current)
                    for branch in context.branches(project, locale, uses_branch)
                ]
            )
    return jobs


def same_timing(variants: list[VideoJob]) -> list[VideoJob]:
    """One video's per-branch variants, each one-still scene (a title, a slogan, the hotline) held as
    long as the variant whose text there takes longest to read.

    Every variant then has the same timeline, so the ticker stands at the same place under every
    later scene and those scenes' segments are encoded once for all branches (a branch pays for
    the scene that names it, not a whole video); and a playlist's loop lasts as long in every
    branch. A story's lines keep their own times (no template names the branch in one).
    """
    if len(variants) < 2 or not variants[0].template.scenes:
        return variants
    template = variants[0].template
    holds: list[float | None] = []
    for n, scene in enumerate(template.scenes):
        times = {scene_reading_time(v.texts.scenes[n], template) for v in variants}
        fixed = scene.type == "story" or scene.duration is not None or len(times) < 2
        holds.append(None if fixed else max(times))
    if not any(h is not None for h in holds):
        return variants
    return [replace(v, texts=replace(v.texts, holds=holds)) for v in variants]


def plan(project: Project, context: PlanContext) -> list[VideoJob]:
    """Every case in each case template; slogans of kind 'slogan' in slogan templates; a ticker per locale.

    A video whose texts name the branch is made once per branch of its locale.
    """
    jobs: list[VideoJob] = []
    slogans = context.current_slogans(project)
    current = [s.id for s in slogans if not is_emergency_text(s.id)]  # an emergency's words are in no ticker
    locales = sorted({loc for s in slogans for loc in s.text})
    for _, template in sorted(project.templates_of("video").items()):
        try:
            jobs += _template_jobs(project, template, context, slogans, current, locales)
        except SignageError as exc:
            if not context.collected(exc):
                raise
    templates = project.templates_of("video")
    planned = {job.path for job in jobs}
    for want in context.demand:  # slogans of other kinds that a TV playlist shows
        if want.kind == "video" and want.content_kind == "slogan":
            template = templates[want.target]
            needs = project.item_uses_branch(want.content_id, want.locale) or any(
                project.expressions.uses(s, "branch") for s in template.text_sources()
            )
            branch = want.branch if needs else None
            path = want.path + (f"@{branch}" if branch else "")
            if path not in planned:
                planned.add(path)
                jobs.append(
                    video_job(project, template, "slogan", want.content_id, want.locale, branch, current=current)
                )
    return jobs
