"""Opening the project a command works on, and the zone its times are read in."""

from __future__ import annotations

from ..errors import SignageError, unknown_hint
from ..kinds import find_and_open
from ..project.config import Branch, BranchScreen
from ..project.model import Project
from ..project.screens import screen_kind

__all__ = ["branch_of", "kind_of", "open_project", "screens_of", "zone_of"]


def open_project(explicit: str | None) -> Project:
    """The project at ``--project`` (or the nearest one upwards), loaded and validated."""
    return find_and_open(explicit)


def branch_of(project: Project, branch_id: str) -> Branch:
    """The branch with this id, or a clear error naming the known ones."""
    branch = project.branch(branch_id)
    assert branch is not None  # project.branch raises for an unknown id
    return branch


def screens_of(branch: Branch, screen_id: str | None) -> list[BranchScreen]:
    """One screen of the branch (``screen_id``), or all of them."""
    screens = [s for s in branch.screens if screen_id is None or s.id == screen_id]
    if not screens:
        hint = unknown_hint(screen_id or "", [s.id for s in branch.screens], "its screens")
        raise SignageError(f"branch {branch.id} has no screen {screen_id!r}{hint}")
    return screens


def kind_of(project: Project, profile_id: str) -> str:
    """ "led" or "tv" for a screen profile ("" for an unknown one)."""
    profile = project.profile(profile_id)
    return screen_kind(profile) if profile is not None else ""


def zone_of(project: Project, branch_id: str | None = None) -> str:
    """The zone a command's times are in: the branch's when it names one, else the project's."""
    return branch_of(project, branch_id).timezone if branch_id else project.config.timezone
