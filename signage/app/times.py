"""One rule for the times commands are given and show.

Inputs are read in the branch's zone when a command names a branch, else in the project's
(``signage.yaml`` ``timezone``); an input with an offset (``+08:00``, ``Z``) means what it
says. Accepted everywhere: ``now``, ``18:00`` (today), ``tomorrow 09:00``, ``tomorrow``
and a date (``2026-12-07``: its midnight), or a full timestamp (``2026-12-07T10:00``,
``2026-12-07 10:00``). Outputs are the branch's local time with its offset.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from .. import clock
from ..errors import SignageError

__all__ = ["ACCEPTED", "parse_day", "parse_instant", "shown"]

ACCEPTED = "now, 18:00 (today), tomorrow 09:00, 2026-12-07 (its midnight) or 2026-12-07T10:00[+08:00]"
_CLOCK = re.compile(r"^(?:(today|tomorrow)\s*)?(\d{1,2}):(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else clock.now()


def parse_instant(text: str, zone: str, option: str = "--at", now: dt.datetime | None = None) -> dt.datetime:
    """An instant from what a person typed, read in ``zone`` unless it carries an offset (aware)."""
    value = " ".join(text.strip().lower().split())
    here = ZoneInfo(zone)
    today = _now(now).astimezone(here).date()
    if value == "now":
        return _now(now)
    if value in ("today", "tomorrow") or _DAY.match(value):
        return dt.datetime.combine(parse_day(value, zone, option, now), dt.time(), tzinfo=here)
    clock = _CLOCK.match(value)
    if clock:
        word, hour, minute = clock.groups()
        if int(hour) > 23 or int(minute) > 59:
            raise SignageError(f"{option} {text!r}: no such time of day (00:00 to 23:59)")
        day = today + dt.timedelta(days=1 if word == "tomorrow" else 0)
        return dt.datetime.combine(day, dt.time(int(hour), int(minute)), tzinfo=here)
    try:
        parsed = dt.datetime.fromisoformat(value.upper().replace(" ", "T", 1))
    except ValueError:
        raise SignageError(
            f"{option} {text!r} is not a time: use {ACCEPTED} ({zone} unless an offset is given)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=here)


def parse_day(text: str, zone: str, option: str = "--day", now: dt.datetime | None = None) -> dt.date:
    """A calendar day: ``today``, ``tomorrow`` or ``2026-12-07`` (``zone``'s today)."""
    value = text.strip().lower()
    today = _now(now).astimezone(ZoneInfo(zone)).date()
    if value in ("today", "tomorrow"):
        return today + dt.timedelta(days=1 if value == "tomorrow" else 0)
    try:
        if not _DAY.match(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SignageError(f"{option} {text!r} is not a day: use YYYY-MM-DD (2026-12-07), today or tomorrow") from None


def shown(at: dt.datetime, zone: str) -> str:
    """An instant as people read it: local time in ``zone`` with its offset, ``2026-12-03 21:00+08:00``."""
    local = at.astimezone(ZoneInfo(zone))
    return local.isoformat(sep=" ", timespec="minutes")
