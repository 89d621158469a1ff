"""What the schedule said would play: each screen's timeline over a period, through its live playlists.

For every screen and branch-local day, ``day_switches`` (the one ``decide`` that plan, rotate
and publishing ask) gives the variant on screen from each instant on; the branch's live
version holds that variant's ``playlist.json``, whose loop says how often each item comes
round. A segment of S seconds plays a loop of L seconds S / L times, so each item in it
S / L times (fractional: a loop cut short by a switch counts its share). Screens that share
a time zone, a default playlist and the campaigns and emergencies that target them share a
timeline, so a day's switches are worked out once per such group, not once per screen.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..network.publish import current_version
from ..project.config import Branch, BranchScreen
from ..project.model import Project
from ..project.screens import playlist_for
from ..schedule.emergency import Emergency
from ..schedule.resolve import day_switches
from ..tree import PLAYLIST_JSON, Variant, split_key, undated, variant_folder, version_dir


@dataclass(frozen=True)
class ScreenRef:
    """A screen chosen for a report: its branch, itself and its kind (``led`` or ``tv``)."""

    branch: Branch
    screen: BranchScreen
    kind: str

    @property
    def reports(self) -> bool:
        """Whether a player on it reports (an LED sign's controller does not)."""
        return self.kind != "led"


@dataclass(frozen=True)
class LoopItem:
    content_kind: str
    content: str
    duration: float


@dataclass(frozen=True)
class Loop:
    """A published playlist as far as counting needs it: its items and one loop's length."""

    seconds: float
    items: tuple[LoopItem, ...]


@dataclass
class Planned:
    """Planned plays and seconds by (branch, screen, content kind, content id, campaign key), and by day."""

    plays: dict[tuple[str, str, str, str, str], list[float]] = field(
        default_factory=lambda: defaultdict(lambda: [0.0, 0.0])
    )
    days: dict[dt.date, float] = field(default_factory=lambda: defaultdict(float))  # planned plays on reporting screens
    notes: list[str] = field(default_factory=list)
    borrowed: int = 0  # screen-days counted from another day's pool (see _nearest)


def read_loop(path: Path) -> Loop | None:
    """The loop of a published ``playlist.json`` (None when there is none); read as plain JSON, since
    a report reads thousands of them and the build validated each when it wrote it. An artifact's
    pages in a row are one play, as the player counts them."""
    try:
        data: Any = json.loads(path.read_bytes())
        items: list[LoopItem] = []
        previous = None
        for n, i in enumerate(data["items"]):
            source = i.get("source") or i.get("file")
            if n and source is not None and source == previous:
                items[-1] = LoopItem(
                    items[-1].content_kind, items[-1].content, items[-1].duration + float(i["duration"])
                )
            else:
                items.append(LoopItem(str(i["content"]["kind"]), str(i["content"]["id"]), float(i["duration"])))
            previous = source
        seconds = float(data.get("duration") or sum(i.duration for i in items))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return Loop(seconds, tuple(items)) if items and seconds > 0 else None


@dataclass(frozen=True)
class Folders:
    """A version's folder names, and its dated variant folders (``SCREEN~KEY@DATE``) by (screen, key)."""

    names: frozenset[str]
    dated: dict[tuple[str, str], list[tuple[dt.date, str]]]


def _pooled_folders(version: Path) -> Folders:
    found: dict[tuple[str, str], list[tuple[dt.date, str]]] = defaultdict(list)
    try:
        names = os.listdir(version)
    except OSError:
        names = []
    for name in names:
        try:
            variant = Variant.parse(name)
        except ValueError:
            continue
        if variant.date is not None:
            found[(variant.screen, variant.key)].append((variant.date, name))
    return Folders(frozenset(names), found)


def _nearest(folders: Folders, screen: str, key: str, day: dt.date) -> str | None:
    """For a pooled day the live version no longer (or not yet) holds, the folder of the nearest day it
    does: a published version keeps a week of pooled days, a report may look back a month."""
    try:
        name, _ = split_key(key)
    except ValueError:
        return None
    dated = folders.dated.get((screen, name))
    if not dated:
        return None
    return min(dated, key=lambda d: abs((d[0] - day).days))[1]


def _segments(
    project: Project, ref: ScreenRef, day: dt.date, emergencies: list[Emergency], end_cap: float
) -> list[tuple[str, float]]:
    """(key, seconds) of each stretch of the screen's local ``day``, up to ``end_cap`` (epoch seconds)."""
    switches = [
        (t.timestamp(), d.key)
        for t, d in day_switches(project, project.schedule, ref.branch, ref.screen, day, emergencies)
    ]
    zone = ZoneInfo(ref.branch.timezone)
    end = min(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone).timestamp(), end_cap)
    out = []
    for n, (start, key) in enumerate(switches):
        stop = min(switches[n + 1][0] if n + 1 < len(switches) else end, end)
        if stop > start:
            out.append((key, stop - start))
    return out


def _campaign(key: str) -> str:
    try:
        return undated(key)
    except ValueError:
        return key


def _group(
    project: Project, ref: ScreenRef, emergencies: list[Emergency]
) -> tuple[str, str, str, tuple[int, ...], tuple[str, ...]]:
    """What decides a screen's timeline: screens with the same group have the same switches."""
    default = playlist_for(project, ref.branch, ref.screen)[0]
    campaigns = tuple(
        n for n, c in enumerate(project.schedule.campaigns) if c.where.matches(ref.branch, ref.screen, ref.kind)
    )
    urgent = tuple(e.id for e in emergencies if e.where.matches(ref.branch, ref.screen, ref.kind))
    return ref.branch.timezone, ref.kind, default, campaigns, urgent


def plan_period(
    project: Project,
    screens: list[ScreenRef],
    first: dt.date,
    last: dt.date,
    emergencies: list[Emergency],
    until: dt.datetime | None = None,
) -> Planned:
    """The plays the schedule planned on ``screens`` from ``first`` to ``last`` (branch-local days,
    inclusive), up to ``until`` when the period reaches into the future."""
    out = Planned()
    output = project.output_dir
    end_cap = until.timestamp() if until is not None else float("inf")
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    timelines: dict[Any, dict[tuple[str, dt.date], float]] = {}  # group -> (key, day) -> seconds on screen
    loops: dict[tuple[str, str], Loop | None] = {}  # (version folder, variant folder) -> its loop
    names: dict[tuple[str, str], str] = {}  # (screen, key) -> variant folder
    campaigns: dict[str, str] = {}
    listing: dict[str, Folders] = {}
    live: dict[str, str | None] = {}
    missing_versions: list[str] = []
    missing: set[tuple[str, str, str]] = set()
    for ref in screens:
        branch, screen = ref.branch, ref.screen
        if branch.id not in live:
            live[branch.id] = current_version(output, branch.id)
            if live[branch.id] is None:
                missing_versions.append(branch.id)
        version = live[branch.id]
        if version is None:
            continue
        group = _group(project, ref, emergencies)
        spent_by = timelines.get(group)
        if spent_by is None:  # the first screen of its group: the period's timeline, once for all of them
            spent_by = timelines[group] = defaultdict(float)
            for day in days:
                for key, spent in _segments(project, ref, day, emergencies, end_cap):
                    spent_by[(key, day)] += spent
        root = str(version_dir(output, branch.id, version))
        folders = listing.get(root)
        if folders is None:
            folders = listing[root] = _pooled_folders(Path(root))
        turns_by: dict[tuple[str, str], float] = defaultdict(float)  # (variant folder, campaign) -> loops played
        for (key, day), spent in spent_by.items():
            name = names.get((screen.id, key))
            if name is None:
                name = names[(screen.id, key)] = variant_folder(screen.id, key)
            if name not in folders.names:
                near = _nearest(folders, screen.id, key, day)
                if near is not None:
                    name = near
                    out.borrowed += 1
            if (root, name) not in loops:
                loops[(root, name)] = read_loop(Path(root, name, PLAYLIST_JSON))
            loop = loops[(root, name)]
            if loop is None:
                missing.add((branch.id, screen.id, f"{version} has no playlist for {key}"))
                continue
            campaign = campaigns.get(key)
            if campaign is None:
                campaign = campaigns[key] = _campaign(key)
            turns = spent / loop.seconds
            turns_by[(name, campaign)] += turns
            if ref.reports:
                out.days[day] += turns * len(loop.items)
        for (name, campaign), turns in turns_by.items():
            counted = loops[(root, name)]
            assert counted is not None
            for item in counted.items:
                tally = out.plays[(branch.id, screen.id, item.content_kind, item.content, campaign)]
                tally[0] += turns
                tally[1] += turns * item.duration
    out.notes += [f"{b}/{s}: {why}; not counted" for b, s, why in sorted(missing)]
    if out.borrowed:
        out.notes.append(
            f"{out.borrowed} screen-day(s) of pooled playlists were planned from another day's pool of the same "
            "playlist (a live version keeps a week of pooled days): their loop, not their very items"
        )
    if missing_versions:
        shown = ", ".join(missing_versions[:10]) + (
            f" and {len(missing_versions) - 10} more" if len(missing_versions) > 10 else ""
        )
        out.notes.insert(0, f"no live version, so nothing planned, for {len(missing_versions)} branch(es): {shown}")
    return out
