"""Video speed, side by side in one run: signage against ffmpeg drawtext and naive MoviePy.

    python benchmarks/video.py [--repeat 3] [--seconds 15] [--preset veryfast] [--skip-moviepy]

1. Ticker: a 1920x1080 25 fps ticker of one line of Chinese at 12 px a frame, made by
   `signage render video --template ticker` (a whole process: start-up, project, fonts,
   encoding), by ffmpeg alone with drawtext (same text, font file, size, speed, x264
   preset and output options, silent AAC track included), and the naive MoviePy way
   (TextClip + CompositeVideoClip with a position function, its own process too).
2. Peak memory of a 60 s ticker: the whole process tree (Python and ffmpeg), sampled.
3. Scene video: `signage render video --template case-16x9` against ffmpeg alone
   encoding the very same frames (signage's output decoded to a raw file) with the same
   x264 options, wall and CPU time.
Targets: ticker at most 0.8x drawtext's time and at least 8x faster than MoviePy; peak
memory under 600 MB for 60 s at 1080p; scenes within 1.1x of ffmpeg alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peaks import sampled_peak  # benchmarks/peaks.py: this folder is first on the path

ROOT = Path(__file__).resolve().parents[1]
FONT = ROOT / "fonts" / "NotoSansCJK-Bold.ttc"  # the ticker template's role is sans-bold
TEXT = "不出租、不出借、不出售银行卡和电话卡，守住你的两卡，远离帮信罪。拨打96110咨询。"
W, H, FPS, SPEED, SIZE, BG = 1920, 1080, 25, 12, 96, "0x0b1f3a"


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def signage_cmd(tree: Path = ROOT) -> list[str]:
    """`signage` run with the code and the example project of ``tree`` (this checkout, or a baseline's)."""
    # run in the tree: `python -m` puts the working folder first on the path, ahead of PYTHONPATH
    return ["env", "-C", str(tree), f"PYTHONPATH={tree}", sys.executable, "-m", "signage", "--project", str(tree)]


def signage_ticker(out: Path, seconds: float, preset: str, tree: Path = ROOT) -> list[str]:
    return [
        *signage_cmd(tree),
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


def peak_memory(cmd: list[str]) -> int:
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, peak = sampled_peak(process, process.wait, 0.05)
    if process.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return peak


def cpu_timed(cmd: list[str]) -> tuple[float, float]:
    """(wall s, CPU s of the process tree) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(cmd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def scene_comparison(
    out_dir: Path, preset: str | None, repeat: int, baseline: Path | None
) -> tuple[float, float, float, float, int, tuple[float, float] | None]:
    """Medians (signage process wall s and CPU s, ffmpeg-alone wall s and CPU s) and the frame count,
    for one case video. ffmpeg alone encodes the very frames signage's video shows (decoded to a raw
    file first), with the same x264 options, its own threads, one process."""
    from signage.ffmpeg import EncodeJob, ffmpeg_exe

    out = out_dir / "case.mp4"

    def case_cmd(tree: Path, target: Path) -> list[str]:
        given = ["--preset", preset] if preset else []
        return (
            [*signage_cmd(tree), "render", "video", "--template", "case-16x9", "--case", "shuadan-rebate"]
            + given
            + [
                "-o",
                str(target),
            ]
        )

    ours_cmd = case_cmd(ROOT, out)
    subprocess.run(ours_cmd, check=True, capture_output=True)
    raw = out_dir / "frames.yuv"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-i", str(out), "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw)],
        check=True,
    )
    frames = raw.stat().st_size // (W * H * 3 // 2)
    used = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    encode = EncodeJob(
        output=out_dir / "alone.mp4",
        frame_size=(W, H),
        canvas=(W, H),
        fps=FPS,
        frames=frames,
        preset=preset or used["preset"],
        crf=used["crf"],
    )
    cmd = encode.command()
    cmd[cmd.index("-")] = str(raw)
    ours, alone, base = [], [], []
    for _ in range(repeat):
        ours.append(cpu_timed(ours_cmd))
        alone.append(cpu_timed(cmd))
        if baseline is not None:
            base.append(cpu_timed(case_cmd(baseline, out_dir / "baseline.mp4")))
    raw.unlink()
    return (
        statistics.median(w for w, _ in ours),
        statistics.median(c for _, c in ours),
        statistics.median(w for w, _ in alone),
        statistics.median(c for _, c in alone),
        frames,
        (statistics.median(w for w, _ in base), statistics.median(c for _, c in base)) if base else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--preset", default="veryfast")
    parser.add_argument("--skip-moviepy", action="store_true")
    parser.add_argument("--baseline-tree", type=Path, help="another checkout of signage to compare with")
    parser.add_argument("--scene-preset", help="x264 preset of the case video (default: each tree's template's)")
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
        ours, draw, inside, base = [], [], [], []
        for _ in range(args.repeat):
            if args.baseline_tree:
                base.append(timed(signage_ticker(out / "base.mp4", args.seconds, args.preset, args.baseline_tree)))
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
        if base:
            m_base = statistics.median(base)
            print(f"{'the baseline tree, same command (process)':<52}{m_base:>8.2f}{m_base / m_ours:>11.2f}x")
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
            "start-up (target at most 0.8x)"
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

        ours_w, ours_c, alone_w, alone_c, frames, base = scene_comparison(
            out, args.scene_preset, args.repeat, args.baseline_tree
        )
        preset = args.scene_preset or "the template's"
        print(f"\nscene video case-16x9 ({frames} frames 1920x1080, preset {preset}, median of {args.repeat}):")
        print(f"{'':<58}{'wall s':>8}{'CPU s':>8}")
        print(f"  {'ffmpeg alone, encoding the same frames from a raw file':<56}{alone_w:>8.2f}{alone_c:>8.2f}")
        print(f"  {'signage render video as a new process (+ Python start)':<56}{ours_w:>8.2f}{ours_c:>8.2f}")
        if base is not None:
            print(f"  {'the baseline tree, same command':<56}{base[0]:>8.2f}{base[1]:>8.2f}")
            print(f"  this tree / baseline: {ours_w / base[0]:.2f}x wall, {ours_c / base[1]:.2f}x CPU")
        print(
            f"  signage / ffmpeg alone: {ours_w / alone_w:.2f}x wall, {ours_c / alone_c:.2f}x CPU (target within 1.1x)"
        )


if __name__ == "__main__":
    main()
