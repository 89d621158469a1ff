"""Content fingerprints for build keys: same bytes, same key, wherever the project was copied."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (computed once per process for the same size and time)."""
    stat = path.stat()
    return _digest(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def fonts_fingerprint(catalog: dict[str, Any], roles: dict[str, Any]) -> dict[str, Any]:
    """What decides the glyphs: the role chains and the bytes of every catalogue font."""
    return {"roles": roles, "files": {font_id: file_digest(spec.path) for font_id, spec in sorted(catalog.items())}}
