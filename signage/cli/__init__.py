"""The ``signage`` command line: thin Click commands over the use cases in ``signage.app``.

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

# command name -> "module:attribute" in this package
COMMANDS = {
    "init": "project:init",
    "check": "project:check",
    "list": "project:list_command",
    "text": "text:text",
    "render": "render:render",
    "build": "build:build",
    "versions": "branches:versions",
    "rollback": "branches:rollback",
    "export": "branches:export",
    "preview": "site:preview",
    "serve": "site:serve",
    "plan": "plan:plan",
    "rotate": "schedule:rotate",
    "log": "schedule:log",
    "emergency": "emergency:emergency",
}


class LazyGroup(click.Group):
    """A group whose commands are imported when they run; turns SignageError (and anything
    unexpected) into a message and an exit code."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = self.lazy[cmd_name].partition(":")
        command: click.Command = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
        return command

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
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminated)
    try:
        main()
    except BrokenPipeError:  # `signage check | head`: the reader left, nothing is wrong
        sys.stderr.close()
        sys.exit(0)
