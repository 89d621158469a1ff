"""What each branch screen's playlist selects, as the artifacts it needs (before anything is rendered).

The same function answers ``signage check`` (every selection matches something, every entry
can play on its screen), the plan (which artifacts the screens need beyond the catalogue)
and the assembly (the order of items).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import Problem, SignageError, unknown_hint
from ..job import NO_LOCALE, Want, media_id, timed_name
from ..project.config import Branch, BranchScreen, LedScreen, TvScreen
from ..project.content import CaseSummary, Slogan
from ..project.model import Project
from ..project.playlists import PLAYLISTS_DIR, Entry, Playlist
from ..project.screens import playlist_for, screen_kind
from ..schedule.emergency import is_emergency_text
from ..tree import DEFAULT as DEFAULT_VARIANT
from ..tree import artifact_id, variant_folder


@dataclass(frozen=True)
class Selected:
    """One item of a screen's playlist: the entry it comes from and the artifact it needs."""

    entry: int
    want: Want
    duration: float | None  # the entry's own duration, if it gives one


@dataclass(frozen=True)
class ScreenPlan:
    branch: Branch
    screen: BranchScreen
    profile: LedScreen | TvScreen
    playlist: str
    why: str  # which rule (or override) chose the playlist
    items: tuple[Selected, ...]
    variant: str = "default"  # or the schedule's key (a campaign, "BASE+CAMPAIGN", "emergency-ID")
    ticker: tuple[str, ...] = ()  # texts for a ticker band over the screen (a ticker campaign)
    # (slogan ids, seconds, label): one of these ids at least this often over the loop
    frequency: tuple[tuple[frozenset[str], float, str], ...] = ()

    @property
    def folder(self) -> str:
        """The screen's folder in a published version: the default, or SCREEN~VARIANT."""
        return variant_folder(self.screen.id, self.variant)

    @property
    def kind(self) -> str:
        return screen_kind(self.profile)


Selector = Callable[[Project, Branch, BranchScreen, dt.date, "str | None"], ScreenPlan]  # select_screen's shape


class Selections:
    """``select_screen`` remembered, for asking about many days: what a playlist selects depends on
    the day through two things only (``_entry_wants``), which slogans have ended by then and a pool's
    pick. So a playlist without a pool selects the same on every day between two slogans' ends, and
    is selected once for all of them. A selection that fails is not remembered (it fails again)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.ends = sorted({s.valid.until for s in project.slogans.values() if s.valid.until is not None})
        self.made: dict[tuple[str, str, str | None, object], ScreenPlan] = {}
        self.defaults: dict[tuple[str, str], str] = {}

    def epoch(self, day: dt.date) -> int:
        """Which slogans have ended by ``day``, as a number: equal for two days, the same slogans.
        (``ended(today)`` is ``until < today``: the ends before the day.)"""
        return bisect.bisect_left(self.ends, day)

    def __call__(
        self, project: Project, branch: Branch, screen: BranchScreen, today: dt.date, playlist_name: str | None = None
    ) -> ScreenPlan:
        if project is not self.project:
            return select_screen(project, branch, screen, today, playlist_name)
        key = self._key(branch, screen, today, playlist_name)
        found = self.made.get(key)
        if found is None:
            found = self.made[key] = select_screen(project, branch, screen, today, playlist_name)
        return found

    def remember(self, plans: Iterable[ScreenPlan], day: dt.date) -> None:
        """Take these screens' own selections, made for ``day`` (a build's), as if made here."""
        for plan in plans:
            if plan.variant == DEFAULT_VARIANT:
                made = dataclasses.replace(plan, frequency=())  # as select_screen makes it
                self.made.setdefault(self._key(plan.branch, plan.screen, day, None), made)

    def _key(
        self, branch: Branch, screen: BranchScreen, day: dt.date, playlist_name: str | None
    ) -> tuple[str, str, str | None, object]:
        name = playlist_name
        if name is None:
            name = self.defaults.get((branch.id, screen.id)) or playlist_for(self.project, branch, screen)[0]
            self.defaults[(branch.id, screen.id)] = name
        pooled = name in self.project.playlists and self.project.playlists[name].pooled
        return (branch.id, screen.id, playlist_name, day if pooled else self.epoch(day))


def _problem(project: Project, playlist: str, n: int, message: str, branch: Branch, screen: BranchScreen) -> Problem:
    return Problem(
        f"{message} (branch {branch.id}, screen {screen.id}: {screen.profile})",
        project.root / PLAYLISTS_DIR / f"{playlist}.yaml",
        None,
        playlist,
        f"entries[{n}]",
    )


def select_screen(
    project: Project, branch: Branch, screen: BranchScreen, today: dt.date, playlist_name: str | None = None
) -> ScreenPlan:
    """The items the screen plays, in order; SignageError naming the playlist, entry, branch and screen.

    ``playlist_name``: a playlist the schedule may put on the screen, instead of its default.
    """
    profile = project.profile(screen.profile)
    if profile is None:
        raise SignageError(
            Problem(f"no screen profile {screen.profile!r}", item=branch.id, field=f"screens.{screen.id}")
        )
    name, why = (playlist_name, "the schedule") if playlist_name else playlist_for(project, branch, screen)
    playlist = project.playlist(name)
    kind = screen_kind(profile)
    if kind not in playlist.suits:
        raise SignageError(
            Problem(
                f"playlist {name!r} is for {'/'.join(playlist.suits)} screens; screen {screen.id} "
                f"of branch {branch.id} is {kind}",
                project.root / PLAYLISTS_DIR / f"{name}.yaml",
            )
        )
    items: list[Selected] = []
    problems: list[Problem] = []
    for n, entry in enumerate(playlist.entries):
        try:
            wants = _entry_wants(project, playlist, entry, branch, profile, today)
        except ValueError as exc:
            problems.append(_problem(project, name, n, str(exc), branch, screen))
            continue
        if not wants:
            problems.append(
                _problem(
                    project,
                    name,
                    n,
                    f"the {entry.what} selection matches nothing for this branch ({branch.locale}, {today})",
                    branch,
                    screen,
                )
            )
        items += [Selected(n, want, entry.duration) for want in wants]
    if problems:
        raise SignageError(problems)
    return ScreenPlan(branch, screen, profile, name, why, tuple(items))


def _entry_wants(
    project: Project, playlist: Playlist, entry: Entry, branch: Branch, profile: LedScreen | TvScreen, today: dt.date
) -> list[Want]:
    locale = branch.locale
    if entry.image is not None or entry.video is not None:
        what = "image" if entry.image is not None else "video"
        if isinstance(profile, LedScreen):
            raise ValueError(f"an {what} file cannot play on LED sign {profile.id} ({profile.size}, {profile.color})")
        name = entry.image or entry.video or ""
        # an image's clip is made for the time it plays (a video plays its own)
        seconds = (entry.duration or profile.image_seconds) if profile.clips and entry.image else None
        path = artifact_id("media", profile.id, NO_LOCALE, timed_name(media_id(name), seconds))
        return [Want(path, "media", profile.id, what, name, NO_LOCALE, seconds=seconds)]
    if entry.slogans is not None:
        slogans = _slogans(project, entry, locale, today)
        if entry.slogans.rotate:
            slogans = entry.slogans.rotate.choose(slogans, today, branch.id)
        return [_content_want(project, "slogan", s.id, locale, branch, profile, entry.duration) for s in slogans]
    assert entry.cases is not None
    cases = _cases(project, entry, locale)
    if entry.cases.rotate:
        cases = entry.cases.rotate.choose(cases, today, branch.id)
    return [_content_want(project, "case", c.id, locale, branch, profile, entry.duration) for c in cases]


def slogans_of(project: Project, entry: Entry, locale: str, today: dt.date) -> list[Slogan]:
    """The slogans a playlist entry selects in ``locale`` on ``today`` (before any pool picks)."""
    return _slogans(project, entry, locale, today)


def _slogans(project: Project, entry: Entry, locale: str, today: dt.date) -> list[Slogan]:
    chosen = entry.slogans
    assert chosen is not None
    if chosen.ids:
        found = []
        for slogan_id in chosen.ids:
            slogan = project.slogans.get(slogan_id)
            if slogan is None:
                raise ValueError(
                    f"no slogan with id {slogan_id!r}{unknown_hint(slogan_id, sorted(project.slogans), 'slogans')}"
                )
            if locale not in slogan.text:
                raise ValueError(f"slogan {slogan_id!r} has no {locale} text")
            if not slogan.valid.ended(today):
                found.append(slogan)
        return found
    return [
        s
        for s in project.slogans.values()
        if locale in s.text
        and not s.valid.ended(today)
        and not is_emergency_text(s.id)
        and (not chosen.kind or s.kind in chosen.kind)
        and (not chosen.tags or set(chosen.tags) & set(s.tags))
    ]


def _cases(project: Project, entry: Entry, locale: str) -> list[CaseSummary]:
    chosen = entry.cases
    assert chosen is not None
    if chosen.ids:
        found = []
        for case_id in chosen.ids:
            case = project.cases.get(case_id)
            if case is None:
                raise ValueError(f"no case with id {case_id!r}{unknown_hint(case_id, sorted(project.cases), 'cases')}")
            if case.locale != locale:
                raise ValueError(f"case {case_id!r} is written in {case.locale}, the branch shows {locale}")
            found.append(case)
        return found
    cases = [
        c
        for c in project.cases.values()
        if c.locale == locale
        and (not chosen.fraud_type or c.fraud_type in chosen.fraud_type)
        and (not chosen.outcome or c.outcome in chosen.outcome)
    ]
    cases.sort(key=lambda c: (c.date, c.id), reverse=True)
    return cases[: chosen.newest] if chosen.newest else cases


def _content_want(
    project: Project,
    kind: str,
    item: str,
    locale: str,
    branch: Branch,
    profile: LedScreen | TvScreen,
    duration: float | None = None,
) -> Want:
    """The artifact that shows a slogan or case on this profile: its LED output, or its video.

    The path is the artifact's shared name; where the content names the branch, the plan makes
    the branch's own variant (``PATH@BRANCH``), which the assembly takes first. On an LED sign
    with clips, an entry's own ``duration`` asks for an output made for that time (``ID.10s``).
    """
    if isinstance(profile, LedScreen):
        seconds = duration if profile.clips else None
        name = timed_name(f"case.{item}" if kind == "case" else item, seconds)
        path = artifact_id("led", profile.id, locale, name)
        return Want(path, "led", profile.id, kind, item, locale, branch.id, seconds)
    videos = project.templates_of("video")
    template = next((videos[v] for v in profile.videos if v in videos and videos[v].content == kind), None)
    if template is None:
        raise ValueError(
            f"TV profile {profile.id} plays no {kind} video template (its videos: {', '.join(profile.videos)})"
        )
    path = artifact_id("video", template.name, locale, item)
    return Want(path, "video", template.name, kind, item, locale, branch.id)


def select_network(project: Project, today: dt.date) -> tuple[list[ScreenPlan], list[Problem]]:
    """Every branch screen's plan, and every problem on the way (one screen's fault does not hide others')."""
    plans: list[ScreenPlan] = []
    problems: list[Problem] = []
    for branch in project.config.branches:
        for screen in branch.screens:
            try:
                plans.append(select_screen(project, branch, screen, today))
            except SignageError as exc:
                problems += exc.problems
    return plans, problems


def demand(plans: list[ScreenPlan]) -> list[Want]:
    """Each artifact the screens need, once."""
    return list(dict.fromkeys(item.want for plan in plans for item in plan.items))
