"""Build progress that tells the truth: weighted by each job's expected cost, and readable in a log.

On a terminal: one line redrawn in place. Without one (a log file, systemd's journal):
a line when a job finishes, at most every few seconds, and always the last one. The ETA
is the remaining expected cost, calibrated by how long finished jobs really took against
what was expected of them, shared among the workers; so one long video does not look
like one of a hundred LED pages, and a machine twice as slow as the estimate says so.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Counts finished jobs and their cost; prints to ``stream``."""

    def __init__(
        self,
        total_cost: float,
        total_jobs: int,
        stream: TextIO | None = None,
        tty: bool | None = None,
        every: float = 5.0,
        label: str = "build",
        workers: int = 1,
    ):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.total_cost = max(total_cost, 1e-9)
        self.total_jobs = total_jobs
        self.every = every
        self.label = label
        self.workers = max(1, min(workers, total_jobs))
        self.done_cost = 0.0
        self.done_seconds = 0.0  # what the finished jobs really took, each on one worker
        self.done_jobs = 0
        self.started = time.monotonic()
        self._last_line = 0.0

    def advance(self, cost: float, what: str = "", seconds: float | None = None) -> None:
        """One job finished: its expected ``cost`` and, when known, the ``seconds`` it really took."""
        self.done_cost += cost
        self.done_seconds += cost if seconds is None else seconds
        self.done_jobs += 1
        now = time.monotonic()
        last = self.done_jobs == self.total_jobs
        if self.tty:
            self.stream.write("\r" + self.line(now) + "\x1b[K" + ("\n" if last else ""))
            self.stream.flush()
        elif last or now - self._last_line >= self.every:
            self._last_line = now
            self.stream.write(self.line(now) + (f"  ({what})" if what and not last else "") + "\n")
            self.stream.flush()

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left: the remaining expected cost times how much longer (or shorter) finished
        jobs took than expected, shared by the workers; None before anything has finished."""
        if self.done_cost <= 0:
            return None
        remaining_jobs = self.total_jobs - self.done_jobs
        workers = max(1, min(self.workers, remaining_jobs))
        return (self.total_cost - self.done_cost) * (self.done_seconds / self.done_cost) / workers

    def line(self, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        share = min(1.0, self.done_cost / self.total_cost)
        eta = self.eta(now)
        left = "" if eta is None or self.done_jobs == self.total_jobs else f", about {_clock(eta)} left"
        if self.tty:
            filled = int(share * 24)
            bar = "#" * filled + "-" * (24 - filled)
            return f"{self.label} [{bar}] {share:4.0%} {self.done_jobs}/{self.total_jobs} jobs{left}"
        return (
            f"{self.label}: {self.done_jobs}/{self.total_jobs} jobs, {share:.0%} of the work, "
            f"{_clock(now - self.started)} elapsed{left}"
        )
