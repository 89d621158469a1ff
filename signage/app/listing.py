"""``signage list``: the project's slogans, cases, templates, screens, branches or playlists, a line each."""

from __future__ import annotations

from collections.abc import Iterator

from ..project.model import Project

LISTS = ("slogans", "cases", "templates", "screens", "branches", "playlists")


def describe(project: Project, what: str) -> Iterator[str]:
    """Tab-separated lines, one per item of ``what`` (one of LISTS)."""
    if what == "slogans":
        for s in project.slogans.values():
            valid = f"  {s.valid.iso()[0] or '…'}..{s.valid.iso()[1] or '…'}" if s.valid.from_ or s.valid.until else ""
            yield f"{s.id}\t{s.kind.value}\t{','.join(s.locales)}{valid}\t{next(iter(s.text.values()))}"
    elif what == "cases":
        for c in sorted(project.cases.values(), key=lambda c: (c.date, c.id), reverse=True):
            yield f"{c.id}\t{c.date}\t{c.locale}\t{c.fraud_type}\t{c.outcome}\t{c.title}"
    elif what == "templates":
        for kind, templates in sorted(project.templates.items()):
            for name, template in sorted(templates.items()):
                detail = getattr(template, "content", None) or getattr(template, "mode", "")
                yield f"{kind}/{name}\t{detail}"
    elif what == "screens":
        for led in project.config.led_screens:
            yield f"{led.id}\tled\t{led.size}\t{led.color}\t{led.mode}\ttext {led.minimum_text}"
        for tv in project.config.tv_screens:
            yield f"{tv.id}\ttv\t{tv.size}\t{','.join(tv.videos)}\ttext {tv.minimum_text}"
    elif what == "branches":
        for b in project.config.branches:
            screens = ",".join(f"{s.id}={s.profile}" for s in b.screens)
            yield f"{b.id}\t{b.name}\t{b.locale}\t{b.timezone}\t{screens}"
    else:
        for name, playlist in sorted(project.playlists.items()):
            yield f"{name}\t{','.join(playlist.suits)}\t{len(playlist.entries)} entries"
