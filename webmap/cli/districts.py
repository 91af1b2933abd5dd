"""angebotskarte districts [FILE]: load district polygons and assign every offer to one."""

from __future__ import annotations

from pathlib import Path

import click

from geo.districts import load_districts
from geo.settings import Settings
from geo.store import open_store
from webmap.cli.base import Command, pass_settings, say, warn
from webmap.cli.options import file_or_configured, optional_file_argument


@click.command("districts", cls=Command, short_help="load district polygons (GeoJSON, GeoPackage, Shapefile)")
@optional_file_argument
@click.option("--name-field", help="field with the district name (default: [districts] name_field)")
@click.option("--id-field", help="field with a unique district id (default: [districts] id_field)")
@click.option("--layer", help="layer name in a multi-layer file")
@pass_settings
def command(settings: Settings, file: Path | None, name_field: str | None, id_field: str | None,
            layer: str | None) -> int:
    """Load district polygons from FILE (default: [districts] path) in any CRS, repair invalid
    ones, store them in WGS84 and assign every offer to the district containing it (offers
    outside are flagged)."""
    path = file_or_configured(settings, file, "districts", "path")
    # InputError: the generic handler says "(nothing was changed)"
    districts, problems = load_districts(path, name_field or settings.districts.name_field,
                                         id_field or settings.districts.id_field, layer=layer)
    for problem in problems:
        warn(f"  {problem.severity}: {problem}")
    with open_store(settings) as store:
        # The store assigns every offer to its district in the same transaction.
        store.replace_districts(districts, actor=f"districts {Path(path).name}")
        offers = store.offers()
    inside = int((offers["district_status"] == "inside").sum())
    outside = int((offers["district_status"] == "outside").sum())
    say(f"{len(districts)} districts loaded; offers: {inside} inside a district, {outside} outside every district")
    return 0
