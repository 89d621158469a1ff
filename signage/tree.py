"""The output folder's layout: every path the tool writes or reads under ``output/`` is decided here.

    output/.lock                              one writer at a time (signage/lock.py)
    output/.staging/                          jobs render here before their files move into the store
    output/store/ab/abcd….png                 every artifact file once, named by its SHA-256
    output/store/segments/KEY.mp4             a video's encoded scenes, named by the hash of what decides
                                              their frames, shared by every video that shows them
    output/catalogue.json                     one record per artifact
    output/KIND/TARGET/LOCALE/ID/             the readable tree: manifest.json and links into the store
    output/publish/BRANCH/player.html         the branch's browser player
    output/publish/BRANCH/v0007/              a version: version.json, version.js, timeline.js and one
                                              folder per screen variant, SCREEN[~KEY[@DATE]]
    output/publish/BRANCH/current -> v0007
    output/publish/BRANCH/screens/SCREEN -> ../v0007/SCREEN~KEY
    output/publish/BRANCH/rolled-back         the rollback pin
    output/schedule/                          the tool's own state, never served: emergencies, the log,
                                              rotate.alive (the rotate loop's heartbeat)
    output/schedule/plans/BRANCH.json         what `plan --at` answers for the branch's coming week, with
                                              what it was computed from (written when publishing)
    output/preview/                           the static preview site
    output/preview/.inputs                    what the project looked like when its warnings were checked
    output/proof/events.sqlite                proof of play: the players' events, screens' last heartbeats,
                                              daily totals and the per-screen tokens; never served

Other modules ask for a path here rather than spelling a name, so the layout changes in one place.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

LOCK_FILE = ".lock"
STAGING = ".staging"
STORE = "store"
SEGMENTS = "segments"  # inside the store
CATALOGUE = "catalogue.json"
MANIFEST = "manifest.json"  # an artifact folder's own record
PUBLISH = "publish"
CURRENT = "current"
SCREENS = "screens"
VERSION_FILE = "version.json"
VERSION_SCRIPT = "version.js"  # what the browser player reads beside version.json
TIMELINE_SCRIPT = "timeline.js"
PLAYER = "player.html"
PINNED = "rolled-back"  # present after `signage rollback`: builds leave the live version alone until content changes
STATE_DIR = "schedule"
EMERGENCIES = "emergencies.json"
LOG = "log.sqlite"
PLANS = "plans"  # in the state folder: one BRANCH.json each, the answers `plan --at` reads
PLAYLIST_JSON = "playlist.json"  # in a screen folder: the playlist every other format is made from
PLAYLIST_M3U = "playlist.m3u"
PLAYLIST_SMIL = "playlist.smil"
PLAYLIST_SCRIPT = "playlist.js"  # the browser player's copy
PROGRAM = "program"  # an LED screen's files in playing order, for the sign's controller
PROGRAM_LIST = "program.txt"
HEARTBEAT = "rotate.alive"  # a running `signage rotate` loop rewrites it every WATCH_SECONDS
PREVIEW = "preview"
PREVIEW_INDEX = "index.html"
PREVIEW_INPUTS = ".inputs"  # inside the preview folder, swapped in with it
PROOF_DIR = "proof"  # what the players reported (signage/proof/store.py); never served
PROOF_DB = "events.sqlite"
TO_OUTPUT = "../../../../"  # from publish/BRANCH/VERSION/SCREEN/ up to the output folder

DEFAULT = "default"  # the key of a screen's own playlist, when no campaign or emergency applies
VARIANT = "~"  # SCREEN~KEY
DATED = "@"  # KEY@DATE: a variant whose playlist draws from a pool, chosen for that day
_VERSION = re.compile(r"^v[0-9]+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


# --- the content store and the readable tree --------------------------------------------------


def lock_file(output: Path) -> Path:
    return output / LOCK_FILE


def staging_dir(output: Path) -> Path:
    return output / STAGING


def store_dir(output: Path) -> Path:
    return output / STORE


def store_path(sha256: str, suffix: str) -> str:
    """Where bytes with this hash live, relative to the output folder: ``store/ab/abcd….png``."""
    return f"{STORE}/{sha256[:2]}/{sha256}{suffix.lower()}"


def segment_dir(output: Path) -> Path:
    """The encoded video segments every build shares (``output/store/segments``)."""
    return output / STORE / SEGMENTS


def segment_entry(key: str) -> str:
    """A segment's path relative to the output folder, as the catalogue's records name it."""
    return f"{STORE}/{SEGMENTS}/{key}.mp4"


def band_entry(key: str) -> str:
    """A stitched hold's band encode, relative to the output folder (kept beside the segments)."""
    return f"{STORE}/{SEGMENTS}/{key}.h264"


def store_entry(shard: str, name: str) -> str:
    """The relative path of a file found in the store's ``shard`` folder."""
    return f"{STORE}/{shard}/{name}"


def catalogue_file(output: Path) -> Path:
    return output / CATALOGUE


def kind_dir(output: Path, kind: str) -> Path:
    """The readable folders of one kind of output (``output/led``, ``output/cards``, …)."""
    return output / kind


def artifact_id(kind: str, target: str, locale: str, name: str, branch: str | None = None) -> str:
    """An artifact's catalogue id and readable folder, ``KIND/TARGET/LOCALE/NAME[@BRANCH]``: the
    branch's own variant where the content names the branch."""
    return f"{kind}/{target}/{locale}/{branch_variant(name, branch)}"


def branch_variant(name: str, branch: str | None) -> str:
    """``NAME@BRANCH`` (a path or a name made for one branch), or ``NAME`` for every branch."""
    return f"{name}@{branch}" if branch else name


def artifact_kind(artifact: str) -> str:
    """The kind folder an artifact id starts with (``led``, ``cards``, ``video``, ``media``)."""
    return artifact.split("/", 1)[0]


def artifact_dir(output: Path, artifact_id: str) -> Path:
    """The readable folder of one artifact, named by its catalogue id (``led/door/zh/fraud-call``)."""
    return output / artifact_id


# --- published versions -----------------------------------------------------------------------


def publish_dir(output: Path) -> Path:
    return output / PUBLISH


def branch_dir(output: Path, branch_id: str) -> Path:
    return output / PUBLISH / branch_id


def version_name(number: int) -> str:
    return f"v{number:04d}"


def version_number(name: str) -> int | None:
    """7 for ``v0007``; None for a name that is no version folder."""
    return int(name[1:]) if _VERSION.match(name) else None


def version_dir(output: Path, branch_id: str, version: str) -> Path:
    return branch_dir(output, branch_id) / version


def version_file(folder: Path) -> Path:
    """The ``version.json`` of a version folder (or of an exported bundle)."""
    return folder / VERSION_FILE


def current_link(output: Path, branch_id: str) -> Path:
    return branch_dir(output, branch_id) / CURRENT


def screens_dir(output: Path, branch_id: str) -> Path:
    return branch_dir(output, branch_id) / SCREENS


def screen_link(output: Path, branch_id: str, screen_id: str) -> Path:
    return screens_dir(output, branch_id) / screen_id


def screen_target(version: str, folder: str) -> str:
    """What a screen's link holds: its folder in a version, relative to ``screens/``."""
    return f"../{version}/{folder}"


def player_file(output: Path, branch_id: str) -> Path:
    return branch_dir(output, branch_id) / PLAYER


def pin_file(output: Path, branch_id: str) -> Path:
    return branch_dir(output, branch_id) / PINNED


def from_screen_folder(path: str) -> str:
    """A path relative to the output folder, as a published screen folder refers to it."""
    return TO_OUTPUT + path


# --- the tool's own state and the preview -----------------------------------------------------


def state_dir(output: Path) -> Path:
    return output / STATE_DIR


def emergencies_file(output: Path) -> Path:
    return output / STATE_DIR / EMERGENCIES


def heartbeat_file(output: Path) -> Path:
    return state_dir(output) / HEARTBEAT


def log_file(output: Path) -> Path:
    return output / STATE_DIR / LOG


def proof_dir(output: Path) -> Path:
    return output / PROOF_DIR


def proof_db(output: Path) -> Path:
    """The proof-of-play database: what the players reported, and the tokens they report with."""
    return output / PROOF_DIR / PROOF_DB


def plans_dir(output: Path) -> Path:
    return output / STATE_DIR / PLANS


def plan_answers_file(output: Path, branch_id: str) -> Path:
    """The branch's published answers to ``signage plan --at`` (``schedule/plans/BRANCH.json``)."""
    return output / STATE_DIR / PLANS / f"{branch_id}.json"


def preview_dir(output: Path) -> Path:
    return output / PREVIEW


def playlist_file(screen_folder: Path) -> Path:
    """A screen folder's ``playlist.json`` (in a version, a bundle or a render's folder)."""
    return screen_folder / PLAYLIST_JSON


def published_playlists(output: Path) -> list[Path]:
    """The ``playlist.json`` of every screen folder of every kept version of every branch."""
    root = output / PUBLISH
    return sorted(root.glob(f"*/v*/*/{PLAYLIST_JSON}")) if root.is_dir() else []


def preview_index(output: Path) -> Path:
    return output / PREVIEW / PREVIEW_INDEX


def preview_inputs(output: Path) -> Path:
    return output / PREVIEW / PREVIEW_INPUTS


# --- screen variants: SCREEN~KEY@DATE -----------------------------------------------------------


def _check_part(what: str, text: str, forbidden: str) -> None:
    if not text or text.startswith(".") or any(c in text for c in forbidden + "/\\\x00"):
        raise ValueError(f"{what} {text!r}: not a usable name (empty, dot-first, or with one of {forbidden!r} / \\)")


def dated_key(key: str, day: dt.date | None) -> str:
    """``KEY@DATE`` for a variant chosen for one day (a pool's), else ``KEY``."""
    return f"{key}{DATED}{day.isoformat()}" if day is not None else key


def split_key(text: str) -> tuple[str, dt.date | None]:
    """(key, date) of ``KEY`` or ``KEY@DATE``; ValueError when the text is neither."""
    key, sep, day = text.partition(DATED)
    _check_part("key", key, VARIANT + DATED)
    if not sep:
        return key, None
    if not _DATE.match(day):
        raise ValueError(f"{text!r}: the date after {DATED!r} is not YYYY-MM-DD")
    return key, dt.date.fromisoformat(day)


def undated(text: str) -> str:
    """The key of ``KEY`` or ``KEY@DATE`` without its date."""
    return split_key(text)[0]


@dataclass(frozen=True)
class Variant:
    """One screen's playlist folder in a published version: ``SCREEN`` for its own playlist,
    ``SCREEN~KEY`` for a campaign or emergency, ``SCREEN~KEY@DATE`` for a pool's day."""

    screen: str
    key: str = DEFAULT
    date: dt.date | None = None

    def __post_init__(self) -> None:
        _check_part("screen", self.screen, VARIANT + DATED)
        _check_part("key", self.key, VARIANT + DATED)

    @classmethod
    def of(cls, screen: str, key: str) -> Variant:
        """The variant a decision names: ``key`` is ``KEY`` or ``KEY@DATE``."""
        name, day = split_key(key)
        return cls(screen, name, day)

    @classmethod
    def parse(cls, folder: str) -> Variant:
        """The variant a folder name spells; ValueError for a name no variant has."""
        screen, sep, rest = folder.partition(VARIANT)
        if not sep:
            return cls(screen)
        variant = cls.of(screen, rest)
        if variant.is_default:
            raise ValueError(f"{folder!r}: the screen's own playlist is the folder {screen!r}")
        return variant

    @property
    def is_default(self) -> bool:
        return self.key == DEFAULT and self.date is None

    @property
    def dated_key(self) -> str:
        """``KEY`` or ``KEY@DATE``: what ``decide`` and the schedule call this variant."""
        return dated_key(self.key, self.date)

    @property
    def folder(self) -> str:
        return self.screen if self.is_default else f"{self.screen}{VARIANT}{self.dated_key}"


def is_variant_folder(name: str) -> bool:
    """Whether a version's folder holds a variant (``SCREEN~…``) rather than a screen's own playlist."""
    return VARIANT in name


def variant_folder(screen: str, key: str) -> str:
    """The folder of the variant ``key`` (``KEY`` or ``KEY@DATE``) of ``screen``."""
    return Variant.of(screen, key).folder
