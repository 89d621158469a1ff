"""``signage render card``: one print-ready card, PDF or PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..app.card import CardRequest, render_card
from ..app.text import project_for_tools
from ..card.pdf import PdfOptions
from .context import explicit_project


@click.command()
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
