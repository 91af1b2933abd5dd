"""Where offers are missing: language gaps and the ranked list of underserved districts.

A row of the underserved list is one district × category (× language, × target
group) where either

- at least [planning] ``gap_min_residents`` of the relevant residents have no
  matching offer within the walking catchment ([planning] ``catchment_m``), or
- every part of the district is within reach, but E2SFCA accessibility is below
  [planning] ``gap_access_ratio`` × the town-wide value (offers shared by many),
  for a group of at least ``gap_min_residents``.

Rows are ranked by the residents without an offer within reach (most first),
then by accessibility relative to the town (lowest first). Each row carries a
plain-language reason in German or English.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coverage import wording
from geo.coverage.context import CoverageContext, prepare
from geo.coverage.filters import CoverageQuery, resolve_query
from geo.coverage.table import (Basis, categories_of, check_metrics, district_rows, empty_table,
                                resolve_basis)
from geo.settings import Settings

GAP_COLUMNS = ("rank", "district_id", "district", "category", "language", "target_group", "group",
               "group_residents", "residents", "affected_residents", "share_within_catchment",
               "e2sfca_per_10k", "e2sfca_vs_town", "reason")


def language_gaps(offers: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, population: pd.DataFrame | None = None,
                  settings: Settings | None = None, *, category: str | None = None, language: str | None = None,
                  target_group: str | None = None, grid: pd.DataFrame | None = None,
                  context: CoverageContext | None = None, **overrides: Any) -> pd.DataFrame:
    """Coverage of offers in each language with estimated demand, per resident of its origin groups.

    For every language that [planning.origin_languages] links to a column of the
    population table (or just ``language``), and every category (or just
    ``category``): the coverage table rows of offers in that language, with the
    residents of the corresponding origin groups as the group (``group_residents``,
    ``offers_per_10k_group``, ``unreached_residents``, and E2SFCA with that
    group as demand).
    """
    ctx = context or prepare(offers, districts, population, settings, grid=grid, **overrides)
    query = resolve_query(ctx.categories, ctx.target_groups, category, language, target_group)
    codes = [query.language] if query.language else sorted(ctx.languages)
    metrics = check_metrics(None)
    frames = []
    for code in codes:
        if not ctx.languages.get(code):
            continue
        lang_query = CoverageQuery(query.category, code, query.target_group)
        basis = resolve_basis(ctx, lang_query)
        for cat in categories_of(ctx, lang_query):
            frames.append(district_rows(ctx, CoverageQuery(cat, code, query.target_group), basis, metrics))
    return pd.concat(frames, ignore_index=True) if frames else empty_table(metrics)


def underserved(offers: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, population: pd.DataFrame | None = None,
                settings: Settings | None = None, *, category: str | None = None, language: str | None = None,
                target_group: str | None = None, group: str | None = None, include_languages: bool = True,
                lang: str = "de", grid: pd.DataFrame | None = None, context: CoverageContext | None = None,
                **overrides: Any) -> pd.DataFrame:
    """The ranked list of underserved districts with a reason per row (see the module docstring).

    Parameters are those of :func:`geo.coverage.table.coverage_table`, plus
    ``include_languages`` (when no ``language`` is given, also rank the language
    gaps of every language with estimated demand) and ``lang`` ("de" or "en") for
    the wording of the reasons.

    Returns
    -------
    pandas.DataFrame
        :data:`GAP_COLUMNS`; ``rank`` starts at 1.
    """
    wording.check_lang(lang)
    ctx = context or prepare(offers, districts, population, settings, grid=grid, **overrides)
    query = resolve_query(ctx.categories, ctx.target_groups, category, language, target_group)
    metrics = check_metrics(None)
    parts: list[pd.DataFrame] = []
    basis = resolve_basis(ctx, query, group)
    for cat in categories_of(ctx, query):
        rows = district_rows(ctx, CoverageQuery(cat, query.language, query.target_group), basis, metrics)
        parts.append(_flag(ctx, rows, basis, lang))
    if include_languages and query.language is None and not group:
        for code in sorted(ctx.languages):
            lang_query = CoverageQuery(query.category, code, query.target_group)
            lang_basis = resolve_basis(ctx, lang_query)
            for cat in categories_of(ctx, lang_query):
                rows = district_rows(ctx, CoverageQuery(cat, code, query.target_group), lang_basis, metrics)
                parts.append(_flag(ctx, rows, lang_basis, lang))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in GAP_COLUMNS})
    gaps = pd.concat(parts, ignore_index=True)
    gaps = gaps.sort_values(["affected_residents", "e2sfca_vs_town", "district_id"],
                            ascending=[False, True, True], kind="stable", na_position="last")
    gaps.insert(0, "rank", np.arange(1, len(gaps) + 1))
    return gaps[list(GAP_COLUMNS)].reset_index(drop=True)


def _flag(ctx: CoverageContext, rows: pd.DataFrame, basis: Basis, lang: str) -> pd.DataFrame:
    """The rows of one question that count as underserved, with their reasons."""
    params = ctx.params
    people_total = rows["group_residents"] if basis.per_district is not None else rows["residents"]
    people_total = people_total.to_numpy(float)
    unreached = rows["unreached_residents"].to_numpy(float)
    ratio = rows["e2sfca_vs_town"].to_numpy(float)
    minimum = params.gap_min_residents
    not_reached = np.isfinite(unreached) & (unreached >= minimum) & (unreached > 0)
    low_access = (~not_reached & np.isfinite(ratio) & (ratio < params.gap_access_ratio)
                  & np.isfinite(people_total) & (people_total >= minimum) & (people_total > 0))
    keep = not_reached | low_access
    if not keep.any():
        return rows.iloc[0:0].assign(affected_residents=pd.Series(dtype=float), reason=pd.Series(dtype=object))
    out = rows[keep].copy()
    out["affected_residents"] = np.where(not_reached[keep], unreached[keep], 0.0)
    category = str(out["category"].iloc[0])
    cat_label = ctx.categories.label(category, lang)
    tg = str(out["target_group"].iloc[0]) or None
    tg_label = ctx.target_groups.label(tg, lang) if tg else None
    code = str(out["language"].iloc[0]) or None
    what = wording.what_phrase(cat_label, code, tg_label, lang)
    what_plural = wording.what_phrase(cat_label, code, tg_label, lang, plural=True)
    people = wording.people_phrase(basis.kind, basis.names, lang)
    reasons = []
    for row, total, reached_none in zip(out.itertuples(index=False), people_total[keep],
                                        (rows["share_within_catchment"].to_numpy(float)[keep] <= 0)):
        name = row.district or row.district_id
        if row.affected_residents > 0 and reached_none:
            reasons.append(wording.reason_none_reached(name, what, people, row.affected_residents,
                                                       params.catchment_m, lang))
        elif row.affected_residents > 0:
            reasons.append(wording.reason_partly_reached(name, what, people, row.affected_residents, total,
                                                         params.catchment_m, lang))
        else:
            reasons.append(wording.reason_low_access(name, what_plural, people, row.e2sfca_per_10k,
                                                     row.e2sfca_town_per_10k, lang))
    out["reason"] = reasons
    return out
