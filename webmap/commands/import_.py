"""angebotskarte import FILE: validate, geocode and store one offer list as one source."""

from __future__ import annotations


from geo.importer import import_file
from geo.schema import InputError
from geo.store import StoreError
from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args, warn

# Console shows this many problems; the --report file has all of them.
_SHOWN = 30


def register(sub) -> None:
    p = sub.add_parser(
        "import", help="import a CSV, XLSX or GeoJSON offer list",
        description=(
            "Import one offer list (CSV, XLSX or GeoJSON; German or English column headers). Every row ends in the "
            "store or in the report. Exit codes: 0 every row imported, 1 some rows rejected (the valid ones are "
            "stored), 2 the file is unusable (nothing changes)."
        ),
    )
    p.add_argument("file", metavar="FILE", help="the offer list")
    p.add_argument("--source", help="name of this list (default: the file name); re-importing a source replaces it")
    p.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    p.add_argument("--report", metavar="PATH", help="write every problem to this CSV file")
    p.add_argument("--strict", action="store_true", help="store nothing unless every row is valid")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    settings = settings_from_args(args)
    geocoder = build_configured_geocoder(settings)
    try:
        summary = import_file(args.file, settings, source=args.source, sheet=args.sheet, strict=args.strict,
                              geocoder=geocoder, report_path=args.report)
    except InputError as exc:
        raise CommandError(f"{exc} (nothing was changed)", 2) from None
    except StoreError as exc:
        raise CommandError(str(exc), 2) from None
    shown = [p for p in summary.problems if p.severity in ("error", "duplicate")][:_SHOWN]
    for problem in shown:
        warn(f"  {problem.severity}: {problem}")
    if len(summary.problems) > len(shown):
        hint = f"see {args.report}" if args.report else "use --report PATH to get all of them as CSV"
        warn(f"  ({len(summary.problems)} problems in all, incl. warnings; {hint})")
    for line in summary.lines():
        say(line)
    if args.strict and summary.rejected:
        say("--strict: nothing stored because some rows were rejected")
    return summary.exit_code


def build_configured_geocoder(settings):
    """The geocoder from [geocoding] providers, or None when none is configured."""
    if not settings.get("geocoding", "providers"):
        return None
    try:
        from geo.geocoding.pipeline import build_geocoder, districts_union
        from geo.store import open_store
    except ImportError:  # pragma: no cover - the pipeline ships with the package
        raise CommandError("[geocoding] providers are configured, but geocoding is not available", 2) from None
    try:
        with open_store(settings) as store:
            area = districts_union(store.districts())
        return build_geocoder(settings, area_filter=area)
    except ValueError as exc:
        raise CommandError(f"geocoding: {exc}", 2) from None
