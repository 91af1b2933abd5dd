"""angebotskarte import FILE: validate, geocode and store one offer list as one source."""

from __future__ import annotations

from pathlib import Path

import click

from geo.importer import import_file
from geo.schema import InputError
from geo.settings import Settings
from geo.store import StoreError
from webmap.cli.base import Command, CommandError, pass_settings, say, warn
from webmap.cli.options import sheet_option

# Console shows this many problems; the --report file has all of them.
_SHOWN = 30


@click.command("import", cls=Command, short_help="import a CSV, XLSX, GeoJSON or HSDS offer list")
@click.argument("file", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--source", help="name of this list (default: the file name); re-importing a source replaces it")
@sheet_option
@click.option("--report", metavar="PATH", type=click.Path(dir_okay=False, path_type=Path),
              help="write every problem to this CSV file")
@click.option("--strict", is_flag=True, help="store nothing unless every row is valid")
@pass_settings
def command(settings: Settings, file: Path, source: str | None, sheet: str | None, report: Path | None,
            strict: bool) -> int:
    """Import one offer list (CSV, XLSX, GeoJSON or Open Referral HSDS 3.0; German or English column headers).

    Every row ends in the store or in the report. Exit codes: 0 every row imported, 1 some
    rows rejected (the valid ones are stored), 2 the file is unusable (nothing changes).
    """
    geocoder = build_configured_geocoder(settings)
    try:
        summary = import_file(file, settings, source=source, sheet=sheet, strict=strict,
                              geocoder=geocoder, report_path=report)
    except InputError as exc:
        raise CommandError(f"{exc} (nothing was changed)", 2) from None
    except StoreError as exc:
        raise CommandError(str(exc), 2) from None
    shown = [p for p in summary.problems if p.severity in ("error", "duplicate")][:_SHOWN]
    for problem in shown:
        warn(f"  {problem.severity}: {problem}")
    if len(summary.problems) > len(shown):
        hint = f"see {report}" if report else "use --report PATH to get all of them as CSV"
        warn(f"  ({len(summary.problems)} problems in all, incl. warnings; {hint})")
    for line in summary.lines():
        say(line)
    if strict and summary.rejected:
        say("--strict: nothing stored because some rows were rejected")
    return summary.exit_code


def build_configured_geocoder(settings: Settings):
    """The geocoder from [geocoding] providers, or None when none is configured."""
    if not settings.geocoding.providers:
        return None
    from geo.geocoding.pipeline import build_geocoder, districts_union
    from geo.store import open_store

    # Answers outside the loaded districts count as "outside_area" (the pipeline opens no store).
    with open_store(settings) as store:
        area = districts_union(store.districts())
    try:
        return build_geocoder(settings, area_filter=area)
    except ValueError as exc:
        raise CommandError(f"geocoding: {exc}", 2) from None
