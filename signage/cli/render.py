"""``signage render led|card|video``: one piece of content for one device, into a file or folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..app.card import CardRequest, render_card
from ..app.led import LedOptions, render_led
from ..app.text import project_for_tools
from ..app.video import VideoRequest
from ..app.video import render as render_video
from ..card.pdf import PdfOptions
from .context import explicit_project


@click.group()
def render() -> None:
    """Render one piece of content for one device."""


@render.command("led")
@click.option("--slogan", help="Slogan id from content/slogans.yaml.")
@click.option("--text", help="Text to show instead of a slogan (may use {{ hotline }}).")
@click.option("--screen", required=True, help="WxH in pixels, or the id of an LED screen in signage.yaml.")
@click.option("--color", type=click.Choice(["red", "green", "yellow", "white", "dual", "full"]), help="Colour mode.")
@click.option("--mode", type=click.Choice(["scroll", "pages"]), help="How the controller plays (default: scroll).")
@click.option("--template", help="LED template in templates/led/ (default: the mode's name).")
@click.option("--locale", help="Locale of the text (default: the project's).")
@click.option("--branch", help="Branch whose name fills {{ branch.name }}.")
@click.option("--speed", type=int, help="Scroll speed in whole pixels per frame.")
@click.option("--fps", type=int, help="Scroll frames per second.")
@click.option("--gap", type=int, help="Pixels between the end of the text and its return.")
@click.option("--stay", type=float, help="Seconds per page.")
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write (replaced whole when it holds earlier signage output).",
)
@click.pass_context
def led(ctx: click.Context, out_dir: Path, **options: Any) -> None:
    """LED sign images: pages (PNG + BMP) or a scroll strip with GIF (and MP4 for full colour)."""
    manifest = render_led(project_for_tools(explicit_project(ctx)), LedOptions(**options), out_dir)
    w, h = manifest["screen"]["width"], manifest["screen"]["height"]
    if w % 32 or h % 16:
        click.echo(f"warning: {w}x{h} is not a whole number of 32x16 modules", err=True)
    for warning in manifest["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    if manifest["mode"] == "pages":
        for page in manifest["pages"]:
            click.echo(f"{out_dir / page['file']}  {page['text']}")
    else:
        click.echo(f"{out_dir / manifest['strip']}  {manifest['frames']} frames, {manifest['duration']} s")
    click.echo(f"preview: {out_dir / manifest['preview']}")


@render.command("card")
@click.option("--template", "template", required=True, help="Card template in templates/card/.")
@click.option("--slogan", help="Slogan id (for slogan cards).")
@click.option("--case", help="Case id (for case posters).")
@click.option("--locale", help="Locale (default: the case's, or the project's).")
@click.option("--branch", help="Branch whose name fills {{ branch.name }}.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "png"]), help="Default: from the file name.")
@click.option("--cmyk", is_flag=True, help="DeviceCMYK colours; black text as 100% K.")
@click.option("--marks", is_flag=True, help="Crop marks in a slug outside the bleed.")
@click.option("--sheet", type=click.Choice(["A4", "A3"], case_sensitive=False), help="Impose as many as fit.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def card(
    ctx: click.Context, fmt: str | None, cmyk: bool, marks: bool, sheet: str | None, output: Path, **request: Any
) -> None:
    """A print-ready card: PDF (vector text, embedded subsets, bleed, boxes) or a 300-dpi PNG preview."""
    project = project_for_tools(explicit_project(ctx))
    written = render_card(project, CardRequest(**request), output, fmt, PdfOptions(cmyk=cmyk, marks=marks, sheet=sheet))
    click.echo(f"wrote {output} ({written})")


@render.command("video")
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
