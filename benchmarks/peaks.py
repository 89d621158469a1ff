"""Peak memory of a process tree, sampled while it runs: what benchmarks/build.py and video.py report."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as status:
                total += next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as children:
                    stack += [int(c) for c in children.read().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def sampled_peak(
    process: subprocess.Popen[str] | subprocess.Popen[bytes], wait: Callable[[], T], every: float
) -> tuple[T, int]:
    """(what ``wait()`` returns, the largest ``tree_rss`` of ``process`` seen every ``every`` s until then)."""
    peak, finished = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not finished.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(every)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = wait()
    finally:
        finished.set()
        sampler.join()
    return result, peak
