"""The ``angebotskarte`` command line: one subcommand per module in webmap/commands."""

from __future__ import annotations

import argparse
import importlib
import sys

from webmap.commands._common import CommandError, warn

# Subcommand modules, in the order --help lists them.
COMMANDS = [
    "init",
    "import_",
    "geocode",
    "gazetteer",
    "export",
    "districts",
    "population",
    "population_grid",
    "coverage",
    "demo",
    "serve",
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
