"""angebotskarte demo: (re)build the demo instance's store from the files beside its config."""

from __future__ import annotations

from pathlib import Path

import click

from geo.districts import load_districts, load_population
from geo.importer import import_file
from geo.schema import InputError
from geo.settings import Settings
from geo.store import open_store
from webmap.cli.base import Command, CommandError, pass_settings, say


@click.command("demo", cls=Command, short_help="build the store of a config whose [districts], [population] and "
                                                "offers.csv sit beside it (the demo instance)")
@click.option("--offers", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="offer list (default: offers.csv beside the config)")
@pass_settings
def command(settings: Settings, offers: Path | None) -> int:
    """Rebuild the store from the files beside the config: districts ([districts] path),
    offers (offers.csv) and population ([population] path). Used by 'make serve'."""
    offers_path = offers or (settings.base_dir / "offers.csv")
    store = open_store(settings)
    try:
        districts_path = settings.path("districts", "path")
        if districts_path:
            districts, _ = load_districts(districts_path, settings.districts.name_field,
                                          settings.districts.id_field)
            store.replace_districts(districts, actor="demo")
        summary = import_file(offers_path, settings, source="demo", store=store)
        population_path = settings.path("population", "path")
        if population_path:
            table, problems = load_population(population_path, store.districts(),
                                              settings.population.district_field,
                                              settings.population.total_field)
            if problems:
                raise CommandError(f"demo population: {problems[0]}")
            store.replace_population(table, actor="demo")
    except InputError as exc:  # the districts may be written already: no "nothing was changed"
        raise CommandError(str(exc)) from None
    for line in summary.lines():
        say(line)
    say(f"demo store ready: {store.label}")
    return 0
