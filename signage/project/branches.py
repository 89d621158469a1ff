"""The branch list as operations keep it: a CSV exported from a spreadsheet, one row per branch.

Columns: ``id``, ``name``, ``locale`` (required); ``timezone``; ``tags`` (separated by ``;``);
``screens`` (``SCREEN=PROFILE`` or ``SCREEN=PROFILE:PLAYLIST``, separated by ``;``); every
other column is a variable texts read as ``{{ branch.COLUMN }}`` (address, phone...). The
values of ``region``, ``city`` and ``type`` columns are tags too, so playlist rules can
select on them. Errors name the file, the row's line and the column.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import Problem
from .config import Branch

FIXED = ("id", "name", "locale", "timezone", "tags", "screens")
TAG_COLUMNS = ("region", "city", "type")
_SCREEN = re.compile(r"^\s*([^=\s]+)\s*=\s*([^:\s]+)\s*(?::\s*(\S+))?\s*$")
MAX_BYTES = 64 * 2**20


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in re.split(r"[;；]", cell or "") if part.strip()]


def read_branch_csv(path: Path, default_zone: str, problems: list[Problem]) -> list[tuple[Branch, int]]:
    """Every valid row of ``path`` as (Branch, line); each bad row or cell is a located problem."""
    try:
        if path.stat().st_size > MAX_BYTES:
            problems.append(Problem(f"larger than {MAX_BYTES // 2**20} MB: not a branch list", file=path))
            return []
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        problems.append(Problem(f"cannot be read: {exc.strerror or exc}", file=path))
        return []
    branches: list[tuple[Branch, int]] = []
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in ("id", "name", "locale") if c not in header]
            if missing:
                problems.append(Problem(f"the header has no {', '.join(missing)} column", file=path, line=1))
                return []
            for row in reader:
                line = reader.line_num
                cells = {str(k).strip(): (v or "").strip() for k, v in row.items() if k is not None}
                branch = _branch(cells, default_zone, path, line, problems)
                if branch is not None:
                    branches.append((branch, line))
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.append(Problem(f"not a readable CSV file: {exc}", file=path))
    return branches


def _branch(cells: dict[str, str], default_zone: str, path: Path, line: int, problems: list[Problem]) -> Branch | None:
    item = cells.get("id") or f"row {line}"
    screens: list[dict[str, Any]] = []
    for part in _split(cells.get("screens")):
        match = _SCREEN.match(part)
        if not match:
            problems.append(
                Problem(f"{part!r} is not SCREEN=PROFILE or SCREEN=PROFILE:PLAYLIST", path, line, item, "screens")
            )
            return None
        screen_id, profile, playlist = match.groups()
        screens.append({"id": screen_id, "profile": profile, "playlist": playlist})
    variables = {k: v for k, v in cells.items() if k not in FIXED and v}
    tags = _split(cells.get("tags")) + [variables[c] for c in TAG_COLUMNS if c in variables]
    data = {
        "id": cells.get("id", ""),
        "name": cells.get("name", ""),
        "locale": cells.get("locale", ""),
        "timezone": cells.get("timezone") or default_zone,
        "tags": list(dict.fromkeys(tags)),
        "vars": variables,
        "screens": screens,
    }
    try:
        return Branch.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or None
            message = str(err["msg"]).removeprefix("Value error, ")
            if field and field.startswith("vars."):
                message += " (column names are lowercase letters, digits and _)"
            problems.append(Problem(message, path, line, item, field))
        return None
