"""What the preview's pages show, as plain data: the templates in ``templates/`` turn it into HTML.

:class:`Published` is read once from the output folder (the catalogue, each branch's live
version, the emergencies); :func:`index_view` and :func:`branch_view` pick from it what
one page shows, with the same ``decide`` as ``signage plan`` and ``rotate``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ..build.catalogue import Catalogue
from ..errors import SignageError
from ..network.formats import read_playlist
from ..network.publish import current_version
from ..project.config import Branch, BranchScreen
from ..project.model import Project
from ..proof.status import ScreenStatus, statuses
from ..records import LinkedItem, PlaylistFile, Record
from ..schedule.emergency import Emergency
from ..schedule.emergency import load as load_emergencies
from ..schedule.resolve import day_switches, decide
from ..sizes import parse_pixels
from ..tree import (
    PLAYER,
    PLAYLIST_JSON,
    PUBLISH,
    Variant,
    is_variant_folder,
    variant_folder,
    version_dir,
)
from .thumbs import Thumbs

NOT_PUBLISHED = "not published"
OWN_PLAYLIST = "default playlist"  # what placed a screen's own playlist, where a campaign's id would stand
CARDS_SHOWN = 60  # a branch page shows this many of its print cards
BOX = 360  # px: a screen's frame fits a square this size


@dataclass
class Published:
    """The catalogue's records and what every branch plays in its live version."""

    records: dict[str, Record]  # catalogue id -> record
    live: dict[str, str]  # branch -> its live version
    playlists: dict[str, dict[str, PlaylistFile]]  # branch -> variant folder -> playlist
    used_by: dict[str, set[str]]  # catalogue id -> branches that play it
    emergencies: list[Emergency] = field(default_factory=list)
    health: dict[tuple[str, str], ScreenStatus] = field(default_factory=dict)  # (branch, screen) -> its state

    @classmethod
    def read(cls, project: Project, now: dt.datetime | None = None) -> Published:
        """What is published, and (given ``now``) each screen's state from its players' heartbeats."""
        output = project.output_dir
        records = Catalogue.load(output).records
        live: dict[str, str] = {}
        playlists: dict[str, dict[str, PlaylistFile]] = {}
        used_by: dict[str, set[str]] = {}
        for branch in project.config.branches:
            version = current_version(output, branch.id)
            if version is None:
                continue
            live[branch.id] = version
            found: dict[str, PlaylistFile] = {}
            for path in sorted(version_dir(output, branch.id, version).glob(f"*/{PLAYLIST_JSON}")):
                data = read_playlist(path)  # a located error when a published playlist is unreadable
                found[path.parent.name] = data
                for item in data.items:
                    used_by.setdefault(item.source, set()).add(branch.id)
            playlists[branch.id] = found
        health: dict[tuple[str, str], ScreenStatus] = {}
        if now is not None:
            try:
                health = {(s.branch, s.screen): s for s in statuses(project, now)}
            except SignageError:
                pass  # the players' reports cannot be read: `signage status` says why; the preview goes on

        return cls(records, live, playlists, used_by, load_emergencies(output), health)


# --- the index: the network by region ---------------------------------------------------------


@dataclass(frozen=True)
class Note:
    text: str
    error: bool  # anything that is not a warning is shown as an error


@dataclass(frozen=True)
class BranchRow:
    id: str
    name: str
    locale: str
    timezone: str
    search: str  # what the search box matches, lower case
    screens: str
    live: str


@dataclass(frozen=True)
class Region:
    name: str
    branches: list[BranchRow]


@dataclass(frozen=True)
class IndexView:
    network: str
    notes: list[Note]
    branches: int
    as_of: str  # the project's local time, to the minute
    regions: list[Region]


def region_of(branch: Branch) -> str:
    """The index's heading for a branch: its ``region`` variable, else its first tag, else its locale."""
    return str(branch.vars.get("region") or (branch.tags[0] if branch.tags else "") or branch.locale)


def index_view(project: Project, published: Published, warnings: list[str], now: dt.datetime) -> IndexView:
    config = project.config
    regions: dict[str, list[Branch]] = {}
    for branch in config.branches:
        regions.setdefault(region_of(branch), []).append(branch)
    return IndexView(
        network=config.name_for(config.default_locale),
        notes=[Note(text, error="warning" not in text) for text in warnings],
        branches=len(config.branches),
        as_of=now.astimezone(ZoneInfo(config.timezone)).isoformat(timespec="minutes"),
        regions=[
            Region(name, [_row(branch, published) for branch in members]) for name, members in sorted(regions.items())
        ],
    )


def _row(branch: Branch, published: Published) -> BranchRow:
    return BranchRow(
        id=branch.id,
        name=branch.name,
        locale=branch.locale,
        timezone=branch.timezone,
        search=" ".join([branch.id, branch.name, *branch.tags, branch.locale]).lower(),
        screens=", ".join(f"{s.id} ({s.profile})" for s in branch.screens),
        live=published.live.get(branch.id, NOT_PUBLISHED),
    )


# --- a branch page: its screens now and today, every playlist item, its print cards -----------


@dataclass(frozen=True)
class Switch:
    time: str  # HH:MM in the branch's time zone
    key: str
    why: str
    now: bool  # the switch in force at the preview's instant


@dataclass(frozen=True)
class ScreenView:
    id: str
    profile: str
    width: int  # the screen's pixels
    height: int
    frame_width: int  # the frame's px on the page: the screen's aspect ratio within BOX
    frame_height: int
    picture: str | None  # the first item's thumbnail, relative to the preview folder
    alt: str
    key: str  # what plays now, and why
    why: str
    timeline: list[Switch]
    state: str = ""  # its state from the players' heartbeats (signage status), when known
    state_why: str = ""


@dataclass(frozen=True)
class ItemView:
    picture: str | None
    text: str
    kind: str
    duration: float
    source: str  # catalogue id
    branches: int  # how many branches play it
    valid: str  # "FROM – UNTIL", or empty when always


@dataclass(frozen=True)
class PlaylistView:
    screen: str
    name: str
    campaign: str  # what placed it: a campaign's key or OWN_PLAYLIST
    duration: float  # seconds a loop
    items: list[ItemView]


@dataclass(frozen=True)
class CardView:
    picture: str | None
    target: str  # the card template
    text: str
    pdf: str | None = None  # the print file in the readable tree, from a branch page


@dataclass(frozen=True)
class BranchView:
    id: str
    name: str
    tags: list[str]
    locale: str
    timezone: str
    player: str  # the branch's browser player, relative to a branch page
    screens: list[ScreenView]
    playlists: list[PlaylistView]
    cards_total: int
    cards: list[CardView]  # the first CARDS_SHOWN


def branch_view(project: Project, branch: Branch, published: Published, thumbs: Thumbs, now: dt.datetime) -> BranchView:
    """What one branch's page shows; the thumbnails it needs are made on the way."""
    folders = published.playlists.get(branch.id, {})
    today = now.astimezone(ZoneInfo(branch.timezone)).date()
    screens = []
    for screen in branch.screens:
        profile = project.profile(screen.profile)
        if profile is None:
            continue
        screens.append(_screen(project, branch, screen, profile.size, folders, published, thumbs, now, today))
    playlists = []
    for screen in branch.screens:
        shown: list[str] = []
        for _, decision in day_switches(project, project.schedule, branch, screen, today, published.emergencies):
            name = variant_folder(screen.id, decision.key)
            if name in folders and name not in shown:
                shown.append(name)
        for name in shown:
            data = folders[name]
            campaign = Variant.parse(name).dated_key if is_variant_folder(name) else OWN_PLAYLIST
            items = [_item(item, published, thumbs, data) for item in data.items]
            playlists.append(PlaylistView(screen.id, data.playlist, campaign, data.duration, items))
    cards = sorted(
        (
            r
            for r in published.records.values()
            if r.kind == "card" and r.locale == branch.locale and r.branch in (None, branch.id)
        ),
        key=lambda r: r.id,
    )
    return BranchView(
        id=branch.id,
        name=branch.name,
        tags=list(branch.tags),
        locale=branch.locale,
        timezone=branch.timezone,
        player=f"../../{PUBLISH}/{branch.id}/{PLAYER}",
        screens=screens,
        playlists=playlists,
        cards_total=len(cards),
        cards=[_card(r, thumbs) for r in cards[:CARDS_SHOWN]],
    )


def _screen(
    project: Project,
    branch: Branch,
    screen: BranchScreen,
    size: str,
    folders: dict[str, PlaylistFile],
    published: Published,
    thumbs: Thumbs,
    now: dt.datetime,
    today: dt.date,
) -> ScreenView:
    w, h = parse_pixels(size, "size")
    decision = decide(project, project.schedule, branch, screen, now, published.emergencies)
    live = variant_folder(screen.id, decision.key)
    live = live if live in folders else screen.id
    switches = day_switches(project, project.schedule, branch, screen, today, published.emergencies)
    data = folders.get(live)
    first = data.items[0] if data and data.items else None
    picture = _picture(first, published, thumbs, data) if first and data else None
    current = max((n for n, (at, _) in enumerate(switches) if at <= now), default=-1)
    zone = ZoneInfo(branch.timezone)
    health = published.health.get((branch.id, screen.id))
    return ScreenView(
        id=screen.id,
        profile=screen.profile,
        width=w,
        height=h,
        frame_width=BOX if w >= h else max(24, round(BOX * w / h)),
        frame_height=max(24, round(BOX * h / w)) if w >= h else BOX,
        picture=picture,
        alt=first.text if first else "",
        key=decision.key,
        why=decision.why,
        timeline=[
            Switch(f"{at.astimezone(zone):%H:%M}", d.key, d.why, n == current) for n, (at, d) in enumerate(switches)
        ],
        state=health.state if health else "",
        state_why=health.why if health else "",
    )


def _item(item: LinkedItem, published: Published, thumbs: Thumbs, data: PlaylistFile) -> ItemView:
    start, end = item.valid.from_, item.valid.until
    return ItemView(
        picture=_picture(item, published, thumbs, data),
        text=item.text,
        kind=item.kind,
        duration=item.duration,
        source=item.source,
        branches=len(published.used_by.get(item.source, set())),
        valid=f"{start or '…'} – {end or '…'}" if start or end else "",
    )


def _card(record: Record, thumbs: Thumbs) -> CardView:
    png = _card_picture(record)
    pdf = next((f.name for f in record.files if f.name.endswith(".pdf")), None)
    link = f"../../{record.id}/{pdf}" if pdf else None  # from preview/branches/ up to the output folder
    return CardView(thumbs.get(png) if png else None, record.target, record.text, link)


def _picture(item: LinkedItem, published: Published, thumbs: Thumbs, data: PlaylistFile) -> str | None:
    """An item's thumbnail: the image it plays (as dots on an LED sign), else its video's poster or card preview."""
    if item.kind == "image":
        return thumbs.get(item.file.lstrip("./"), led=data.screen.kind == "led")
    record = published.records.get(item.source)
    poster = _file(record, lambda name: name.endswith("poster.png"))
    if poster:
        return thumbs.get(poster)
    preview = _card_picture(record)
    return thumbs.get(preview) if preview else None


def _card_picture(record: Record | None) -> str | None:
    """A card's small picture, made with it (``thumb.png``), else its 300-dpi preview (a card made
    before cards had one)."""
    return _file(record, lambda name: name == "thumb.png") or _file(record, lambda name: name == "preview.png")


def _file(record: Record | None, wanted: Callable[[str], bool]) -> str | None:
    """The store path of the record's first file whose name is ``wanted``."""
    return next((f.path for f in record.files if wanted(f.name)), None) if record is not None else None
