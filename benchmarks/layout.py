"""Time signage's text fitting against MoviePy's caption TextClip on ~40-character Chinese slogans.

    python benchmarks/layout.py [--count 1000] [--repeat 3] [--moviepy-count 100] [--json FILE]

The slogans are built from the project's own zh-Hans-CN slogan texts: their clauses are
recombined at random (seeded) into distinct texts of 38-42 characters, so no per-text
cache can serve one slogan from another. signage's per-text caches are cleared before
every repeat; per-glyph metric caches stay warm, as they do in a long-running build.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from moviepy import TextClip
from PIL import ImageFont

from signage.kinds import open_project as load_project
from signage.project.model import Project
from signage.typography.layout import Box, TextLayout, TextStyle, fit_text
from signage.typography.linebreak import NO_END, NO_START, _analyse, _uax14_breaks
from signage.typography.words import segment

ROOT = Path(__file__).resolve().parent.parent
FONT = str(ROOT / "fonts" / "NotoSansCJK-Regular.ttc")  # MoviePy opens face 0: Noto Sans CJK JP
LOCALE = "zh-Hans-CN"
WIDTH, HEIGHT = 640, 160
BOX = Box(WIDTH, HEIGHT)
TARGET_MS = 2.0
CLAUSE_END = re.compile(r"[，。！？：；]")
T = TypeVar("T")


def source_texts(project: Project) -> list[str]:
    """The project's zh-Hans-CN slogan texts, Jinja variables filled for the first branch."""
    branch = project.branches_for(LOCALE)[0]
    texts = project.texts
    return [project.fill(e, branch) for e in texts if e.file.name == "slogans.yaml" and e.field == f"text.{LOCALE}"]


def make_slogans(texts: Sequence[str], count: int, seed: int, lo: int = 38, hi: int = 42) -> list[str]:
    """``count`` distinct slogans of lo..hi characters: random clauses joined by '，'."""
    clauses = sorted({c.strip() for t in texts for c in CLAUSE_END.split(t) if len(c.strip()) >= 4})
    rng = random.Random(seed)
    found: dict[str, None] = {}
    for _ in range(count * 50):
        parts: list[str] = []
        while len("，".join(parts)) + 1 < lo:
            parts.append(rng.choice(clauses))
        text = "，".join(parts) + "。"
        if len(text) <= hi and len(set(parts)) == len(parts):
            found[text] = None
            if len(found) == count:
                return list(found)
    raise SystemExit(f"only {len(found)} distinct slogans could be made from {len(clauses)} clauses")


def time_each(func: Callable[[str, int], T], texts: Sequence[str], repeats: int) -> tuple[list[list[float]], list[T]]:
    """ms per call as runs[repeat][text], and the last repeat's results; signage's text caches cleared per repeat."""
    runs = []
    results: list[T] = []
    for _ in range(repeats):
        _analyse.cache_clear()
        segment.cache_clear()
        _uax14_breaks.cache_clear()
        times, results = [], []
        for i, text in enumerate(texts):
            start = time.perf_counter()
            result = func(text, i)
            times.append((time.perf_counter() - start) * 1000)
            results.append(result)
        runs.append(times)
    return runs, results


def per_layout(runs: list[list[float]]) -> float:
    """Median over repeats of the mean ms per layout."""
    return statistics.median(statistics.fmean(r) for r in runs)


def per_text(runs: list[list[float]], keep: Sequence[int]) -> tuple[float, float]:
    """p50 and p95 over the kept texts of each text's median-of-repeats time."""
    each = [statistics.median(r[i] for r in runs) for i in keep]
    return statistics.median(each), statistics.quantiles(each, n=100, method="inclusive")[94]


def moviepy_lines(text: str, size: int) -> list[str]:
    """MoviePy's own caption wrapping (the private TextClip.__break_text), no drawing."""
    return TextClip._TextClip__break_text(None, WIDTH, text, FONT, size, 0, "left", 4)  # type: ignore[attr-defined]


def wrap_problems(text: str, lines: Sequence[str], widths: Sequence[float]) -> list[str]:
    """What a Chinese reader would object to in one wrapped text."""
    found = ["line wider than the box"] if max(widths) > WIDTH else []
    if any(line[:1] in NO_START for line in lines[1:]):
        found.append("line starts with closing punctuation")
    if any(line[-1:] in NO_END for line in lines[:-1]):
        found.append("line ends with opening punctuation")
    if re.sub(r"\s", "", "".join(lines)) != re.sub(r"\s", "", text):
        found.append("characters lost or repeated")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="slogans timed with signage")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--moviepy-count", type=int, default=100, help="first N slogans timed with MoviePy")
    parser.add_argument("--moviepy-auto-count", type=int, help="first N with MoviePy's size search (default: same)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    project = load_project(ROOT)
    chain = project.fonts.chain("sans", LOCALE)
    styles = {h: TextStyle(role="sans", size=48, min_size=20, max_lines=3, headline=h) for h in (False, True)}
    real = source_texts(project)
    slogans = make_slogans(real, args.count, args.seed)
    forty = [i for i, s in enumerate(slogans) if len(s) == 40]
    mean_len = statistics.fmean(len(s) for s in slogans)
    print(
        f"{len(slogans)} distinct slogans from {len(real)} project texts; mean length {mean_len:.1f} "
        f"characters (range {min(map(len, slogans))}-{max(map(len, slogans))}; {len(forty)} of exactly 40)"
    )

    for text in real:  # warm-up: load fonts, BudouX and Pillow once, outside the timings
        fit_text(text, BOX, styles[False], chain)
    TextClip(font=FONT, text=real[0], method="caption", size=(WIDTH, HEIGHT), font_size=40)

    runs: dict[str, list[list[float]]] = {}
    layouts: dict[bool, list[TextLayout]] = {}
    for headline, style in styles.items():
        name = f"signage fit_text, headline {'on' if headline else 'off'}"
        fit = lambda text, _, st=style: fit_text(text, BOX, st, chain)
        runs[name], layouts[headline] = time_each(fit, slogans, args.repeat)
    sizes = [lay.size for lay in layouts[False]]
    mp = slogans[: args.moviepy_count]

    def caption(text: str, i: int) -> TextClip:
        return TextClip(font=FONT, text=text, method="caption", size=(WIDTH, HEIGHT), font_size=sizes[i])

    runs["MoviePy TextClip caption, signage's size"], mp_clips = time_each(caption, mp, args.repeat)
    runs["MoviePy wrap only (__break_text)"], _ = time_each(lambda t, i: moviepy_lines(t, sizes[i]), mp, args.repeat)
    auto = slogans[: args.moviepy_count if args.moviepy_auto_count is None else args.moviepy_auto_count]
    if auto:
        runs["MoviePy TextClip caption, own size search"], _ = time_each(
            lambda t, i: TextClip(font=FONT, text=t, method="caption", size=(WIDTH, HEIGHT)), auto, args.repeat
        )

    base = per_layout(runs["signage fit_text, headline off"])
    rows = [(name, len(r[0]), per_layout(r), per_layout(r) / base) for name, r in runs.items()]
    print(f"\nbox {WIDTH}x{HEIGHT} px, role sans, sizes 48..20, at most 3 lines; median of {args.repeat} repeats")
    print(f"{'approach':<44}{'texts':>6}{'ms/layout':>11}{'vs signage':>12}")
    for name, n, ms, ratio in rows:
        print(f"{name:<44}{n:>6}{ms:>11.3f}{ratio:>11.1f}x")

    pcts = {name: per_text(runs[name], forty) for name in list(runs)[:2]}
    print(f"\nper 40-character slogan (n={len(forty)}):")
    for name, (p50, p95) in pcts.items():
        print(f"  {name}: p50 {p50:.3f} ms, p95 {p95:.3f} ms")
    worst = max(p95 for _, p95 in pcts.values())
    verdict = "PASS" if worst < TARGET_MS else "FAIL"
    print(f"target: < {TARGET_MS:g} ms for a 40-character slogan: {verdict} (worst p95 {worst:.3f} ms)")

    signage_bad = sum(
        bool(wrap_problems(lay.text, [ln.text for ln in lay.lines], [ln.width for ln in lay.lines]))
        for lay in layouts[False]
    )
    mp_lines = [clip.text.split("\n") for clip in mp_clips]  # the lines TextClip drew
    mp_found = []
    for text, lines, size in zip(mp, mp_lines, sizes):
        ink = [ImageFont.truetype(FONT, size).getbbox(line) for line in lines]
        mp_found.append(wrap_problems(text, lines, [right - left for left, _, right, _ in ink]))
    mp_bad = dict(Counter(problem for found in mp_found for problem in found))
    more = sum(len(lines) > len(lay.lines) for lines, lay in zip(mp_lines, layouts[False]))
    print(f"\nsizes signage chose: {min(sizes)}-{max(sizes)} px (median {statistics.median(sizes):g})")
    print(
        f"MoviePy {version('moviepy')} (Pillow {version('pillow')}) opens face 0 of the .ttc, Noto Sans CJK JP: "
        "Japanese glyph forms; signage sets zh-Hans-CN with face 2 (SC)"
    )
    print(f"wrapping problems, signage: {signage_bad} of {len(layouts[False])} slogans")
    print(
        f"wrapping problems, MoviePy: {sum(map(bool, mp_found))} of {len(mp)} slogans; "
        f"{more} need more lines than signage's (clipped by the {HEIGHT} px box)"
    )
    for problem, n in mp_bad.items():
        example = next("/".join(ls) for ls, found in zip(mp_lines, mp_found) if problem in found)
        print(f"  {n:>3} {problem}, e.g. {example}")

    if args.json:
        figures: dict[str, Any] = {
            "slogans": len(slogans),
            "mean_length": mean_len,
            "exactly_40": len(forty),
            "box": [WIDTH, HEIGHT],
            "repeats": args.repeat,
            "cpus": os.cpu_count(),
            "rows": [{"approach": n, "texts": c, "ms_per_layout": ms, "ratio": r} for n, c, ms, r in rows],
            "per_repeat_ms": {name: [statistics.fmean(r) for r in rs] for name, rs in runs.items()},
            "forty_char_ms": {name: {"p50": p50, "p95": p95} for name, (p50, p95) in pcts.items()},
            "target": {"ms": TARGET_MS, "worst_p95": worst, "verdict": verdict},
            "moviepy": {
                "version": version("moviepy"),
                "face": "Noto Sans CJK JP (face 0)",
                "problems": mp_bad,
                "more_lines_than_signage": more,
            },
            "signage_wrap_problems": signage_bad,
        }
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
