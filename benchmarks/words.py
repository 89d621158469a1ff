"""How often line breaks fall inside a word, on sentences whose words were marked by hand.

    python benchmarks/words.py [--widths 5,6,7,8,9,11,13]

Lays out every sentence of ``tests/data/words-annotated.txt`` in boxes from 5 to 13
characters wide, in headline mode (display text: sizes from 100 % down to 85 %) and in
body mode (one size), and counts the breaks that fall where the annotation has no word
boundary. Targets: headline 0 where avoidable (2 % at most overall), body 10 % at most.
Also times the layout of each sentence (the line choice with its word boundaries).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from signage.kinds import open_project
from signage.typography.layout import Box, TextStyle, fit_text

ROOT = Path(__file__).resolve().parents[1]
ANNOTATED = ROOT / "tests" / "data" / "words-annotated.txt"
SIZE = 40


def sentences() -> list[tuple[str, set[int], str]]:
    """(text, positions where a word ends, locale) of each annotated line."""
    found = []
    for line in ANNOTATED.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        words = line.split("|")
        text = "".join(words)
        ends, pos = set(), 0
        for word in words:
            pos += len(word)
            ends.add(pos)
        traditional = any(c in text for c in "懷騙熱唔網認離銀戶")
        found.append((text, ends, "zh-Hant-HK" if traditional else "zh-Hans-CN"))
    return found


def measure(widths: list[int]) -> dict[str, tuple[int, int, float]]:
    project = open_project(ROOT)
    results: dict[str, tuple[int, int, float]] = {}
    for mode in ("headline", "body"):
        inside = total = 0
        times = []
        for text, ends, locale in sentences():
            chain = project.fonts.chain("sans", locale)
            for width in widths:
                style = TextStyle(
                    role="sans",
                    size=SIZE,
                    min_size=round(SIZE * 0.85) if mode == "headline" else SIZE,
                    headline=mode == "headline",
                    max_lines=None,
                )
                start = time.perf_counter()
                layout = fit_text(text, Box(width * SIZE + SIZE // 2), style, chain)
                times.append(time.perf_counter() - start)
                for line in layout.lines[:-1]:
                    total += 1
                    if line.end not in ends:
                        inside += 1
        results[mode] = (inside, total, statistics.median(times) * 1000)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", default="5,6,7,8,9,11,13")
    args = parser.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    found = sentences()
    print(f"{len(found)} hand-annotated sentences, boxes {args.widths} characters wide, {SIZE} px\n")
    print(f"{'mode':<10}{'breaks':>8}{'inside a word':>15}{'share':>8}{'ms/layout':>11}")
    for mode, (inside, total, ms) in measure(widths).items():
        print(f"{mode:<10}{total:>8}{inside:>15}{inside / max(total, 1):>8.1%}{ms:>11.2f}")


if __name__ == "__main__":
    main()
