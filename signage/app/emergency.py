"""``signage emergency start|list|stop``: a slogan above every campaign on chosen screens.

Start renders only what the targeted screens play (a pre-rendered slogan: nothing), publishes,
switches those screens through ``decide`` and logs each switch; the length counts from the
switch. Stop switches back at once, then republishes without rendering so no version or
browser timeline holds the emergency any more. Neither leaves anything ``check`` trips on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import clock
from ..build import BuildReport
from ..errors import SignageError
from ..lock import project_lock
from ..network.screens import Network
from ..project.model import Project
from ..rotation import Switch, record, rotate_once, rotation_running
from ..schedule import emergency as em
from .build import rebuild
from .project import kind_of
from .times import parse_instant, shown

ROTATE_HINT = (
    "no `signage rotate` is running: nothing will switch these screens back at the end; run `signage rotate` "
    "(as a service, see the README) or `signage rotate --once` from cron every minute"
)


@dataclass(frozen=True)
class EmergencyRequest:
    """What ``emergency start`` was asked for: exactly one of slogan and text, one of length and until."""

    where: str  # all, or branch:ID / tag:T / locale:L / screen:S / kind:tv ...
    slogan: str | None = None
    text: str | None = None
    length: str | None = None  # 2h, 90m, 1d12h: counted from the switch
    until: str | None = None  # an instant in the targeted branches' zone (the project's if several; app.times)


@dataclass
class EmergencyStarted:
    emergency: em.Emergency
    screens: int  # how many screens it targets
    report: BuildReport
    switches: list[Switch] = field(default_factory=list)  # every screen switched, logged
    warnings: list[str] = field(default_factory=list)
    zone: str = "UTC"  # the zone its times are shown in


@dataclass
class EmergencyStopped:
    emergency: em.Emergency
    switches: list[Switch] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EmergencyRow:
    """One emergency as ``emergency list`` shows it."""

    id: str
    state: str  # on, stopped, ended, to come
    slogan: str
    where: str
    start: str  # local time with its offset
    end: str


def _window(
    project: Project, request: EmergencyRequest
) -> tuple[em.Where, list[tuple[str, str]], str, dt.datetime, dt.datetime]:
    """(selector, the screens it targets, the zone of its times, start, end)."""
    if (request.slogan is None) == (request.text is None):
        raise SignageError("give --slogan ID or --text TEXT")
    if request.slogan is not None:
        project.slogan(request.slogan)
    try:
        selector = em.Where.parse(request.where)
    except ValueError as exc:
        raise SignageError(str(exc)) from None
    targeted = _targets(project, selector)
    if not targeted:
        raise SignageError(f"--where {request.where!r} matches no screen of any branch")
    zone = _zone(project, targeted)
    try:
        start = clock.now()
        if (request.length is None) == (request.until is None):
            raise ValueError("give --for LENGTH or --until TIME")
        end = (
            start + em.parse_duration(request.length)
            if request.length
            else parse_instant(request.until or "", zone, "--until")
        )
    except ValueError as exc:
        raise SignageError(str(exc)) from None
    if end <= start:
        raise SignageError(f"--until {request.until}: {shown(end, zone)} has already passed")
    return selector, targeted, zone, start, end.astimezone(dt.timezone.utc)


def _wants(emergency: em.Emergency) -> Callable[[Network], set[str]]:
    """The outputs (record ids) the emergency's own playlists play, nothing else."""

    def wanted(network: Network) -> set[str]:
        wants = [i.want for p in network.plans if p.variant == emergency.key for i in p.items]
        return {w.path for w in wants} | {f"{w.path}@{w.branch}" for w in wants if w.branch}

    return wanted


def start_emergency(project: Project, request: EmergencyRequest) -> EmergencyStarted:
    """Record the emergency, make what its screens play, publish, and switch them now.

    A build that fails forgets the emergency again and puts back any screen that had switched."""
    selector, targeted, zone, start, end = _window(project, request)
    output = project.output_dir
    with project_lock(output, "emergency", wait=True):
        emergencies = em.load(output)
        number = em.next_id(emergencies)
        words = None
        if request.text is not None:  # in every locale of the screens it targets
            words = {project.branch(b).locale: request.text for b, _ in targeted}  # type: ignore[union-attr]
        slogan = request.slogan or f"{em.TEXT_SLOGAN}{number}"
        emergency = em.Emergency(number, slogan, selector, start, end, text=words)
        em.save(output, [*emergencies, emergency])
        length = f"for {request.length} from the switch" if request.length else f"until {shown(end, zone)}"
        record(
            output,
            start,
            "emergency-start",
            why=f"emergency {emergency.id}: {slogan} on {selector.describe()} {length}",
        )
        try:
            mine = {b for b, _ in targeted}  # only its branches are published again
            starting = (emergency.id, emergency.end - emergency.start) if request.length else None
            rebuilt = rebuild(project, wanted=_wants(emergency), branches=mine, starting=starting, cause="")
            published = next((e for e in rebuilt.emergencies if e.id == emergency.id), None)
            if starting and published is not None:  # --for counts from the switch: the times it was published with
                emergency.start, emergency.end = published.start, published.end
                em.save(output, [*emergencies, emergency])
        except BaseException:
            em.save(output, emergencies)
            now = clock.now()
            record(output, now, "emergency-stop", why=f"emergency {emergency.id} could not be built")
            rotate_once(project, now, emergencies, cause=f"emergency {emergency.id} could not be built")
            raise
        switches = rebuilt.switches + rotate_once(project, clock.now())
    warnings = [] if rotation_running(output) else [ROTATE_HINT]
    return EmergencyStarted(emergency, len(targeted), rebuilt.report, switches, warnings, zone)


def _targets(project: Project, selector: em.Where) -> list[tuple[str, str]]:
    """(branch, screen) of every screen the selector names."""
    return [
        (b.id, s.id)
        for b in project.config.branches
        for s in b.screens
        if selector.matches(b, s, kind_of(project, s.profile))
    ]


def _zone(project: Project, targeted: list[tuple[str, str]]) -> str:
    """The zone to show an emergency's times in: its branches' when they share one, else the project's."""
    zones = {project.branch(b).timezone for b, _ in targeted}  # type: ignore[union-attr]
    return zones.pop() if len(zones) == 1 else project.config.timezone


def list_emergencies(project: Project, now: dt.datetime | None = None) -> list[EmergencyRow]:
    """Every emergency, with whether it is on; times in its branches' zone (the project's when they
    are in several), with the offset."""
    now = now or clock.now()
    rows = []
    for e in em.load(project.output_dir):
        zone = _zone(project, _targets(project, e.where))
        state = "on" if e.active(now) else "stopped" if e.stopped else "ended" if e.over(now) else "to come"
        end = min(e.end, e.stopped) if e.stopped else e.end
        rows.append(EmergencyRow(e.id, state, e.slogan, e.where.describe(), shown(e.start, zone), shown(end, zone)))
    return rows


def stop_emergency(project: Project, emergency_id: str, now: dt.datetime | None = None) -> EmergencyStopped:
    """End an emergency now: its screens go back to their schedule at once (logged); then the
    branches are published again without it, nothing rendered, so no version's timeline holds it."""
    now = now or clock.now()
    output = project.output_dir
    with project_lock(output, "emergency", wait=True):
        emergencies = em.load(output)
        found = next((e for e in emergencies if e.id == emergency_id.removeprefix("emergency-")), None)
        if found is None or found.over(now):
            ids = ", ".join(e.id for e in emergencies if not e.over(now)) or "none"
            raise SignageError(f"no emergency {emergency_id!r} is on or to come (those that are: {ids})")
        found.stopped = now
        em.save(output, emergencies)
        record(output, now, "emergency-stop", why=f"emergency {found.id} ({found.slogan}) stopped")
        cause = f"emergency {found.id} stopped"
        switches = rotate_once(project, now, emergencies, cause=cause)
        warnings = []
        try:
            mine = {b for b, _ in _targets(project, found.where)}
            switches += rebuild(project, wanted=lambda _: set(), branches=mine, cause=cause).switches
        except SignageError as exc:  # the screens are back already; only the published timelines lag
            warnings.append(f"the screens switched back, but republishing failed (run `signage build`): {exc}")
    return EmergencyStopped(found, switches, warnings)
