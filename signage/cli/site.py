"""``signage preview`` and ``signage serve``: the preview site, and the output folder over HTTP."""

from __future__ import annotations

import click

from ..app.preview import write
from ..errors import SignageError
from ..serve import make_server
from ..tree import preview_index
from .context import project_of


@click.command()
@click.pass_context
def preview(ctx: click.Context) -> None:
    """Write output/preview/: what every branch's screens play now and today, with the check's warnings."""
    project = project_of(ctx)
    report = write(project)
    click.echo(
        f"wrote {preview_index(project.output_dir)}: {report.branches} branches, {report.thumbs} "
        f"thumbnails, {report.pages_bytes / 1024:.0f} KiB of pages"
    )


@click.command()
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: the whole LAN).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="0: any free port.")
@click.pass_context
def serve(ctx: click.Context, bind: str, port: int) -> None:
    """Serve the output folder (published playlists, players, preview) read-only over HTTP."""
    root = project_of(ctx).output_dir
    if not root.is_dir():
        raise SignageError(f"nothing to serve yet: {root} does not exist (run signage build)")
    try:
        server = make_server(root, bind, port)
    except OSError as exc:
        raise SignageError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}") from None
    port = server.server_address[1]  # the one the system chose, for --port 0
    click.echo(f"serving {root} on http://{bind}:{port}/ (preview/index.html, publish/BRANCH/player.html?screen=ID)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
