"""The ``angebotskarte`` command line: one subcommand per module in webmap/commands."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from geo.schema import InputError
from geo.settings import ConfigError
from geo.store import StoreError
from webmap.commands._common import CommandError, warn

# Subcommand modules, in the order --help lists them.
COMMANDS = [
    "init",
    "import_",
    "geocode",
    "gazetteer",
    "export",
    "export_html",
    "districts",
    "population",
    "population_grid",
    "coverage",
    "demo",
    "serve",
    "db",
    "store",
    "history",
    "revert",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="angebotskarte",
        description=(
            "Angebotskarte: import a town's integration offers from spreadsheets, GeoJSON or OSM, "
            "geocode them, and serve an accessible map, a search API and a planner's view."
        ),
        epilog="Run 'angebotskarte COMMAND --help' for the options of one command.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"webmap.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        warn(f"angebotskarte {args.command}: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        warn(f"angebotskarte {args.command}: interrupted")
        return 130
    except (InputError, StoreError, ConfigError) as exc:
        warn(f"angebotskarte {args.command}: {exc} (nothing was changed)")
        return 2
    except OSError as exc:  # unwritable report or store folder, disk full, ...
        where = f" ({exc.filename})" if exc.filename else ""
        warn(f"angebotskarte {args.command}: {exc.strerror or exc}{where}")
        return 2
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("ANGEBOTSKARTE_DEBUG"):
            raise
        warn(f"angebotskarte {args.command}: unexpected error: {type(exc).__name__}: {exc} "
             "(set ANGEBOTSKARTE_DEBUG=1 to see the traceback, and please report it)")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
