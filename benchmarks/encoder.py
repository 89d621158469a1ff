"""Encoder settings for video segments, chosen by measurement: preset and GOP length against CPU,
size and quality (SSIM and PSNR from ffmpeg's own filters against a lossless encode of the same
frames).

    python benchmarks/encoder.py [--repeat 3] [--template slogan-16x9] [--presets ultrafast,superfast,veryfast]

Each setting renders the same 1080p video (the template's first slogan or case, stills and ticker
band composed by ffmpeg, every segment encoded: an empty segment store each time) and reports the
median CPU seconds of ffmpeg, the file's size and its SSIM/PSNR against the lossless reference.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signage import ffmpeg  # noqa: E402
from signage.kinds import open_project  # noqa: E402
from signage.video import compose  # noqa: E402
from signage.video.job import video_job  # noqa: E402
from signage.video.render import render_video  # noqa: E402


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def settings(preset: str, gop_seconds: float) -> list[str]:
    """The segment options with another preset and keyframe interval (everything else as shipped)."""

    def options(_: str, crf: int, fps: int) -> list[str]:
        shipped = ffmpeg.segment_options(preset, crf, fps)
        keyint = str(round(gop_seconds * fps))
        for flag in ("-g", "-keyint_min"):
            shipped[shipped.index(flag) + 1] = keyint
        return shipped

    return options  # type: ignore[return-value]


def lossless(_: str, crf: int, fps: int) -> list[str]:
    """Every pixel as composed (no rate cap): the reference the settings are measured against."""
    return ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", "-bf", "0", "-threads", "1"]


def render(project, template_name: str, out: Path, options) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds of ffmpeg to make ``out`` with segment ``options``."""
    template = project.template("video", template_name)
    kind = template.content
    item = next(iter(project.slogans)) if kind == "slogan" else sorted(project.cases)[0]
    job = video_job(project, template, kind, item, "zh-Hans-CN")
    compose.segment_options = options  # what the compositor encodes segments with
    compose.STITCH = False  # every segment one x264 run with those options (stitched holds have their own)
    with tempfile.TemporaryDirectory(prefix="segments-") as segments:
        before = children_cpu()
        render_video(template, job.texts, project.fonts, project.root, "zh-Hans-CN", out, segments=Path(segments))
        return children_cpu() - before


def quality(out: Path, reference: Path) -> tuple[float, float]:
    """(SSIM All, PSNR average dB) of ``out`` against ``reference``."""
    done = subprocess.run(
        [ffmpeg.ffmpeg_exe(), "-hide_banner", "-i", str(out), "-i", str(reference)]
        + ["-lavfi", "[0:v][1:v]ssim;[0:v][1:v]psnr", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    ssim = float(done.stderr.rsplit("All:", 1)[1].split()[0])
    psnr = float(done.stderr.rsplit("average:", 1)[1].split()[0])
    return ssim, psnr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--template", default="slogan-16x9")
    parser.add_argument("--presets", default="ultrafast,superfast,veryfast,faster")
    parser.add_argument("--gops", default="2,10", help="keyframe intervals, seconds")
    args = parser.parse_args()
    project = open_project(ROOT)
    with tempfile.TemporaryDirectory(prefix="encoder-bench-") as tmp:
        reference = Path(tmp) / "lossless.mp4"
        render(project, args.template, reference, lossless)
        rows = []
        for preset in args.presets.split(","):
            for gop in (float(g) for g in args.gops.split(",")):
                out = Path(tmp) / f"{preset}-{gop:g}.mp4"
                cpu = statistics.median(
                    render(project, args.template, out, settings(preset, gop)) for _ in range(args.repeat)
                )
                rows.append((preset, gop, cpu, out.stat().st_size, *quality(out, reference)))
    print(f"{args.template} at 1080p, every segment encoded, median of {args.repeat}; quality against lossless\n")
    print(f"{'preset':<10}{'GOP s':>6}{'CPU s':>8}{'KB':>8}{'SSIM':>9}{'PSNR dB':>9}")
    for preset, gop, cpu, size, ssim, psnr in rows:
        print(f"{preset:<10}{gop:>6g}{cpu:>8.2f}{size / 1024:>8.0f}{ssim:>9.5f}{psnr:>9.2f}")


if __name__ == "__main__":
    main()
