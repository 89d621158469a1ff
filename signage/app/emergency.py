"""``signage emergency start|list|stop``: a slogan above every campaign on chosen screens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..build import BuildReport
from ..errors import SignageError
from ..lock import project_lock
from ..project.model import Project
from ..rotation import Switch, record, rotate_once
from ..schedule import emergency as em
from .build import rebuild
from .project import kind_of, parse_instant


@dataclass(frozen=True)
class EmergencyRequest:
    """What ``emergency start`` was asked for: exactly one of slogan and text, one of length and until."""

    where: str  # all, or branch:ID / tag:T / locale:L / screen:S / kind:tv ...
    slogan: str | None = None
    text: str | None = None
    length: str | None = None  # 2h, 90m, 1d12h
    until: str | None = None  # an instant (project time zone unless it has an offset)


@dataclass
class EmergencyStarted:
    emergency: em.Emergency
    screens: int  # how many screens it targets
    report: BuildReport
    switches: list[Switch] = field(default_factory=list)


@dataclass(frozen=True)
class EmergencyRow:
    """One emergency as ``emergency list`` shows it."""

    id: str
    state: str  # on, stopped, ended, to come
    slogan: str
    where: str
    start: dt.datetime
    end: dt.datetime


def _window(project: Project, request: EmergencyRequest) -> tuple[em.Where, dt.datetime, dt.datetime]:
    if (request.slogan is None) == (request.text is None):
        raise SignageError("give --slogan ID or --text TEXT")
    if request.slogan is not None:
        project.slogan(request.slogan)
    try:
        selector = em.Where.parse(request.where)
        start = dt.datetime.now(dt.timezone.utc)
        if (request.length is None) == (request.until is None):
            raise ValueError("give --for LENGTH or --until TIME")
        end = (
            start + em.parse_duration(request.length)
            if request.length
            else parse_instant(request.until or "", project.config.timezone)
        )
    except ValueError as exc:
        raise SignageError(str(exc)) from None
    if end <= start:
        raise SignageError(f"--until {request.until} has already passed")
    return selector, start, end.astimezone(dt.timezone.utc)


def start_emergency(project: Project, request: EmergencyRequest) -> EmergencyStarted:
    """Record the emergency, build and publish what it needs, and switch its screens now.

    A build that fails forgets the emergency again and puts back any screen that had switched."""
    selector, start, end = _window(project, request)
    targeted = [
        (b.id, s.id)
        for b in project.config.branches
        for s in b.screens
        if selector.matches(b, s, kind_of(project, s.profile))
    ]
    if not targeted:
        raise SignageError(f"--where {request.where!r} matches no screen of any branch")
    output = project.output_dir
    with project_lock(output, "emergency", wait=True):
        emergencies = em.load(output)
        number = em.next_id(emergencies)
        words = None
        if request.text is not None:  # in every locale of the screens it targets
            words = {project.branch(b).locale: request.text for b, _ in targeted}  # type: ignore[union-attr]
        shown = request.slogan or f"emergency-text-{number}"
        emergency = em.Emergency(number, shown, selector, start, end, text=words)
        em.save(output, [*emergencies, emergency])
        until = emergency.end.isoformat(timespec="minutes")
        record(
            output,
            start,
            "emergency-start",
            why=f"emergency {emergency.id}: {shown} on {selector.describe()} until {until}",
        )
        try:
            report = rebuild(project)
        except BaseException:
            em.save(output, emergencies)
            now = dt.datetime.now(dt.timezone.utc)
            record(output, now, "emergency-stop", why=f"emergency {emergency.id} could not be built")
            rotate_once(project, now, emergencies)
            raise
        switches = rotate_once(project, dt.datetime.now(dt.timezone.utc))
    return EmergencyStarted(emergency, len(targeted), report, switches)


def list_emergencies(project: Project, now: dt.datetime | None = None) -> list[EmergencyRow]:
    """Every emergency, with whether it is on."""
    now = now or dt.datetime.now(dt.timezone.utc)
    rows = []
    for e in em.load(project.output_dir):
        state = "on" if e.active(now) else "stopped" if e.stopped else "ended" if e.over(now) else "to come"
        rows.append(EmergencyRow(e.id, state, e.slogan, e.where.describe(), e.start, e.end))
    return rows


def stop_emergency(project: Project, emergency_id: str) -> tuple[em.Emergency, list[Switch]]:
    """End an emergency now: its screens go back to their schedule, and the branches are published
    again so the browser players' timelines no longer hold it (nothing needs rendering)."""
    now = dt.datetime.now(dt.timezone.utc)
    output = project.output_dir
    with project_lock(output, "emergency", wait=True):
        emergencies = em.load(output)
        found = next((e for e in emergencies if e.id == emergency_id), None)
        if found is None or found.over(now):
            ids = ", ".join(e.id for e in emergencies if not e.over(now)) or "none"
            raise SignageError(f"no emergency {emergency_id!r} is on or to come (those that are: {ids})")
        found.stopped = now
        em.save(output, emergencies)
        record(output, now, "emergency-stop", why=f"emergency {found.id} ({found.slogan}) stopped")
        switches = rotate_once(project, now, emergencies)
        rebuild(project)
        switches += rotate_once(project, dt.datetime.now(dt.timezone.utc))
    return found, switches
