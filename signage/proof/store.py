"""The proof-of-play database, ``output/proof/events.sqlite``: its tables, and every write to them.

One SQLite file in WAL mode (readers never wait for the writer) holds what the players reported:

- ``events``: every play and heartbeat as the device made it, keyed by the device's event id
  (a UUID), so a batch sent twice is stored once; kept ``keep_days`` (default 90);
- ``screens_seen``: each screen's last heartbeat (what ``signage status`` reads);
- ``daily``: plays and seconds per UTC day, screen, item, artifact and campaign, kept for years
  (what ``signage report`` reads once the raw events are gone);
- ``tokens``: one token per branch screen, stored as its SHA-256 (the token is shown once).

A batch is stored in one transaction together with the daily totals and last heartbeats it
changes: a crash (even ``kill -9``) leaves the batch stored whole or not at all, never half.

What a play's fields hold: ``item`` is the content the player showed, ``KIND:ID`` of the
playlist item's ``content`` (``slogan:two-cards``, ``case:shuadan-rebate``, ``image:media/x.png``);
``artifact`` the catalogue record it came from (``led/door/zh-Hans-CN/two-cards``); ``campaign``
the schedule key of the folder playing (``door~overnight`` plays ``overnight``, ``door`` plays
``default``; a pool's ``KEY@DATE`` is its ``KEY``). One play is one showing of an artifact: its
pages in a row count once, with their seconds together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

KEEP_DAYS = 90  # raw events; the daily totals stay
TOKEN_PREFIX = "sgt_"  # a signage screen token: recognisable in a leaked log or a config file

SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS events(
  id TEXT PRIMARY KEY,
  branch TEXT NOT NULL, screen TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('play','heartbeat')),
  at REAL NOT NULL,
  duration REAL,
  item TEXT, artifact TEXT,
  version TEXT,
  campaign TEXT,
  data TEXT,
  received REAL NOT NULL);
CREATE INDEX IF NOT EXISTS events_screen_at ON events(branch, screen, at);
CREATE TABLE IF NOT EXISTS screens_seen(branch TEXT, screen TEXT, at REAL, version TEXT, campaign TEXT,
  showing TEXT, visible INTEGER, errors INTEGER, PRIMARY KEY(branch, screen));
CREATE TABLE IF NOT EXISTS daily(day TEXT, branch TEXT, screen TEXT, item TEXT, artifact TEXT, campaign TEXT,
  plays INTEGER, seconds REAL, PRIMARY KEY(day, branch, screen, item, artifact, campaign));
CREATE TABLE IF NOT EXISTS tokens(branch TEXT, screen TEXT, hash TEXT NOT NULL, issued REAL, revoked REAL,
  PRIMARY KEY(branch, screen));
CREATE INDEX IF NOT EXISTS tokens_hash ON tokens(hash);
CREATE INDEX IF NOT EXISTS events_at ON events(at);
"""


def connect(path: Path) -> sqlite3.Connection:
    """The database at ``path`` (made, with its folder, when missing), its tables in place.

    ``synchronous=NORMAL`` in WAL mode: a commit is in the log before it returns, so it survives
    the process being killed; only a power cut can lose the last commits (the players resend)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA busy_timeout=30000")
    db.executescript(SCHEMA)
    db.execute("PRAGMA synchronous=NORMAL")
    return db


class Checkpointer:
    """Copies the write-ahead log into the database from a thread of its own, every ``every`` seconds.

    SQLite's automatic checkpoint runs inside the commit that takes the log past 1,000 pages, with
    an fsync: tens of milliseconds charged to one request while every other batch waits for the
    writer. Here the writer turns it off (``wal_autocheckpoint=0``) and this thread does it beside
    the writes (a PASSIVE checkpoint waits for nobody). Durability is the log's either way."""

    def __init__(self, path: Path, every: float = 1.0) -> None:
        self.path, self.every = path, every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="proof-checkpoint", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            while not self.stopping.wait(self.every):
                with suppress(sqlite3.Error):
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            db.close()

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken at once (BEGIN IMMEDIATE): committed whole or rolled back."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# --- tokens --------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is stored of a token. Tokens are 256 random bits, so a plain SHA-256 cannot be reversed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenRow:
    """A screen's token as stored: whose it is, when it was issued and (if so) revoked."""

    branch: str
    screen: str
    issued: float
    revoked: float | None


def issue_token(db: sqlite3.Connection, branch: str, screen: str, now: float, replace: bool = False) -> str | None:
    """A new token for ``branch``/``screen`` (the only time it exists in clear); None when the
    screen already has a live token and ``replace`` is not given. A new token ends the old one."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction(db):
        row = db.execute("SELECT revoked FROM tokens WHERE branch=? AND screen=?", (branch, screen)).fetchone()
        if row is not None and row[0] is None and not replace:
            return None
        db.execute(
            "INSERT OR REPLACE INTO tokens(branch, screen, hash, issued, revoked) VALUES (?, ?, ?, ?, NULL)",
            (branch, screen, token_hash(token), now),
        )
    return token


def revoke_token(db: sqlite3.Connection, branch: str, screen: str, now: float) -> bool:
    """Revoke the screen's token; False when it has none live."""
    with transaction(db):
        done = db.execute(
            "UPDATE tokens SET revoked=? WHERE branch=? AND screen=? AND revoked IS NULL", (now, branch, screen)
        )
    return done.rowcount == 1


def list_tokens(db: sqlite3.Connection, branch: str | None = None) -> list[TokenRow]:
    """Every screen's token (never the token itself), by branch and screen."""
    rows = db.execute(
        "SELECT branch, screen, issued, revoked FROM tokens WHERE ?1 IS NULL OR branch=?1 ORDER BY branch, screen",
        (branch,),
    )
    return [TokenRow(*row) for row in rows]


def find_token(db: sqlite3.Connection, token: str) -> TokenRow | None:
    """The screen a token was issued for, or None for a token never issued."""
    row = db.execute("SELECT branch, screen, issued, revoked FROM tokens WHERE hash=?", (token_hash(token),)).fetchone()
    return None if row is None else TokenRow(*row)


# --- events --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One event of a batch, checked: the columns of ``events`` (``data`` as the JSON text stored)."""

    id: str
    kind: str  # "play" or "heartbeat"
    at: float
    duration: float | None = None
    item: str | None = None
    artifact: str | None = None
    version: str | None = None
    campaign: str | None = None
    data: str | None = None


@dataclass(frozen=True)
class Stored:
    """What storing a batch did: events new to the database, and those it already had."""

    stored: int
    duplicates: int


def utc_day(at: float) -> str:
    """The UTC day (YYYY-MM-DD) of an epoch time: the ``daily`` table's day."""
    return _day(int(at // 86400))


@lru_cache(maxsize=1024)
def _day(number: int) -> str:
    return (_EPOCH + dt.timedelta(days=number)).isoformat()


_EPOCH = dt.date(1970, 1, 1)


def _known(db: sqlite3.Connection, ids: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters is far above this
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        known.update(row[0] for row in db.execute(f"SELECT id FROM events WHERE id IN ({marks})", chunk))
    return known


def store_batch(db: sqlite3.Connection, branch: str, screen: str, events: Iterable[Event], received: float) -> Stored:
    """Store one screen's batch in one transaction: the events the database does not have yet, the
    daily totals of their plays, and the screen's last heartbeat if one of them is newer."""
    batch = list(events)
    with transaction(db):
        known = _known(db, [e.id for e in batch])
        new = [e for e in batch if e.id not in known]
        db.executemany(
            "INSERT INTO events(id, branch, screen, kind, at, duration, item, artifact, version, campaign, data,"
            " received) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.id,
                    branch,
                    screen,
                    e.kind,
                    e.at,
                    e.duration,
                    e.item,
                    e.artifact,
                    e.version,
                    e.campaign,
                    e.data,
                    received,
                )
                for e in new
            ],
        )
        totals: dict[tuple[str, str, str, str], list[float]] = {}
        for e in new:
            if e.kind == "play":
                total = totals.setdefault((utc_day(e.at), e.item or "", e.artifact or "", e.campaign or ""), [0, 0.0])
                total[0] += 1
                total[1] += e.duration or 0.0
        db.executemany(
            "INSERT INTO daily(day, branch, screen, item, artifact, campaign, plays, seconds)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(day, branch, screen, item, artifact, campaign)"
            " DO UPDATE SET plays = plays + excluded.plays, seconds = seconds + excluded.seconds",
            [
                (day, branch, screen, item, artifact, campaign, n, s)
                for (day, item, artifact, campaign), (n, s) in totals.items()
            ],
        )
        beats = [e for e in new if e.kind == "heartbeat"]
        if beats:
            last = max(beats, key=lambda e: e.at)
            data = json.loads(last.data) if last.data else {}
            db.execute(
                "INSERT INTO screens_seen(branch, screen, at, version, campaign, showing, visible, errors)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(branch, screen) DO UPDATE SET at = excluded.at,"
                " version = excluded.version, campaign = excluded.campaign, showing = excluded.showing,"
                " visible = excluded.visible, errors = excluded.errors WHERE excluded.at >= screens_seen.at",
                (
                    branch,
                    screen,
                    last.at,
                    last.version,
                    last.campaign,
                    data.get("showing"),
                    int(bool(data.get("visible"))),
                    len(data.get("errors") or ()),
                ),
            )
    return Stored(len(new), len(batch) - len(new))


def prune(db: sqlite3.Connection, now: float, keep_days: float = KEEP_DAYS, most: int | None = None) -> int:
    """Delete raw events older than ``keep_days`` (the daily totals stay), at most ``most`` of them in
    this transaction (a day of 3,000 screens is ~30 million rows: deleted a slice at a time, no batch
    waits long behind it); how many went."""
    cutoff = now - keep_days * 86400
    with transaction(db):
        if most is None:
            gone = db.execute("DELETE FROM events WHERE at < ?", (cutoff,))
        else:
            gone = db.execute(
                "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE at < ? ORDER BY at LIMIT ?)",
                (cutoff, most),
            )
    return gone.rowcount


__all__ = [
    "KEEP_DAYS",
    "SCHEMA",
    "Checkpointer",
    "Event",
    "Stored",
    "TokenRow",
    "connect",
    "find_token",
    "issue_token",
    "list_tokens",
    "prune",
    "revoke_token",
    "store_batch",
    "token_hash",
    "transaction",
    "utc_day",
]
