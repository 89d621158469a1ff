"""Branch screens: which profile each is, which playlist it plays, and the checks between them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import Problem, SignageError, unknown_hint
from ..ffmpeg import probe
from .config import Branch, BranchScreen, LedScreen, TvScreen
from .files import inside
from .model import CONFIG_FILE, Project
from .playlists import PLAYLISTS_DIR


def screen_kind(profile: LedScreen | TvScreen) -> str:
    return "led" if isinstance(profile, LedScreen) else "tv"


def playlist_for(project: Project, branch: Branch, screen: BranchScreen) -> tuple[str, str]:
    """(playlist name, why): the screen's own override, else the first playlist rule that matches."""
    if screen.playlist:
        return screen.playlist, f"branch {branch.id} sets it for screen {screen.id}"
    profile = project.profile(screen.profile)
    kind = screen_kind(profile) if profile is not None else ""
    for n, rule in enumerate(project.config.playlist_rules):
        if rule.matches(branch, screen, kind):
            return rule.playlist, f"playlist_rules[{n}]"
    raise SignageError(
        _problem(
            project,
            branch,
            f"screens.{screen.id}",
            f"no playlist rule matches screen {screen.id!r} ({screen.profile}, {kind}): "
            "add a rule to playlist_rules or give the screen a playlist",
        )
    )


def _problem(project: Project, branch: Branch, field: str, message: str) -> Problem:
    path, line = project.branch_origins.get(branch.id, (project.root / CONFIG_FILE, None))
    return Problem(message, path, line, branch.id, field)


def check_screens(project: Project, data: Any) -> list[Problem]:
    """Profiles, screen ids, rules and playlists that name each other all exist and fit."""
    problems: list[Problem] = []
    config = project.config
    config_path = project.root / CONFIG_FILE
    profile_ids = [s.id for s in config.led_screens] + [s.id for s in config.tv_screens]
    for n, tv in enumerate(config.tv_screens):
        if tv.id in profile_ids[: len(config.led_screens) + n]:
            problems.append(
                Problem(
                    "duplicate profile id (LED and TV profiles share one namespace)", config_path, None, tv.id, "id"
                )
            )
        for video in tv.videos:
            if video not in project.templates_of("video") and f"video/{video}" not in project.broken_templates:
                problems.append(
                    Problem(f"no video template {video!r} in templates/video", config_path, None, tv.id, "videos")
                )
    known = set(project.playlists) | project.broken_playlists
    for n, rule in enumerate(config.playlist_rules):
        where = f"playlist_rules[{n}]"
        if rule.playlist not in known:
            problems.append(
                Problem(
                    f"no playlist {rule.playlist!r} in {PLAYLISTS_DIR}", config_path, None, field=f"{where}.playlist"
                )
            )
        if rule.profile is not None and rule.profile not in profile_ids:
            problems.append(Problem(f"no screen profile {rule.profile!r}", config_path, None, field=f"{where}.profile"))
    for name, playlist in project.playlists.items():
        path = project.root / PLAYLISTS_DIR / f"{name}.yaml"
        for where, media in playlist.project_files():
            try:
                message = _unplayable(inside(project.root, media), media, where.endswith(".video"))
            except ValueError as exc:
                message = str(exc)
            if message:
                problems.append(Problem(message, path, None, name, where))
    for branch in config.branches:
        seen: set[str] = set()
        for screen in branch.screens:
            field = f"screens.{screen.id}"
            if screen.id in seen:
                problems.append(_problem(project, branch, field, "duplicate screen id in this branch"))
            seen.add(screen.id)
            profile = project.profile(screen.profile)
            if profile is None:
                problems.append(
                    _problem(
                        project,
                        branch,
                        field,
                        f"no screen profile {screen.profile!r}{unknown_hint(screen.profile, profile_ids, 'profiles')}",
                    )
                )
                continue
            try:
                name, why = playlist_for(project, branch, screen)
            except SignageError as exc:
                problems += exc.problems
                continue
            if name in project.broken_playlists:
                continue
            found = project.playlists.get(name)
            if found is None:
                problems.append(_problem(project, branch, field, f"no playlist {name!r} ({why})"))
            elif screen_kind(profile) not in found.suits:
                problems.append(
                    _problem(
                        project,
                        branch,
                        field,
                        f"playlist {name!r} ({why}) is for "
                        f"{'/'.join(found.suits)} screens; {screen.id} is {screen_kind(profile)}",
                    )
                )
    return problems


def _unplayable(path: Path, name: str, video: bool) -> str | None:
    """Why a supplied file cannot be shown (missing, outside the project, not decodable), or None."""
    if not path.is_file():
        return f"{name} not found in the project folder"
    if video:
        try:
            info = probe(path)
        except SignageError as exc:
            return exc.problems[0].message
        return None if info.video else f"{name} has no picture: a lobby screen needs video"
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.verify()
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a broken file
        return f"{name} is not an image Pillow can read: {exc}"
    return None
