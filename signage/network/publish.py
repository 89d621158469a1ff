"""Published versions per branch, switched atomically, kept for rollback.

    output/publish/BRANCH/v0007/SCREEN/playlist.{json,m3u,smil} (+ program/ on LED screens)
    output/publish/BRANCH/v0007/version.json
    output/publish/BRANCH/current -> v0007          (a symbolic link, replaced in one rename)
    output/publish/BRANCH/screens/SCREEN -> ../v0007/SCREEN

A version is written in full under a temporary name, renamed into place, and only then
does ``current`` point at it: a player reading ``current`` sees the old version or the new
one, never a half-written or mixed one. A build that changes nothing of a branch makes no
new version. Links to media are relative (``../../../../store/…``) and resolve the same
whether followed through ``current``, ``screens/…`` or the version folder itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import clock
from ..atomic import atomic_write_bytes, commit_stages, new_stage, replace_link, sync_dirs
from ..errors import Problem, SignageError
from ..player import player_page
from ..project.model import Project
from ..records import Playlist, Record, Timeline, Version, VersionScreen
from ..tree import (
    TIMELINE_SCRIPT,
    VERSION_SCRIPT,
    branch_dir,
    current_link,
    from_screen_folder,
    is_variant_folder,
    pin_file,
    player_file,
    publish_dir,
    published_playlists,
    screen_link,
    screen_target,
    screens_dir,
    variant_folder,
    version_dir,
    version_file,
    version_name,
    version_number,
)
from .assemble import assemble
from .formats import FORMATS, write_screen
from .select import ScreenPlan


@dataclass
class PublishReport:
    published: list[str] = field(default_factory=list)  # branch ids with a new version
    unchanged: int = 0
    removed_versions: int = 0
    branches_removed: int = 0
    screens: int = 0
    switched: list[Changed] = field(default_factory=list)  # the screen links publishing moved


def versions(output: Path, branch_id: str) -> list[str]:
    """The branch's complete versions, oldest first."""
    folder = branch_dir(output, branch_id)
    if not folder.is_dir():
        return []
    found = [p.name for p in folder.iterdir() if version_number(p.name) is not None and version_file(p).is_file()]
    return sorted(found, key=lambda v: version_number(v) or 0)


def current_version(output: Path, branch_id: str) -> str | None:
    link = current_link(output, branch_id)
    try:
        target = os.readlink(link)
    except OSError:
        return None
    return target if version_file(link.parent / target).is_file() else None


def read_version(output: Path, branch_id: str, version: str) -> Version:
    path = version_file(version_dir(output, branch_id, version))
    try:
        return Version.model_validate_json(path.read_bytes())
    except (OSError, ValueError) as exc:  # a ValidationError is a ValueError
        raise SignageError(Problem(f"version {version} cannot be read: {exc}", file=path)) from None


def version_digest(screens: dict[str, Playlist], timeline: Timeline) -> str:
    """What a version plays, in one hash: its playlists, its timeline and the formats they are written in."""
    data = {name: playlist.to_data() for name, playlist in screens.items()} | {
        "(timeline)": timeline.to_data()["screens"],
        "(formats)": list(FORMATS),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


Changed = tuple[str, str, str, str]  # (branch, screen, old link target or "", new target)
Chooser = Callable[[str, str], str]  # (branch id, screen id) -> the variant the schedule says
# (branch id, the version's folders) -> each screen's switches for the coming week
TimelineFor = Callable[[str, set[str]], Timeline]


def switch(
    output: Path, branch_id: str, version: str, choose: Chooser | None = None, durable: bool = True
) -> list[Changed]:
    """Make ``version`` the branch's live one: ``current`` first, then each screen's pointer (at the
    variant ``choose`` names, if the version has it, else the screen's default); the links moved.
    ``durable=False`` leaves flushing the links' folders to the caller (one flush for many branches)."""
    replace_link(version, current_link(output, branch_id), durable)
    screens = screens_dir(output, branch_id)
    screens.mkdir(exist_ok=True)
    present = {p.name for p in version_dir(output, branch_id, version).iterdir() if p.is_dir()}
    live = {name for name in present if not is_variant_folder(name)}
    changed: list[Changed] = []
    for screen in sorted(live):
        wanted = variant_folder(screen, choose(branch_id, screen)) if choose else screen
        chosen = wanted if wanted in present else screen
        link, target = screen_link(output, branch_id, screen), screen_target(version, chosen)
        try:
            before = os.readlink(link)
        except OSError:
            before = ""
        if before != target:
            replace_link(target, link, durable)
            changed.append((branch_id, screen, before, target))
    for old in screens.iterdir():
        if old.name not in live and old.is_symlink():
            old.unlink()
    return changed


@dataclass(frozen=True)
class Staged:
    """A branch's new version, written under a temporary name beside where it goes."""

    branch: str
    version: str
    stage: Path
    final: Path


def publish_branch(
    project: Project,
    plans: list[ScreenPlan],
    records: dict[str, Record],
    now: dt.datetime | None = None,
    choose: Chooser | None = None,
    timeline: TimelineFor | None = None,
    switched: list[Changed] | None = None,
) -> str | None:
    """A new version of one branch when what its screens play changed; the version made, or None
    (see :func:`stage_branch`)."""
    staged = stage_branch(project, plans, records, now, choose, switched, timeline)
    if staged is None:
        return None
    commit_stages([(staged.stage, staged.final)])
    moved = switch(project.output_dir, staged.branch, staged.version, choose)
    if switched is not None:
        switched.extend(moved)
    pin_file(project.output_dir, staged.branch).unlink(missing_ok=True)  # new content ends a rollback
    return staged.version


def stage_branch(
    project: Project,
    plans: list[ScreenPlan],
    records: dict[str, Record],
    now: dt.datetime | None = None,
    choose: Chooser | None = None,
    switched: list[Changed] | None = None,
    timeline: TimelineFor | None = None,
) -> Staged | None:
    """Write a new version of one branch under a temporary name when what its screens play changed;
    None when nothing did.

    Beside the playlists, a version holds what the browser player (``player.html`` in the
    branch's folder) reads: ``version.js``, ``timeline.js`` (each screen's switches for the
    coming week) and each screen folder's ``playlist.js``. The timeline is part of the
    digest: a day later it reads differently, so the daily build publishes it anew."""
    output = project.output_dir
    branch_id = plans[0].branch.id
    screens = {plan.folder: assemble(plan, records) for plan in plans}
    switches = timeline(branch_id, set(screens)) if timeline else Timeline(screens={})
    digest = version_digest(screens, switches)
    _write_player(output, branch_id)
    existing = versions(output, branch_id)
    pin = pin_file(output, branch_id)
    if existing and read_version(output, branch_id, existing[-1]).digest == digest:
        # unchanged since the newest version: nothing to publish. A rollback holds; a publish that
        # was stopped between writing the version and switching to it is finished now.
        if not pin.exists() and current_version(output, branch_id) != existing[-1]:
            moved = switch(output, branch_id, existing[-1], choose)
            if switched is not None:
                switched.extend(moved)
        return None
    version = version_name((version_number(existing[-1]) or 0) + 1 if existing else 1)
    # written in full under a temporary name (plain writes: nothing sees it yet), renamed into place later
    final = version_dir(output, branch_id, version)
    stage = new_stage(final, mode=0o755)
    try:
        for screen_id, playlist in screens.items():
            write_screen(playlist, output, stage / screen_id, from_screen_folder)
        info = Version(
            version=version,
            branch=branch_id,
            digest=digest,
            created=(now or clock.now()).isoformat(timespec="seconds"),
            screens={
                s: VersionScreen(playlist=p.playlist, items=len(p.items), duration=p.duration)
                for s, p in screens.items()
            },
        )
        version_file(stage).write_text(version_json(info), encoding="utf-8")
        (stage / VERSION_SCRIPT).write_text(_js("setVersion", {"version": version, "created": info.created}))
        (stage / TIMELINE_SCRIPT).write_text(timeline_js(switches), encoding="utf-8")
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return Staged(branch_id, version, stage, final)


def _js(call: str, *args: object) -> str:
    """A script the browser player loads with a <script> tag (which file:// allows, unlike fetch)."""
    return f"signage.{call}({', '.join(json.dumps(a, ensure_ascii=False) for a in args)});\n"


def version_json(version: Version) -> str:
    """The text of ``version.json``."""
    return json.dumps(version.to_data(), ensure_ascii=False, indent=1) + "\n"


def timeline_js(timeline: Timeline) -> str:
    """The text of ``timeline.js``: the switches, handed to the browser player."""
    return _js("setTimeline", timeline.to_data())


def _write_player(output: Path, branch_id: str) -> None:
    """The branch's browser player, ``player.html?screen=ID``, kept up to date (atomically)."""
    page = player_page()
    target = player_file(output, branch_id)
    if target.is_file() and target.read_bytes() == page:
        return
    atomic_write_bytes(target, page)


def prune(output: Path, branch_id: str, keep: int) -> int:
    """Remove all but the newest ``keep`` versions; the live one always stays."""
    live = current_version(output, branch_id)
    found = versions(output, branch_id)
    removed = 0
    for version in found[:-keep] if keep < len(found) else []:
        if version != live:
            shutil.rmtree(version_dir(output, branch_id, version))
            removed += 1
    return removed


def referenced(output: Path) -> set[str]:
    """Every store path any kept version of any branch plays (the store keeps these)."""
    refs: set[str] = set()
    # read loosely, not through the Playlist model: an old version's playlist must keep its files
    # even when today's model would refuse it
    for playlist in published_playlists(output):
        try:
            data = json.loads(playlist.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        refs.update(path for item in data.get("items", []) for path in (item["file"], item.get("clip")) if path)
    return refs


def publish_network(
    project: Project,
    plans: list[ScreenPlan],
    records: dict[str, Record],
    choose: Chooser | None = None,
    timeline: TimelineFor | None = None,
    only: set[str] | None = None,
) -> PublishReport:
    """Publish every branch that has screens; prune old versions; remove branches that left the project.
    ``only`` these branches (an emergency's): the others are left as they are, none removed."""
    output = project.output_dir
    report = PublishReport()
    by_branch: dict[str, list[ScreenPlan]] = {}
    for plan in plans:
        if only is None or plan.branch.id in only:
            by_branch.setdefault(plan.branch.id, []).append(plan)
    # every changed branch's version written first, flushed to disk at once and put in place, then
    # every screen switched and the links flushed at once: on a network each flush is one syncfs,
    # not one per file, and the screens of all branches switch together, within a second or two
    staged: list[Staged] = []
    try:
        for branch_plans in by_branch.values():
            report.screens += sum(plan.variant == "default" for plan in branch_plans)
            made = stage_branch(
                project, branch_plans, records, choose=choose, timeline=timeline, switched=report.switched
            )
            if made is None:
                report.unchanged += 1
            else:
                staged.append(made)
    except BaseException:
        for made in staged:
            shutil.rmtree(made.stage, ignore_errors=True)
        raise
    commit_stages([(made.stage, made.final) for made in staged])
    for made in staged:
        report.switched += switch(output, made.branch, made.version, choose, durable=False)
        pin_file(output, made.branch).unlink(missing_ok=True)  # new content ends a rollback
        report.published.append(made.branch)
    sync_dirs([f for made in staged for f in (branch_dir(output, made.branch), screens_dir(output, made.branch))])
    for made in staged:
        report.removed_versions += prune(output, made.branch, project.config.publish.keep)
    root = publish_dir(output)
    if root.is_dir() and only is None:
        for folder in root.iterdir():
            if folder.is_dir() and not folder.name.startswith(".") and folder.name not in by_branch:
                shutil.rmtree(folder)
                report.branches_removed += 1
    return report


def rollback(
    output: Path, branch_id: str, to: str | None = None, choose: Chooser | None = None
) -> tuple[str | None, str, list[Changed]]:
    """(was, now, links moved): switch the branch to version ``to`` (default: the one before the live
    one), each screen at the variant ``choose`` names (what the schedule says now)."""
    found = versions(output, branch_id)
    if not found:
        raise SignageError(f"branch {branch_id!r} has no published version (run `signage build`)")
    live = current_version(output, branch_id)
    if to is None:
        older = [v for v in found if live is None or (version_number(v) or 0) < (version_number(live) or 0)]
        if not older:
            raise SignageError(f"branch {branch_id!r} has no version before {live} (versions: {', '.join(found)})")
        to = older[-1]
    elif to.isdigit() and version_name(int(to)) in found:  # --to 2 is v0002
        to = version_name(int(to))
    elif to not in found:
        raise SignageError(f"branch {branch_id!r} has no version {to!r} (versions: {', '.join(found)})")
    moved = switch(output, branch_id, to, choose)
    atomic_write_bytes(pin_file(output, branch_id), f"{to}\n".encode())
    return live, to, moved
