"""angebotskarte coverage: the planner's table (or gap list) as CSV, XLSX, GeoJSON or GeoPackage."""

from __future__ import annotations

from geo.coverage import QueryError, coverage_table, language_gaps, prepare, underserved, write_table
from geo.coverage.export import output_format
from geo.coverage.inputs import load_inputs
from geo.coverage.grid import GridError
from geo.coverage.table import METRICS
from geo.store import open_store
from webmap.commands._common import CommandError, add_config_argument, say, settings_from_args


def register(sub) -> None:
    p = sub.add_parser(
        "coverage", help="coverage per district: counts, reach, E2SFCA accessibility, gaps",
        description="Per district and category: offers, offers per 10,000 residents, share of residents with a "
                    "matching offer within walking distance, median and 90th-percentile walk, E2SFCA "
                    "accessibility. With --underserved: the ranked list of underserved districts with a reason "
                    "per row. See docs/planning.md.")
    p.add_argument("--category", help="one category (key or name, e.g. counselling, Beratung); default: all")
    p.add_argument("--language", help="only offers in this language (code or name, e.g. ar, Arabisch)")
    p.add_argument("--target-group", help="only offers open to this target group (e.g. refugees, Frauen)")
    p.add_argument("--group", metavar="COLUMN",
                   help="population column to relate offers to (default: origin groups of --language, "
                        "else [planning] foreign_field)")
    p.add_argument("--metric", action="append", metavar="M",
                   help=f"metrics to include, repeat or comma-separate: {', '.join(METRICS)} (default: all)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--underserved", action="store_true",
                      help="write the ranked list of underserved districts with reasons instead of the table")
    what.add_argument("--language-gaps", action="store_true",
                      help="write the coverage of every language with estimated demand, per resident of its groups")
    p.add_argument("--lang", choices=("de", "en"), default="de", help="language of headings and reasons (default: de)")
    p.add_argument("--out", metavar="FILE", required=True, help="output file: .csv, .xlsx, .geojson or .gpkg")
    add_config_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    settings = settings_from_args(args)
    try:
        output_format(args.out)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    store = open_store(settings)
    if not store.exists():
        raise CommandError(f"no store at {store.label}; import offers and load districts first")
    try:
        inputs = load_inputs(store, settings)
    except GridError as exc:
        raise CommandError(f"[population] grid: {exc}") from None
    if inputs.districts.empty:
        raise CommandError(f"{store.label} has no districts; load them with 'angebotskarte districts FILE'")
    metrics = [m.strip() for item in (args.metric or []) for m in item.split(",") if m.strip()]
    try:
        ctx = prepare(inputs.offers, inputs.districts, inputs.population, settings, grid=inputs.grid)
        if args.underserved:
            table = underserved(None, None, context=ctx, category=args.category, language=args.language,
                                target_group=args.target_group, group=args.group, lang=args.lang)
            kind = "underserved"
        elif args.language_gaps:
            table = language_gaps(None, None, context=ctx, category=args.category, language=args.language,
                                  target_group=args.target_group)
            kind = "language_gaps"
        else:
            table = coverage_table(None, None, context=ctx, category=args.category, language=args.language,
                                   target_group=args.target_group, group=args.group, metrics=metrics)
            kind = "coverage"
    except QueryError as exc:
        raise CommandError(str(exc)) from None
    except ValueError as exc:
        raise CommandError(f"configuration or data: {exc}") from None
    out = write_table(table, args.out, districts=inputs.districts, categories=ctx.categories, lang=args.lang,
                      title=kind)
    residents = "grid" if ctx.demand.method == "grid" else "spread evenly over each district"
    say(f"wrote {len(table)} rows ({kind}, residents placed by {residents}) to {out}")
    return 0
