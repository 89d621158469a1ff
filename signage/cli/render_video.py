"""``signage render video``: one lobby video with its subtitles, poster and manifest."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..app.text import project_for_tools
from ..app.video import VideoRequest
from ..app.video import render as render_video
from .context import explicit_project


@click.command()
@click.option("--template", "template", required=True, help="Video template in templates/video/.")
@click.option("--case", help="Case id (case videos).")
@click.option("--slogan", help="Slogan id.")
@click.option("--text", help="Text for a ticker (may use {{ hotline }}).")
@click.option("--locale", help="Locale (default: the case's, or the project's).")
@click.option("--branch", help="Branch whose name fills {{ branch.name }}.")
@click.option("--size", help="WxH in pixels, even sides (default: the template's).")
@click.option("--fps", type=int, help="Frames per second (default: the template's, 25).")
@click.option("--duration", type=float, help="Seconds: scenes are scaled to it; a ticker runs this long.")
@click.option("--preset", help="x264 preset (default: the template's, veryfast).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def video(ctx: click.Context, output: Path, **request: Any) -> None:
    """A lobby video: H.264 High MP4 with AAC audio, plus .srt, .poster.png and .json beside it."""
    project = project_for_tools(explicit_project(ctx))
    with click.progressbar(length=1, label="frames", file=sys.stderr) as bar:

        def advance(n: int) -> None:
            bar.length = max(bar.length or 1, bar.pos + n)
            bar.update(n)

        manifest = render_video(project, VideoRequest(**request), output, advance)
    click.echo(
        f"wrote {output}: {manifest['size'][0]}x{manifest['size'][1]}, {manifest['fps']} fps, "
        f"{manifest['duration']} s, {len(manifest['scenes'])} scene states"
    )
