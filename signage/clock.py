"""The one clock every command reads "now" from (UTC, aware).

Commands never call ``datetime.now()`` themselves, so a whole day of operations can run in
one process on a clock a test moves (``monkeypatch.setattr(clock, "now", …)``) and every
decision, log line and emergency's end is judged at the same instant.
"""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The current instant in UTC."""
    return dt.datetime.now(dt.timezone.utc)
