"""The content store: every artifact file once, named by the SHA-256 of its bytes.

``output/store/ab/abcdef….png`` holds the bytes; the catalogue and every playlist refer
to that path, so a thousand branches showing the same slogan share one file. The
readable tree beside it (``output/led/SCREEN/LOCALE/ID/page-01.png``) is made of hard
links to the same files (copies where the file system has no hard links): browsing it
costs no space, and deleting it loses nothing the store does not hold. Store files are
read-only: they are shared, so they must never be edited in place.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..atomic import FILE_MODE, replace_files
from ..fingerprint import sha256_file
from ..records import StoredFile
from ..tree import store_dir, store_entry, store_path

READ_ONLY = FILE_MODE & ~0o222


class Store:
    """Files by content under ``output/store``; adding the same bytes twice keeps one file."""

    def __init__(self, output: Path):
        self.output = output
        self.root = store_dir(output)

    def relative(self, sha256: str, name: str) -> str:
        return store_path(sha256, Path(name).suffix)

    def add(self, source: Path, name: str) -> StoredFile:
        """Move ``source`` into the store (or drop it when the store has its bytes already)."""
        digest = sha256_file(source)
        size = source.stat().st_size
        rel = self.relative(digest, name)
        target = self.output / rel
        if target.is_file() and target.stat().st_size == size:
            source.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            # same file system (the staging folder is under the output folder); flushed first, since
            # the catalogue that names it is flushed too
            replace_files([(source, target)], READ_ONLY)
        return StoredFile(name=name, path=rel, sha256=digest, bytes=size)

    def add_bytes(self, data: bytes, name: str) -> StoredFile:
        """Store ``data`` (a worker's result that came back as data, not as a file)."""
        self.output.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.output, prefix=".incoming-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            return self.add(Path(tmp), name)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def has(self, files: Iterable[StoredFile]) -> bool:
        """Every file is in the store with its size (a cheap check; the bytes are trusted)."""
        for f in files:
            try:
                if (self.output / f.path).stat().st_size != f.bytes:
                    return False
            except OSError:
                return False
        return True

    def materialise(self, files: Iterable[StoredFile], folder: Path) -> None:
        """Put each file into ``folder`` under its name: a hard link to the store, else a copy."""
        for f in files:
            source, target = self.output / f.path, folder / f.name
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
                os.chmod(target, READ_ONLY)

    def collect(self, keep: set[str]) -> int:
        """Remove store files that no catalogue record (nor anything else in ``keep``) refers to; the
        segments folder likewise (a segment no record was joined from goes)."""
        removed = 0
        if not self.root.is_dir():
            return removed
        for shard in self.root.iterdir():
            if not shard.is_dir():
                continue
            for path in shard.iterdir():
                rel = store_entry(shard.name, path.name)
                if rel not in keep:
                    _make_writable(path)
                    path.unlink(missing_ok=True)
                    removed += 1
            if not any(shard.iterdir()):
                shard.rmdir()
        return removed


def _make_writable(path: Path) -> None:
    try:
        os.chmod(path, path.stat().st_mode | stat.S_IWUSR)
    except OSError:
        pass
