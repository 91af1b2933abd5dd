"""The planner's answers, from this request's snapshot: the coverage context and cached tables.

The coverage context (districts and offers projected, demand points, the
population aligned) is built once per snapshot; answers to recent questions
are kept with the snapshot too (at most :data:`CACHE_SIZE`), so they age out
with their data version.
"""

from __future__ import annotations

import pandas as pd
from flask import Response, current_app

from geo.coverage import coverage_table, prepare, underserved
from geo.coverage.filters import CoverageQuery, resolve_query
from geo.coverage.grid import GridError, read_zensus_grid
from geo.coverage.inputs import GRID_LAYER, CoverageInputs, grid_bounds
from geo.coverage.table import check_metrics, district_rows, resolve_basis
from geo.readmodel import Snapshot
from geo.store import StoreError
from webmap import http
from webmap.params import ParameterError
from webmap.planning.classify import Classification, classify, map_column
from webmap.planning.params import CoverageParams

CACHE_SIZE = 64


def coverage_inputs(snap: Snapshot, settings) -> CoverageInputs:
    """Offers, districts, population and the population grid of one snapshot (None without a grid)."""
    table = snap.table(GRID_LAYER)
    grid = None
    if table is not None:
        grid = pd.DataFrame({c: pd.to_numeric(table[c], errors="coerce") for c in ("x", "y", "population")})
    else:
        path = settings.path("population", "grid")
        if path is not None:
            grid = read_zensus_grid(path, bounds=grid_bounds(snap.districts, settings))
    return CoverageInputs(snap.offers, snap.districts, snap.population, grid)


def coverage_context(snap: Snapshot):
    """(inputs, context, problem) of a snapshot; the context is None when coverage cannot be
    computed (no districts, an unreadable grid, …) and problem says why."""
    settings = current_app.config["ANGEBOTSKARTE"]

    def build(s: Snapshot):
        inputs, ctx, error = None, None, None
        try:
            inputs = coverage_inputs(s, settings)
            if inputs.districts is None or inputs.districts.empty:
                error = "no-districts"
            else:
                ctx = prepare(inputs.offers, inputs.districts, inputs.population, settings, grid=inputs.grid)
        except GridError as exc:
            error = f"[population] grid: {exc}"
        except (StoreError, ValueError, OSError) as exc:
            error = str(exc)
        return inputs, ctx, error

    return snap.derived("coverage_context", build)


def _answer(snap: Snapshot, key: tuple, compute):
    return snap.memo("planning", CACHE_SIZE).get(key, compute)


def table_for(snap: Snapshot, ctx, params: CoverageParams) -> pd.DataFrame:
    """The library's coverage table for ``params`` (what the API and the downloads give)."""
    key = ("table", params.category, params.language, params.target_group, params.group, params.metrics)
    return _answer(snap, key, lambda: coverage_table(
        None, None, context=ctx, category=params.category, language=params.language,
        target_group=params.target_group, group=params.group, metrics=list(params.metrics) or None))


def gaps_for(snap: Snapshot, ctx, params: CoverageParams, lang: str) -> pd.DataFrame:
    """The ranked underserved list for ``params``, reasons in ``lang`` ("de" or "en")."""
    key = ("gaps", params.category, params.language, params.target_group, params.group, lang)
    return _answer(snap, key, lambda: underserved(
        None, None, context=ctx, category=params.category, language=params.language,
        target_group=params.target_group, group=params.group, lang=lang))


def page_rows(snap: Snapshot, ctx, params: CoverageParams, metrics: list[str]) -> pd.DataFrame:
    """One row per district: the chosen category, or all categories' offers together when none is chosen."""
    key = ("page", params.category, params.language, params.target_group, params.group, tuple(metrics))

    def compute() -> pd.DataFrame:
        if params.category:
            return coverage_table(None, None, context=ctx, category=params.category, language=params.language,
                                  target_group=params.target_group, group=params.group, metrics=metrics)
        query = resolve_query(ctx.categories, ctx.target_groups, None, params.language, params.target_group)
        basis = resolve_basis(ctx, query, params.group)
        return district_rows(ctx, CoverageQuery(None, query.language, query.target_group), basis,
                             check_metrics(metrics))

    return _answer(snap, key, compute)


def classification_for(rows: pd.DataFrame, params: CoverageParams) -> Classification:
    """The classes of the column the question's metric maps, for these rows."""
    column = map_column(params.map_metric, rows)
    return classify(rows[column].to_numpy(float) if column in rows else [], params.scheme, params.classes, column)


def unavailable(error: str | None) -> Response:
    """The JSON answer when coverage cannot be computed: 404 without districts, else 503."""
    if error == "no-districts":
        text = "no districts are loaded; coverage is computed per district (angebotskarte districts FILE)"
        return http.error_response(404, ParameterError(None, None, text, None))
    return http.error_response(503, ParameterError(None, None, f"coverage cannot be computed: {error}", None))
