"""``signage events import``: a player's exported events (from a USB bundle) into the proof database.

A player that runs from ``file://`` sends nothing; it keeps its events and saves them as a JSON
file (the E key). This takes such a file in: the same schema as ``POST /api/v1/events``, the
screen checked against the project, events dated ahead of now refused, every event checked
before any is stored, then stored in batches as the endpoint stores them (a file taken in
twice stores nothing the second time). Events older than the raw retention still count in
the daily totals; the next prune removes their raw rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .. import clock
from ..errors import Problem, SignageError
from ..project.model import Project
from ..proof.batch import MAX_EVENTS, EventBatch
from ..proof.store import connect, store_batch
from ..tree import proof_db
from .project import branch_of, screens_of

AHEAD = 300.0  # seconds an event may be dated ahead of this machine's clock


@dataclass(frozen=True)
class Imported:
    """What taking a file in did."""

    branch: str
    screen: str
    stored: int
    duplicates: int


def import_events(project: Project, path: Path) -> Imported:
    """Check every event of an exported file, then store them; nothing is stored when one is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        events = data["events"]
        branch_id, screen_id = str(data["branch"]), str(data["screen"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SignageError(Problem(f"not an export of a player's events: {exc}", file=path)) from None
    if not isinstance(events, list):
        raise SignageError(Problem("events: not a list", file=path))
    branch = branch_of(project, branch_id)
    screen = screens_of(branch, screen_id)[0]
    now = clock.now().timestamp()
    batches = []
    for start in range(0, len(events), MAX_EVENTS):
        chunk = events[start : start + MAX_EVENTS]
        body = json.dumps({"branch": branch.id, "screen": screen.id, "sent": now, "events": chunk})
        try:
            batch = EventBatch.model_validate_json(body)
        except ValidationError as exc:
            problems = [
                Problem(e["msg"], file=path, item=_where(e["loc"], start)) for e in exc.errors(include_url=False)[:5]
            ]
            raise SignageError(problems) from None
        for n, event in enumerate(batch.events):
            if event.at > now + AHEAD:
                raise SignageError(
                    Problem("dated ahead of now: the device's clock was wrong", file=path, item=f"events[{start + n}]")
                )
        batches.append(batch)
    db = connect(proof_db(project.output_dir))
    stored = duplicates = 0
    try:
        for batch in batches:
            done = store_batch(db, batch.branch, batch.screen, batch.rows(), now)
            stored, duplicates = stored + done.stored, duplicates + done.duplicates
    finally:
        db.close()
    return Imported(branch.id, screen.id, stored, duplicates)


def _where(loc: tuple[int | str, ...], start: int) -> str:
    """``events[N].field`` of a pydantic error location inside a chunk that begins at ``start`` (after the
    index comes the event's kind, pydantic's tag of the union, which the file does not spell)."""
    if len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int):
        return f"events[{start + loc[1]}]" + "".join(f".{p}" for p in loc[3:])
    return ".".join(str(p) for p in loc)
