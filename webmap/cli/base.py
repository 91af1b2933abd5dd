"""What every ``angebotskarte`` command shares: the one --config option, the settings it
names, one-line error messages and exit codes, and the command classes that add them.

A command is a plain click command created through :class:`Group` (``@group.command()``);
it gets ``--config`` and the error handling from :class:`Command` without repeating them,
and returns its exit code (0 or None for success).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from geo.schema import InputError
from geo.settings import ENV_VAR, ConfigError, Settings, load_settings
from geo.store import StoreError

DEBUG_ENV_VAR = "ANGEBOTSKARTE_DEBUG"


class CommandError(Exception):
    """A problem to tell the user in one line (exit code 2 unless given)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def say(message: str = "") -> None:
    """Progress and summaries go to stdout."""
    click.echo(message)


def warn(message: str) -> None:
    """Problems and warnings go to stderr."""
    click.echo(message, err=True)


# -- the one --config option ----------------------------------------------------------------------

@dataclass
class CliState:
    """Shared by the contexts of one invocation (click's ``ctx.obj``): the config to load.

    ``--config`` may stand before or after the command name; a value given on the command
    line wins over one from the environment variable, a later one over an earlier one.
    """

    config: Path | None = None
    explicit: bool = False
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        """The deployment's settings, read once per invocation."""
        if self._settings is None:
            try:
                self._settings = load_settings(self.config)
            except ConfigError as exc:
                raise CommandError(f"configuration: {exc}") from None
        return self._settings


def _remember_config(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    state = ctx.ensure_object(CliState)
    if value is None:
        return
    explicit = ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
    if explicit or not state.explicit:
        state.config, state.explicit = value, explicit


def config_option() -> click.Option:
    """``--config PATH`` (else $ANGEBOTSKARTE_CONFIG, else ./angebotskarte.toml)."""
    return click.Option(
        ["--config"], metavar="PATH", envvar=ENV_VAR, expose_value=False, callback=_remember_config,
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"deployment config (TOML); default: ${ENV_VAR}, else ./angebotskarte.toml",
    )


def pass_settings(func: Callable[..., Any]) -> Callable[..., Any]:
    """Call the command with the settings named by --config as its first argument."""

    @functools.wraps(func)
    def with_settings(*args: Any, **kwargs: Any) -> Any:
        return func(click.get_current_context().ensure_object(CliState).settings(), *args, **kwargs)

    return with_settings


# -- commands and groups --------------------------------------------------------------------------

class Command(click.Command):
    """A leaf command: takes --config, returns its exit code, and never shows a traceback
    unless $ANGEBOTSKARTE_DEBUG is set."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.params.append(config_option())

    def invoke(self, ctx: click.Context) -> int:
        try:
            code = super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except CommandError as exc:
            _fail(ctx, str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail(ctx, "interrupted", 130)
        except (InputError, StoreError, ConfigError) as exc:
            _fail(ctx, f"{exc} (nothing was changed)", 2)
        except OSError as exc:  # unwritable report or store folder, disk full, ...
            where = f" ({exc.filename})" if exc.filename else ""
            _fail(ctx, f"{exc.strerror or exc}{where}", 2)
        except Exception as exc:  # a bug: one line for the user, the traceback on request
            if os.environ.get(DEBUG_ENV_VAR):
                raise
            _fail(ctx, f"unexpected error: {type(exc).__name__}: {exc} "
                       f"(set {DEBUG_ENV_VAR}=1 to see the traceback, and please report it)", 2)
        if code:
            ctx.exit(int(code))
        return 0


def _fail(ctx: click.Context, message: str, code: int) -> None:
    warn(f"{ctx.command_path}: {message}")
    ctx.exit(code)


class Group(click.Group):
    """A group of commands (``gazetteer build|info``): its commands are :class:`Command`\\ s,
    its subgroups groups like itself; called without a command it shows its help (exit 2).

    Commands are listed in the order they were added, not alphabetically: the order of
    the README's table, from first steps to serving.
    """

    command_class = Command
    group_class = type  # subgroups are of the same class

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs["callback"] = _help_without_command(kwargs.get("callback"))
        kwargs.setdefault("invoke_without_command", True)
        kwargs.setdefault("subcommand_metavar", "COMMAND [ARGS]...")
        super().__init__(*args, **kwargs)
        self.params.append(config_option())

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def _help_without_command(callback: Callable[..., Any] | None) -> Callable[..., Any]:
    """Wrap a group's callback: without a command, print the group's help and exit 2."""

    def show_help_or_continue(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        if ctx.invoked_subcommand is None:
            click.echo(ctx.get_help())
            ctx.exit(2)
        return callback(*args, **kwargs) if callback is not None else None

    if callback is not None:
        functools.update_wrapper(show_help_or_continue, callback)
    return show_help_or_continue


def run_main(group: click.Group, argv: list[str] | None) -> int:
    """Run ``group`` on ``argv`` (default: sys.argv) and return the exit code.

    Usage errors print click's usage message (exit 2); everything else is handled by
    :class:`Command`.
    """
    try:
        code = group.main(args=argv, prog_name="angebotskarte", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        warn("Aborted!")
        return 1
    return int(code or 0)

