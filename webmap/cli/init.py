"""angebotskarte init DIR: write a commented starter configuration."""

from __future__ import annotations

from pathlib import Path

import click

from geo.settings import DEFAULT_FILENAME, defaults_text
from webmap.cli.base import Command, CommandError, say


@click.command("init", cls=Command, short_help="write a commented starter config (angebotskarte.toml) into DIR")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="overwrite an existing angebotskarte.toml")
def command(directory: Path, force: bool) -> int:
    """Write a commented starter configuration with every key and its default into
    DIR/angebotskarte.toml (DIR is created if missing)."""
    target = directory / DEFAULT_FILENAME
    if target.exists() and not force:
        raise CommandError(f"{target} exists; use --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(defaults_text(), encoding="utf-8")
    say(f"wrote {target}; edit [area] and [store] first, then run: angebotskarte import FILE --config {target}")
    return 0
