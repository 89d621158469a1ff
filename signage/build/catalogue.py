"""The output catalogue (``output/catalogue.json``): one record per artifact the build made.

Playlists, publishing and the preview read this alone, never the output folders or the
renderers. Its JSON Schema is ``signage/schemas/catalogue.schema.json``. Each artifact's
folder in the readable tree holds its own record as ``manifest.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from pydantic import ValidationError

from .. import __version__
from ..atomic import atomic_write_bytes
from ..job import Job, Rendered
from ..records import (
    CATALOGUE_VERSION,
    ArtifactKind,
    CatalogueFile,
    ContentKind,
    ContentRef,
    Record,
    StoredFile,
    Validity,
)
from ..tree import band_entry, catalogue_file, segment_entry


def make_record(job: Job, key: str, rendered: Rendered, files: list[StoredFile]) -> Record:
    """The catalogue's record of one artifact."""
    return Record(
        id=job.path,
        kind=cast(ArtifactKind, job.kind),
        content=ContentRef(kind=cast(ContentKind, job.content_kind), id=job.content_id),
        locale=job.locale,
        branch=job.branch,
        target=job.target,
        key=key,
        text=job.text,
        valid=Validity(from_=job.valid_from, until=job.valid_until),
        duration=rendered.duration,
        files=files,
        warnings=list(rendered.warnings),
        meta=json.loads(json.dumps(rendered.meta)),  # as the file holds it: tuples as lists
    )


def read_record(data: object) -> Record | None:
    """A record read from JSON data (a catalogue's entry, a manifest), or None when it is not one."""
    try:
        return Record.model_validate(data)
    except ValidationError:
        return None


@dataclass
class Catalogue:
    """Records by artifact id."""

    records: dict[str, Record] = field(default_factory=dict)

    @classmethod
    def load(cls, output: Path) -> Catalogue:
        """The catalogue of the last build, or an empty one when there is none (or it is unreadable).
        A record that does not read as one is left out (its artifact is made again)."""
        try:
            data = json.loads(catalogue_file(output).read_text(encoding="utf-8"))
            found = data["records"] if data.get("version") == CATALOGUE_VERSION else []
            records = [r for r in map(read_record, found) if r is not None]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()
        return cls({r.id: r for r in records})

    def to_json(self) -> bytes:
        data = CatalogueFile(
            version=CATALOGUE_VERSION,
            generator=f"signage {__version__}",
            records=[self.records[k] for k in sorted(self.records)],
        )
        return (json.dumps(data.to_data(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    def write(self, output: Path) -> bool:
        """Write atomically; False when the file already holds exactly this catalogue."""
        blob = self.to_json()
        path = catalogue_file(output)
        try:
            if path.read_bytes() == blob:
                return False
        except OSError:
            pass
        atomic_write_bytes(path, blob)
        return True

    def referenced(self) -> set[str]:
        """Every store path the records refer to: their files, and the segments a video was joined from
        (and the band encodes its stitched holds were made with)."""
        files = {f.path for r in self.records.values() for f in r.files}
        segments = set()
        for record in self.records.values():
            joined = record.meta.get("segments")
            for part in joined if isinstance(joined, list) else ():
                if isinstance(part, dict) and isinstance(part.get("key"), str):
                    segments.add(segment_entry(str(part["key"])))
                if isinstance(part, dict) and isinstance(part.get("band"), str):
                    segments.add(band_entry(str(part["band"])))
        return files | segments
