"""What ``signage plan`` answers (the result types), and ``plan --at`` answered from the published
answers without loading the project, when they still hold.

They hold when they were written for this project folder by this signage version, every input
file is as it was when the project was read for them (``InputStamp.holds``: a stat walk), the
instant is inside their week, and no emergency they did not count spans it. Anything else (or
anything unreadable) is no answer: the caller loads the project and asks ``decide``. This
module imports only what that check needs, so the command starts in tens of milliseconds.
"""

# no `from __future__ import annotations` here: a named tuple's fields would then be strings that typing
# compiles one by one when the class is made, a good part of `plan --at`'s start-up

import datetime as dt
import json
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .. import __version__
from ..errors import SignageError
from ..project.locate import find_project_dir, output_hint
from ..schedule.answers import BranchAnswers, read_answers
from ..tree import emergencies_file
from .times import parse_instant


class Switch(NamedTuple):
    at: str  # branch-local, to the minute, with its offset
    playlist: str
    why: str


class DayPlan(NamedTuple):
    """One screen's switches over one branch-local day."""

    screen: str
    day: str
    timezone: str
    switches: list[Switch]


class Item(NamedTuple):
    kind: str
    content: str
    locale: str
    target: str


class Considered(NamedTuple):
    campaign: str
    verdict: str
    reason: str


class InstantPlan(NamedTuple):
    """What one screen plays at one instant: the playlist, why, its items and every campaign's verdict."""

    screen: str
    at: str
    playlist: str
    why: str
    items: list[Item]
    considered: list[Considered]


def published_plan_at(explicit: str | None, branch_id: str, screen_id: str | None, at: str) -> list[InstantPlan] | None:
    """What ``plan_at`` would say, from the branch's published answers; None when they do not hold
    (then only the project can answer). The considered campaigns are not published: --explain asks
    the project. A time that cannot be read is refused here as ``plan_at`` refuses it."""
    try:
        root = find_project_dir(explicit=explicit)
    except SignageError:
        return None
    output = output_hint(root)
    answers = read_answers(root / output, branch_id)
    if answers is None or answers.branch != branch_id or answers.output != output or not _holds(answers, root):
        return None
    screens = [s for s in answers.screens if screen_id is None or s == screen_id]
    if not screens:
        return None
    instant = parse_instant(at, answers.timezone, "--at")
    if _emergency_unseen(answers, root / answers.output, instant):
        return None
    local = instant.astimezone(ZoneInfo(answers.timezone)).isoformat(timespec="minutes")
    out = []
    for screen in screens:
        span = answers.span(screen, instant)
        if span is None or span.items < 0:
            return None
        items = [Item(*item) for item in answers.items[span.items]]
        out.append(InstantPlan(screen, local, span.key, span.why, items, []))
    return out


def _holds(answers: BranchAnswers, root: Path) -> bool:
    """Written by this version for this folder and its output, from input files as they are now."""
    return (
        answers.generator == __version__
        and answers.root == str(root.resolve())
        and bool(answers.inputs)
        and all(stamp.holds(root) for stamp in answers.inputs)
    )


def _emergency_unseen(answers: BranchAnswers, output: Path, instant: dt.datetime) -> bool:
    """Whether an emergency the answers did not count spans the instant (unreadable: assume one does)."""
    path = emergencies_file(output)
    try:
        recorded = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
        return answers.unseen_emergency(recorded, instant)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return True
