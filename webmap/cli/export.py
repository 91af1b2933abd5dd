"""angebotskarte export: write the whole store in an open format."""

from __future__ import annotations

from pathlib import Path

import click

from geo.export import FORMATS, export_store
from geo.hsds.export import HSDS_FORMATS, export_hsds
from geo.hsds.taxonomy import vocabularies
from geo.settings import Settings
from webmap.cli.base import Command, pass_settings, say
from webmap.cli.options import existing_store


@click.command("export", cls=Command, short_help="export all offers (geojson, csv, xlsx, gpkg, hsds, hsds-csv)")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="geojson", show_default=True,
              help="output format (hsds: Open Referral HSDS 3.0 as one JSON object; hsds-csv: its tabular "
                   "package, a zip of CSV files and datapackage.json)")
@click.option("--out", metavar="PATH", type=click.Path(dir_okay=False, path_type=Path),
              help="output file (default: offers.<format> in the current folder)")
@pass_settings
def command(settings: Settings, fmt: str, out: Path | None) -> int:
    """Export every offer of the store. Export followed by import reproduces the offers.

    Spreadsheets (csv, xlsx) never hold a live formula: a text that a spreadsheet program
    would run as one is written as text (see docs/import.md).
    """
    store = existing_store(settings, "import offers first")
    out = out or Path(f"offers.{ {'hsds': 'json', 'hsds-csv': 'hsds.zip'}.get(fmt, fmt)}")
    if fmt in HSDS_FORMATS:  # HSDS publishes the deployment's own categories and target groups
        count = export_hsds(store, fmt, out, vocabularies(settings))
    else:
        count = export_store(store, fmt, out)
    say(f"wrote {count} offers to {out} ({fmt})")
    return 0
