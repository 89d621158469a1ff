"""``signage preview`` and ``signage serve``: the preview site, and the output folder over HTTP."""

from __future__ import annotations

import click

from ..app.preview import write
from ..errors import SignageError
from ..proof.ingest import PATH, Limits, Receiver
from ..proof.store import KEEP_DAYS
from ..serve import make_server
from ..tree import preview_index, proof_db
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
@click.option(
    "--keep-days",
    default=KEEP_DAYS,
    show_default=True,
    type=click.IntRange(1, 3650),
    help="Days the players' raw events are kept (their daily totals stay).",
)
@click.pass_context
def serve(ctx: click.Context, bind: str, port: int, keep_days: int) -> None:
    """Serve the output folder (published playlists, players, preview) read-only over HTTP.

    The one thing it takes in: the players' reports of what they played, POST /api/v1/events with
    a screen's token (signage tokens issue), kept in output/proof/events.sqlite."""
    root = project_of(ctx).output_dir
    if not root.is_dir():
        raise SignageError(f"nothing to serve yet: {root} does not exist (run signage build)")
    receiver = Receiver(root, Limits(keep_days=keep_days))
    try:
        server = make_server(root, bind, port, receiver)
    except OSError as exc:
        receiver.close()
        raise SignageError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}") from None
    port = server.server_address[1]  # the one the system chose, for --port 0
    click.echo(f"serving {root} on http://{bind}:{port}/ (preview/index.html, publish/BRANCH/player.html?screen=ID)")
    click.echo(f"players report to http://{bind}:{port}{PATH}, kept in {proof_db(root)}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        receiver.close()
