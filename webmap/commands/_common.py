"""What every subcommand shares: the --config option, settings loading, error output."""

from __future__ import annotations

import argparse
import sys

from geo.settings import ConfigError, Settings, load_settings


class CommandError(Exception):
    """A problem to tell the user in one line (exit code 2 unless given)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    """Every subcommand takes --config after its own name."""
    parser.add_argument(
        "--config", metavar="PATH", default=None,
        help="deployment config (TOML); default: $ANGEBOTSKARTE_CONFIG, else ./angebotskarte.toml",
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Load the settings named by --config, turning config problems into CommandError."""
    try:
        return load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        raise CommandError(f"configuration: {exc}") from None


def say(message: str = "") -> None:
    """Progress and summaries go to stdout."""
    print(message, flush=True)


def warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
