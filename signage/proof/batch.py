"""What a player sends to ``POST /api/v1/events``: one screen's batch of plays and heartbeats.

The models are the schema (``signage/schemas/events.schema.json`` is generated from them:
``python -m signage.proof.batch --write-schema``) and the check: strict types (no number
given as a string), no unknown keys, every string and list bounded, so what passes is what
the database stores. Bounds that depend on the clock (how old, how far ahead) are the
endpoint's (signage/proof/ingest.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..records import SCHEMAS_DIR, schema_text
from .store import Event

MAX_EVENTS = 500  # per batch: a player that was away an hour sends ~400 (plays every 10 s, heartbeats)
SCHEMA_NAME = "events"
SCHEMA_FILE = SCHEMAS_DIR / f"{SCHEMA_NAME}.schema.json"

EventId = Annotated[
    str,
    Field(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        description="made by the device (a random UUID): the same event sent twice is stored once",
    ),
]
Epoch = Annotated[float, Field(ge=0, description="UTC seconds since 1970 by the device's clock")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Key = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[^~@/\\]+$",
        description="the schedule key playing: SCREEN~KEY's KEY (a pool's without @DATE); 'default': the screen's own",
    ),
]
VersionName = Annotated[str, Field(pattern=r"^v\d{1,9}$", description="the published version shown: v0007")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class PlayData(_Strict):
    """A play's particulars: which file of the artifact it began with and the entry that chose it."""

    name: Annotated[str, Field(max_length=200)] = ""
    entry: Annotated[int, Field(ge=0, le=100_000)] | None = None
    pages: Annotated[int, Field(ge=1, le=10_000, description="playlist items shown in a row")] = 1


class Play(_Strict):
    """One showing of an artifact, from its start for ``duration`` seconds."""

    id: EventId
    kind: Literal["play"]
    at: Annotated[Epoch, Field(description="when it began")]
    duration: Annotated[float, Field(ge=0, le=86_400, description="seconds it was on screen")]
    item: Annotated[Name, Field(description="the content shown, KIND:ID (slogan:two-cards)")]
    artifact: Annotated[Name, Field(description="its catalogue record (led/door/zh-Hans-CN/two-cards)")]
    version: VersionName
    campaign: Key
    data: PlayData | None = None


class HeartbeatData(_Strict):
    """How the screen is: whether the page is visible, what is on it, what went wrong since the last."""

    visible: bool
    showing: Annotated[str, Field(max_length=300, description="the artifact on screen, or the player's state")]
    errors: Annotated[list[Annotated[str, Field(max_length=300)]], Field(max_length=20)]
    state: Annotated[str, Field(max_length=40)] = ""
    dropped: Annotated[int, Field(ge=0, description="events the device's full buffer let go")] = 0
    refused: Annotated[int, Field(ge=0, description="events the server refused, kept aside on the device")] = 0


class Heartbeat(_Strict):
    """Sent every minute whatever plays: the screen is alive, and shows this."""

    id: EventId
    kind: Literal["heartbeat"]
    at: Epoch
    version: VersionName | None = None  # None: nothing loaded yet
    campaign: Key | None = None
    data: HeartbeatData


class EventBatch(_Strict):
    """POST /api/v1/events: one screen's events, oldest first, sent with that screen's token."""

    model_config = ConfigDict(title="signage player events")

    branch: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    screen: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^~@/\\.][^~@/\\]*$")]
    sent: Annotated[Epoch, Field(description="when the device sent it: its clock, checked against the server's")]
    events: Annotated[
        list[Annotated[Play | Heartbeat, Field(discriminator="kind")]],
        Field(min_length=1, max_length=MAX_EVENTS),
    ]

    def rows(self) -> list[Event]:
        """The events as the store takes them (``data`` as compact JSON text, written by pydantic)."""
        rows = []
        for e in self.events:
            data = None if e.data is None else e.data.model_dump_json()
            if isinstance(e, Play):
                rows.append(Event(e.id, e.kind, e.at, e.duration, e.item, e.artifact, e.version, e.campaign, data))
            else:
                rows.append(Event(e.id, e.kind, e.at, None, None, None, e.version, e.campaign, data))
        return rows


def json_schema() -> str:
    """The text of ``signage/schemas/events.schema.json``."""
    return schema_text(EventBatch, SCHEMA_NAME)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m signage.proof.batch", description=__doc__)
    parser.add_argument("--write-schema", action="store_true", help=f"write {SCHEMA_FILE.name}")
    if not parser.parse_args(argv).write_schema:
        parser.print_help()
        return 2
    Path(SCHEMA_FILE).write_text(json_schema(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


__all__ = ["MAX_EVENTS", "EventBatch", "Heartbeat", "HeartbeatData", "Play", "json_schema"]

if __name__ == "__main__":
    sys.exit(main())
