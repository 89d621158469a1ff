"""Every branch screen's plan for a date: what the build must make, then publishes (the build's ``Publisher``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from .. import clock
from ..errors import SignageError
from ..job import Want
from ..project.config import Branch, BranchScreen
from ..project.model import Project
from ..project.screens import playlist_for
from ..records import Record, Switch, Timeline
from ..schedule.emergency import inject
from ..schedule.emergency import load as load_emergencies
from ..schedule.resolve import Decision, day_switches, decide
from ..tree import variant_folder
from .answers import branch_answers, forget_answers, write_answers
from .publish import PublishReport, publish_network, referenced
from .scheduled import scheduled_plans, with_frequency
from .select import ScreenPlan, Selections, demand, select_network


class Network:
    """Every branch screen's plan for a date: what the build must make and then publishes."""

    def __init__(self, project: Project, today: dt.date, now: dt.datetime | None = None):
        self.project = project
        self.today = today
        self.fixed_now = now  # else each step takes the time it runs at (a long build crosses switches)
        self.now = now or clock.now()
        self.emergencies = [e for e in load_emergencies(project.output_dir) if not e.over(self.now)]
        inject(project, self.emergencies)
        self.plans: list[ScreenPlan]
        self.plans, problems = select_network(project, today)
        if not problems:
            variants, problems = scheduled_plans(project, self.plans, today, self.emergencies)
            self.plans += variants
        if not problems:
            self.plans, problems = with_frequency(project, self.plans, today)
        if problems:
            raise SignageError(problems)
        self.report = PublishReport()
        self.only: set[str] | None = None  # publish only these branches (an emergency's); None: every one
        self.starting: tuple[str, dt.timedelta] | None = None  # (id, length): an emergency that starts at publishing
        self._switches: dict[tuple[str, str, dt.date], list[tuple[dt.datetime, Decision]]] = {}
        self._plain: dict[tuple[str, str], Decision] = {}  # a screen's decision when there is no schedule

    def demand(self) -> list[Want]:
        return demand(self.plans)

    def publish(self, records: dict[str, Record]) -> bool:
        """Publish what changed; whether any version was made or removed."""
        self.now = self.fixed_now or clock.now()  # what plays when publishing, not planning
        for e in self.emergencies:  # its length counts from the switch, not from before the rendering
            if self.starting is not None and e.id == self.starting[0]:
                e.start, e.end = self.now, self.now + self.starting[1]
        self.report = publish_network(self.project, self.plans, records, self.choose, self.timeline, self.only)
        try:
            self.publish_answers()
        except OSError:
            # the screens have switched already, and those switches must still be logged: answers not
            # written only leave older ones, which hold for what they were made from (or plan loads the project)
            pass
        return bool(self.report.published or self.report.removed_versions or self.report.branches_removed)

    def publish_answers(self) -> int:
        """Write what ``plan --at`` answers for each branch published (or found unchanged), from the
        same decisions as the timelines; the number of files written. Without the project's input
        stamp (a project not read from its folder) there is nothing a reader could trust: none."""
        if not self.project.inputs:
            return 0
        selections = Selections(self.project)
        selections.remember(self.plans, self.today)
        written = 0
        branches = {p.branch.id: p.branch for p in self.plans if self.only is None or p.branch.id in self.only}
        for branch in branches.values():
            answers = branch_answers(self.project, branch, self.now, self.emergencies, self.day_switches, selections)
            written += write_answers(self.project.output_dir, answers)
        if self.only is None:
            forget_answers(self.project.output_dir, set(branches))
        return written

    def day_switches(self, branch: Branch, screen: BranchScreen, day: dt.date) -> list[tuple[dt.datetime, Decision]]:
        """The screen's switches on the branch-local ``day``, computed once for the timeline and the answers."""
        key = (branch.id, screen.id, day)
        found = self._switches.get(key)
        if found is None and not self.project.schedule.campaigns and not self.emergencies:
            # nothing can switch within the day: its one decision, at its first instant (as day_switches says),
            # the same every day unless the screen's playlist has a pool (then its key names the day)
            start = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(branch.timezone)).astimezone(dt.timezone.utc)
            plain = self._plain.get((branch.id, screen.id))
            if plain is None or self.project.playlists[plain.playlist].pooled:
                plain = self._plain[(branch.id, screen.id)] = decide(
                    self.project, self.project.schedule, branch, screen, start
                )
            found = self._switches[key] = [(start, plain)]
        elif found is None:
            found = day_switches(self.project, self.project.schedule, branch, screen, day, self.emergencies)
            self._switches[key] = found
        return found

    def choose(self, branch_id: str, screen_id: str) -> str:
        """The variant the schedule says the screen plays now."""
        branch = self.project.branch(branch_id)
        assert branch is not None
        screen = next(s for s in branch.screens if s.id == screen_id)
        return decide(self.project, self.project.schedule, branch, screen, self.now, self.emergencies).key

    def timeline(self, branch_id: str, folders: set[str], days: int = 7) -> Timeline:
        """Each screen's switches from now for ``days`` (instant, folder), the folder its
        decision names if the version has it, else the screen's default (what rotate does)."""
        branch = self.project.branch(branch_id)
        assert branch is not None
        local = self.now.astimezone(ZoneInfo(branch.timezone)).date()
        out: dict[str, list[Switch]] = {}
        if not self.project.schedule.campaigns and not self.emergencies and not self._pooled(branch):
            midnight = dt.datetime.combine(local, dt.time(), tzinfo=ZoneInfo(branch.timezone))
            start = midnight.astimezone(dt.timezone.utc).isoformat()
            return Timeline(screens={s.id: [Switch(start, s.id)] for s in branch.screens})
        for screen in branch.screens:
            entries: list[Switch] = []
            for k in range(days):
                for at, decision in self.day_switches(branch, screen, local + dt.timedelta(days=k)):
                    name = variant_folder(screen.id, decision.key)
                    folder = name if name in folders else screen.id
                    if not entries or entries[-1].folder != folder:
                        entries.append(Switch(at.isoformat(), folder))
            out[screen.id] = entries
        return Timeline(screens=out)

    def _pooled(self, branch: Branch) -> bool:
        """Whether a screen of the branch plays a playlist with a pool (its key changes at midnight)."""

        names = {playlist_for(self.project, branch, s)[0] for s in branch.screens}
        return any(self.project.playlists[n].pooled for n in names if n in self.project.playlists)

    def referenced(self) -> set[str]:
        """Every store path a kept version plays."""
        return referenced(self.project.output_dir)

    def summary(self) -> str:
        r = self.report
        selections = sum(len(plan.items) for plan in self.plans if plan.variant == "default")
        artifacts = len({item.want.path for plan in self.plans for item in plan.items})
        return (
            f"published: {len(r.published)} branch(es) with a new version, {r.unchanged} unchanged, "
            f"{r.screens} screen(s); {r.removed_versions} old version(s) removed; {selections} playlist "
            f"selections point at {artifacts} artifact(s), a per-branch text counted once"
        )
