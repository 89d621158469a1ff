"""``signage plan``, ``rotate``, ``log`` and ``emergency``: schedules on the command line."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from ..errors import SignageError

if TYPE_CHECKING:
    from ..project.config import Branch
    from ..project.loader import Project


def parse_instant(text: str, zone: str) -> dt.datetime:
    """'now', or an ISO date and time (in ``zone`` unless it carries an offset) -> an aware instant."""
    if text == "now":
        return dt.datetime.now(dt.timezone.utc)
    try:
        value = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise SignageError(f"{text!r} is not a time: use now, 2026-12-07T10:00 or 2026-12-07T10:00+08:00") from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))


def _branch(project: Project, branch_id: str) -> Branch:
    branch = project.branch(branch_id)
    assert branch is not None  # project.branch raises for an unknown id
    return branch


def _kind(project: Project, profile_id: str) -> str:
    from ..project.screens import screen_kind

    profile = project.profile(profile_id)
    return screen_kind(profile) if profile is not None else ""


def _project(ctx: click.Context) -> Project:
    from ..outputs import find_and_open

    return find_and_open(ctx.obj["project"])


@click.command("plan")
@click.option("--branch", "branch_id", required=True, help="Branch id.")
@click.option("--screen", "screen_id", help="One screen of the branch (default: all).")
@click.option("--at", "at", help="An instant: now, or 2026-12-07T10:00 (branch-local unless it has an offset).")
@click.option("--day", "day", type=click.DateTime(["%Y-%m-%d"]), help="A branch-local day: its timeline of switches.")
@click.option("--explain", is_flag=True, help="Every campaign that could apply, and why it won or lost.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def plan_command(
    ctx: click.Context, branch_id: str, screen_id: str | None, at: str | None, day: Any, explain: bool, as_json: bool
) -> None:
    """What plays on a branch's screens at an instant (with its items in order), or a day's switches."""
    from ..network.scheduled import scheduled_plans
    from ..network.select import select_screen
    from ..schedule.emergency import inject
    from ..schedule.emergency import load as load_emergencies
    from ..schedule.resolve import day_switches, decide

    project = _project(ctx)
    branch = _branch(project, branch_id)
    screens = [s for s in branch.screens if screen_id is None or s.id == screen_id]
    if not screens:
        known = ", ".join(s.id for s in branch.screens) or "none"
        raise SignageError(f"branch {branch_id} has no screen {screen_id!r} (its screens: {known})")
    if (at is None) == (day is None):
        raise SignageError("give --at TIME or --day DATE")
    emergencies = load_emergencies(project.output_dir)
    inject(project, [e for e in emergencies if e.text])
    out: list[dict[str, Any]] = []
    if day is not None:
        for screen in screens:
            switches = day_switches(project, project.schedule, branch, screen, day.date(), emergencies)
            out.append(
                {
                    "screen": screen.id,
                    "day": day.date().isoformat(),
                    "timezone": branch.timezone,
                    "switches": [
                        {
                            "at": t.astimezone(ZoneInfo(branch.timezone)).isoformat(timespec="minutes"),
                            "playlist": d.key,
                            "why": d.why,
                        }
                        for t, d in switches
                    ],
                }
            )
        if as_json:
            click.echo(json.dumps(out, ensure_ascii=False, indent=1))
            return
        for entry in out:
            click.echo(f"{branch.id}/{entry['screen']} on {entry['day']} ({entry['timezone']}):")
            for s in entry["switches"]:
                click.echo(f"  {s['at'][11:16]}  {s['playlist']:<28} {s['why']}")
        return
    assert at is not None
    instant = parse_instant(at, branch.timezone)
    today = instant.astimezone(ZoneInfo(branch.timezone)).date()
    for screen in screens:
        decision = decide(project, project.schedule, branch, screen, instant, emergencies)
        base = select_screen(project, branch, screen, today)
        plans = [base]
        if decision.key != "default":
            plans = [p for p in scheduled_plans(project, [base], today, emergencies)[0] if p.variant == decision.key]
        items = [
            {"kind": s.want.kind, "content": s.want.content_id, "locale": s.want.locale, "target": s.want.target}
            for s in (plans[0].items if plans else ())
        ]
        out.append(
            {
                "screen": screen.id,
                "at": instant.astimezone(ZoneInfo(branch.timezone)).isoformat(timespec="minutes"),
                "playlist": decision.key,
                "why": decision.why,
                "items": items,
                "considered": [{"campaign": c, "verdict": v, "reason": r} for c, v, r in decision.considered],
            }
        )
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    for entry in out:
        click.echo(f"{branch.id}/{entry['screen']} at {entry['at']}: {entry['playlist']} ({entry['why']})")
        for n, item in enumerate(entry["items"], 1):
            click.echo(f"  {n:>2}. {item['kind']:<5} {item['content']} [{item['target']}, {item['locale']}]")
        if explain:
            for c in entry["considered"]:
                click.echo(f"  {c['verdict']:<7} {c['campaign']}: {c['reason']}")


@click.command("rotate")
@click.option("--once", is_flag=True, help="One pass, then exit (for cron or a systemd timer).")
@click.option("--at", "at", help="With --once: rotate as of this instant (ISO, project time zone unless offset).")
@click.pass_context
def rotate_command(ctx: click.Context, once: bool, at: str | None) -> None:
    """Switch each screen to what its schedule says, at the instant it says; SIGTERM stops it."""
    import signal
    import threading

    from ..lock import project_lock
    from ..outputs import find_and_open
    from ..schedule.rotate import rotate_once, run

    project = _project(ctx)
    if at and not once:
        raise SignageError("--at is for --once")
    if once:
        instant = parse_instant(at or "now", project.config.timezone)
        with project_lock(project.output_dir, "rotate", wait=True):
            switches = rotate_once(project, instant)
        for s in switches:
            click.echo(f"{s.branch}/{s.screen}: {s.frm or '-'} -> {s.to} ({s.why})")
        click.echo(f"rotated as of {instant.isoformat(timespec='seconds')}: {len(switches)} switch(es)")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def load() -> Project:
        return find_and_open(ctx.obj["project"])

    click.echo("rotating; SIGTERM or Ctrl-C stops")
    try:
        run(load, stop, say=click.echo)
    except KeyboardInterrupt:
        pass
    click.echo("stopped")


@click.command("log")
@click.option("--branch", "branch_id", help="Only this branch.")
@click.option("--since", help="Only from this instant (ISO; project time zone unless offset).")
@click.pass_context
def log_command(ctx: click.Context, branch_id: str | None, since: str | None) -> None:
    """Every switch, emergency and rotation error, oldest first."""
    from ..schedule.rotate import read_log

    project = _project(ctx)
    start = parse_instant(since, project.config.timezone) if since else None
    for at, event, branch, screen, frm, to, why in read_log(project.output_dir, branch_id, start):
        where = f"{branch}/{screen}" if screen else branch or "-"
        moved = f"{frm or '-'} -> {to}" if event == "switch" else ""
        click.echo(f"{at}  {event:<17} {where:<24} {moved:<40} {why}".rstrip())


@click.group("emergency")
def emergency_group() -> None:
    """Put a slogan above every campaign on chosen screens, until it expires by itself."""


@emergency_group.command("start")
@click.option("--slogan", "slogan_id", help="The slogan to show (its LED and TV outputs are built).")
@click.option("--text", "text", help="Or words of your own, shown as a warning slogan (may use {{ hotline }}).")
@click.option("--where", "where", required=True, help="all, or branch:ID / tag:T / locale:L / screen:S / kind:tv ...")
@click.option("--for", "length", help="How long: 2h, 90m, 1d12h.")
@click.option("--until", "until", help="Until this instant (ISO; project time zone unless offset).")
@click.pass_context
def emergency_start(
    ctx: click.Context, slogan_id: str | None, text: str | None, where: str, length: str | None, until: str | None
) -> None:
    """Start an emergency: record it, build and publish what it needs, switch the screens now."""
    from ..build import build as build_catalogue
    from ..lock import project_lock
    from ..network import Network
    from ..network.publish import referenced
    from ..outputs import planners
    from ..schedule import emergency as em
    from ..schedule.rotate import record, rotate_once

    project = _project(ctx)
    if (slogan_id is None) == (text is None):
        raise SignageError("give --slogan ID or --text TEXT")
    if slogan_id is not None:
        project.slogan(slogan_id)
    try:
        selector = em.Where.parse(where)
        start = dt.datetime.now(dt.timezone.utc)
        if (length is None) == (until is None):
            raise ValueError("give --for LENGTH or --until TIME")
        end = start + em.parse_duration(length) if length else parse_instant(until or "", project.config.timezone)
    except ValueError as exc:
        raise SignageError(str(exc)) from None
    if end <= start:
        raise SignageError(f"--until {until} has already passed")
    targeted = [
        (b.id, s.id)
        for b in project.config.branches
        for s in b.screens
        if selector.matches(b, s, _kind(project, s.profile))
    ]
    if not targeted:
        raise SignageError(f"--where {where!r} matches no screen of any branch")
    with project_lock(project.output_dir, "emergency", wait=True):
        emergencies = em.load(project.output_dir)
        number = em.next_id(emergencies)
        words = None
        if text is not None:  # in every locale of the screens it targets
            words = {project.branch(b).locale: text for b, _ in targeted}  # type: ignore[union-attr]
        shown = slogan_id or f"emergency-text-{number}"
        emergency = em.Emergency(number, shown, selector, start, end.astimezone(dt.timezone.utc), text=words)
        em.save(project.output_dir, [*emergencies, emergency])
        record(
            project.output_dir,
            start,
            "emergency-start",
            why=f"emergency {emergency.id}: {shown} on "
            f"{selector.describe()} until {emergency.end.isoformat(timespec='minutes')}",
        )
        try:
            report = build_catalogue(project, planners(), network=Network, keep=lambda: referenced(project.output_dir))
        except BaseException:
            # the emergency did not start: forget it, and put back any screen a branch already published
            # for it had switched to (the next build drops it from the players' timelines)
            em.save(project.output_dir, emergencies)
            record(
                project.output_dir,
                dt.datetime.now(dt.timezone.utc),
                "emergency-stop",
                why=f"emergency {emergency.id} could not be built",
            )
            rotate_once(project, dt.datetime.now(dt.timezone.utc), emergencies)
            raise
        switches = rotate_once(project, dt.datetime.now(dt.timezone.utc))
    for line in report.summary():
        click.echo(line)
    click.echo(
        f"emergency {emergency.id}: {shown} on {len(targeted)} screen(s) until "
        f"{emergency.end.isoformat(timespec='minutes')}; {len(switches)} switch(es) now"
    )


@emergency_group.command("list")
@click.pass_context
def emergency_list(ctx: click.Context) -> None:
    """Every emergency, with whether it is on."""
    from ..schedule import emergency as em

    project = _project(ctx)
    now = dt.datetime.now(dt.timezone.utc)
    for e in em.load(project.output_dir):
        state = "on" if e.active(now) else "stopped" if e.stopped else "ended" if e.over(now) else "to come"
        click.echo(
            f"{e.id}\t{state}\t{e.slogan}\t{e.where.describe()}\t{e.start:%Y-%m-%d %H:%M}Z..{e.end:%Y-%m-%d %H:%M}Z"
        )


@emergency_group.command("stop")
@click.argument("emergency_id")
@click.pass_context
def emergency_stop(ctx: click.Context, emergency_id: str) -> None:
    """End an emergency now; its screens go back to their schedule."""
    from ..build import build as build_catalogue
    from ..lock import project_lock
    from ..network import Network
    from ..network.publish import referenced
    from ..outputs import planners
    from ..schedule import emergency as em
    from ..schedule.rotate import record, rotate_once

    project = _project(ctx)
    now = dt.datetime.now(dt.timezone.utc)
    with project_lock(project.output_dir, "emergency", wait=True):
        emergencies = em.load(project.output_dir)
        found = next((e for e in emergencies if e.id == emergency_id), None)
        if found is None or found.over(now):
            ids = ", ".join(e.id for e in emergencies if not e.over(now)) or "none"
            raise SignageError(f"no emergency {emergency_id!r} is on or to come (those that are: {ids})")
        found.stopped = now
        em.save(project.output_dir, emergencies)
        record(project.output_dir, now, "emergency-stop", why=f"emergency {found.id} ({found.slogan}) stopped")
        switches = rotate_once(project, now, emergencies)
        # publish again, so the browser players' timelines no longer hold it (nothing needs rendering)
        build_catalogue(project, planners(), network=Network, keep=lambda: referenced(project.output_dir))
        switches += rotate_once(project, dt.datetime.now(dt.timezone.utc))
    click.echo(f"emergency {found.id} stopped; {len(switches)} switch(es)")
