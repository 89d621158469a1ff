"""A screen's playlist from its plan and the catalogue alone: items with files, durations and texts."""

from __future__ import annotations

from typing import Any

from ..errors import Problem, SignageError
from ..project.config import TvScreen
from .select import ScreenPlan, Selected

PLAYLIST_VERSION = 1


def _record(records: dict[str, dict[str, Any]], selected: Selected) -> dict[str, Any]:
    want = selected.want
    record = records.get(f"{want.path}@{want.branch}") if want.branch else None
    record = record or records.get(want.path)
    if record is None:
        raise SignageError(Problem(f"{want.path} is not in the catalogue: run `signage build`", item=want.content_id))
    return record


def _file(record: dict[str, Any], name: str) -> dict[str, Any]:
    for f in record["files"]:
        if f["name"] == name:
            return dict(f)
    raise SignageError(Problem(f"{record['id']} has no file {name}", item=record["id"]))


def _item(
    record: dict[str, Any], file: dict[str, Any], kind: str, duration: float, text: str, entry: int
) -> dict[str, Any]:
    return {
        "file": file["path"],
        "name": file["name"],
        "sha256": file["sha256"],
        "bytes": file["bytes"],
        "kind": kind,
        "duration": round(duration, 3),
        "text": text,
        "content": record["content"],
        "valid": record["valid"],
        "source": record["id"],
        "entry": entry,
    }


def items_for(plan: ScreenPlan, selected: Selected, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The playlist items one selected artifact becomes: LED pages one each, anything else one."""
    meta, entry = record.get("meta", {}), selected.entry
    if record["kind"] == "led" and meta.get("mode") == "pages":
        pages = meta["pages"]
        total = sum(p["stay"] for p in pages) or 1.0
        scale = (selected.duration / total) if selected.duration else 1.0
        return [_item(record, _file(record, p["file"]), "image", p["stay"] * scale, p["text"], entry) for p in pages]
    if record["kind"] == "led":
        name = meta.get("mp4") or meta["gif"]
        kind = "video" if name.endswith(".mp4") else "animation"
        return [
            _item(record, _file(record, name), kind, selected.duration or record["duration"], record["text"], entry)
        ]
    if record["kind"] == "video":
        return [
            _item(
                record,
                _file(record, "video.mp4"),
                "video",
                selected.duration or record["duration"],
                record["text"],
                entry,
            )
        ]
    if record["content"]["kind"] == "image":
        assert isinstance(plan.profile, TvScreen)
        return [
            _item(
                record,
                _file(record, "image.png"),
                "image",
                selected.duration or plan.profile.image_seconds,
                record["text"],
                entry,
            )
        ]
    return [
        _item(
            record, _file(record, "clip.mp4"), "video", selected.duration or record["duration"], record["text"], entry
        )
    ]


def assemble(plan: ScreenPlan, records: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The screen's playlist as data (what playlist.json holds, store paths relative to the output folder)."""
    items: list[dict[str, Any]] = []
    for selected in plan.items:
        items += items_for(plan, selected, _record(records, selected))
    profile = plan.profile
    screen: dict[str, Any] = {
        "id": plan.screen.id,
        "profile": profile.id,
        "kind": plan.kind,
        "size": [int(x) for x in profile.size.lower().replace("×", "x").split("x")],
    }
    if plan.kind == "led":
        screen["color"] = getattr(profile, "color", None)
    branch = plan.branch
    return {
        "version": PLAYLIST_VERSION,
        "branch": {"id": branch.id, "name": branch.name, "locale": branch.locale, "timezone": branch.timezone},
        "screen": screen,
        "playlist": plan.playlist,
        "chosen_by": plan.why,
        "duration": round(sum(i["duration"] for i in items), 3),
        "items": items,
    }
