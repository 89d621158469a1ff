"""Time and size of print cards: signage's vector PDF against a 300-dpi raster PDF from Pillow.

    python benchmarks/cards.py [--template a6-table] [--repeat 3]

For every slogan the template applies to, in one process: lay the card out and write
its PDF (vector text in embedded font subsets), and, side by side, the same layout
painted at 300 dpi and saved by Pillow as a one-image PDF (what a hand-made poster
exported from an image editor amounts to). The first card pays for cutting the font
subsets once (cached per user afterwards); it is reported apart.
Targets: under 200 ms and under 200 KB for a text-only A6 card.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from signage.app.card import font_subsets
from signage.card.job import plan
from signage.card.layout import layout_card
from signage.card.pdf import FontSubsets, PdfOptions, card_pdf
from signage.card.raster import card_png
from signage.job import PlanContext, local_today
from signage.kinds import open_project

TARGET_MS, TARGET_KB = 200, 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", default="a6-table")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()

    project = open_project(args.project)
    template = project.template("card", args.template)
    jobs = [
        (j.content_id, j.locale)
        for j in plan(project, PlanContext(local_today(project)))
        if j.target == template.name and j.branch is None
    ]
    cache = Path(tempfile.mkdtemp(prefix="card-bench-"))
    try:
        subsets = FontSubsets(cache, font_subsets(project).characters)
        start = time.perf_counter()
        cid, loc = jobs[0]
        card_pdf([layout_card(project, template, cid, loc)], subsets, PdfOptions())
        cold = time.perf_counter() - start

        vector_ms, raster_ms, vector_kb, raster_kb = [], [], [], []
        for _ in range(args.repeat):
            for cid, loc in jobs:
                t0 = time.perf_counter()
                layout = layout_card(project, template, cid, loc)  # both paths start from the layout
                t1 = time.perf_counter()
                data = card_pdf([layout], subsets, PdfOptions())
                t2 = time.perf_counter()
                buffer = io.BytesIO()
                card_png(layout).save(buffer, format="PDF", resolution=300)
                t3 = time.perf_counter()
                vector_ms.append((t2 - t0) * 1000)
                raster_ms.append((t1 - t0 + t3 - t2) * 1000)
                vector_kb.append(len(data) / 1024)
                raster_kb.append(len(buffer.getvalue()) / 1024)
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    w, h = template.trim_size
    print(f"{template.name}: {w:g}x{h:g} mm + {template.bleed:g} mm bleed; {len(jobs)} cards x {args.repeat} repeats")
    print(f"first card, cutting the font subsets (once per user and character set): {cold * 1000:,.0f} ms\n")
    print(f"{'approach':<44}{'median ms':>10}{'p95 ms':>9}{'median KB':>11}{'max KB':>9}")
    for name, ms, kb in (
        ("signage PDF (vector text, embedded subsets)", vector_ms, vector_kb),
        ("Pillow 300-dpi raster PDF (same layout)", raster_ms, raster_kb),
    ):
        p95 = sorted(ms)[int(len(ms) * 0.95) - 1]
        print(f"{name:<44}{statistics.median(ms):>10.1f}{p95:>9.1f}{statistics.median(kb):>11.1f}{max(kb):>9.1f}")
    ratio_t = statistics.median(raster_ms) / statistics.median(vector_ms)
    ratio_s = statistics.median(raster_kb) / statistics.median(vector_kb)
    print(f"\nraster / vector: {ratio_t:.1f}x the time, {ratio_s:.1f}x the size")
    ok = statistics.median(vector_ms) < TARGET_MS and max(vector_kb) < TARGET_KB
    print(
        f"target: under {TARGET_MS} ms and {TARGET_KB} KB per card: {'PASS' if ok else 'FAIL'} "
        f"({statistics.median(vector_ms):.0f} ms median, {max(vector_kb):.0f} KB largest)"
    )


if __name__ == "__main__":
    main()
