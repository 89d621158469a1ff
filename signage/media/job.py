"""Media jobs: a supplied image or video normalised for one TV profile, and their part of the plan.

An image is letterboxed onto the profile's canvas as a PNG, and on a profile with clips also
made an H.264 clip of the time it plays (with a silent track), which media players hold for
that time where they would show the PNG for a time of their own. A video is re-encoded once per
profile as lobby players want it: the profile's size (letterboxed, aspect kept), 25 fps,
H.264 High at level 4.1 or below, yuv420p BT.709, AAC (a silent track when it has none), faststart.
ffmpeg does it in one pass; MoviePy would decode every frame into Python for the same result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, SignageError
from ..fingerprint import file_digest
from ..job import NO_LOCALE, Job, Rendered, RenderEnv, media_id, timed_name
from ..project.files import inside

if TYPE_CHECKING:
    from ..job import PlanContext
    from ..project.model import Project
    from ..typography.fonts import FontRegistry

FPS = 25
IMAGE_SECONDS = 0.05
CLIP_SECONDS = 0.3  # an image's clip: one keyframe of the canvas, then skipped frames
IMAGE_CLIP = "image.mp4"
VIDEO_PIXEL_SECOND = 2.5e-7  # x264 veryfast plus decoding, per pixel of output per second of video


@dataclass(frozen=True, kw_only=True)
class MediaJob(Job):
    """One supplied file for one TV profile."""

    source: str  # path inside the project
    digest: str  # SHA-256 of its bytes
    size: tuple[int, int]  # the profile's canvas
    video: bool
    seconds: float | None = None  # an image's time on a profile with clips: its clip is made this long

    kind = "media"
    folder = "media"
    sources = ("media", "ffmpeg.py", "job.py")
    libraries = ("pillow",)

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.target}/{self.locale}/{timed_name(self.content_id, self.seconds)}"

    @property
    def uses_ffmpeg(self) -> bool:  # type: ignore[override]
        return self.video or self.seconds is not None

    def payload(self, fonts: FontRegistry) -> dict[str, Any]:
        return {
            "source": [self.source, self.digest],
            "size": list(self.size),
            "video": self.video,
            "fps": FPS,
            "seconds": self.seconds,
        }

    def project_inputs(self) -> list[str]:
        return [self.source]

    def cost(self) -> float:
        if not self.video:
            return IMAGE_SECONDS + (CLIP_SECONDS if self.seconds is not None else 0.0)
        # a guess of 30 s of film: probing the file here would run ffmpeg on every build, even one that
        # renders nothing; the progress bar's pace corrects itself from the jobs' measured times
        return 0.3 + 30 * self.size[0] * self.size[1] * VIDEO_PIXEL_SECOND / 10

    def render(self, env: RenderEnv, stage: Path) -> Rendered:
        try:
            source = inside(env.root, self.source)
        except ValueError as exc:
            raise SignageError(Problem(str(exc), item=self.label)) from None
        if not source.is_file():
            raise SignageError(Problem(f"{self.source} not found in the project folder", item=self.label))
        if self.video:
            return _normalise_video(self, source, stage / "clip.mp4")
        return _letterbox_image(self, source, stage / "image.png")


def _letterbox_image(job: MediaJob, source: Path, target: Path) -> Rendered:
    from PIL import Image, ImageOps

    try:
        with Image.open(source) as image:
            picture = ImageOps.exif_transpose(image).convert("RGB")
    except OSError as exc:
        raise SignageError(Problem(f"{job.source} cannot be read as an image: {exc}", item=job.label)) from None
    canvas = Image.new("RGB", job.size, (0, 0, 0))
    fitted = ImageOps.contain(picture, job.size)
    canvas.paste(fitted, ((job.size[0] - fitted.width) // 2, (job.size[1] - fitted.height) // 2))
    canvas.save(target, format="PNG", compress_level=6)
    meta: dict[str, Any] = {"source": job.source, "size": list(job.size), "picture": [fitted.width, fitted.height]}
    if job.seconds is None:
        return Rendered(files=[target.name], meta=meta)
    from ..ffmpeg import clip_frames, still_clips

    clip = target.with_name(IMAGE_CLIP)
    (frames,) = clip_frames([job.seconds], FPS)  # at the lobby videos' frame rate
    still_clips([(target, frames, clip)], audio=True, fps=FPS)
    meta["clip"] = clip.name
    return Rendered(files=[target.name, clip.name], duration=frames / FPS, meta=meta)


def _normalise_video(job: MediaJob, source: Path, target: Path) -> Rendered:
    import subprocess

    from ..ffmpeg import BT709_TAGS, SILENCE, check_level, ffmpeg_exe, probe, x264_options

    info = probe(source)
    if not info.video:
        raise SignageError(Problem(f"{job.source} has no picture: a lobby screen needs video", item=job.label))
    w, h = job.size
    check_level(w, h, FPS)
    # converted to the BT.709 matrix and limited range and tagged so: a clip from a phone or a camera
    # comes with its own matrix, or none, and the lobby player would guess
    fit = (
        f"scale={w}:{h}:force_original_aspect_ratio=decrease:out_color_matrix=bt709:out_range=tv,"
        f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:black,setsar=1,fps={FPS},format=yuv420p,{BT709_TAGS}"
    )
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(source)]
    if not info.audio:
        cmd += ["-f", "lavfi", "-i", SILENCE, "-shortest"]
    cmd += [
        "-map",
        "0:v:0",
        "-map",
        "0:a:0" if info.audio else "1:a",
        "-vf",
        fit,
        *x264_options("veryfast", 20, FPS),
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-ar",
        "48000",
        "-ac",
        "2",
        "-movflags",
        "+faststart",
        "-map_metadata",
        "-1",
        "-f",
        "mp4",
        str(target),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False)
    if done.returncode != 0:
        raise SignageError(
            Problem(f"ffmpeg could not normalise {job.source}: {done.stderr.strip()[-400:]}", item=job.label)
        )
    made = probe(target)
    meta = {
        "source": job.source,
        "size": [w, h],
        "fps": FPS,
        "duration": made.duration,
        "source_size": [info.width, info.height],
        "source_audio": info.audio,
    }
    return Rendered(files=[target.name], duration=made.duration, meta=meta)


def media_job(
    project: Project, name: str, profile_id: str, size: tuple[int, int], video: bool, seconds: float | None = None
) -> MediaJob:
    try:
        path = inside(project.root, name)
    except ValueError as exc:
        raise SignageError(Problem(str(exc), item=name)) from None
    if not path.is_file():
        raise SignageError(Problem(f"{name} not found in the project folder", item=name))
    return MediaJob(
        content_kind="video" if video else "image",
        content_id=media_id(name),
        locale=NO_LOCALE,
        branch=None,
        target=profile_id,
        text=name,
        source=name,
        digest=file_digest(path),
        size=size,
        video=video,
        seconds=seconds,
    )


def plan(project: Project, context: PlanContext) -> list[MediaJob]:
    """A job per supplied file and TV profile that some screen's playlist plays."""
    jobs: dict[str, MediaJob] = {}
    for want in context.demand:
        if want.kind == "media" and want.path not in jobs:
            profile = project.profile(want.target)
            assert profile is not None and hasattr(profile, "dimensions")
            video = want.content_kind == "video"
            job = media_job(project, want.content_id, want.target, profile.dimensions, video, want.seconds)
            assert job.path == want.path, (job.path, want.path)
            jobs[want.path] = job
    return list(jobs.values())
