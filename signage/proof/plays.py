"""What a reported play showed: its content (kind and id), from what the player said of it."""

from __future__ import annotations

from ..project.model import Project


def content_of(
    item: str | None, artifact: str | None, contents: dict[str, tuple[str, str]], project: Project
) -> tuple[str, str]:
    """(content kind, id) of a play: the player's ``item`` (``slogan:hotline-ask``, the playlist item's
    content), else its artifact's catalogue record, else a guess from the artifact's id."""
    if item:
        kind, _, content = item.partition(":")
        if kind and content:
            return kind, content
    return contents.get(artifact or "") or guess(artifact or "", project)


def guess(artifact: str, project: Project) -> tuple[str, str]:
    """An artifact no catalogue record names: its content from the id's last part (KIND/TARGET/LOCALE/ID[@B])."""
    name = artifact.rstrip("/").rsplit("/", 1)[-1].split("@", 1)[0]
    if name in project.slogans:
        return "slogan", name
    if name in project.cases:
        return "case", name
    return "file", artifact
