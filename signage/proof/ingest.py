"""``POST /api/v1/events``: what the endpoint accepts from a player, and every way it refuses.

Independent of HTTP: ``Receiver.receive`` takes the request's headers and a way to read its
body and gives back a status and a JSON answer, so the checks are tested without a socket and
``signage serve`` (signage/serve.py) only carries bytes. In order, cheapest first, and nothing
is stored unless every check passes:

    415 not JSON · 411 no length · 413 body too large · 401 no token · 429 too many batches from
    one token · 400 malformed JSON · 422 not the schema · 401 unknown or revoked token · 403 another
    screen's token · 404 a screen its branch does not publish · 422 a clock out of bounds or an id
    twice · 409 a replay (every event already stored) · 200 stored (with how many were duplicates).

One writer connection behind a lock: batches are stored one after the other, each in its own
transaction, with no SQLite busy-waiting between threads (its back-off sleeps would show as
latency), and the log's checkpoints in a thread of their own (``store.Checkpointer``). Raw
events older than ``keep_days`` are pruned once an hour, by the same writer, a slice before
each batch until none is left.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..tree import Variant, current_link, proof_db, version_file
from .batch import EventBatch, Play
from .store import KEEP_DAYS, TOKEN_PREFIX, Checkpointer, connect, find_token, prune, store_batch, token_hash

PATH = "/api/v1/events"
PRUNE_EVERY = 3600.0
PRUNE_SLICE = 2000  # old events deleted before one batch, until none is left


@dataclass(frozen=True)
class Limits:
    """What one request may be, and how often one token may send."""

    max_body: int = 512 * 1024  # a full batch of 500 events is ~150 KiB
    skew: float = 300.0  # seconds a device's clock may be off, and an event ahead of the server's
    keep_days: float = KEEP_DAYS  # raw events older than this are refused, and pruned
    rate: float = 2.0  # batches per second per token, sustained (a player sends one a minute; more when catching up)
    burst: float = 20.0


@dataclass(frozen=True)
class Reply:
    """The answer: an HTTP status, a JSON body, extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Refused(Exception):
    """A request refused: the status and what is wrong, said to the device."""

    def __init__(self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.reply = Reply(status, {"error": message, **extra}, headers or {})


class _Buckets:
    """Per-token token buckets (batches per second), bounded in memory whatever the callers send."""

    def __init__(self, rate: float, burst: float, most: int = 100_000) -> None:
        self.rate, self.burst, self.most = rate, burst, most
        self.levels: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, key: str, now: float) -> float:
        """0 when ``key`` may send now (one taken), else the seconds until it may."""
        with self.lock:
            level, then = self.levels.get(key, (self.burst, now))
            level = min(self.burst, level + (now - then) * self.rate)
            if level < 1:
                self.levels[key] = (level, now)
                return (1 - level) / self.rate
            if len(self.levels) >= self.most and key not in self.levels:
                self.levels.clear()  # a flood of made-up tokens: forget them all rather than grow
            self.levels[key] = (level - 1, now)
            return 0.0


class Receiver:
    """Checks and stores the players' batches into ``output/proof/events.sqlite``."""

    def __init__(self, output: Path, limits: Limits | None = None, clock: Callable[[], float] = time.time) -> None:
        self.output = output
        self.limits = limits or Limits()
        self.clock = clock
        self.db = connect(proof_db(output))
        self.db.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer's thread does it, off the requests' path
        self.db.execute("PRAGMA cache_size=-32768")  # 32 MiB: the id index's pages stay in memory
        self.checkpointer = Checkpointer(proof_db(output))
        self.lock = threading.Lock()
        self.buckets = _Buckets(self.limits.rate, self.limits.burst)
        self.published: dict[str, tuple[str, frozenset[str]]] = {}
        self.pruned = 0.0

    def close(self) -> None:
        self.checkpointer.close()
        with self.lock:
            self.db.close()  # the last connection to close moves what is left of the log in

    def receive(
        self, authorization: str | None, content_type: str | None, length: int | None, read: Callable[[int], bytes]
    ) -> Reply:
        """The answer to one request; the body is read (``read(length)``) only once the headers pass."""
        try:
            return self._receive(authorization, content_type, length, read)
        except Refused as refused:
            return refused.reply
        except Exception as exc:  # a bug of ours: still an answer the player can read, and the server goes on
            return Reply(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"internal error: {type(exc).__name__}"})

    def _receive(
        self, authorization: str | None, content_type: str | None, length: int | None, read: Callable[[int], bytes]
    ) -> Reply:
        if (content_type or "").split(";")[0].strip().lower() != "application/json":
            raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the batch as application/json")
        if length is None:
            raise Refused(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length (no chunked bodies)")
        if length > self.limits.max_body:
            raise Refused(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"body of {length} bytes: at most {self.limits.max_body}",
                limit=self.limits.max_body,
            )
        token = _bearer(authorization)
        wait = self.buckets.take(token_hash(token), self.clock())
        if wait:
            raise Refused(
                HTTPStatus.TOO_MANY_REQUESTS,
                f"too many batches from this token: at most {self.limits.rate:g} a second",
                headers={"Retry-After": str(math.ceil(wait))},
                retry_after=round(wait, 3),
            )
        batch = _parse(read(length))
        with self.lock:
            owner = find_token(self.db, token)
        if owner is None:
            raise Refused(HTTPStatus.UNAUTHORIZED, "unknown token")
        if owner.revoked is not None:
            raise Refused(HTTPStatus.UNAUTHORIZED, f"the token of {owner.branch}/{owner.screen} was revoked")
        if (owner.branch, owner.screen) != (batch.branch, batch.screen):
            raise Refused(
                HTTPStatus.FORBIDDEN,
                f"this token reports for {owner.branch}/{owner.screen}, not {batch.branch}/{batch.screen}",
            )
        if batch.screen not in self._screens_of(batch.branch):
            raise Refused(HTTPStatus.NOT_FOUND, f"unknown screen: {batch.branch} publishes no screen {batch.screen}")
        now = self.clock()
        self._check_clock(batch, now)
        with self.lock:
            if (
                now - self.pruned > PRUNE_EVERY
                and prune(self.db, now, self.limits.keep_days, PRUNE_SLICE) < PRUNE_SLICE
            ):
                self.pruned = now  # all gone: again in an hour (else the next batch deletes the next slice)
            try:
                stored = store_batch(self.db, batch.branch, batch.screen, batch.rows(), now)
            except sqlite3.Error as exc:
                raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, f"cannot store the batch now: {exc}") from None
        if stored.stored == 0:
            raise Refused(
                HTTPStatus.CONFLICT,
                "replayed: every event of this batch is already stored",
                duplicates=stored.duplicates,
            )
        return Reply(HTTPStatus.OK, {"stored": stored.stored, "duplicates": stored.duplicates})

    def _check_clock(self, batch: EventBatch, now: float) -> None:
        """The device's clock near the server's, and every event within what is kept and not ahead."""
        skew, oldest = self.limits.skew, now - self.limits.keep_days * 86400
        if abs(batch.sent - now) > skew:
            raise Refused(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                f"the device's clock is {batch.sent - now:+.0f} s off the server's (at most {skew:g} s): set its time",
                skew=round(batch.sent - now, 3),
            )
        seen: set[str] = set()
        for n, event in enumerate(batch.events):
            end = event.at + (event.duration if isinstance(event, Play) else 0.0)
            if event.at < oldest:
                raise Refused(
                    HTTPStatus.UNPROCESSABLE_ENTITY,
                    f"events[{n}]: at {event.at:.0f} is older than the {self.limits.keep_days:g} days kept",
                    event=n,
                )
            if end > now + skew:
                raise Refused(
                    HTTPStatus.UNPROCESSABLE_ENTITY, f"events[{n}]: ends {end - now:.0f} s in the future", event=n
                )
            if event.id in seen:
                raise Refused(
                    HTTPStatus.UNPROCESSABLE_ENTITY, f"events[{n}]: id {event.id} twice in the batch", event=n
                )
            seen.add(event.id)

    def _screens_of(self, branch: str) -> frozenset[str]:
        """The screens the branch's live version publishes (read again when ``current`` moves)."""
        link = current_link(self.output, branch)
        try:
            target = os.readlink(link)
        except OSError:
            return frozenset()
        cached = self.published.get(branch)
        if cached is not None and cached[0] == target:
            return cached[1]
        try:
            folders = json.loads(version_file(link).read_text(encoding="utf-8")).get("screens", {})
        except (OSError, ValueError, AttributeError):
            return frozenset()
        screens = set()
        for folder in folders:
            try:
                screens.add(Variant.parse(folder).screen)
            except ValueError:
                continue
        self.published[branch] = (target, frozenset(screens))
        return frozenset(screens)


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Refused(HTTPStatus.UNAUTHORIZED, "send the screen's token: Authorization: Bearer sgt_…")
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        raise Refused(HTTPStatus.UNAUTHORIZED, "unknown token")
    return token


def _parse(body: bytes) -> EventBatch:
    try:
        return EventBatch.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise Refused(HTTPStatus.BAD_REQUEST, f"malformed JSON: {errors[0]['msg']}") from None
        problems = [f"{'.'.join(str(p) for p in e['loc']) or 'batch'}: {e['msg']}" for e in errors[:5]]
        raise Refused(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "not a batch of events (signage/schemas/events.schema.json): " + "; ".join(problems),
            problems=problems,
        ) from None


__all__ = ["PATH", "Limits", "Receiver", "Refused", "Reply"]
