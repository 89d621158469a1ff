"""Do the videos look the same as before? SSIM and PSNR (ffmpeg's own filters) of every frame of each
starter template's video, this tree against another checkout, at full size.

    python benchmarks/pictures.py --baseline-tree /tmp/vc-before [--keep DIR]

Each tree renders with its own code and its own example project (so each with the x264 preset its
templates ship with); both files are decoded and compared frame by frame at the same instants
(the same frame count is checked). Both are lossy encodes: the figures include both encoders' losses.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signage.ffmpeg import ffmpeg_exe  # noqa: E402

VIDEOS = {
    "case-16x9": ["--case", "shuadan-rebate"],
    "case-9x16": ["--case", "shuadan-rebate"],
    "slogan-16x9": ["--slogan", "two-cards"],
    "ticker": ["--duration", "20"],
}


def render(tree: Path, template: str, out: Path) -> None:
    # in the tree: `python -m` puts the working folder first on the path, ahead of PYTHONPATH
    cmd = ["env", "-C", str(tree), f"PYTHONPATH={tree}", sys.executable, "-m", "signage", "--project", str(tree)]
    cmd += ["render", "video"]
    subprocess.run([*cmd, "--template", template, *VIDEOS[template], "-o", str(out)], check=True, capture_output=True)


def compare(a: Path, b: Path) -> tuple[float, float, float, int]:
    """(SSIM All, SSIM Y, PSNR average dB, frames compared)."""
    done = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(a), "-i", str(b)]
        + ["-lavfi", "[0:v][1:v]ssim;[0:v][1:v]psnr", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    err = done.stderr
    ssim_all = float(err.rsplit("All:", 1)[1].split()[0])
    ssim_y = float(err.rsplit("SSIM Y:", 1)[1].split()[0])
    psnr = float(err.rsplit("average:", 1)[1].split()[0])
    frames = int(err.rsplit("frame=", 1)[1].split()[0])
    return ssim_all, ssim_y, psnr, frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-tree", type=Path, required=True)
    parser.add_argument("--keep", type=Path, help="keep the videos in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pictures-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'template':<14}{'SSIM all':>10}{'SSIM Y':>9}{'PSNR dB':>9}{'frames':>8}")
        for template in VIDEOS:
            after, before = folder / f"{template}.after.mp4", folder / f"{template}.before.mp4"
            render(ROOT, template, after)
            render(args.baseline_tree, template, before)
            ssim_all, ssim_y, psnr, frames = compare(before, after)
            print(f"{template:<14}{ssim_all:>10.5f}{ssim_y:>9.5f}{psnr:>9.2f}{frames:>8}")


if __name__ == "__main__":
    main()
