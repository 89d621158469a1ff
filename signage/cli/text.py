"""``signage text``: lay one text out in a box, the template designer's inspection tool."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..app.text import TextRequest, lay_out
from .context import explicit_project


@click.command()
@click.argument("text")
@click.option("--width", "-w", type=click.IntRange(1, 20000), required=True, help="Box width in px.")
@click.option("--height", "-H", type=click.IntRange(1, 20000), help="Box height in px (default: unbounded).")
@click.option("--font", "role", default="sans", show_default=True, help="Font role (sans, sans-bold, pixel-12, ...).")
@click.option("--size", "size", default="48", show_default=True, help="Size in px, or a range MAX..MIN to fit.")
@click.option("--max-lines", type=click.IntRange(1, 1000), help="At most this many lines.")
@click.option("--line-height", type=click.FloatRange(0.5, 5), default=1.25, show_default=True)
@click.option("--align", type=click.Choice(["left", "center", "right", "justify"]), default="left", show_default=True)
@click.option("--valign", type=click.Choice(["top", "middle", "bottom"]), default="top", show_default=True)
@click.option("--locale", help="Locale of the text (default: the project's).")
@click.option("--branch", "branch_id", help="Branch whose name fills {{ branch.name }}.")
@click.option("--strict", is_flag=True, help="clreq strict line breaking (default basic).")
@click.option("--headline", is_flag=True, help="Balance line lengths; never one character alone.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: size and lines.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write a PNG preview.")
@click.option("--scale", type=click.IntRange(1, 16), default=1, help="Enlarge the preview (pixel fonts).")
@click.pass_context
def text(ctx: click.Context, as_json: bool, **options: Any) -> None:
    """Lay TEXT out in a box and show the chosen size and lines."""
    result = lay_out(explicit_project(ctx), TextRequest(**options))
    layout = result.layout
    if result.note:
        click.echo(f"note: {result.note}", err=True)
    if as_json:
        click.echo(json.dumps(layout.to_dict(), ensure_ascii=False))
        return
    click.echo(f"size {layout.size} px, {len(layout.lines)} line(s), {layout.height:g} px high")
    for line in layout.lines:
        click.echo(f"{line.text}    (x={line.x:g} y={line.y:g} width={line.width:g})")
    if options["output"] is not None:
        click.echo(f"preview: {options['output']}")
