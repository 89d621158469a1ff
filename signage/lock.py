"""One writer at a time on a project's output folder: builds, publishes and rollbacks take this lock.

An advisory ``flock`` on ``output/.lock``: the kernel releases it when its process ends,
however it ends, so a lock left by a killed process is never in the way. The file keeps the
holder's process id and command for the message a second writer gets.
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Problem, SignageError
from .tree import lock_file

_HELD: set[int] = set()  # descriptors of locks this process holds


def forget_inherited() -> None:
    """In a forked worker: close the lock descriptors inherited from the parent, so that the lock
    is the parent's alone and ends with it, even when a worker outlives it for a moment."""
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
        _HELD.discard(fd)


@contextmanager
def project_lock(output: Path, what: str, wait: bool = False) -> Iterator[None]:
    """Hold the project's lock for ``what`` (say, "build"); refuse, or with ``wait`` wait, while another holds it."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file(output), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise SignageError(Problem(f"cannot take the project's lock: {exc.strerror or exc}", file=output)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another signage command"
            if not wait:
                raise SignageError(
                    Problem(
                        f"{holder} is writing this project's output; wait for it to finish, or run again with --wait",
                        file=output,
                    )
                ) from None
            print(f"waiting for {holder} to finish...", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"signage {what} (pid {os.getpid()})\n".encode(), 0)
        _HELD.add(fd)
        yield
    finally:
        _HELD.discard(fd)
        os.close(fd)  # releases the lock
