"""``signage versions``, ``rollback`` and ``export``: a branch's published versions."""

from __future__ import annotations

from pathlib import Path

import click

from ..app.export import export as export_bundle
from ..app.versions import list_versions, roll_back
from .context import echo_switches, project_of


@click.command()
@click.option("--branch", "branch_id", required=True, help="Branch id.")
@click.option("-v", "--verbose", is_flag=True, help="Each version's screen folders with their playlists.")
@click.pass_context
def versions(ctx: click.Context, branch_id: str, verbose: bool) -> None:
    """List a branch's published versions, the live one marked, with what each changed."""
    rows = list_versions(project_of(ctx), branch_id)
    if verbose:
        for row in rows:
            click.echo(f"{'*' if row.live else ' '} {row.version}  {row.published}")
            for name, s in row.screens.items():
                click.echo(f"    {name}  {s.playlist}  {s.items} item(s)  {s.duration:g} s")
        return
    click.echo(f"  {'VERSION':8} {'PUBLISHED':22} {'FOLDERS':>7}  WHAT CHANGED")
    for row in rows:
        mark = "*" if row.live else " "
        click.echo(f"{mark} {row.version:8} {row.published:22} {len(row.screens):>7}  {'; '.join(row.changes)}")
    click.echo("* live. FOLDERS: each screen's own playlist and its schedule variants; --verbose lists them.")


@click.command()
@click.option("--branch", "branch_id", required=True, help="Branch id.")
@click.option("--to", "to", help="Version to go back to: v0002 or 2 (default: the one before the live one).")
@click.pass_context
def rollback(ctx: click.Context, branch_id: str, to: str | None) -> None:
    """Make an earlier published version of a branch live again (atomically), each screen on what
    its schedule says now."""
    done = roll_back(project_of(ctx), branch_id, to)
    echo_switches(done.switches)
    click.echo(
        f"{branch_id}: {done.was or 'nothing'} -> {done.now} (live), {len(done.switches)} switch(es); the next "
        "build that changes this branch publishes a new version"
    )


@click.command()
@click.option("--branch", "branch_id", required=True, help="Branch id.")
@click.option("--to", "target", required=True, type=click.Path(path_type=Path), help="A folder, or FILE.zip.")
@click.pass_context
def export(ctx: click.Context, branch_id: str, target: Path) -> None:
    """Copy a branch's live playlists and every file they play into one self-contained bundle."""
    done = export_bundle(project_of(ctx), branch_id, target)
    click.echo(
        f"wrote {done.target}: {done.branch} {done.version}, {done.screens} screen(s) "
        f"({done.variants} playlist folder(s) with their schedule variants), {done.files} file(s)"
    )
    click.echo(f"open {done.index or 'index.html in it'} (or README.txt) to see which screen plays what")
