"""The preview of a 1,000-branch network: how long it takes to write, how heavy it is, how fast it opens.

    python benchmarks/preview.py [--branches 1000]

Generates the network of benchmarks/network.py, builds and publishes it (`signage build`, a
new process), then writes the preview (in process, timed) and opens it in Debian's Chromium
(playwright, headless, from file://): the index, a search, and a branch page. Target: the
index usable in under a second, every page light (thumbnails, not assets).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import network
    from playwright.sync_api import sync_playwright

    from signage.kinds import open_project
    from signage.preview import write_preview

    tmp = Path(tempfile.mkdtemp(prefix="preview-bench-"))
    try:
        root = tmp / "project"
        root.mkdir()
        network.generate(root, args.branches)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SIGNAGE_CACHE_DIR": str(tmp / "cache")}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "signage", "build"], cwd=root, env=env, check=True, capture_output=True)
        built = time.perf_counter() - start
        project = open_project(root)
        shutil.rmtree(root / "output" / "preview", ignore_errors=True)
        start = time.perf_counter()
        report = write_preview(project)
        written = time.perf_counter() - start
        folder = root / "output" / "preview"
        total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        index = (folder / "index.html").stat().st_size
        branch_pages = sorted((folder / "branches").glob("*.html"))
        style = (folder / "style.css").stat().st_size
        print(f"network: {args.branches} branches, 3 screens each (build and publish: {built:.0f} s)\n")
        print(
            f"write the preview: {written:.1f} s ({written / args.branches * 1000:.1f} ms a branch), "
            f"{report.thumbs} thumbnails shared by every page"
        )
        print(
            f"on disk: {total / 2**20:.1f} MiB in all; index.html {index / 1024:.0f} KiB; a branch page "
            f"{statistics.median(p.stat().st_size for p in branch_pages) / 1024:.0f} KiB (median); style.css "
            f"with the embedded font subset {style / 1024:.0f} KiB (loaded once)"
        )
        loads, searches, pages = [], [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            for _ in range(args.repeat):
                page = browser.new_page()
                start = time.perf_counter()
                page.goto((folder / "index.html").as_uri(), wait_until="load")
                loads.append(time.perf_counter() - start)
                start = time.perf_counter()
                page.fill("#q", "第999号")
                page.wait_for_function("document.getElementById('count').textContent === '1'")
                searches.append(time.perf_counter() - start)
                start = time.perf_counter()
                page.goto(branch_pages[len(branch_pages) // 2].as_uri(), wait_until="load")
                pages.append(time.perf_counter() - start)
                page.close()
            browser.close()
        print(f"\nin Chromium (headless, file://), median of {args.repeat}:")
        print(f"  open the index of {args.branches} branches: {statistics.median(loads) * 1000:.0f} ms")
        print(f"  search for one branch: {statistics.median(searches) * 1000:.0f} ms")
        print(f"  open a branch page, every thumbnail loaded: {statistics.median(pages) * 1000:.0f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
