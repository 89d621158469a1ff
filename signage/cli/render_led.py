"""``signage render led``: LED sign images for one text on one screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..app.led import LedOptions, render_led
from ..app.text import project_for_tools
from .context import explicit_project


@click.command()
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
    request = LedOptions(**options)
    manifest = render_led(project_for_tools(explicit_project(ctx)), request, out_dir)
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
