"""angebotskarte export: write the whole store in an open format."""

from __future__ import annotations

from pathlib import Path

import click

from geo.export import FORMATS, export_store
from geo.settings import Settings
from webmap.cli.base import Command, pass_settings, say
from webmap.cli.options import existing_store


@click.command("export", cls=Command, short_help="export all offers (geojson, csv, xlsx, gpkg, hsds)")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="geojson", show_default=True,
              help="output format")
@click.option("--out", metavar="PATH", type=click.Path(dir_okay=False, path_type=Path),
              help="output file (default: offers.<format> in the current folder)")
@pass_settings
def command(settings: Settings, fmt: str, out: Path | None) -> int:
    """Export every offer of the store. Export followed by import reproduces the offers.

    Spreadsheets (csv, xlsx) never hold a live formula: a text that a spreadsheet program
    would run as one is written as text (see docs/import.md).
    """
    store = existing_store(settings, "import offers first")
    out = out or Path(f"offers.{'json' if fmt == 'hsds' else fmt}")
    count = export_store(store, fmt, out)
    say(f"wrote {count} offers to {out} ({fmt})")
    return 0
