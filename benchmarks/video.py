"""Video speed, side by side in one run: signage against ffmpeg drawtext and naive MoviePy.

    python benchmarks/video.py [--repeat 3] [--seconds 15] [--preset veryfast] [--skip-moviepy]

1. Ticker: a 1920x1080 25 fps ticker of one line of Chinese at 12 px a frame, made by
   `signage render video --template ticker` (a whole process: start-up, project, fonts,
   encoding), by ffmpeg alone with drawtext (same text, font file, size, speed, x264
   preset and output options, silent AAC track included), and the naive MoviePy way
   (TextClip + CompositeVideoClip with a position function, its own process too).
2. Peak memory of a 60 s ticker: the whole process tree (Python and ffmpeg), sampled.
3. Scene video: `signage render video --template case-16x9` against ffmpeg alone
   encoding the very same frames from a raw file with the same options.
Targets: ticker at most 1.0x drawtext's time and at least 8x faster than MoviePy; peak
memory under 600 MB for 60 s at 1080p; scenes within 1.3x of ffmpeg alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FONT = ROOT / "fonts" / "NotoSansCJK-Bold.ttc"  # the ticker template's role is sans-bold
TEXT = "不出租、不出借、不出售银行卡和电话卡，守住你的两卡，远离帮信罪。拨打96110咨询。"
W, H, FPS, SPEED, SIZE, BG = 1920, 1080, 25, 12, 96, "0x0b1f3a"


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def signage_cmd() -> list[str]:
    return [sys.executable, "-m", "signage", "--project", str(ROOT)]


def signage_ticker(out: Path, seconds: float, preset: str) -> list[str]:
    return [
        *signage_cmd(),
        "render",
        "video",
        "--template",
        "ticker",
        "--text",
        TEXT,
        "--duration",
        str(seconds),
        "--preset",
        preset,
        "-o",
        str(out),
    ]


def drawtext_ticker(out: Path, seconds: float, preset: str) -> list[str]:
    from signage.ffmpeg import ffmpeg_exe, x264_options

    # same motion: the text enters from the right edge and moves SPEED px a frame
    draw = (
        f"drawtext=fontfile={FONT}:text='{TEXT}':fontsize={SIZE}:fontcolor=white:x=w-mod(n*{SPEED}\\,w+tw):y=(h-th)/2"
    )
    return [
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"color=c={BG}:s={W}x{H}:r={FPS}:d={seconds}",
        "-f",
        "lavfi",
        "-i",
        "anullsrc=channel_layout=stereo:sample_rate=48000",
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-vf",
        draw,
        *x264_options(preset, 20, FPS),
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-t",
        str(seconds),
        "-movflags",
        "+faststart",
        str(out),
    ]


MOVIEPY = """
import sys
from moviepy import ColorClip, CompositeVideoClip, TextClip
out, seconds, preset, font, text = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
W, H, FPS, SPEED, SIZE = 1920, 1080, 25, 12, 96
clip = TextClip(font=font, text=text, font_size=SIZE, color="white")
tw = clip.w
moving = clip.with_position(lambda t: (W - (round(t * FPS) * SPEED) % (W + tw), (H - clip.h) // 2)).with_duration(seconds)
video = CompositeVideoClip([ColorClip((W, H), color=(11, 31, 58)).with_duration(seconds), moving])
video.write_videofile(out, fps=FPS, codec="libx264", preset=preset, audio=False, logger=None)
"""


def moviepy_ticker(out: Path, seconds: float, preset: str) -> list[str]:
    return [sys.executable, "-c", MOVIEPY, str(out), str(seconds), preset, str(FONT), TEXT]


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as children:
                    stack += [int(c) for c in children.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def peak_memory(cmd: list[str]) -> int:
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    process.wait()
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return peak


def scene_comparison(out_dir: Path, preset: str, repeat: int) -> tuple[float, float, float, int]:
    """Medians (signage process s, ffmpeg-alone s, signage in-process s) and the frame count, for one case video."""
    from signage.app.video import VideoRequest, _template
    from signage.ffmpeg import EncodeJob
    from signage.kinds import open_project
    from signage.scroll import scroll_offsets
    from signage.video import render as vr
    from signage.video.job import video_job
    from signage.video.scenes import build_timeline, ticker_strip
    from signage.video.yuv import YuvStrip

    out = out_dir / "case.mp4"
    ours_cmd = [
        *signage_cmd(),
        "render",
        "video",
        "--template",
        "case-16x9",
        "--case",
        "shuadan-rebate",
        "--preset",
        preset,
        "-o",
        str(out),
    ]
    # the same frames, written to a raw file, then encoded by ffmpeg alone
    project = open_project(ROOT)
    request = VideoRequest("case-16x9", case="shuadan-rebate", preset=preset)
    template = _template(project, request)
    locale = project.case("shuadan-rebate").locale
    job = video_job(project, template, "case", "shuadan-rebate", locale)
    timeline = build_timeline(template, job.texts, project.fonts, project.root, locale)
    image, _, _ = ticker_strip(template, job.texts.ticker or "", project.fonts, locale)
    strip = YuvStrip(image, W)
    frames = round(timeline.duration * template.fps)
    band_top = H - template.ticker.height  # type: ignore[union-attr]
    offsets = scroll_offsets(strip.width, W, template.ticker.speed, frames, enter=False)  # type: ignore[union-attr]
    raw = out_dir / "frames.yuv"

    class Sink:
        def __init__(self, handle):  # type: ignore[no-untyped-def]
            self.stdin = handle

    with open(raw, "wb") as handle:
        vr._feed(Sink(handle), timeline, strip, offsets, False, band_top, frames, template.fps, None)  # type: ignore[arg-type]
    encode = EncodeJob(
        output=out_dir / "alone.mp4",
        frame_size=(W, H),
        canvas=(W, H),
        fps=template.fps,
        frames=frames,
        preset=preset,
        crf=template.crf,
    )
    cmd = encode.command()
    cmd[cmd.index("-")] = str(raw)
    ours, alone, inside = [], [], []
    for _ in range(repeat):
        ours.append(timed(ours_cmd))
        alone.append(timed(cmd))
        start = time.perf_counter()
        vr.render_video(template, job.texts, project.fonts, project.root, locale, out_dir / "inside.mp4")
        inside.append(time.perf_counter() - start)
    raw.unlink()
    return statistics.median(ours), statistics.median(alone), statistics.median(inside), frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--preset", default="veryfast")
    parser.add_argument("--skip-moviepy", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="video-bench-") as tmp:
        out = Path(tmp)
        print(
            f"ticker: {W}x{H} {FPS} fps, {args.seconds:g} s, {SPEED} px/frame, {SIZE} px text, preset {args.preset}; "
            f"median of {args.repeat}, alternating"
        )
        from signage.app.video import VideoRequest, render
        from signage.kinds import open_project

        project = open_project(ROOT)
        request = VideoRequest("ticker", text=TEXT, duration=args.seconds, preset=args.preset)
        ours, draw, inside = [], [], []
        for _ in range(args.repeat):
            ours.append(timed(signage_ticker(out / "ours.mp4", args.seconds, args.preset)))
            draw.append(timed(drawtext_ticker(out / "drawtext.mp4", args.seconds, args.preset)))
            start = time.perf_counter()
            render(project, request, out / "inside.mp4")
            inside.append(time.perf_counter() - start)
        naive = None
        if not args.skip_moviepy:
            naive = timed(moviepy_ticker(out / "moviepy.mp4", args.seconds, args.preset))
        m_ours, m_draw = statistics.median(ours), statistics.median(draw)
        print(f"{'approach':<52}{'wall s':>8}{'vs signage':>12}")
        print(f"{'signage render video --template ticker (process)':<52}{m_ours:>8.2f}{1:>11.2f}x")
        print(f"{'ffmpeg drawtext (process)':<52}{m_draw:>8.2f}{m_draw / m_ours:>11.2f}x")
        m_inside = statistics.median(inside)
        print(
            f"{'signage render() in a warm process (no Python start)':<52}{m_inside:>8.2f}{m_inside / m_ours:>11.2f}x"
        )
        if naive is not None:
            print(
                f"{'MoviePy TextClip + CompositeVideoClip (process, 1 run)':<52}{naive:>8.2f}{naive / m_ours:>11.2f}x"
            )
        print(
            f"signage / drawtext: {m_ours / m_draw:.2f}x as processes, {m_inside / m_draw:.2f}x without Python's "
            "start-up (target at most 1.0x)"
        )
        if naive is not None:
            print(f"MoviePy / signage: {naive / m_ours:.1f}x (target at least 8x)")

        peak = peak_memory(signage_ticker(out / "long.mp4", 60, args.preset))
        every = peak_memory(
            [
                *signage_cmd(),
                "render",
                "video",
                "--template",
                "ticker",
                "--duration",
                "60",
                "--preset",
                args.preset,
                "-o",
                str(out / "all.mp4"),
            ]
        )
        print(
            f"\npeak memory of a 60 s 1080p ticker, Python + ffmpeg (target under 600 MB): {peak / 2**20:,.0f} MB "
            f"for the line above, {every / 2**20:,.0f} MB for all the project's slogans (a 100,000 px strip)"
        )

        ours_s, alone_s, inside_s, frames = scene_comparison(out, args.preset, args.repeat)
        print(f"\nscene video case-16x9 ({frames} frames 1920x1080, median of {args.repeat}):")
        print(f"  ffmpeg alone, encoding the same frames from a raw file   {alone_s:6.2f} s")
        print(
            f"  signage render_video in a warm process (layout+encode)   {inside_s:6.2f} s  {inside_s / alone_s:.2f}x"
        )
        print(f"  signage render video as a new process (+ Python start)   {ours_s:6.2f} s  {ours_s / alone_s:.2f}x")
        print("  target: within 1.3x of ffmpeg alone")


if __name__ == "__main__":
    main()
