"""Published versions per branch, switched atomically, kept for rollback.

    output/publish/BRANCH/v0007/SCREEN/playlist.{json,m3u8,smil} (+ program/ on LED screens)
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
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, SignageError
from ..project.loader import Project
from .assemble import assemble
from .formats import write_screen
from .select import ScreenPlan

PUBLISH = "publish"
CURRENT = "current"
SCREENS = "screens"
VERSION_FILE = "version.json"
PINNED = "rolled-back"  # present after `signage rollback`: builds leave the live version alone until content changes
TO_OUTPUT = "../../../../"  # from publish/BRANCH/VERSION/SCREEN/ up to the output folder


@dataclass
class PublishReport:
    published: list[str] = field(default_factory=list)  # branch ids with a new version
    unchanged: int = 0
    removed_versions: int = 0
    branches_removed: int = 0
    screens: int = 0


def branch_dir(output: Path, branch_id: str) -> Path:
    return output / PUBLISH / branch_id


def versions(output: Path, branch_id: str) -> list[str]:
    """The branch's complete versions, oldest first."""
    folder = branch_dir(output, branch_id)
    if not folder.is_dir():
        return []
    found = [
        p.name
        for p in folder.iterdir()
        if p.name.startswith("v") and p.name[1:].isdigit() and (p / VERSION_FILE).is_file()
    ]
    return sorted(found, key=lambda v: int(v[1:]))


def current_version(output: Path, branch_id: str) -> str | None:
    link = branch_dir(output, branch_id) / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    return target if (link.parent / target / VERSION_FILE).is_file() else None


def read_version(output: Path, branch_id: str, version: str) -> dict[str, Any]:
    path = branch_dir(output, branch_id) / version / VERSION_FILE
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SignageError(Problem(f"version {version} cannot be read: {exc}", file=path)) from None
    return data


def _digest(screens: dict[str, dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(screens, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _link(target: str, link: Path) -> None:
    """Point ``link`` at ``target`` in one rename: readers see the old target or the new one."""
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.parent / f".{link.name}.new-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


Chooser = Callable[[str, str], str]  # (branch id, screen id) -> the variant the schedule says
# (branch id, the version's folders) -> screen -> [[instant, folder], ...]: the coming week's switches
Timeline = Callable[[str, set[str]], dict[str, list[list[str]]]]
PLAYER = "player.html"


def switch(output: Path, branch_id: str, version: str, choose: Chooser | None = None) -> None:
    """Make ``version`` the branch's live one: ``current`` first, then each screen's pointer (at the
    variant ``choose`` names, if the version has it, else the screen's default)."""
    folder = branch_dir(output, branch_id)
    _link(version, folder / CURRENT)
    screens = folder / SCREENS
    screens.mkdir(exist_ok=True)
    present = {p.name for p in (folder / version).iterdir() if p.is_dir()}
    live = {name for name in present if "~" not in name}
    for screen in live:
        variant = choose(branch_id, screen) if choose else "default"
        chosen = f"{screen}~{variant}" if variant != "default" and f"{screen}~{variant}" in present else screen
        _link(f"../{version}/{chosen}", screens / screen)
    for old in screens.iterdir():
        if old.name not in live and old.is_symlink():
            old.unlink()


def publish_branch(
    project: Project,
    plans: list[ScreenPlan],
    records: dict[str, dict[str, Any]],
    now: dt.datetime | None = None,
    choose: Chooser | None = None,
    timeline: Timeline | None = None,
) -> str | None:
    """A new version of one branch when what its screens play changed; the version made, or None.

    Beside the playlists, a version holds what the browser player (``player.html`` in the
    branch's folder) reads: ``version.js``, ``timeline.js`` (each screen's switches for the
    coming week) and each screen folder's ``playlist.js``. The timeline is part of the
    digest: a day later it reads differently, so the daily build publishes it anew."""
    output = project.output_dir
    branch_id = plans[0].branch.id
    screens = {plan.folder: assemble(plan, records) for plan in plans}
    switches = timeline(branch_id, set(screens)) if timeline else {}
    digest = _digest({**screens, "(timeline)": switches})  # type: ignore[dict-item]
    _write_player(branch_dir(output, branch_id))
    existing = versions(output, branch_id)
    pin = branch_dir(output, branch_id) / PINNED
    if existing and read_version(output, branch_id, existing[-1]).get("digest") == digest:
        # unchanged since the newest version: nothing to publish. A rollback holds; a publish that
        # was stopped between writing the version and switching to it is finished now.
        if not pin.exists() and current_version(output, branch_id) != existing[-1]:
            switch(output, branch_id, existing[-1], choose)
        return None
    version = f"v{(int(existing[-1][1:]) + 1) if existing else 1:04d}"
    folder = branch_dir(output, branch_id)
    folder.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=folder, prefix=f".{version}.new-"))
    try:
        for screen_id, data in screens.items():
            write_screen(data, output, stage / screen_id, lambda path: TO_OUTPUT + path)
        info = {
            "version": version,
            "branch": branch_id,
            "digest": digest,
            "created": (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
            "screens": {
                s: {"playlist": d["playlist"], "items": len(d["items"]), "duration": d["duration"]}
                for s, d in screens.items()
            },
        }
        (stage / VERSION_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (stage / "version.js").write_text(_js("setVersion", {"version": version, "created": info["created"]}))
        (stage / "timeline.js").write_text(_js("setTimeline", {"screens": switches}), encoding="utf-8")
        os.chmod(stage, 0o755)
        os.rename(stage, folder / version)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    switch(output, branch_id, version, choose)
    pin.unlink(missing_ok=True)  # new content ends a rollback
    return version


def _js(call: str, *args: object) -> str:
    """A script the browser player loads with a <script> tag (which file:// allows, unlike fetch)."""
    return f"signage.{call}({', '.join(json.dumps(a, ensure_ascii=False) for a in args)});\n"


def _write_player(folder: Path) -> None:
    """The branch's browser player, ``player.html?screen=ID``, kept up to date (atomically)."""
    from importlib import resources

    page = resources.files("signage.player").joinpath(PLAYER).read_bytes()
    target = folder / PLAYER
    if target.is_file() and target.read_bytes() == page:
        return
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{PLAYER}.new-{os.getpid()}"
    tmp.write_bytes(page)
    os.replace(tmp, target)


def prune(output: Path, branch_id: str, keep: int) -> int:
    """Remove all but the newest ``keep`` versions; the live one always stays."""
    live = current_version(output, branch_id)
    found = versions(output, branch_id)
    removed = 0
    for version in found[:-keep] if keep < len(found) else []:
        if version != live:
            shutil.rmtree(branch_dir(output, branch_id) / version)
            removed += 1
    return removed


def referenced(output: Path) -> set[str]:
    """Every store path any kept version of any branch plays (the store keeps these)."""
    refs: set[str] = set()
    root = output / PUBLISH
    if not root.is_dir():
        return refs
    for playlist in root.glob("*/v*/*/playlist.json"):
        try:
            data = json.loads(playlist.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        refs.update(item["file"] for item in data.get("items", []))
    return refs


def publish_network(
    project: Project,
    plans: list[ScreenPlan],
    records: dict[str, dict[str, Any]],
    choose: Chooser | None = None,
    timeline: Timeline | None = None,
) -> PublishReport:
    """Publish every branch that has screens; prune old versions; remove branches that left the project."""
    output = project.output_dir
    report = PublishReport()
    by_branch: dict[str, list[ScreenPlan]] = {}
    for plan in plans:
        by_branch.setdefault(plan.branch.id, []).append(plan)
    for branch_id, branch_plans in by_branch.items():
        report.screens += sum(plan.variant == "default" for plan in branch_plans)
        made = publish_branch(project, branch_plans, records, choose=choose, timeline=timeline)
        if made is None:
            report.unchanged += 1
        else:
            report.published.append(branch_id)
            report.removed_versions += prune(output, branch_id, project.config.publish.keep)
    root = output / PUBLISH
    if root.is_dir():
        for folder in root.iterdir():
            if folder.is_dir() and not folder.name.startswith(".") and folder.name not in by_branch:
                shutil.rmtree(folder)
                report.branches_removed += 1
    return report


def rollback(output: Path, branch_id: str, to: str | None = None) -> tuple[str | None, str]:
    """(was, now): switch the branch to version ``to`` (default: the one before the live one)."""
    found = versions(output, branch_id)
    if not found:
        raise SignageError(f"branch {branch_id!r} has no published version (run `signage build`)")
    live = current_version(output, branch_id)
    if to is None:
        older = [v for v in found if live is None or int(v[1:]) < int(live[1:])]
        if not older:
            raise SignageError(f"branch {branch_id!r} has no version before {live} (versions: {', '.join(found)})")
        to = older[-1]
    elif to not in found:
        raise SignageError(f"branch {branch_id!r} has no version {to!r} (versions: {', '.join(found)})")
    switch(output, branch_id, to)
    (branch_dir(output, branch_id) / PINNED).write_text(f"{to}\n", encoding="utf-8")
    return live, to
