"""The ``signage`` command line: thin Click functions over signage.commands."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .commands import schedule as schedule_commands
from .errors import SignageError, describe_os_error
from .typography.layout import Box, TextStyle
from .typography.linebreak import BreakLevel


class _Group(click.Group):
    """Turns SignageError (and anything unexpected) into a message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SignageError as exc:
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            raise  # `signage list slogans | head`: run() ends quietly
        except OSError as exc:
            if os.environ.get("SIGNAGE_DEBUG"):
                raise
            click.echo(f"error: {describe_os_error(exc)}", err=True)
            ctx.exit(1)
        except Exception as exc:
            if os.environ.get("SIGNAGE_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} (set SIGNAGE_DEBUG=1 for details)", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="signage")
@click.option(
    "--project",
    "project",
    envvar="SIGNAGE_PROJECT",
    type=click.Path(file_okay=False),
    help="Project folder (default: nearest folder upwards with signage.yaml). Env: SIGNAGE_PROJECT.",
)
@click.pass_context
def main(ctx: click.Context, project: str | None) -> None:
    """Anti-fraud signage for bank branches: LED images, lobby videos, print cards."""
    ctx.obj = {"project": project}


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Write a working copy of the example project into DIRECTORY."""
    from .commands.init import init_project

    written = init_project(directory)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {directory} && signage check")


@main.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate the whole project: one line per problem, exit 1 when there is any."""
    from .commands.check import check_project
    from .project.loader import find_project_dir

    root = find_project_dir(explicit=ctx.obj["project"])
    problems = check_project(root)
    for problem in problems:
        click.echo(str(problem))
    errors = [p for p in problems if not p.warning]
    if errors:
        click.echo(f"{len(errors)} problem(s) in {root}", err=True)
        ctx.exit(1)
    warned = f" ({len(problems)} warning(s))" if problems else ""
    click.echo(f"ok: {root} has no problems{warned}")


@main.command()
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
def text(
    ctx: click.Context,
    text: str,
    width: int,
    height: int | None,
    role: str,
    size: str,
    max_lines: int | None,
    line_height: float,
    align: str,
    valign: str,
    locale: str | None,
    branch_id: str | None,
    strict: bool,
    headline: bool,
    as_json: bool,
    output: Path | None,
    scale: int,
) -> None:
    """Lay TEXT out in a box and show the chosen size and lines."""
    from .commands.text import layout_text, parse_size_range, project_for_tools, save_preview

    largest, smallest = parse_size_range(size)
    style = TextStyle(
        role=role,
        size=largest,
        min_size=smallest,
        max_lines=max_lines,
        line_height=line_height,
        align=align,  # type: ignore[arg-type]  # click.Choice checked it
        valign=valign,  # type: ignore[arg-type]
        level=BreakLevel.strict if strict else BreakLevel.basic,
        headline=headline,
    )
    project = project_for_tools(ctx.obj["project"])
    layout = layout_text(project, text, Box(width, height), style, locale, branch_id)
    fixed = layout.chain.fixed_size
    if fixed and (largest, smallest) != (fixed, fixed) and size != "48":
        click.echo(f"note: {role} is a bitmap font: it is set at {fixed} px whatever --size says", err=True)
    if output is not None:
        save_preview(layout, output, scale)
    if as_json:
        click.echo(json.dumps(layout.to_dict(), ensure_ascii=False))
        return
    click.echo(f"size {layout.size} px, {len(layout.lines)} line(s), {layout.height:g} px high")
    for line in layout.lines:
        click.echo(f"{line.text}    (x={line.x:g} y={line.y:g} width={line.width:g})")
    if output is not None:
        click.echo(f"preview: {output}")


@main.group()
def render() -> None:
    """Render one piece of content for one device."""


@render.command("led")
@click.option("--slogan", "slogan_id", help="Slogan id from content/slogans.yaml.")
@click.option("--text", "text_", help="Text to show instead of a slogan (may use {{ hotline }}).")
@click.option("--screen", required=True, help="WxH in pixels, or the id of an LED screen in signage.yaml.")
@click.option("--color", type=click.Choice(["red", "green", "yellow", "white", "dual", "full"]), help="Colour mode.")
@click.option("--mode", type=click.Choice(["scroll", "pages"]), help="How the controller plays (default: scroll).")
@click.option("--template", help="LED template in templates/led/ (default: the mode's name).")
@click.option("--locale", help="Locale of the text (default: the project's).")
@click.option("--branch", "branch_id", help="Branch whose name fills {{ branch.name }}.")
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
def render_led_command(
    ctx: click.Context,
    slogan_id: str | None,
    text_: str | None,
    screen: str,
    color: str | None,
    mode: str | None,
    template: str | None,
    locale: str | None,
    branch_id: str | None,
    speed: int | None,
    fps: int | None,
    gap: int | None,
    stay: float | None,
    out_dir: Path,
) -> None:
    """LED sign images: pages (PNG + BMP) or a scroll strip with GIF (and MP4 for full colour)."""
    from .commands.led import LedOptions, render_led
    from .commands.text import project_for_tools

    if slogan_id is None and text_ is None or slogan_id is not None and text_ is not None:
        raise SignageError("give exactly one of --slogan ID and --text TEXT")
    project = project_for_tools(ctx.obj["project"])
    options = LedOptions(
        screen=screen,
        slogan=slogan_id,
        text=text_,
        color=color,
        mode=mode,
        template=template,
        locale=locale,
        branch=branch_id,
        speed=speed,
        fps=fps,
        gap=gap,
        stay=stay,
    )
    manifest = render_led(project, options, out_dir)
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
@click.option("--slogan", "slogan_id", help="Slogan id (for slogan cards).")
@click.option("--case", "case_id", help="Case id (for case posters).")
@click.option("--locale", help="Locale (default: the case's, or the project's).")
@click.option("--branch", "branch_id", help="Branch whose name fills {{ branch.name }}.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "png"]), help="Default: from the file name.")
@click.option("--cmyk", is_flag=True, help="DeviceCMYK colours; black text as 100% K.")
@click.option("--marks", is_flag=True, help="Crop marks in a slug outside the bleed.")
@click.option("--sheet", type=click.Choice(["A4", "A3"], case_sensitive=False), help="Impose as many as fit.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def render_card_command(
    ctx: click.Context,
    template: str,
    slogan_id: str | None,
    case_id: str | None,
    locale: str | None,
    branch_id: str | None,
    fmt: str | None,
    cmyk: bool,
    marks: bool,
    sheet: str | None,
    output: Path,
) -> None:
    """A print-ready card: PDF (vector text, embedded subsets, bleed, boxes) or a 300-dpi PNG preview."""
    from .card.pdf import PdfOptions
    from .commands.card import CardRequest, render_card
    from .commands.text import project_for_tools

    project = project_for_tools(ctx.obj["project"])
    request = CardRequest(template, slogan_id, case_id, locale, branch_id)
    written = render_card(project, request, output, fmt, PdfOptions(cmyk=cmyk, marks=marks, sheet=sheet))
    click.echo(f"wrote {output} ({written})")


@render.command("video")
@click.option("--template", "template", required=True, help="Video template in templates/video/.")
@click.option("--case", "case_id", help="Case id (case videos).")
@click.option("--slogan", "slogan_id", help="Slogan id.")
@click.option("--text", "text_", help="Text for a ticker (may use {{ hotline }}).")
@click.option("--locale", help="Locale (default: the case's, or the project's).")
@click.option("--branch", "branch_id", help="Branch whose name fills {{ branch.name }}.")
@click.option("--size", help="WxH in pixels, even sides (default: the template's).")
@click.option("--fps", type=int, help="Frames per second (default: the template's, 25).")
@click.option("--duration", type=float, help="Seconds: scenes are scaled to it; a ticker runs this long.")
@click.option("--preset", help="x264 preset (default: the template's, veryfast).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def render_video_command(
    ctx: click.Context,
    template: str,
    case_id: str | None,
    slogan_id: str | None,
    text_: str | None,
    locale: str | None,
    branch_id: str | None,
    size: str | None,
    fps: int | None,
    duration: float | None,
    preset: str | None,
    output: Path,
) -> None:
    """A lobby video: H.264 High MP4 with AAC audio, plus .srt, .poster.png and .json beside it."""
    from .commands.text import project_for_tools
    from .commands.video import VideoRequest, render

    project = project_for_tools(ctx.obj["project"])
    request = VideoRequest(template, case_id, slogan_id, text_, locale, branch_id, size, fps, duration, preset)
    with click.progressbar(length=1, label="frames", file=sys.stderr) as bar:

        def advance(n: int) -> None:
            bar.length = max(bar.length or 1, bar.pos + n)
            bar.update(n)

        manifest = render(project, request, output, advance)
    click.echo(
        f"wrote {output}: {manifest['size'][0]}x{manifest['size'][1]}, {manifest['fps']} fps, "
        f"{manifest['duration']} s, {len(manifest['scenes'])} scene states"
    )


@main.command()
@click.option("--workers", type=click.IntRange(1, 64), help="Processes to render with (default: one per core).")
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice(["led", "cards", "video", "media"]),
    help="Build only these kinds (repeatable); default all.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Build as of this date (default: today in the branches' time zones).",
)
@click.option("--no-publish", is_flag=True, help="Render only; publish no playlists.")
@click.option("--wait", is_flag=True, help="Wait for another build or publish of this project instead of refusing.")
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    help="Where jobs render: local processes (default), or a dask cluster (signage.yaml cluster.executor).",
)
@click.option("--scheduler", help="The dask scheduler, tcp://HOST:8786 (default: signage.yaml cluster.scheduler).")
@click.pass_context
def build(
    ctx: click.Context,
    workers: int | None,
    only: tuple[str, ...],
    today: Any,
    no_publish: bool,
    wait: bool,
    executor: str | None,
    scheduler: str | None,
) -> None:
    """Render what the catalogue and every branch screen need, only what changed; then publish the playlists."""
    from .build import build as build_catalogue
    from .lock import project_lock
    from .network import Network
    from .network.publish import referenced
    from .outputs import find_and_open, planners

    project = find_and_open(ctx.obj["project"])
    publish = not no_publish and not only  # a partial build leaves the published versions as they are
    cluster = project.config.cluster
    executor = executor or (cluster.executor if cluster else "local")
    client = None
    if executor == "dask":
        from .build.cluster import connect, dask_executor

        address = scheduler or (cluster.scheduler if cluster else None)
        if not address:
            raise SignageError(
                "--executor dask needs --scheduler tcp://HOST:8786 (or cluster.scheduler in signage.yaml)"
            )
        client = connect(address)
    try:
        with project_lock(project.output_dir, "build", wait):
            report = build_catalogue(
                project,
                planners(only),
                workers=workers,
                today=today.date() if today else None,
                network=Network if publish else None,
                keep=lambda: referenced(project.output_dir),
                executor=dask_executor(client) if client is not None else None,
            )
    finally:
        if client is not None:
            client.close()
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for line in report.summary():
        click.echo(line)
    if publish:
        from .preview import preview_is_current, write_preview

        index = project.output_dir / "preview" / "index.html"
        if report.changed or not preview_is_current(project):  # else the one there says the same
            shown = write_preview(project, [f"warning: {w}" for w in report.warnings])
            click.echo(f"preview: {index} ({shown.branches} branches)")
        else:
            click.echo(f"preview: {index} (unchanged)")


@main.command("list")
@click.argument("what", type=click.Choice(["slogans", "cases", "templates", "screens", "branches", "playlists"]))
@click.pass_context
def list_command(ctx: click.Context, what: str) -> None:
    """List the project's slogans, cases, templates, screen profiles, branches or playlists, one a line."""
    from .outputs import find_and_open

    project = find_and_open(ctx.obj["project"])
    if what == "slogans":
        for s in project.slogans.values():
            valid = f"  {s.valid.iso()[0] or '…'}..{s.valid.iso()[1] or '…'}" if s.valid.from_ or s.valid.until else ""
            click.echo(f"{s.id}\t{s.kind.value}\t{','.join(s.locales)}{valid}\t{next(iter(s.text.values()))}")
    elif what == "cases":
        for c in sorted(project.cases.values(), key=lambda c: (c.date, c.id), reverse=True):
            click.echo(f"{c.id}\t{c.date}\t{c.locale}\t{c.fraud_type}\t{c.outcome}\t{c.title}")
    elif what == "templates":
        for kind, templates in sorted(project.templates.items()):
            for name, template in sorted(templates.items()):
                detail = getattr(template, "content", None) or getattr(template, "mode", "")
                click.echo(f"{kind}/{name}\t{detail}")
    elif what == "screens":
        for led in project.config.led_screens:
            click.echo(f"{led.id}\tled\t{led.size}\t{led.color}\t{led.mode}")
        for tv in project.config.tv_screens:
            click.echo(f"{tv.id}\ttv\t{tv.size}\t{','.join(tv.videos)}")
    elif what == "branches":
        for b in project.config.branches:
            screens = ",".join(f"{s.id}={s.profile}" for s in b.screens)
            click.echo(f"{b.id}\t{b.name}\t{b.locale}\t{b.timezone}\t{screens}")
    else:
        for name, playlist in sorted(project.playlists.items()):
            click.echo(f"{name}\t{','.join(playlist.suits)}\t{len(playlist.entries)} entries")


@main.command()
@click.option("--branch", "branch_id", required=True, help="Branch id.")
@click.pass_context
def versions(ctx: click.Context, branch_id: str) -> None:
    """List a branch's published versions, the live one marked."""
    from .network.publish import current_version, read_version
    from .network.publish import versions as list_versions
    from .outputs import find_and_open

    project = find_and_open(ctx.obj["project"])
    project.branch(branch_id)
    output = project.output_dir
    live = current_version(output, branch_id)
    found = list_versions(output, branch_id)
    if not found:
        raise SignageError(f"branch {branch_id!r} has no published version: run `signage build`")
    for version in found:
        info = read_version(output, branch_id, version)
        screens = ", ".join(
            f"{s} {v['playlist']} ({v['items']} items, {v['duration']:g} s)" for s, v in info.get("screens", {}).items()
        )
        click.echo(f"{'*' if version == live else ' '} {version}  {info.get('created', '?')}  {screens}")


@main.command()
@click.option("--branch", "branch_id", required=True, help="Branch id.")
@click.option("--to", "to", help="Version to go back to (default: the one before the live one).")
@click.pass_context
def rollback(ctx: click.Context, branch_id: str, to: str | None) -> None:
    """Make an earlier published version of a branch live again (atomically)."""
    from .lock import project_lock
    from .network.publish import rollback as roll_back
    from .outputs import find_and_open

    project = find_and_open(ctx.obj["project"])
    project.branch(branch_id)
    with project_lock(project.output_dir, "rollback", wait=True):
        was, now = roll_back(project.output_dir, branch_id, to)
    click.echo(
        f"{branch_id}: {was or 'nothing'} -> {now} (live); the next build that changes this branch "
        "publishes a new version"
    )


@main.command()
@click.option("--branch", "branch_id", required=True, help="Branch id.")
@click.option("--to", "target", required=True, type=click.Path(path_type=Path), help="A folder, or FILE.zip.")
@click.pass_context
def export(ctx: click.Context, branch_id: str, target: Path) -> None:
    """Copy a branch's live playlists and every file they play into one self-contained bundle."""
    from .network.export import export_branch
    from .outputs import find_and_open

    project = find_and_open(ctx.obj["project"])
    project.branch(branch_id)
    version, screens, assets = export_branch(project.output_dir, branch_id, target)
    click.echo(f"wrote {target}: {branch_id} {version}, {screens} screen(s), {assets} file(s)")


@main.command()
@click.pass_context
def preview(ctx: click.Context) -> None:
    """Write output/preview/: what every branch's screens play now and today, with the check's warnings."""
    from .commands.check import check_project
    from .lock import project_lock
    from .outputs import find_and_open
    from .preview import write_preview

    project = find_and_open(ctx.obj["project"])
    notes = [str(p) for p in check_project(project.root)]
    with project_lock(project.output_dir, "preview", wait=True):
        report = write_preview(project, notes)
    click.echo(
        f"wrote {project.output_dir / 'preview' / 'index.html'}: {report.branches} branches, {report.thumbs} "
        f"thumbnails, {report.pages_bytes / 1024:.0f} KiB of pages"
    )


@main.command()
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: the whole LAN).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def serve(ctx: click.Context, bind: str, port: int) -> None:
    """Serve the output folder (published playlists, players, preview) read-only over HTTP."""
    from .outputs import find_and_open
    from .serve import make_server

    project = find_and_open(ctx.obj["project"])
    root = project.output_dir
    if not root.is_dir():
        raise SignageError(f"nothing to serve yet: {root} does not exist (run signage build)")
    try:
        server = make_server(root, bind, port)
    except OSError as exc:
        raise SignageError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}") from None
    click.echo(f"serving {root} on http://{bind}:{port}/ (preview/index.html, publish/BRANCH/player.html?screen=ID)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


main.add_command(schedule_commands.plan_command)
main.add_command(schedule_commands.rotate_command)
main.add_command(schedule_commands.log_command)
main.add_command(schedule_commands.emergency_group)


def _terminated(signum: int, frame: object) -> None:
    # SIGTERM (a service manager stopping a build) unwinds like Ctrl-C: temporary files are removed
    raise KeyboardInterrupt


def run() -> None:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    try:
        main()
    except BrokenPipeError:  # `signage check | head`: the reader left, nothing is wrong
        sys.stderr.close()
        sys.exit(0)
