"""Read-only access to what the players reported (``output/proof/events.sqlite``).

``signage serve`` owns the database and writes it (WAL); status and the report only read it,
through a connection that cannot write and never creates the file, so a typo in the output
folder reads as "nothing reported" rather than leaving an empty database behind.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ..errors import Problem, SignageError
from ..tree import proof_db


@contextlib.contextmanager
def reading(output: Path) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to the reports (None when no player has reported yet), closed after;
    a database SQLite cannot read is an error naming the file, not a traceback."""
    path = proof_db(output)
    if not path.is_file():
        yield None
        return
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise SignageError(Problem(f"the players' reports cannot be opened: {exc}", file=path)) from None
    try:
        yield db
    except sqlite3.Error as exc:
        raise SignageError(Problem(f"the players' reports cannot be read: {exc}", file=path)) from None
    finally:
        db.close()


def has_table(db: sqlite3.Connection, name: str) -> bool:
    """Whether the database holds the table ``name`` (serve creates them on its first batch)."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return found is not None
