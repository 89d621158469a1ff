"""Publishing what ``signage plan --at`` answers: each branch's coming week, computed as ``plan`` computes it.

For every screen and every day of the window, the day's switches (``decide`` at each instant
the answer may change) and each switch's items (``planned_items``, the very function ``plan``
lists them with), with the project's input stamp and the emergencies counted in, written to
``output/schedule/plans/BRANCH.json`` (see ``signage.schedule.answers`` for the format).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import __version__
from ..atomic import atomic_write_bytes
from ..errors import SignageError
from ..project.config import Branch, BranchScreen
from ..project.model import Project
from ..schedule.answers import BranchAnswers, PlannedItem, Span, emergency_record
from ..schedule.emergency import Emergency
from ..schedule.resolve import Decision
from ..tree import plan_answers_file, plans_dir
from .scheduled import planned_items
from .select import Selections

DAYS = 7  # as far ahead as the published timeline: the daily build moves both on
UNANSWERED = -1  # a span whose items cannot be selected: `plan` says why, from the project

DaySwitches = Callable[[Branch, BranchScreen, dt.date], list[tuple[dt.datetime, Decision]]]


def branch_answers(
    project: Project,
    branch: Branch,
    now: dt.datetime,
    emergencies: list[Emergency],
    switches: DaySwitches,
    selections: Selections,
    days: int = DAYS,
) -> BranchAnswers:
    """What ``plan --at`` says of each of the branch's screens from local midnight of ``now``'s day
    for ``days`` days; ``switches`` gives a screen's day of decisions (the build's, computed once)."""
    zone = ZoneInfo(branch.timezone)
    first = now.astimezone(zone).date()
    lists: dict[tuple[PlannedItem, ...], int] = {}
    screens: dict[str, tuple[Span, ...]] = {}
    # a key's items differ between two days only if a selection does (a dated key names its day)
    numbers: dict[tuple[str, str, object], int] = {}
    for screen in branch.screens:
        spans: list[Span] = []
        for k in range(days):
            day = first + dt.timedelta(days=k)
            for at, decision in switches(branch, screen, day):
                known = (screen.id, decision.key, selections.epoch(day))
                number = numbers.get(known)
                if number is None:
                    try:
                        items = planned_items(project, branch, screen, day, decision.key, emergencies, selections)
                        planned = tuple((s.want.kind, s.want.content_id, s.want.locale, s.want.target) for s in items)
                        number = lists.setdefault(planned, len(lists))
                    except SignageError:
                        number = UNANSWERED
                    numbers[known] = number
                last = spans[-1] if spans else None
                if last is None or (last.key, last.why, last.items) != (decision.key, decision.why, number):
                    spans.append(Span(at, decision.key, decision.why, number))
        screens[screen.id] = tuple(spans)
    return BranchAnswers(
        branch=branch.id,
        timezone=branch.timezone,
        start=dt.datetime.combine(first, dt.time(), tzinfo=zone).astimezone(dt.timezone.utc),
        end=dt.datetime.combine(first + dt.timedelta(days=days), dt.time(), tzinfo=zone).astimezone(dt.timezone.utc),
        screens=screens,
        items=tuple(lists),
        generator=__version__,
        root=_resolved(project.root),
        output=project.config.output,
        inputs=project.inputs,
        emergencies=tuple(sorted(emergency_record(e.to_dict()) for e in emergencies)),
    )


@lru_cache(maxsize=8)
def _resolved(root: Path) -> str:
    return str(root.resolve())


def write_answers(output: Path, answers: BranchAnswers) -> bool:
    """Write the branch's answers when they differ from the file's (atomically); whether it wrote."""
    path = plan_answers_file(output, answers.branch)
    data = answers.to_json()
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    # not flushed to disk: after a power cut a lost or empty file only means plan loads the project
    atomic_write_bytes(path, data, durable=False)
    return True


def forget_answers(output: Path, keep: set[str]) -> int:
    """Remove the answers of branches not in ``keep`` (they left the project); how many."""
    folder = plans_dir(output)
    removed = 0
    for path in folder.glob("*.json") if folder.is_dir() else []:
        if path.stem not in keep:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
