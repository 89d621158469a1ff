"""Writing outputs so that nothing is ever half-written: stage, then rename into place."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import Problem, SignageError

MANIFEST = "manifest.json"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkdtemp and mkstemp make private (0700/0600) entries; outputs are for players and shops.
_UMASK = _umask()
DIR_MODE = 0o777 & ~_UMASK
FILE_MODE = 0o666 & ~_UMASK


@contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """A fresh folder beside ``final``; on success it replaces ``final`` whole.

    On any error the staging folder is removed and ``final`` is left as it was. The
    swap is two renames, so a reader sees either the old folder or the new one.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.new-"))
    os.chmod(stage, DIR_MODE)
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.old-"))
        os.rmdir(old)
        os.replace(final, old)
    os.replace(stage, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def check_replaceable(folder: Path) -> None:
    """Refuse to replace a folder that holds something other than signage output."""
    if folder.exists() and (not folder.is_dir() or (any(folder.iterdir()) and not (folder / MANIFEST).is_file())):
        raise SignageError(
            Problem("exists and is not signage output (no manifest.json): choose an empty or new folder", file=folder)
        )


def write_json(path: Path, data: Any) -> None:
    """JSON to a temporary name, then renamed into place."""
    atomic_write_bytes(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(folder: Path, name: str = MANIFEST) -> dict[str, Any] | None:
    """The JSON manifest ``name`` in ``folder``, or None when it is missing or unreadable."""
    try:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
