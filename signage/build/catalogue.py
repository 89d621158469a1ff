"""The output catalogue (``output/catalogue.json``): one record per artifact the build made.

Playlists, publishing and the preview read this alone, never the output folders or the
renderers. Its JSON Schema is ``signage/schemas/catalogue.schema.json``. Each artifact's
folder in the readable tree holds its own record as ``manifest.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..publish import atomic_write_bytes
from .job import Job, Rendered
from .store import StoredFile

CATALOGUE = "catalogue.json"
SCHEMA_VERSION = 1
SCHEMA_URL = "https://signage.invalid/schemas/catalogue.schema.json"


def make_record(job: Job, key: str, rendered: Rendered, files: list[StoredFile]) -> dict[str, Any]:
    """The catalogue's record of one artifact."""
    return {
        "id": job.path,
        "kind": job.kind,
        "content": {"kind": job.content_kind, "id": job.content_id},
        "locale": job.locale,
        "branch": job.branch,
        "target": job.target,
        "key": key,
        "text": job.text,
        "valid": {"from": job.valid_from, "until": job.valid_until},
        "duration": rendered.duration,
        "files": [f.to_dict() for f in files],
        "warnings": list(rendered.warnings),
        "meta": rendered.meta,
    }


def record_files(record: dict[str, Any]) -> list[StoredFile]:
    return [StoredFile.from_dict(f) for f in record.get("files", [])]


@dataclass
class Catalogue:
    """Records by artifact id."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, output: Path) -> Catalogue:
        """The catalogue of the last build, or an empty one when there is none (or it is unreadable)."""
        try:
            data = json.loads((output / CATALOGUE).read_text(encoding="utf-8"))
            records = data["records"] if data.get("version") == SCHEMA_VERSION else []
            return cls({str(r["id"]): r for r in records if isinstance(r, dict) and "id" in r})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()

    def to_json(self) -> bytes:
        data = {
            "$schema": SCHEMA_URL,
            "version": SCHEMA_VERSION,
            "generator": f"signage {__version__}",
            "records": [self.records[k] for k in sorted(self.records)],
        }
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    def write(self, output: Path) -> bool:
        """Write atomically; False when the file already holds exactly this catalogue."""
        blob = self.to_json()
        path = output / CATALOGUE
        try:
            if path.read_bytes() == blob:
                return False
        except OSError:
            pass
        atomic_write_bytes(path, blob)
        return True

    def referenced(self) -> set[str]:
        """Every store path the records refer to."""
        return {f["path"] for r in self.records.values() for f in r.get("files", [])}
