"""angebotskarte districts FILE: load district polygons and assign every offer to one."""

from __future__ import annotations

from pathlib import Path

from geo.districts import load_districts
from geo.schema import InputError
from geo.store import open_store
from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args, warn


def register(sub) -> None:
    p = sub.add_parser("districts", help="load district polygons (GeoJSON, GeoPackage, Shapefile)",
                       description="Load district polygons in any CRS, repair invalid ones, store them in WGS84 and "
                                   "assign every offer to the district containing it (offers outside are flagged).")
    p.add_argument("file", metavar="FILE", nargs="?", help="polygon file (default: [districts] path)")
    p.add_argument("--name-field", help="field with the district name (default: [districts] name_field)")
    p.add_argument("--id-field", help="field with a unique district id (default: [districts] id_field)")
    p.add_argument("--layer", help="layer name in a multi-layer file")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    settings = settings_from_args(args)
    path = args.file or settings.path("districts", "path")
    if not path:
        raise CommandError("no FILE given and [districts] path is empty")
    try:
        districts, problems = load_districts(path, args.name_field or settings.get("districts", "name_field"),
                                             args.id_field or settings.get("districts", "id_field"), layer=args.layer)
    except InputError as exc:
        raise CommandError(f"{exc} (nothing was changed)") from None
    for problem in problems:
        warn(f"  {problem.severity}: {problem}")
    with open_store(settings) as store:
        store.replace_districts(districts, actor=f"districts {Path(path).name}")
        offers = store.offers()
    inside = int((offers["district_status"] == "inside").sum())
    outside = int((offers["district_status"] == "outside").sum())
    say(f"{len(districts)} districts loaded; offers: {inside} inside a district, {outside} outside every district")
    return 0
