"""Read-only access to what the players reported (``output/proof/events.sqlite``).

``signage serve`` owns the database and writes it (WAL); status and the report only read it,
through a connection that cannot write and never creates the file, so a typo in the output
folder reads as "nothing reported" rather than leaving an empty database behind.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..tree import proof_db


def connect(output: Path) -> sqlite3.Connection | None:
    """A read-only connection to the reports, or None when no player has reported yet."""
    path = proof_db(output)
    if not path.is_file():
        return None
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    return db


def has_table(db: sqlite3.Connection, name: str) -> bool:
    """Whether the database holds the table ``name`` (serve creates them on its first batch)."""
    found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return found is not None
