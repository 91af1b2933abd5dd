"""angebotskarte export: write the whole store in an open format."""

from __future__ import annotations

from pathlib import Path

from geo.export import FORMATS, export_store
from geo.store import open_store
from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args


def register(sub) -> None:
    p = sub.add_parser("export", help="export all offers (geojson, csv, xlsx, gpkg, hsds)",
                       description="Export every offer of the store. Export followed by import reproduces the offers.")
    p.add_argument("--format", choices=FORMATS, default="geojson", help="output format (default: geojson)")
    p.add_argument("--out", metavar="PATH", help="output file (default: offers.<format> in the current folder)")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    settings = settings_from_args(args)
    store = open_store(settings)
    if not store.exists():
        raise CommandError(f"no store at {store.label}; import offers first")
    ext = "json" if args.format == "hsds" else args.format
    out = Path(args.out or f"offers.{ext}")
    count = export_store(store, args.format, out)
    say(f"wrote {count} offers to {out} ({args.format})")
    return 0
