"""Content fingerprints for build keys (same bytes, same key, wherever the project was copied), and
stamps of a project's input files (whether anything changed since they were read, by a stat walk)."""

# no `from __future__ import annotations` here: a named tuple's fields would then be strings that typing
# compiles one by one when the class is made, a good part of `plan --at`'s start-up

import os
import stat
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (computed once per process for the same size and time)."""
    stat = path.stat()
    return _digest(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    return sha256_file(Path(path))


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    import hashlib  # here: OpenSSL's start-up is a good part of `plan --at`, which hashes nothing

    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


# --- what a project's input files looked like: a stat walk, cheap to take and to compare ---------

Entry = tuple[str, int, int, int, int]  # (path, size, mtime_ns, ctime_ns, inode); size -1: missing
RACY_NS = 2_000_000_000  # a file changed this close before a stamp may change again unseen: its bytes count too
RACY_BYTES = 1 << 20  # a larger such file is not hashed (a project's load stays quick): the stamp never holds


class InputStamp(NamedTuple):
    """The files under ``names`` (relative to a project root, or absolute) as a stat walk saw them.

    ``entries`` hold each file's path, size, modification and change times (ns) and inode:
    an edit, a file added, removed or renamed, a copy over it with an old time kept (its change
    time is new) all show. (Kept whole rather than hashed: comparing them needs no hash library,
    whose start-up would be a good part of ``plan --at``'s time.) A file whose times are within
    ``RACY_NS`` of the walk might change again within the file system's clock tick and keep its
    times, so its bytes' SHA-256 is kept in ``racy`` and compared too (git's "racily clean"
    entries); one above ``RACY_BYTES`` is kept without a hash, and the stamp cannot vouch for it."""

    names: tuple[str, ...]
    entries: tuple[Entry, ...]
    racy: tuple[tuple[str, str], ...] = ()

    @classmethod
    def take(cls, root: Path, names: Sequence[str], now_ns: int | None = None) -> "InputStamp":
        """A stamp of the files under ``names`` now (take it before reading them)."""
        now_ns = time.time_ns() if now_ns is None else now_ns
        entries = _walk(str(root), names)
        racy = tuple(
            (path, _racy_digest(Path(root, path), size))
            for path, size, mtime, ctime, _ in entries
            if max(mtime, ctime) >= now_ns - RACY_NS
        )
        return cls(tuple(names), tuple(entries), racy)

    def holds(self, root: Path) -> bool:
        """Whether the files are as they were when the stamp was taken."""
        if _walk(str(root), self.names) != list(self.entries):
            return False
        try:
            return all(sha and sha256_file(Path(root, path)) == sha for path, sha in self.racy)
        except OSError:
            return False

    def to_data(self) -> dict[str, object]:
        return {
            "names": list(self.names),
            "entries": [list(e) for e in self.entries],
            "racy": [list(r) for r in self.racy],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "InputStamp":
        entries = tuple((str(p), int(a), int(b), int(c), int(d)) for p, a, b, c, d in data["entries"])
        return cls(tuple(data["names"]), entries, tuple((str(p), str(s)) for p, s in data["racy"]))


def _racy_digest(path: Path, size: int) -> str:
    """The bytes' SHA-256 of a file changed just before a stamp; "" (no vouching) if large or gone."""
    try:
        return sha256_file(path) if 0 <= size <= RACY_BYTES else ""
    except OSError:
        return ""


def _walk(root: str, names: Sequence[str]) -> list[Entry]:
    """Every file under ``names`` (dot-names skipped, as the loader skips them), in a stable order;
    linked folders are followed once (a link loop ends)."""
    out: list[Entry] = []
    seen: set[tuple[int, int]] = set()

    def visit(relative: str) -> None:
        try:
            st = os.stat(os.path.join(root, relative))
        except OSError:
            out.append((relative, -1, 0, 0, 0))
            return
        if not stat.S_ISDIR(st.st_mode):
            out.append((relative, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
            return
        if (st.st_dev, st.st_ino) in seen:
            return
        seen.add((st.st_dev, st.st_ino))
        try:
            children = sorted(name for name in os.listdir(os.path.join(root, relative)) if not name.startswith("."))
        except OSError:
            out.append((relative, -2, 0, 0, 0))
            return
        for name in children:
            visit(f"{relative}/{name}")

    for name in names:
        visit(name)
    return out
