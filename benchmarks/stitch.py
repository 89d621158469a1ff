"""A 1080p hold with a ticker band: x264 on the whole picture against slices stitched (only the band's
rows encoded every frame), side by side in one run; and, with ``--prove``, that the stitched frames
are exactly the regions' own frames.

    python benchmarks/stitch.py [--repeat 3] [--seconds 10] [--speeds 4,3] [--preset superfast] [--prove]
    python benchmarks/stitch.py --example [--repeat 3]
    python benchmarks/stitch.py --margins [--repeat 3]

The still is a scene-like picture (a dark background, two title lines and four body lines in Noto
Sans CJK), the band 96 px of red with white text at the foot, as the example's 16:9 templates have
them. Each run encodes one hold segment into an empty store (signage/video/compose.py, with and
without stitching) and reports the CPU seconds of the process and its ffmpeg children, median of
``--repeat``, alternating the two.

``--prove``, per speed: the stitched segment (its MP4) decoded by the bundled ffmpeg, each region's
rows cropped out and hashed frame by frame (framemd5), against the regions' own encodes decoded alone
(the band every frame, a still region its one frame); every motion vector of the band's encode read
with PyAV and checked to stay inside the band's picture (the 6-tap filter's rows included); the MP4
checked by Debian's ffprobe (one stream, timestamps strictly increasing, every frame) and decoded with
``-v error`` by Debian's ffmpeg and by mpv.

``--margins``: 13 of the example's videos rendered with one macroblock row of still kept around a band
over plain rows (what the build does) and with three everywhere: CPU and how each hold was proved.

``--example``: the example's own 1080p videos (the first slogan in slogan-16x9, the first case in
case-16x9), each rendered whole (every segment into an empty store) with and without stitching,
side by side: CPU seconds (median of ``--repeat``), holds stitched and holds that fell back to one
picture, size, and SSIM/PSNR of both against a lossless render.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from signage.ffmpeg import EncodeJob, ffmpeg_exe  # noqa: E402
from signage.video import compose, slices, stitch  # noqa: E402
from signage.video.graph import Band  # noqa: E402

FONT = ROOT / "fonts" / "NotoSansCJK-Bold.ttc"
W, H, BAND = 1920, 1080, 96


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def still_picture() -> Image.Image:
    image = Image.new("RGB", (W, H), "#0b1f3a")
    draw = ImageDraw.Draw(image)
    title = ImageFont.truetype(str(FONT), 96)
    body = ImageFont.truetype(str(FONT), 52)
    draw.text((120, 140), "冒充客服退款诈骗", font=title, fill="#ffffff")
    draw.text((120, 270), "以案说险 · 警惕陌生来电", font=title, fill="#ffd200")
    for n, line in enumerate(["对方自称电商客服，称商品有问题可退款", "要求下载会议软件并开启屏幕共享",
                              "诱导提供银行卡号和短信验证码", "记住：任何客服都不会索要验证码"]):  # fmt: skip
        draw.text((120, 480 + 90 * n), line, font=body, fill="#dfe7f2")
    draw.rectangle([1500, 460, 1800, 840], outline="#ffd200", width=6)
    return image


def strip_picture() -> Image.Image:
    font = ImageFont.truetype(str(FONT), 52)
    text = "谨防冒充公检法诈骗　　　不要向陌生账户转账　　　验证码就是钱，不告诉任何人　　　"
    width = int(font.getlength(text))
    strip = Image.new("RGB", (width, BAND), "#c8102e")
    ImageDraw.Draw(strip).text((0, 14), text, font=font, fill="#ffffff")
    return strip


def composition(folder: Path, speed: int, frames: int) -> compose.Composition:
    still = folder / "still.rgb"
    digest = compose.save_still(still_picture(), still)
    strip = strip_picture()
    band = Band(strip, compose.picture_digest(strip), H - BAND, speed, strip.width)
    comp = compose.Composition((W, H), [still], [digest], band)
    comp.segments = [compose.Segment(0, frames, 0)]
    return comp


def encode(comp: compose.Composition, job: EncodeJob, store: Path, stitched: bool) -> tuple[float, Path]:
    """CPU seconds to encode the hold into an empty ``store``, and the segment's file."""
    compose.STITCH = stitched
    compose.segment_keys(comp, job)
    before = cpu()
    compose.encode_segments(comp, comp.segments, job, store)
    spent = cpu() - before
    return spent, compose.segment_path(store, comp.segments[0].key)


def framemd5(path: Path, crop: tuple[int, int] | None = None) -> list[str]:
    """The MD5 of each decoded frame (yuv420p), of rows [top, bottom) only when ``crop``."""
    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(path)]
    if crop is not None:
        cmd += ["-vf", f"crop=w=iw:h={crop[1] - crop[0]}:x=0:y={crop[0]}"]
    out = subprocess.run([*cmd, "-pix_fmt", "yuv420p", "-f", "framemd5", "-"], capture_output=True, text=True)
    if out.returncode or out.stderr.strip():
        raise SystemExit(f"decoding {path} failed: {out.stderr.strip()}")
    return [line.rsplit(",", 1)[1].strip() for line in out.stdout.splitlines() if line and not line.startswith("#")]


def vector_reach(path: Path) -> tuple[int, int, int, int]:
    """Over every motion vector of an H.264 file (PyAV, as signage/h264/reach.py asks for them): how
    many, how many move vertically, and the first and last picture row any of them reads (6-tap rows
    included: ``reach.rows_of``)."""
    import av
    import numpy as np

    from signage.h264 import reach

    gathered = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = dict(reach.DECODER_OPTIONS)
        for frame in container.decode(stream):
            vectors = frame.side_data.get("MOTION_VECTORS")
            if vectors is not None:
                gathered.append(vectors.to_ndarray().copy())
    vectors = np.concatenate(gathered) if gathered else np.zeros(0)
    if not len(vectors):
        return 0, 0, 0, -1
    (first, last), _ = reach.rows_of(vectors)
    return len(vectors), int(np.count_nonzero(vectors["motion_y"])), first, last


def players(mp4: Path, frames: int) -> list[str]:
    """What Debian's ffprobe/ffmpeg and mpv say against the stitched MP4 (empty: all well)."""
    problems = []
    probe = subprocess.run(
        ["/usr/bin/ffprobe", "-v", "error", "-show_streams", "-show_packets", "-of", "json", str(mp4)],
        capture_output=True, text=True,
    )  # fmt: skip
    data = json.loads(probe.stdout or "{}")
    if probe.stderr.strip():
        problems.append(f"ffprobe: {probe.stderr.strip()[:200]}")
    if len(data.get("streams", [])) != 1:
        problems.append(f"{len(data.get('streams', []))} streams")
    dts = [int(p["dts"]) for p in data.get("packets", [])]
    if len(dts) != frames or any(b <= a for a, b in zip(dts, dts[1:])):
        problems.append(f"{len(dts)} packets, timestamps not strictly increasing")
    decode = subprocess.run(["/usr/bin/ffmpeg", "-v", "error", "-i", str(mp4), "-f", "null", "-"], capture_output=True)
    if decode.returncode or decode.stderr.strip():
        problems.append(f"Debian ffmpeg: {decode.stderr.decode(errors='replace')[:200]}")
    if shutil.which("mpv"):
        mpv = subprocess.run(
            ["mpv", "--no-config", "--vo=null", "--ao=null", "--untimed", "--msg-level=all=error", str(mp4)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if mpv.returncode or mpv.stdout.strip() or mpv.stderr.strip():
            problems.append(f"mpv: {(mpv.stdout + mpv.stderr).strip()[:200]}")
    return problems


def prove(speed: int, frames: int, preset: str, folder: Path) -> bool:
    comp = composition(folder, speed, frames)
    band = comp.band
    assert band is not None
    lay = stitch.layout(W, H, band.top, BAND)
    assert lay is not None
    hold = slices.Hold(comp.stills[0], (W, H), band, 0, frames, 25, preset, 20)
    headers, parts = slices.encode_regions(hold, lay, folder)
    started = time.process_time()
    stream = stitch.stitch(headers[H], parts, frames)
    python_ms = (time.process_time() - started) * 1000
    (folder / "stitched.h264").write_bytes(stream)
    mp4 = folder / "stitched.mp4"
    slices.mux(folder / "stitched.h264", 25, mp4)
    exact = True
    for n, region in enumerate(lay.regions):
        top, bottom = region.pixel_rows(H)
        own = framemd5(folder / f"region-{n}.h264")
        shown = framemd5(mp4, (top, bottom))
        expected = own if region.moving else own[:1] * frames
        same = sum(a == b for a, b in zip(shown, expected))
        kind = "band" if region.moving else "still"
        print(f"  speed {speed}: {kind} rows {top}-{bottom}: {same} of {len(shown)} frames identical "
              f"(region's own encode: {len(own)} frame(s))")  # fmt: skip
        exact &= same == len(shown) == frames
        if region.moving:
            count, vertical, first, last = vector_reach(folder / f"region-{n}.h264")
            inside = (first >= 0 or region.first == 0) and (
                last < (region.end - region.first) * 16 or region.end * 16 >= H
            )
            print(f"  speed {speed}: band's motion vectors: {count}, {vertical} with a vertical part, rows read "
                  f"{first}..{last} of 0..{(region.end - region.first) * 16 - 1}: {'inside' if inside else 'OUTSIDE'}")  # fmt: skip
            exact &= inside
    verdict = slices.checked(folder, hold, lay, headers, parts)
    check = lay.check()[0]
    print(f"  speed {speed}: the build's check (band and near still rows, {check.height} of {H} rows): "
          f"{'exact' if verdict else 'NOT exact'}")  # fmt: skip
    exact &= verdict
    problems = players(mp4, frames)
    print(f"  speed {speed}: stitching in Python {python_ms:.0f} ms for {frames} frames "
          f"({python_ms * 1000 / frames:.0f} us a frame); players: {'; '.join(problems) or 'no errors'}")  # fmt: skip
    return exact and not problems


def lossless_reference(comp: compose.Composition, job: EncodeJob, store: Path) -> Path:
    """The hold's frames as composed, losslessly encoded: what both encodes are compared against."""
    shipped = compose.segment_options
    compose.segment_options = lambda *_, **__: ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-bf", "0"]
    try:
        _, made = encode(comp, job, store, stitched=False)
    finally:
        compose.segment_options = shipped
    return made


def similarity(made: Path, reference: Path) -> tuple[float, float]:
    """SSIM (All) and PSNR (average) of ``made`` against ``reference``, by ffmpeg's own filters."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-i", str(made), "-i", str(reference), "-filter_complex"]
    ssim = subprocess.run([*cmd, "[0:v][1:v]ssim", "-f", "null", "-"], capture_output=True, text=True).stderr
    psnr = subprocess.run([*cmd, "[0:v][1:v]psnr", "-f", "null", "-"], capture_output=True, text=True).stderr
    return float(ssim.split("All:")[1].split()[0]), float(psnr.split("average:")[1].split()[0])


def render_example(name: str, out: Path, stitched: bool, lossless: bool = False) -> tuple[float, int, int]:
    """CPU seconds to render the example's video ``name`` into ``out`` (an empty segment store), and how
    many holds were stitched and how many fell back to one picture."""
    from signage.kinds import open_project
    from signage.video.job import video_job
    from signage.video.render import render_video

    project = open_project(ROOT)
    template = project.template("video", name)
    item = next(iter(project.slogans)) if template.content == "slogan" else sorted(project.cases)[0]
    job = video_job(project, template, template.content, item, "zh-Hans-CN")
    outcomes: list[bool] = []
    shipped_encode, shipped_options = slices.encode_stitched, compose.segment_options

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        outcomes.append(shipped_encode(*args, **kwargs))
        return outcomes[-1]

    slices.encode_stitched = counted
    compose.STITCH = stitched
    if lossless:
        compose.segment_options = lambda *_, **__: ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-bf", "0"]
    try:
        with tempfile.TemporaryDirectory(prefix="segments-") as segments:
            before = cpu()
            render_video(template, job.texts, project.fonts, project.root, "zh-Hans-CN", out, segments=Path(segments))
            spent = cpu() - before
    finally:
        slices.encode_stitched, compose.segment_options, compose.STITCH = shipped_encode, shipped_options, True
    return spent, outcomes.count(True), outcomes.count(False)


def example(repeat: int, root: Path) -> None:
    for name in ("slogan-16x9", "case-16x9"):
        reference = root / f"{name}-lossless.mp4"
        render_example(name, reference, stitched=False, lossless=True)
        rows: dict[str, list[float]] = {"whole": [], "stitched": []}
        counts = (0, 0)
        for _ in range(repeat):
            for label in rows:
                spent, made, fell = render_example(name, root / f"{name}-{label}.mp4", label == "stitched")
                rows[label].append(spent)
                counts = (made, fell) if label == "stitched" else counts
        print(f"{name} at 1080p, every segment encoded, median of {repeat} (CPU of Python and ffmpeg):")
        for label, values in rows.items():
            ssim, psnr = similarity(root / f"{name}-{label}.mp4", reference)
            size = (root / f"{name}-{label}.mp4").stat().st_size / 1e6
            runs = ", ".join(f"{v:.2f}" for v in values)
            print(
                f"  {label:9} {statistics.median(values):6.2f} CPU-s ({runs})  {size:.2f} MB  SSIM {ssim:.5f}  PSNR {psnr:.2f} dB"
            )
        ratio = statistics.median(rows["stitched"]) / statistics.median(rows["whole"])
        print(f"  stitched / whole: {ratio:.2f}x; holds stitched {counts[0]}, fell back to one picture {counts[1]}")


def margins(repeat: int) -> None:
    """The example's videos (the first four slogans in slogan-16x9, the first four cases in case-16x9
    and case-9x16, the Hong Kong ticker) rendered whole into empty stores, with the margin the build
    keeps over plain still rows (``stitch.PLAIN_MARGIN_ROWS``) and with three rows everywhere,
    alternating: CPU seconds, and how many holds their vectors proved, the decoding check passed, or
    fell back to one picture."""
    from signage.kinds import open_project
    from signage.video.job import video_job
    from signage.video.render import render_video

    project = open_project(ROOT)
    jobs = []
    for name in ("slogan-16x9", "case-16x9", "case-9x16"):
        template = project.template("video", name)
        items = list(project.slogans)[:4] if template.content == "slogan" else sorted(project.cases)[:4]
        jobs += [(template, video_job(project, template, template.content, i, "zh-Hans-CN")) for i in items]
    ticker = project.template("video", "ticker")
    jobs.append((ticker, video_job(project, ticker, "text", None, "zh-Hant-HK")))
    counts: dict[str, int] = {}
    shipped = slices.vectors_inside, slices.checked

    def count(what: str, answer: bool) -> bool:
        counts[what] = counts.get(what, 0) + int(answer)
        return answer

    slices.vectors_inside = lambda *a: count("proved by vectors", shipped[0](*a))
    slices.checked = lambda *a, **k: count("passed the check", shipped[1](*a, **k))
    plain = stitch.PLAIN_MARGIN_ROWS
    rows: dict[int, list[float]] = {plain: [], stitch.MARGIN_ROWS: []}
    try:
        for _ in range(repeat):
            for margin, spent in rows.items():
                stitch.PLAIN_MARGIN_ROWS = margin
                counts.clear()
                before = cpu()
                for template, job in jobs:
                    with tempfile.TemporaryDirectory(prefix="margins-") as folder:
                        out = Path(folder) / "video.mp4"
                        render_video(
                            template, job.texts, project.fonts, project.root, job.locale, out, segments=Path(folder)
                        )
                spent.append(cpu() - before)
                print(f"  margin {margin} over plain rows: {spent[-1]:.1f} CPU-s, {counts}", flush=True)
    finally:
        stitch.PLAIN_MARGIN_ROWS = plain
        slices.vectors_inside, slices.checked = shipped
    thin, thick = (statistics.median(v) for v in rows.values())
    print(f"{len(jobs)} videos, median of {repeat}: {thin:.1f} CPU-s with {plain} row over plain still rows, "
          f"{thick:.1f} with {stitch.MARGIN_ROWS} everywhere ({thin / thick:.2f}x)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--speeds", default="4,3")
    parser.add_argument("--preset", default="superfast")
    parser.add_argument("--prove", action="store_true")
    parser.add_argument("--example", action="store_true")
    parser.add_argument("--margins", action="store_true")
    args = parser.parse_args()
    if args.margins:
        margins(args.repeat)
        return
    if args.example:
        with tempfile.TemporaryDirectory(prefix="stitch-example-") as name:
            example(args.repeat, Path(name))
        return
    frames = round(args.seconds * 25)
    speeds = [int(s) for s in args.speeds.split(",")]
    with tempfile.TemporaryDirectory(prefix="stitch-bench-") as name:
        root = Path(name)
        if args.prove:
            verdicts = []
            for speed in speeds:
                folder = root / f"prove-{speed}"
                folder.mkdir()
                verdicts.append(prove(speed, frames, args.preset, folder))
            print("EXACT" if all(verdicts) else "NOT EXACT")
        comp = composition(root, speeds[0], frames)
        job = EncodeJob(root / "unused.mp4", (W, H), (W, H), 25, frames, args.preset, 20)
        times: dict[str, list[float]] = {"x264 whole picture": [], "stitched slices": []}
        sizes: dict[str, int] = {}
        made_files: dict[str, Path] = {}
        for n in range(args.repeat):
            for label, stitched in (("x264 whole picture", False), ("stitched slices", True)):
                spent, made = encode(comp, job, root / f"store-{label[:1]}-{n}", stitched)
                times[label].append(spent)
                sizes[label] = made.stat().st_size
                made_files[label] = made
                if stitched and b"x264 - core" in made.read_bytes():
                    print(f"  run {n}: the stitched band was not exact: encoded whole")
        reference = lossless_reference(comp, job, root / "store-lossless")
        quality = {label: similarity(made_files[label], reference) for label in times}
        whole, parts = (statistics.median(times[k]) for k in times)
        print(f"1080p hold, {frames} frames, band {BAND} px at speed {speeds[0]}, {args.preset}, crf 20, "
              f"median of {args.repeat}:")  # fmt: skip
        for label, values in times.items():
            runs = ", ".join(f"{v:.2f}" for v in values)
            ssim, psnr = quality[label]
            print(
                f"  {label:20} {statistics.median(values):6.2f} CPU-s  ({runs})  {sizes[label] / 1e6:.2f} MB  "
                f"SSIM {ssim:.5f}  PSNR {psnr:.2f} dB"
            )
        print(f"  stitched / whole: {parts / whole:.2f}x")


if __name__ == "__main__":
    main()
