"""A screen's playlist from its plan and the catalogue alone: items with files, durations and texts."""

from __future__ import annotations

from typing import cast

from ..errors import Problem, SignageError
from ..project.config import LedScreen, TvScreen
from ..records import (
    PLAYLIST_VERSION,
    ItemKind,
    Playlist,
    PlaylistBranch,
    PlaylistItem,
    PlaylistScreen,
    Record,
    ScreenKind,
    StoredFile,
    Ticker,
)
from ..tree import branch_variant
from .select import ScreenPlan, Selected


def _record(records: dict[str, Record], selected: Selected) -> Record:
    want = selected.want
    record = records.get(branch_variant(want.path, want.branch)) if want.branch else None
    record = record or records.get(want.path)
    if record is None:
        raise SignageError(Problem(f"{want.path} is not in the catalogue: run `signage build`", item=want.content_id))
    return record


def _file(record: Record, name: str) -> StoredFile:
    found = record.file(name)
    if found is None:
        raise SignageError(Problem(f"{record.id} has no file {name}", item=record.id))
    return found


def _seconds(record: Record, selected: Selected) -> float:
    """How long the artifact plays: the entry's own duration, else the artifact's."""
    seconds = selected.duration or record.duration
    if seconds is None:
        raise SignageError(Problem(f"{record.id} has no duration", item=record.id))
    return seconds


def _item(
    record: Record,
    file: StoredFile,
    kind: ItemKind,
    duration: float,
    text: str,
    entry: int,
    clip: str | None = None,
) -> PlaylistItem:
    return PlaylistItem(
        file=file.path,
        name=file.name,
        sha256=file.sha256,
        bytes=file.bytes,
        kind=kind,
        duration=round(duration, 3),
        text=text,
        content=record.content,
        valid=record.valid,
        source=record.id,
        entry=entry,
        clip=_file(record, clip).path if clip else None,
    )


def items_for(plan: ScreenPlan, selected: Selected, record: Record) -> list[PlaylistItem]:
    """The playlist items one selected artifact becomes: LED pages one each, anything else one."""
    entry = selected.entry
    if record.kind == "led":
        led = record.led()
        if led.mode == "pages":
            total = sum(p.stay for p in led.pages) or 1.0
            scale = (selected.duration / total) if selected.duration else 1.0
            return [
                _item(record, _file(record, p.file), "image", p.stay * scale, p.text, entry, p.clip) for p in led.pages
            ]
        name = led.mp4 or led.gif
        if name is None:
            raise SignageError(Problem(f"{record.id} has neither an MP4 nor a GIF", item=record.id))
        kind: ItemKind = "video" if name.endswith(".mp4") else "animation"
        clip = led.clip if kind == "animation" else None
        return [_item(record, _file(record, name), kind, _seconds(record, selected), record.text, entry, clip)]
    if record.kind == "video":
        return [_item(record, _file(record, "video.mp4"), "video", _seconds(record, selected), record.text, entry)]
    if record.content.kind == "image":
        assert isinstance(plan.profile, TvScreen)
        seconds = selected.duration or plan.profile.image_seconds
        made = record.meta.get("clip")  # the image's clip, on a profile with clips
        still_clip = made if isinstance(made, str) else None
        return [_item(record, _file(record, "image.png"), "image", seconds, record.text, entry, still_clip)]
    return [_item(record, _file(record, "clip.mp4"), "video", _seconds(record, selected), record.text, entry)]


def assemble(plan: ScreenPlan, records: dict[str, Record]) -> Playlist:
    """The screen's playlist (what playlist.json holds, store paths relative to the output folder)."""
    items: list[PlaylistItem] = []
    for selected in plan.items:
        items += items_for(plan, selected, _record(records, selected))
    profile = plan.profile
    width, height = (int(x) for x in profile.size.lower().replace("×", "x").split("x"))
    screen = PlaylistScreen(
        id=plan.screen.id,
        profile=profile.id,
        kind=cast(ScreenKind, plan.kind),
        size=(width, height),
        color=profile.color if isinstance(profile, LedScreen) else None,
    )
    branch = plan.branch
    for ids, seconds, label in plan.frequency:
        items = at_least_every(items, ids, seconds, f"{label} (branch {branch.id}, screen {plan.folder})")
    for ids, seconds, label in plan.frequency:  # a later rule's insertions must not break an earlier one
        gap = longest_gap(items, ids)
        if gap > seconds + 1e-6:
            raise SignageError(
                f"{label} (branch {branch.id}, screen {plan.folder}): cannot hold together with the other "
                f"minimum frequencies of this screen: a gap of {gap:.0f} s"
            )
    return Playlist(
        ticker=Ticker(texts=list(plan.ticker)) if plan.ticker else None,
        version=PLAYLIST_VERSION,
        branch=PlaylistBranch(id=branch.id, name=branch.name, locale=branch.locale, timezone=branch.timezone),
        screen=screen,
        playlist=plan.playlist,
        chosen_by=plan.why,
        duration=round(sum(i.duration for i in items), 3),
        items=items,
    )


def longest_gap(items: list[PlaylistItem], ids: frozenset[str]) -> float:
    """The longest time from the start of an item in ``ids`` to the start of the next, over the loop."""
    starts, t = [], 0.0
    for item in items:
        if item.content.id in ids:
            starts.append(t)
        t += item.duration
    if not starts:
        return float("inf")
    return max([b - a for a, b in zip(starts, starts[1:], strict=False)] + [t - starts[-1] + starts[0]])


def at_least_every(items: list[PlaylistItem], ids: frozenset[str], seconds: float, what: str) -> list[PlaylistItem]:
    """The items arranged so that one whose content is in ``ids`` starts at most ``seconds`` after
    the last one started, over the whole loop (the wrap from the last item to the first too).

    The others keep their order; the members are put in turn where the gap would grow too
    long (repeating them if need be). A run of items from one source (an LED sign's pages)
    moves as one. SignageError when no arrangement can hold it."""
    units: list[list[PlaylistItem]] = []
    for item in items:
        if units and units[-1][0].source == item.source:
            units[-1].append(item)
        else:
            units.append([item])
    members = [u for u in units if u[0].content.id in ids]
    others = [u for u in units if u[0].content.id not in ids]
    if not members:
        raise SignageError(f"{what}: the playlist has none of these items, so the minimum frequency cannot hold")

    def length(unit: list[PlaylistItem]) -> float:
        return float(sum(i.duration for i in unit))

    longest = max(length(m) for m in members)
    if longest > seconds + 1e-6:
        raise SignageError(f"{what}: cannot hold: one of these items alone plays {longest:.0f} s")
    for unit in others:
        if longest + length(unit) > seconds + 1e-6:
            raise SignageError(
                f"{what}: cannot hold: {unit[0].source} plays {length(unit):.0f} s, which with a "
                f"{longest:.0f} s item of the kind is more than {seconds:.0f} s"
            )
    out: list[PlaylistItem] = []
    k = 0
    since = 0.0  # seconds since the last member started
    for unit in others:
        if not out or since + length(unit) > seconds + 1e-6:
            member = members[k % len(members)]
            k += 1
            out += member
            since = length(member)
        out += unit
        since += length(unit)
    while k < len(members):  # every member plays at least once a loop
        out += members[k]
        k += 1
    return out
