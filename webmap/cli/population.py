"""angebotskarte population [FILE]: load residents per district (for the planner's view)."""

from __future__ import annotations

from pathlib import Path

import click

from geo.districts import load_population
from geo.settings import Settings
from geo.store import open_store
from webmap.cli.base import Command, CommandError, pass_settings, say, warn
from webmap.cli.options import file_or_configured, optional_file_argument


@click.command("population", cls=Command, short_help="load a population table per district (CSV/XLSX)")
@optional_file_argument
@click.option("--district-field", help="column with district id or name (default: [population] district_field)")
@click.option("--total-field", help="column with total residents (default: [population] total_field)")
@pass_settings
def command(settings: Settings, file: Path | None, district_field: str | None, total_field: str | None) -> int:
    """Load residents per district from FILE (CSV or XLSX; default: [population] path).
    Further numeric columns (foreign residents, origin groups, age bands) are kept for the
    planner's view."""
    path = file_or_configured(settings, file, "population", "path")
    store = open_store(settings)
    table, problems = load_population(path, store.districts(),
                                      district_field or settings.population.district_field,
                                      total_field or settings.population.total_field)
    for problem in problems:
        warn(f"  {problem.severity}: {problem}")
    if any(p.severity == "error" for p in problems):
        raise CommandError(f"{len(problems)} rows could not be matched (nothing was changed)", 1)
    store.replace_population(table, actor=f"population {Path(path).name}")
    say(f"population for {len(table)} districts loaded ({int(table['population'].sum())} residents)")
    return 0
