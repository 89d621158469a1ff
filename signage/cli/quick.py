"""``signage plan --at`` answered before Click is imported: the plain forms of the command line read
here, the answer printed as ``signage plan`` prints it (``instant_lines``, which that command uses
too). It imports only ``app.plan_answers`` (no Click, no project): Click and the command modules
were two thirds of the start-up of a question answered in 2 ms.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..app.plan_answers import InstantPlan

# the options read here, each with a value; any other word (--explain, --json, --day, -h, a typo)
# leaves the command line to Click
_VALUED = {"--branch": "branch", "--screen": "screen", "--at": "at", "--project": "project"}


def plain_plan_at(args: list[str]) -> dict[str, str] | None:
    """The options of ``[--project DIR] plan --branch B [--screen S] --at T [--project DIR]`` (each
    ``--name value`` or ``--name=value``, in any order), or None for any other command line."""
    found: dict[str, str] = {}
    seen_plan = False
    rest = list(args)
    while rest:
        word = rest.pop(0)
        if word == "plan" and not seen_plan:
            seen_plan = True
            continue
        name, equals, value = word.partition("=")
        key = _VALUED.get(name)
        if key is None or key in found or (key != "project" and not seen_plan):
            return None
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        if not value or value.startswith("-"):
            return None
        found[key] = value
    if not seen_plan or "branch" not in found or "at" not in found:
        return None
    return found


def instant_lines(plans: list[InstantPlan], branch_id: str, explain: bool) -> list[str]:
    """What ``signage plan --at`` prints: per screen its playlist and why, its items, and (with
    ``--explain``) every campaign's verdict."""
    lines = []
    for p in plans:
        lines.append(f"{branch_id}/{p.screen} at {p.at}: {p.playlist} ({p.why})")
        lines += [f"  {n:>2}. {i.kind:<5} {i.content} [{i.target}, {i.locale}]" for n, i in enumerate(p.items, 1)]
        lines += [f"  {c.verdict:<7} {c.campaign}: {c.reason}" for c in (p.considered if explain else [])]
    return lines


def answered(args: list[str]) -> bool:
    """Print the answer to a plain ``plan --at`` from the published answers and say True; False
    (nothing printed) when the command line is another or the answers do not hold."""
    options = plain_plan_at(args)
    if options is None:
        return False
    from ..app.plan_answers import published_plan_at

    project = options.get("project", os.environ.get("SIGNAGE_PROJECT"))
    try:
        plans = published_plan_at(project, options["branch"], options.get("screen"), options["at"])
    except Exception:  # noqa: BLE001 - whatever it is, the Click command says it properly
        return False
    if plans is None:
        return False
    text = "".join(line + "\n" for line in instant_lines(plans, options["branch"], explain=False))
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `signage plan ... | head`: the reader left, nothing is wrong
        sys.stderr.close()
    return True
