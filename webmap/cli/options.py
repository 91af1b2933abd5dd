"""Options, argument types and checks that several commands share, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from geo.settings import Settings
from geo.store import Store, open_store
from webmap.cli.base import CommandError
from webmap.server import check_limit


class Limited(click.ParamType):
    """An integer in the range :data:`webmap.server.LIMITS` gives for ``kind`` (port, threads, ...)."""

    def __init__(self, kind: str):
        self.kind = kind
        self.name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            return check_limit(self.kind, value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def sheet_option(func):
    """``--sheet NAME`` for commands reading XLSX."""
    return click.option("--sheet", help="XLSX sheet name (default: the first sheet)")(func)


def optional_file_argument(func):
    """An optional FILE argument; :func:`file_or_configured` falls back to a path of the config."""
    return click.argument("file", metavar="[FILE]", required=False, type=click.Path(path_type=Path))(func)


def file_or_configured(settings: Settings, given: Path | None, section: str, key: str,
                       what: str = "FILE") -> Path:
    """The FILE given on the command line, else the path ``[section] key`` of the config."""
    path = given or settings.path(section, key)
    if not path:
        raise CommandError(f"no {what} given and [{section}] {key} is empty")
    return Path(path)


def existing_store(settings: Settings, first: str = "import offers first (angebotskarte import FILE)") -> Store:
    """The store of the config, which must exist already; ``first`` says how to make it."""
    store = open_store(settings)
    if not store.exists():
        raise CommandError(f"no store at {store.label}; {first}")
    return store
