"""``signage tokens``: the per-screen tokens the browser players report with.

A token belongs to one screen of one branch of the project; it is shown once, when issued, and
only its hash is kept (in ``output/proof/events.sqlite``). Issuing again replaces it (the old
one stops working); revoking ends it. The player is given it in its address's fragment,
``player.html?screen=ID#token=…``, which never leaves the device (browsers do not send it).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import clock
from ..errors import SignageError
from ..project.model import Project
from ..proof.store import TokenRow, connect, issue_token, list_tokens, revoke_token
from ..tree import PLAYER, proof_db
from .project import branch_of, screens_of


@dataclass(frozen=True)
class Issued:
    """A new token and the address a player is opened at to report with it."""

    branch: str
    screen: str
    token: str
    player: str  # relative to the server's root: publish/BRANCH/player.html?screen=ID#token=…


def _screen(project: Project, target: str) -> tuple[str, str]:
    branch_id, sep, screen_id = target.partition("/")
    if not sep or not branch_id or not screen_id:
        raise SignageError(f"{target!r}: name a screen as BRANCH/SCREEN (east-1/lobby)")
    branch = branch_of(project, branch_id)
    return branch.id, screens_of(branch, screen_id)[0].id


def issue(project: Project, target: str, replace: bool = False) -> Issued:
    """A new token for the screen ``BRANCH/SCREEN``; refused while it has a live one, unless ``replace``."""
    branch, screen = _screen(project, target)
    db = connect(proof_db(project.output_dir))
    try:
        token = issue_token(db, branch, screen, clock.now().timestamp(), replace)
    finally:
        db.close()
    if token is None:
        raise SignageError(
            f"{branch}/{screen} already has a token: --replace issues a new one (the old one stops working)"
        )
    return Issued(branch, screen, token, f"publish/{branch}/{PLAYER}?screen={screen}#token={token}")


def revoke(project: Project, target: str) -> tuple[str, str]:
    """End the token of ``BRANCH/SCREEN`` (a screen removed from the project can be named too)."""
    branch, _, screen = target.partition("/")
    if not branch or not screen:
        raise SignageError(f"{target!r}: name a screen as BRANCH/SCREEN (east-1/lobby)")
    db = connect(proof_db(project.output_dir))
    try:
        done = revoke_token(db, branch, screen, clock.now().timestamp())
    finally:
        db.close()
    if not done:
        raise SignageError(f"{branch}/{screen} has no live token to revoke")
    return branch, screen


def tokens(project: Project, branch: str | None = None) -> list[TokenRow]:
    """Every screen's token, live or revoked (never the token itself)."""
    if branch is not None:
        branch_of(project, branch)
    path = proof_db(project.output_dir)
    if not path.exists():
        return []
    db = connect(path)
    try:
        return list_tokens(db, branch)
    finally:
        db.close()
