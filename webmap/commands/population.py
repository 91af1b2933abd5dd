"""angebotskarte population FILE: load residents per district (for the planner's view)."""

from __future__ import annotations

from pathlib import Path

from geo.districts import load_population
from geo.schema import InputError
from geo.store import open_store
from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args, warn


def register(sub) -> None:
    p = sub.add_parser("population", help="load a population table per district (CSV/XLSX)",
                       description="Load residents per district. Further numeric columns (foreign residents, origin "
                                   "groups, age bands) are kept for the planner's view.")
    p.add_argument("file", metavar="FILE", nargs="?", help="CSV or XLSX (default: [population] path)")
    p.add_argument("--district-field", help="column with district id or name (default: [population] district_field)")
    p.add_argument("--total-field", help="column with total residents (default: [population] total_field)")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    settings = settings_from_args(args)
    path = args.file or settings.path("population", "path")
    if not path:
        raise CommandError("no FILE given and [population] path is empty")
    store = open_store(settings)
    try:
        table, problems = load_population(path, store.districts(),
                                          args.district_field or settings.get("population", "district_field"),
                                          args.total_field or settings.get("population", "total_field"))
    except InputError as exc:
        raise CommandError(f"{exc} (nothing was changed)") from None
    for problem in problems:
        warn(f"  {problem.severity}: {problem}")
    if any(p.severity == "error" for p in problems):
        raise CommandError(f"{len(problems)} rows could not be matched (nothing was changed)", 1)
    store.replace_population(table, actor=f"population {Path(path).name}")
    say(f"population for {len(table)} districts loaded ({int(table['population'].sum())} residents)")
    return 0
