"""The coverage table: one row per district (and category), the planner's numbers.

:func:`coverage_table` is the one call behind the CLI export and the
``/api/v1/coverage`` endpoint: parse the parameters, call it, render the frame.
Column meanings are in docs/planning.md; headings in both UI languages are in
:mod:`geo.coverage.wording`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coverage.context import CoverageContext, prepare
from geo.coverage.demand import language_demand
from geo.coverage.e2sfca import e2sfca
from geo.coverage.filters import CoverageQuery, QueryError, matching_offers, resolve_query
from geo.coverage.metrics import count_by_district, district_mean, nearest_cost, per_10k, reach_by_district
from geo.settings import Settings
from geo.text import fold

# Metric name (--metric) -> the columns it adds.
METRICS: dict[str, tuple[str, ...]] = {
    "count": ("offers", "virtual_offers"),
    "per_10k": ("offers_per_10k", "offers_per_10k_group"),
    "catchment": ("share_within_catchment", "unreached_residents"),
    "distance": ("median_distance_m", "p90_distance_m"),
    "e2sfca": ("e2sfca_per_10k", "e2sfca_town_per_10k", "e2sfca_vs_town"),
}
ID_COLUMNS = ("district_id", "district", "category", "language", "target_group", "group",
              "residents", "group_residents")


@dataclass
class Basis:
    """The residents a question is about: everyone, one population column, or origin groups.

    ``kind`` is "total", "column" or "origin"; ``names`` are what the reasons call
    the group (the column, or the configured origin keys); ``per_district`` the
    group's residents per district (None for "total").
    """

    kind: str = "total"
    columns: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    per_district: np.ndarray | None = None

    @property
    def label(self) -> str:
        return " + ".join(self.columns)


def coverage_table(offers: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, population: pd.DataFrame | None = None,
                   settings: Settings | None = None, *, category: str | None = None, language: str | None = None,
                   target_group: str | None = None, group: str | None = None, metrics: list[str] | None = None,
                   grid: pd.DataFrame | None = None, context: CoverageContext | None = None,
                   **overrides: Any) -> pd.DataFrame:
    """Coverage metrics per district and category.

    Parameters
    ----------
    offers, districts, population, settings, grid
        The store's frames and the deployment settings (see
        :func:`geo.coverage.context.prepare`); ignored when ``context`` is given.
    category, language, target_group
        Restrict to one category (else one block of rows per category), to offers
        in one language, or open to one target group. User words are accepted
        ("Beratung", "Arabisch", "Geflüchtete").
    group
        A population column to relate the offers to (per 10,000 of the group,
        E2SFCA demand). Default: the origin groups of ``language`` (see
        [planning.origin_languages]), else a column named like the target group,
        else [planning] foreign_field, else none.
    metrics
        Names from :data:`METRICS` (default all).
    context
        A prepared context to reuse across calls.
    overrides
        [planning] values for this call (catchment_m, e2sfca_catchment_m, decay, ...).

    Returns
    -------
    pandas.DataFrame
        :data:`ID_COLUMNS` plus the metric columns, one row per district × category.

    Raises
    ------
    QueryError
        For an unknown category, language, target group, group column or metric.
    """
    ctx = context or prepare(offers, districts, population, settings, grid=grid, **overrides)
    chosen = check_metrics(metrics)
    query = resolve_query(ctx.categories, ctx.target_groups, category, language, target_group)
    basis = resolve_basis(ctx, query, group)
    frames = [district_rows(ctx, CoverageQuery(cat, query.language, query.target_group), basis, chosen)
              for cat in categories_of(ctx, query)]
    return pd.concat(frames, ignore_index=True) if frames else empty_table(chosen)


def check_metrics(metrics: list[str] | None) -> list[str]:
    """The metric names asked for, in :data:`METRICS` order; all when None or empty."""
    if not metrics:
        return list(METRICS)
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise QueryError(f"metric {unknown[0]!r} is not known; allowed: {', '.join(METRICS)}")
    return [m for m in METRICS if m in metrics]


def empty_table(metrics: list[str]) -> pd.DataFrame:
    columns = list(ID_COLUMNS) + [c for m in metrics for c in METRICS[m]]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def categories_of(ctx: CoverageContext, query: CoverageQuery) -> list[str]:
    """The asked category, else every vocabulary category plus any others the offers use.

    Categories without offers are listed on purpose: a missing category is a gap.
    """
    if query.category is not None:
        return [query.category]
    found = list(ctx.categories.keys)
    for cat in pd.unique(ctx.offers["category"].astype(str)):
        if cat and cat not in found:
            found.append(cat)
    return found


def resolve_basis(ctx: CoverageContext, query: CoverageQuery, group: str | None = None) -> Basis:
    """Which residents the question is about (see :func:`coverage_table`, ``group``)."""
    columns = [str(c) for c in ctx.population.columns]
    if group:
        column = _find_column(columns, [group])
        if column is None:
            listed = ", ".join(c for c in columns if c != "population") or "(none)"
            raise QueryError(f"group {group!r} is not a column of the population table; columns: {listed}")
        return _column_basis(ctx, column)
    if query.language is not None and ctx.languages.get(query.language):
        group_columns = ctx.languages[query.language]
        names = [ctx.origin_keys.get(c, c) for c in group_columns]
        values = language_demand(ctx.population, group_columns).to_numpy(float)
        return Basis("origin", list(group_columns), names, values)
    if query.target_group is not None:
        term = ctx.target_groups.terms.get(query.target_group)
        words = [query.target_group] + ([term.de, term.en] if term else [])
        column = _find_column([c for c in columns if c != "population"], words)
        if column is not None:
            return _column_basis(ctx, column)
    foreign = ctx.params.foreign_field
    if foreign:
        column = _find_column(columns, [foreign])
        if column is not None:
            return _column_basis(ctx, column)
    return Basis()


def _find_column(columns: list[str], words: list[str]) -> str | None:
    for word in words:
        if word in columns:
            return word
    folded = {fold(c): c for c in columns}
    for word in words:
        if fold(word) in folded:
            return folded[fold(word)]
    return None


def _column_basis(ctx: CoverageContext, column: str) -> Basis:
    return Basis("column", [column], [column], ctx.population[column].to_numpy(float))


def district_rows(ctx: CoverageContext, query: CoverageQuery, basis: Basis, metrics: list[str]) -> pd.DataFrame:
    """The table rows of one category (``query.category``; None: all offers together)."""
    n = ctx.n_districts
    params = ctx.params
    offers = ctx.offers
    mask = matching_offers(offers, query)
    located = mask & offers["located"].to_numpy()
    residents = ctx.residents
    group_residents = basis.per_district if basis.per_district is not None else np.full(n, np.nan)
    basis_residents = group_residents if basis.per_district is not None else residents

    table: dict[str, Any] = {
        "district_id": ctx.districts["district_id"].to_numpy(),
        "district": ctx.districts["name"].to_numpy(),
        "category": query.category or "",
        "language": query.language or "",
        "target_group": query.target_group or "",
        "group": basis.label,
        "residents": residents,
        "group_residents": group_residents,
    }
    counts = count_by_district(offers["district_pos"].to_numpy()[located], n)
    if "count" in metrics:
        table["offers"] = counts
        table["virtual_offers"] = int((mask & offers["virtual"].to_numpy()).sum())
    if "per_10k" in metrics:
        table["offers_per_10k"] = per_10k(counts, residents)
        table["offers_per_10k_group"] = per_10k(counts, group_residents)

    demand = ctx.demand
    offer_xy = offers.loc[located, ["x", "y"]].to_numpy(float)
    if "catchment" in metrics or "distance" in metrics:
        cost = nearest_cost(demand.xy, offer_xy, params.detour_factor)
        share, median, p90 = reach_by_district(demand.district, demand.share, cost, params.catchment_m, n)
        if "catchment" in metrics:
            table["share_within_catchment"] = share
            table["unreached_residents"] = basis_residents * (1.0 - share)
        if "distance" in metrics:
            table["median_distance_m"] = np.where(np.isfinite(median), median, np.nan)
            table["p90_distance_m"] = np.where(np.isfinite(p90), p90, np.nan)
    if "e2sfca" in metrics:
        people = demand.spread(basis_residents)
        result = e2sfca(demand.xy, people, offer_xy, offers["supply"].to_numpy(float)[located],
                        catchment_m=params.e2sfca_catchment_m, decay=params.decay,
                        distance_factor=params.detour_factor)
        known = np.isfinite(basis_residents)
        per_district = district_mean(demand.district, demand.share, result.access, n) * 10_000
        per_district = np.where(known, per_district, np.nan)
        total_people = people.sum()
        town = float((people * result.access).sum() / total_people * 10_000) if total_people > 0 else np.nan
        table["e2sfca_per_10k"] = per_district
        table["e2sfca_town_per_10k"] = town
        table["e2sfca_vs_town"] = per_district / town if town and np.isfinite(town) else np.full(n, np.nan)
    return pd.DataFrame(table)
