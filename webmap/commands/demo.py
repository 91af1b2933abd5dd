"""angebotskarte demo: (re)build the demo instance's store from data/demo."""

from __future__ import annotations

from geo.districts import load_districts, load_population
from geo.importer import import_file
from geo.schema import InputError
from geo.store import open_store
from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args


def register(sub) -> None:
    p = sub.add_parser("demo", help="build the store of a config whose [districts], [population] and offers.csv "
                                    "sit beside it (the demo instance)",
                       description="Rebuild the store from the files beside the config: districts ([districts] path), "
                                   "offers (offers.csv) and population ([population] path). Used by 'make serve'.")
    p.add_argument("--offers", metavar="FILE", help="offer list (default: offers.csv beside the config)")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    settings = settings_from_args(args)
    offers_path = args.offers or (settings.base_dir / "offers.csv")
    store = open_store(settings)
    try:
        districts_path = settings.path("districts", "path")
        if districts_path:
            districts, _ = load_districts(districts_path, settings.get("districts", "name_field"),
                                          settings.get("districts", "id_field"))
            store.replace_districts(districts, actor="demo")
        summary = import_file(offers_path, settings, source="demo", store=store)
        population_path = settings.path("population", "path")
        if population_path:
            table, problems = load_population(population_path, store.districts(),
                                              settings.get("population", "district_field"),
                                              settings.get("population", "total_field"))
            if problems:
                raise CommandError(f"demo population: {problems[0]}")
            store.replace_population(table, actor="demo")
    except InputError as exc:
        raise CommandError(str(exc)) from None
    for line in summary.lines():
        say(line)
    say(f"demo store ready: {store.label}")
    return 0
