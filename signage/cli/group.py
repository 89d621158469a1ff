"""The Click group of the ``signage`` command line: thin commands over the use cases in ``signage.app``.

Each command lives in a module of this package, imported only when that command runs
(Click's lazily loaded subcommands), so ``signage plan`` never loads the renderers.
Every command parses its options, calls one use case and prints its result.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from typing import Any

import click

from .. import __version__
from ..errors import SignageError, describe_os_error

# command name -> ("module:attribute" in this package, its help's first paragraph as the command says it:
# `signage --help` lists them without importing a module; a test keeps the two in step)
COMMANDS = {
    "init": ("init:init", "Write a working copy of the example project into DIRECTORY."),
    "check": ("check:check", "Validate the whole project: one line per problem, exit 1 when there is any."),
    "list": (
        "listing:list_command",
        "List the project's slogans, cases, templates, screen profiles, branches or playlists, one a line.",
    ),
    "text": ("text:text", "Lay TEXT out in a box and show the chosen size and lines."),
    "render": ("render:render", "Render one piece of content for one device."),
    "build": (
        "build:build",
        "Render what the catalogue and every branch screen need, only what changed; then publish the playlists.",
    ),
    "versions": (
        "branches:versions",
        "List a branch's published versions, the live one marked, with what each changed.",
    ),
    "rollback": (
        "branches:rollback",
        "Make an earlier published version of a branch live again (atomically), each screen on what its "
        "schedule says now.",
    ),
    "export": (
        "branches:export",
        "Copy a branch's live playlists and every file they play into one self-contained bundle.",
    ),
    "preview": (
        "site:preview",
        "Write output/preview/: what every branch's screens play now and today, with the check's warnings.",
    ),
    "serve": ("site:serve", "Serve the output folder (published playlists, players, preview) read-only over HTTP."),
    "plan": (
        "plan:plan",
        "What plays on a branch's screens at an instant (with its items in order), or a day's switches.",
    ),
    "rotate": (
        "schedule:rotate",
        "Switch each screen to what its schedule says, at the instant it says; SIGTERM stops it.",
    ),
    "log": ("schedule:log", "Every switch, emergency and rotation error, oldest first, in each branch's local time."),
    "events": ("events:events_command", "Take in the events a player kept and exported (a USB bundle's, the E key)."),
    "tokens": (
        "tokens:tokens_command",
        "Issue, revoke and list the per-screen tokens the browser players report with.",
    ),
    "status": (
        "status:status",
        "Every screen's last heartbeat and the version it shows against the live one; exit 3 when any is dark.",
    ),
    "report": (
        "report:report",
        "The campaign report of a period: plays, screen-hours and reach per slogan, case and campaign, planned "
        "beside played.",
    ),
    "emergency": (
        "emergency:emergency",
        "Put a slogan above every campaign on chosen screens, until it expires by itself.",
    ),
}


def _set_project(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.find_root().obj["project"] = value


def _accept_project(command: click.Command) -> None:
    """Let ``--project`` come after the subcommand too (``signage versions --project DIR``), as
    people type it: the same option as the group's, on every command that opens a project."""
    if isinstance(command, click.Group) and not isinstance(command, LazyGroup):
        for sub in command.commands.values():
            _accept_project(sub)
    if isinstance(command, click.Group) or any(p.name == "project" for p in command.params):
        return
    command.params.append(
        click.Option(
            ["--project"],
            type=click.Path(file_okay=False),
            expose_value=False,
            callback=_set_project,
            help="Project folder (the same as `signage --project DIR` before the command).",
        )
    )


class LazyGroup(click.Group):
    """A group whose commands are imported when they run; turns SignageError (and anything
    unexpected) into a message and an exit code."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = self.lazy[cmd_name][0].partition(":")
        command: click.Command = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
        if cmd_name != "init":  # init writes a new project where it is told; it opens none
            _accept_project(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the one-line helps kept here: `--help` imports no command module."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in self.lazy:
                rows.append((name, click.Command(name, help=self.lazy[name][1]).get_short_help_str(limit)))
            else:
                command = super().get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
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


def _terminated(signum: int, frame: object) -> None:
    # SIGTERM (a service manager stopping a build) unwinds like Ctrl-C: temporary files are removed
    raise KeyboardInterrupt


def run() -> None:
    """The command line through Click (``signage.cli.run`` comes here unless it answered already)."""
    signal.signal(signal.SIGTERM, _terminated)
    try:
        main()
    except BrokenPipeError:  # `signage check | head`: the reader left, nothing is wrong
        sys.stderr.close()
        sys.exit(0)
