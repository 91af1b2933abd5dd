"""angebotskarte coverage: the planner's table (or gap list) as CSV, XLSX, GeoJSON or GeoPackage."""

from __future__ import annotations

from pathlib import Path

import click

from geo.coverage import QueryError, coverage_table, prepare, write_table
from geo.coverage import language_gaps as language_gap_table
from geo.coverage import underserved as underserved_table
from geo.coverage.export import output_format
from geo.coverage.grid import GridError
from geo.coverage.inputs import load_inputs
from geo.coverage.table import METRICS
from geo.settings import Settings
from webmap.cli.base import Command, CommandError, pass_settings, say
from webmap.cli.options import existing_store


@click.command("coverage", cls=Command, short_help="coverage per district: counts, reach, E2SFCA accessibility, gaps")
@click.option("--category", help="one category (key or name, e.g. counselling, Beratung); default: all")
@click.option("--language", help="only offers in this language (code or name, e.g. ar, Arabisch)")
@click.option("--target-group", help="only offers open to this target group (e.g. refugees, Frauen)")
@click.option("--group", metavar="COLUMN", help="population column to relate offers to (default: origin groups "
                                                "of --language, else [planning] foreign_field)")
@click.option("--metric", "metrics", multiple=True, metavar="M",
              help=f"metrics to include, repeat or comma-separate: {', '.join(METRICS)} (default: all)")
@click.option("--underserved", is_flag=True,
              help="write the ranked list of underserved districts with reasons instead of the table")
@click.option("--language-gaps", is_flag=True,
              help="write the coverage of every language with estimated demand, per resident of its groups")
@click.option("--lang", type=click.Choice(("de", "en")), default="de", show_default=True,
              help="language of headings and reasons")
@click.option("--out", metavar="FILE", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="output file: .csv, .xlsx, .geojson or .gpkg")
@pass_settings
def command(settings: Settings, category: str | None, language: str | None, target_group: str | None,
            group: str | None, metrics: tuple[str, ...], underserved: bool, language_gaps: bool, lang: str,
            out: Path) -> int:
    """Per district and category: offers, offers per 10,000 residents, share of residents
    with a matching offer within walking distance, median and 90th-percentile walk, E2SFCA
    accessibility. With --underserved: the ranked list of underserved districts with a
    reason per row; with --language-gaps: every language's coverage against its estimated
    demand. See docs/planning.md."""
    if underserved and language_gaps:
        raise click.UsageError("--underserved and --language-gaps exclude each other")
    try:
        output_format(out)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    store = existing_store(settings, "import offers and load districts first")
    try:
        inputs = load_inputs(store, settings)
    except GridError as exc:
        raise CommandError(f"[population] grid: {exc}") from None
    if inputs.districts.empty:
        raise CommandError(f"{store.label} has no districts; load them with 'angebotskarte districts FILE'")
    chosen = [m.strip() for item in metrics for m in item.split(",") if m.strip()]
    filters = dict(category=category, language=language, target_group=target_group)
    kind = "underserved" if underserved else "language_gaps" if language_gaps else "coverage"
    try:
        ctx = prepare(inputs.offers, inputs.districts, inputs.population, settings, grid=inputs.grid)
        if kind == "underserved":
            table = underserved_table(None, None, context=ctx, group=group, lang=lang, **filters)
        elif kind == "language_gaps":
            table = language_gap_table(None, None, context=ctx, **filters)
        else:
            table = coverage_table(None, None, context=ctx, group=group, metrics=chosen, **filters)
    except QueryError as exc:
        raise CommandError(str(exc)) from None
    except ValueError as exc:
        raise CommandError(f"configuration or data: {exc}") from None
    written = write_table(table, out, districts=inputs.districts, categories=ctx.categories, lang=lang, title=kind)
    residents = "grid" if ctx.demand.method == "grid" else "spread evenly over each district"
    say(f"wrote {len(table)} rows ({kind}, residents placed by {residents}) to {written}")
    return 0
