"""The planner's view: ``/planung`` (choropleth, sortable table, underserved list) and its downloads.

Every state is a URL, as on the newcomer's map: the question is a plain GET form
(``category``, ``language``, ``target_group``, ``group``, ``metric``) plus how the
page shows it (``scheme``, ``classes``, ``sort``, ``ui``). Everything works without
JavaScript: the table is the map's text alternative and ``sort=`` orders it on the
server. With JavaScript (webmap/static/js/planning.js) the map colours the district
polygons (from ``/api/v1/districts``) by the classes computed here with mapclassify,
draws the matching offers on top (``/planung/offers.geojson``) and the table sorts
in place.

Views stay thin: :func:`parse_params` checks the parameters with the library's own
validation (geo.coverage), one cached call of geo.coverage answers, the template
renders. ``GET /api/v1/coverage`` (webmap/planning_api.py) answers the same question
as JSON. See docs/planning.md, "The /planung page".
"""

from __future__ import annotations

import math
import re
import tempfile
import threading
import unicodedata
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from flask_babel import format_decimal, format_percent, gettext, ngettext

from geo.coverage import METRICS, QueryError, coverage_table, prepare, underserved, write_table
from geo.coverage.export import FORMATS
from geo.coverage.filters import CoverageQuery, matching_offers, resolve_query
from geo.coverage.table import check_metrics, district_rows, resolve_basis
from geo.geojson import feature_collection, json_value
from geo.languages import language_name
from geo.vocab import fold
from webmap.i18n import ui_lang, vocabulary_label
from webmap.params import ParameterError
from webmap.state import current_data

bp = Blueprint("planning", __name__, url_prefix="/planung")

# The question: the same names as `angebotskarte coverage` (--target-group is target_group here).
COVERAGE_PARAMETERS = ("category", "language", "target_group", "group", "metric")
# How the map classifies the chosen metric (page and API).
CLASSIFY_PARAMETERS = ("scheme", "classes")
PAGE_PARAMETERS = COVERAGE_PARAMETERS + CLASSIFY_PARAMETERS + ("sort", "ui")
DOWNLOAD_PARAMETERS = COVERAGE_PARAMETERS + ("lang",) + CLASSIFY_PARAMETERS + ("sort", "ui")
POINTS_PARAMETERS = PAGE_PARAMETERS

SCHEMES = ("quantiles", "natural_breaks", "equal_interval")
DEFAULT_SCHEME = "quantiles"
MIN_CLASSES, MAX_CLASSES, DEFAULT_CLASSES = 3, 7, 5
REASON_LANGS = ("de", "en")
# The page maps one metric; this one answers "where are people far from an offer?" most directly.
DEFAULT_PAGE_METRIC = "catchment"
# The column a metric colours the map with (per_10k: per 10,000 of the group when there is one).
MAP_COLUMNS = {
    "count": "offers",
    "per_10k": "offers_per_10k",
    "catchment": "share_within_catchment",
    "distance": "median_distance_m",
    "e2sfca": "e2sfca_per_10k",
}
# Columns the page's table shows per metric (town-wide constants go into the summary instead).
TABLE_COLUMNS = {
    "count": ("offers",),
    "per_10k": ("offers_per_10k", "offers_per_10k_group"),
    "catchment": ("share_within_catchment", "unreached_residents"),
    "distance": ("median_distance_m", "p90_distance_m"),
    "e2sfca": ("e2sfca_per_10k", "e2sfca_vs_town"),
}
GROUP_ONLY_COLUMNS = ("group_residents", "offers_per_10k_group")
# ColorBrewer YlGnBu (colour-blind safe, prints in grey): lighter = lower, darker = higher.
PALETTES = {
    1: ("#41b6c4",),
    2: ("#a1dab4", "#225ea8"),
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
}
NO_DATA_COLOUR = "#d9d9d9"
GAP_LIMIT = 20  # entries of the underserved list on the page; the download has all
MAX_VALUE_LENGTH = 100
CACHE_SIZE = 64
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
}
_EXTENSION = "angebotskarte.planning"


# --------------------------------------------------------------------------- the question


@dataclass(frozen=True)
class CoverageParams:
    """One planner's question, with canonical values (keys, codes, column names)."""

    category: str | None = None
    language: str | None = None
    target_group: str | None = None
    group: str | None = None
    metrics: tuple[str, ...] = ()          # as asked, METRICS order; () = the library's default (all)
    scheme: str = DEFAULT_SCHEME
    classes: int = DEFAULT_CLASSES
    lang: str | None = None                # wording of reasons and headings; None: from the UI language
    sort: str | None = None                # page only: column, "-column" for descending

    @property
    def map_metric(self) -> str:
        return self.metrics[0] if self.metrics else DEFAULT_PAGE_METRIC

    def question_items(self) -> list[tuple[str, str]]:
        """The question as query-string pairs (for links to downloads, the API and the offers)."""
        items = [(name, value) for name, value in (("category", self.category), ("language", self.language),
                                                    ("target_group", self.target_group), ("group", self.group))
                 if value]
        if self.metrics:
            items.append(("metric", ",".join(self.metrics)))
        return items

    def echo(self) -> dict[str, Any]:
        """The parameters as understood (canonical values), for JSON answers."""
        return {"category": self.category, "language": self.language, "target_group": self.target_group,
                "group": self.group, "metric": list(self.metrics or METRICS), "lang": self.lang or "de",
                "scheme": self.scheme, "classes": self.classes}


def parse_params(args, ctx, accepted: tuple[str, ...]) -> tuple[CoverageParams, list[ParameterError]]:
    """A CoverageParams from request arguments, and every problem found.

    Values are checked by geo.coverage itself (resolve_query, resolve_basis,
    check_metrics), so the page, the downloads, the API and the CLI accept and
    refuse the same words. A parameter with a problem keeps its default; the
    caller decides whether that is a 400 (API, downloads) or a note on the page.
    """
    problems: list[ParameterError] = []
    values: dict[str, Any] = {}
    for name in args.keys():
        if name not in accepted:
            problems.append(ParameterError(name, ",".join(args.getlist(name)), f"unknown parameter {name!r}",
                                           sorted(accepted)))

    def scalar(name: str) -> str | None:
        given = [v.strip() for v in args.getlist(name) if v.strip()] if name in accepted else []
        if not given:
            return None
        joined = ",".join(given)
        if len(given) > 1:
            problems.append(ParameterError(name, joined, f"{name} was given {len(given)} times", "give it once"))
            return None
        if len(joined) > MAX_VALUE_LENGTH or any(unicodedata.category(c) == "Cc" for c in joined):
            problems.append(ParameterError(name, joined[:MAX_VALUE_LENGTH].encode("unicode_escape").decode(),
                                           f"{name} is too long or contains control characters",
                                           f"printable text of at most {MAX_VALUE_LENGTH} characters"))
            return None
        return given[0]

    def term(name: str, keyword: str, allowed: Any) -> str | None:
        raw = scalar(name)
        if raw is None:
            return None
        try:
            return getattr(resolve_query(ctx.categories, ctx.target_groups, **{keyword: raw}), keyword)
        except QueryError as exc:
            problems.append(ParameterError(name, raw, str(exc), allowed))
            return None

    values["category"] = term("category", "category", ctx.categories.keys)
    values["language"] = term("language", "language", "an ISO 639 code (ar, uk, prs, kmr, ...) or a language name")
    values["target_group"] = term("target_group", "target_group", ctx.target_groups.keys)
    raw_group = scalar("group")
    if raw_group is not None:
        try:
            values["group"] = resolve_basis(ctx, CoverageQuery(), raw_group).columns[0]
        except QueryError as exc:
            problems.append(ParameterError("group", raw_group, str(exc), population_columns(ctx)))
    if "metric" in accepted:
        raw_metrics = [m.strip() for v in args.getlist("metric") for m in v.split(",") if m.strip()]
        try:
            values["metrics"] = tuple(check_metrics(raw_metrics)) if raw_metrics else ()
        except QueryError as exc:
            problems.append(ParameterError("metric", ",".join(raw_metrics)[:200], str(exc), list(METRICS)))
    raw_scheme = scalar("scheme")
    if raw_scheme is not None:
        if raw_scheme in SCHEMES:
            values["scheme"] = raw_scheme
        else:
            problems.append(ParameterError("scheme", raw_scheme, f"unknown classification scheme {raw_scheme!r}",
                                           list(SCHEMES)))
    raw_classes = scalar("classes")
    if raw_classes is not None:
        if re.fullmatch(r"[0-9]{1,2}", raw_classes) and MIN_CLASSES <= int(raw_classes) <= MAX_CLASSES:
            values["classes"] = int(raw_classes)
        else:
            problems.append(ParameterError("classes", raw_classes, "classes must be a whole number from "
                                           f"{MIN_CLASSES} to {MAX_CLASSES}",
                                           [str(n) for n in range(MIN_CLASSES, MAX_CLASSES + 1)]))
    raw_lang = scalar("lang")
    if raw_lang is not None:
        if raw_lang in REASON_LANGS:
            values["lang"] = raw_lang
        else:
            problems.append(ParameterError("lang", raw_lang, f"lang must be one of {', '.join(REASON_LANGS)}",
                                           list(REASON_LANGS)))
    values["sort"] = scalar("sort")
    return CoverageParams(**values), problems


def population_columns(ctx) -> list[str]:
    """Columns of the population table a question may relate offers to (``group``)."""
    return [str(c) for c in ctx.population.columns if str(c) != "population"]


# --------------------------------------------------------------------------- classification


@dataclass
class Classification:
    """Classes of one column's values, computed with mapclassify.

    ``breaks`` are the classes' upper bounds (mapclassify's ``bins``), ``lower``
    the smallest value; class *i* holds values in (breaks[i-1], breaks[i]], the
    first one [lower, breaks[0]]. ``classes`` gives each value's class (None
    where the value is missing).
    """

    column: str
    scheme: str
    k: int
    lower: float | None
    breaks: list[float]
    colours: list[str]
    counts: list[int]
    classes: list[int | None] = field(repr=False)

    def as_dict(self, district_ids) -> dict[str, Any]:
        return {
            "column": self.column, "scheme": self.scheme, "k": self.k, "lower": self.lower,
            "breaks": self.breaks, "colours": self.colours, "counts": self.counts,
            "no_data_colour": NO_DATA_COLOUR,
            "districts": {str(d): c for d, c in zip(district_ids, self.classes)},
        }


def classify(values, scheme: str = DEFAULT_SCHEME, k: int = DEFAULT_CLASSES, column: str = "") -> Classification:
    """Classes of ``values`` by ``scheme``: quantiles, natural breaks (Fisher-Jenks) or equal intervals.

    Missing values get no class. With fewer distinct values than ``k`` there are
    as many classes as distinct values; classes that would repeat a break
    (quantiles of tied values) are merged, so ``k`` may come out smaller.
    """
    import mapclassify

    y = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    known = np.isfinite(y)
    if not known.any():
        return Classification(column, scheme, 0, None, [], [], [], [None] * len(y))
    data = y[known]
    distinct = np.unique(data)
    if len(distinct) == 1:
        bins, yb = np.array([distinct[0]]), np.zeros(len(data), dtype=int)
    else:
        kinds = {"quantiles": mapclassify.Quantiles, "natural_breaks": mapclassify.FisherJenks,
                 "equal_interval": mapclassify.EqualInterval}
        with warnings.catch_warnings():
            # mapclassify warns about merged classes and a missing numba; neither matters here.
            warnings.simplefilter("ignore")
            result = kinds[scheme](data, k=int(min(k, len(distinct))))
        bins, yb = np.asarray(result.bins, dtype=float), np.asarray(result.yb, dtype=int)
    n = len(bins)
    palette = PALETTES[min(n, max(PALETTES))]
    classes: list[int | None] = [None] * len(y)
    for position, cls in zip(np.flatnonzero(known), yb):
        classes[int(position)] = int(cls)
    counts = np.bincount(yb, minlength=n).tolist()
    return Classification(column, scheme, n, float(data.min()), [float(b) for b in bins], list(palette[:n]),
                          [int(c) for c in counts], classes)


# --------------------------------------------------------------------------- data and answers, cached


class _PlanningCache:
    """Recent answers (LRU); their keys hold the data version, so old ones age out."""

    def __init__(self):
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple, Any] = OrderedDict()

    def answer(self, key: tuple, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        value = compute()
        with self._lock:
            self._answers[key] = value
            while len(self._answers) > CACHE_SIZE:
                self._answers.popitem(last=False)
        return value


def _cache() -> _PlanningCache:
    return current_app.extensions[_EXTENSION]


def coverage_context():
    """(inputs, context, problem) of the current data version; the context is None when
    coverage cannot be computed (no districts, an unreadable grid, …) and problem says why."""
    from geo.coverage.grid import GridError
    from geo.coverage.inputs import load_inputs
    from geo.store import StoreError

    data = current_data()

    def build():
        inputs, ctx, error = None, None, None
        try:
            inputs = load_inputs(data.store, data.settings)
            if inputs.districts is None or inputs.districts.empty:
                error = "no-districts"
            else:
                ctx = prepare(inputs.offers, inputs.districts, inputs.population, data.settings, grid=inputs.grid)
        except GridError as exc:
            error = f"[population] grid: {exc}"
        except (StoreError, ValueError, OSError) as exc:
            error = str(exc)
        return inputs, ctx, error

    try:
        return data.derived("coverage_context", build)
    except StoreError as exc:
        return None, None, str(exc)


def table_for(ctx, params: CoverageParams) -> pd.DataFrame:
    """The library's coverage table for ``params`` (what the API and the downloads give)."""
    key = ("table", current_data().version, params.category, params.language, params.target_group, params.group,
           params.metrics)
    return _cache().answer(key, lambda: coverage_table(
        None, None, context=ctx, category=params.category, language=params.language,
        target_group=params.target_group, group=params.group, metrics=list(params.metrics) or None))


def gaps_for(ctx, params: CoverageParams, lang: str) -> pd.DataFrame:
    """The ranked underserved list for ``params``, reasons in ``lang`` ("de" or "en")."""
    key = ("gaps", current_data().version, params.category, params.language, params.target_group, params.group, lang)
    return _cache().answer(key, lambda: underserved(
        None, None, context=ctx, category=params.category, language=params.language,
        target_group=params.target_group, group=params.group, lang=lang))


def page_rows(ctx, params: CoverageParams, metrics: list[str]) -> pd.DataFrame:
    """One row per district: the chosen category, or all categories' offers together when none is chosen."""
    key = ("page", current_data().version, params.category, params.language, params.target_group, params.group,
           tuple(metrics))

    def compute() -> pd.DataFrame:
        if params.category:
            return coverage_table(None, None, context=ctx, category=params.category, language=params.language,
                                  target_group=params.target_group, group=params.group, metrics=metrics)
        query = resolve_query(ctx.categories, ctx.target_groups, None, params.language, params.target_group)
        basis = resolve_basis(ctx, query, params.group)
        return district_rows(ctx, CoverageQuery(None, query.language, query.target_group), basis,
                             check_metrics(metrics))

    return _cache().answer(key, compute)


def map_column(metric: str, rows: pd.DataFrame) -> str:
    if metric == "per_10k" and len(rows) and str(rows["group"].iloc[0]):
        return "offers_per_10k_group"
    return MAP_COLUMNS[metric]


def classification_for(rows: pd.DataFrame, params: CoverageParams) -> Classification:
    column = map_column(params.map_metric, rows)
    return classify(rows[column].to_numpy(float) if column in rows else [], params.scheme, params.classes, column)


# --------------------------------------------------------------------------- wording and numbers


def metric_labels() -> dict[str, str]:
    return {
        "count": gettext("Number of offers in the district"),
        "per_10k": gettext("Offers per 10,000 residents"),
        "catchment": gettext("Share of residents with an offer within walking distance"),
        "distance": gettext("Walking distance to the nearest offer"),
        "e2sfca": gettext("Accessibility (E2SFCA, offers per 10,000 residents within reach)"),
    }


def column_labels() -> dict[str, str]:
    return {
        "district": gettext("District"),
        "residents": gettext("Residents"),
        "group_residents": gettext("Residents of the group"),
        "offers": gettext("Offers in the district"),
        "offers_per_10k": gettext("Offers per 10,000 residents"),
        "offers_per_10k_group": gettext("Offers per 10,000 of the group"),
        "share_within_catchment": gettext("Share with an offer within walking distance"),
        "unreached_residents": gettext("Residents without an offer within walking distance"),
        "median_distance_m": gettext("Median walk to the nearest offer (m)"),
        "p90_distance_m": gettext("9 in 10 residents live closer than (m)"),
        "e2sfca_per_10k": gettext("Accessibility per 10,000"),
        "e2sfca_vs_town": gettext("Accessibility compared with the town"),
    }


def scheme_labels() -> dict[str, str]:
    return {
        "quantiles": gettext("Quantiles (about as many districts in each class)"),
        "natural_breaks": gettext("Natural breaks (Fisher-Jenks)"),
        "equal_interval": gettext("Equal intervals"),
    }


_PERCENT_COLUMNS = ("share_within_catchment", "e2sfca_vs_town")
_DECIMALS = {"offers_per_10k": "#,##0.0", "offers_per_10k_group": "#,##0.0", "e2sfca_per_10k": "#,##0.00"}


def format_value(column: str, value) -> str:
    """A table value in the UI language's number format; "–" when there is none."""
    if value is None or (isinstance(value, (float, np.floating)) and not math.isfinite(value)):
        return "–"
    if column in _PERCENT_COLUMNS:
        return format_percent(float(value))
    return format_decimal(float(value), _DECIMALS.get(column, "#,##0"))


def legend_entries(classification: Classification) -> list[dict]:
    entries = []
    low = classification.lower
    for i, (high, colour, count) in enumerate(zip(classification.breaks, classification.colours,
                                                  classification.counts)):
        low_text, high_text = format_value(classification.column, low), format_value(classification.column, high)
        if i == 0 and low == high:
            text = high_text
        elif i == 0:
            text = gettext("%(low)s to %(high)s", low=low_text, high=high_text)
        else:
            text = gettext("more than %(low)s to %(high)s", low=low_text, high=high_text)
        entries.append({"index": i, "colour": colour, "text": text, "count": count, "upper": high,
                        "count_text": ngettext("%(num)d district", "%(num)d districts", count)})
        low = high
    return entries


def reason_lang(ui: str) -> str:
    """The underserved reasons exist in German and English; other UI languages read German."""
    return ui if ui in REASON_LANGS else "de"


# --------------------------------------------------------------------------- the page


def _url(endpoint: str, items: list[tuple[str, str]], **values) -> str:
    base = url_for(endpoint, **values)
    return base + ("?" + urlencode(items) if items else "")


def _page_items(params: CoverageParams, *, sort: str | None, lang: str) -> list[tuple[str, str]]:
    items = params.question_items()
    if params.scheme != DEFAULT_SCHEME:
        items.append(("scheme", params.scheme))
    if params.classes != DEFAULT_CLASSES:
        items.append(("classes", str(params.classes)))
    if sort:
        items.append(("sort", sort))
    items.append(("ui", lang))
    return items


def _table_columns(rows: pd.DataFrame, metrics: list[str]) -> list[str]:
    """District, the chosen metrics' columns (first, so they show without scrolling), offers and residents."""
    has_group = bool(len(rows)) and bool(str(rows["group"].iloc[0]))
    columns = ["district"]
    for column in [*(c for m in metrics for c in TABLE_COLUMNS[m]), "offers", "residents", "group_residents"]:
        if column not in columns and (has_group or column not in GROUP_ONLY_COLUMNS):
            columns.append(column)
    return columns


def _sorted(rows: pd.DataFrame, sort: str | None) -> pd.DataFrame:
    if not sort:
        return rows
    column, descending = sort.lstrip("-"), sort.startswith("-")
    if column == "district":
        keys = rows["district"].astype(str).map(fold)
        order = keys.sort_values(ascending=not descending, kind="stable").index
    else:
        order = rows[column].astype(float).sort_values(ascending=not descending, kind="stable",
                                                       na_position="last").index
    return rows.loc[order]


def _select_options(ctx, lang: str) -> dict[str, list[dict]]:
    categories = [{"value": k, "label": vocabulary_label(ctx.categories, k, lang)} for k in ctx.categories.keys]
    groups = [{"value": k, "label": vocabulary_label(ctx.target_groups, k, lang)} for k in ctx.target_groups.keys]
    codes = set(ctx.languages)
    for value in ctx.offers["languages"]:
        if isinstance(value, (list, tuple, np.ndarray)):
            codes.update(str(v) for v in value)
    languages = sorted(({"value": c, "label": language_name(c, lang)} for c in codes),
                       key=lambda o: fold(o["label"]))
    columns = [{"value": c, "label": c} for c in population_columns(ctx)]
    metric_names = metric_labels()
    schemes = scheme_labels()
    return {
        "category": categories, "language": languages, "target_group": groups, "group": columns,
        "metric": [{"value": m, "label": metric_names[m]} for m in METRICS],
        "scheme": [{"value": s, "label": schemes[s]} for s in SCHEMES],
        "classes": [{"value": str(n), "label": str(n)} for n in range(MIN_CLASSES, MAX_CLASSES + 1)],
    }


def _question_text(ctx, params: CoverageParams, rows: pd.DataFrame, lang: str) -> list[str]:
    parts = [vocabulary_label(ctx.categories, params.category, lang) if params.category
             else gettext("All categories together")]
    if params.language:
        parts.append(gettext("in %(language)s", language=language_name(params.language, lang)))
    if params.target_group:
        parts.append(gettext("open to: %(group)s",
                             group=vocabulary_label(ctx.target_groups, params.target_group, lang)))
    group = str(rows["group"].iloc[0]) if len(rows) else ""
    parts.append(gettext("population group: %(group)s", group=group) if group else gettext("all residents"))
    return parts


def _labels_for_script(metric_label: str) -> dict[str, str]:
    return {
        "mapRegion": gettext("Map: %(metric)s by district. The table has the same values.", metric=metric_label),
        "noValue": gettext("no value"),
        "loadFailed": gettext("The map data could not be loaded. The table has the same values."),
    }


@bp.get("")
def page():
    from webmap.maps import choropleth_map_config
    from webmap.pages import common_context
    from webmap.vendor import vendor_url

    data = current_data()
    lang = ui_lang()
    inputs, ctx, error = coverage_context()
    common = common_context()
    if ctx is None:
        if error == "no-districts":
            text = gettext("No districts are loaded yet. Load district polygons and population numbers first "
                           "(angebotskarte districts FILE, angebotskarte population FILE).")
        else:
            text = gettext("Coverage cannot be computed with the current data or settings: %(error)s", error=error)
        return render_template("planning.html", **common, unavailable=text)

    params, problems = parse_params(request.args, ctx, PAGE_PARAMETERS)
    chosen = list(params.metrics) or [DEFAULT_PAGE_METRIC]
    metrics = list(dict.fromkeys(["count", *chosen]))
    rows = page_rows(ctx, params, metrics).reset_index(drop=True)
    columns = _table_columns(rows, chosen)
    sort = params.sort
    if sort and sort.lstrip("-") not in columns:
        problems.append(ParameterError("sort", sort, f"unknown sort column {sort!r}", columns))
        sort = None
    classification = classification_for(rows, params)
    labels = column_labels()
    metric_label = metric_labels()[params.map_metric]

    header = []
    for column in columns:
        state = None
        if sort and sort.lstrip("-") == column:
            state = "descending" if sort.startswith("-") else "ascending"
        following = f"-{column}" if state == "ascending" else column
        header.append({
            "key": column, "label": labels[column], "numeric": column != "district", "sort": state,
            "url": _url("planning.page", _page_items(params, sort=following, lang=lang)),
            "mapped": column == classification.column,
        })
    body = []
    for _, row in _sorted(rows, sort).iterrows():
        cells = [{"value": "" if not np.isfinite(float(row[c])) else repr(float(row[c])),
                  "text": format_value(c, row[c])} for c in columns[1:]]
        district_class = classification.classes[int(row.name)]
        body.append({"district": str(row["district"] or row["district_id"]), "id": str(row["district_id"]),
                     "cells": cells, "class": district_class})

    wording = reason_lang(lang)
    gaps = gaps_for(ctx, params, wording)
    question = params.question_items()
    gap_items = [{"rank": int(r.rank), "reason": str(r.reason)} for r in gaps.head(GAP_LIMIT).itertuples()]
    downloads = [{"format": fmt, "label": label,
                  "table": _url("planning.download", question + [("lang", wording)], fmt=fmt),
                  "gaps": _url("planning.gaps", question + [("lang", wording)], fmt=fmt)}
                 for fmt, label in (("xlsx", "Excel (XLSX)"), ("csv", "CSV"), ("geojson", "GeoJSON"),
                                    ("gpkg", "GeoPackage"))]
    offers_items = [(k, v) for k, v in question if k in ("category", "language", "target_group")]
    settings = data.settings
    config = choropleth_map_config(
        settings, vendor_url,
        districts_url=url_for("api.districts"),
        offers_url=_url("planning.offers", offers_items),
        classification=classification.as_dict(rows["district_id"].astype(str)),
        values={str(i): format_value(classification.column, v)
                for i, v in zip(rows["district_id"], rows[classification.column])} if classification.column in rows
        else {},
        names={str(i): str(n or i) for i, n in zip(rows["district_id"], rows["district"])},
        labels=_labels_for_script(metric_label),
    )
    virtual = int(rows["virtual_offers"].iloc[0]) if len(rows) and "virtual_offers" in rows else 0
    town = float(rows["e2sfca_town_per_10k"].iloc[0]) if "e2sfca_town_per_10k" in rows and len(rows) else None
    message = None
    if problems:
        names = [f"{p.parameter}={p.value}" if p.value else p.parameter for p in problems]
        message = gettext("Some filters in this link were not understood and have been left out: %(names)s",
                          names=", ".join(names))
    form = {"category": params.category or "", "language": params.language or "",
            "target_group": params.target_group or "", "group": params.group or "", "metric": params.map_metric,
            "scheme": params.scheme, "classes": str(params.classes)}
    return render_template(
        "planning.html", **common, unavailable=None, message=message, form=form,
        options=_select_options(ctx, lang), question=_question_text(ctx, params, rows, lang),
        metric_label=metric_label, header=header, rows=body, legend=legend_entries(classification),
        classification=classification, map_config=config, downloads=downloads,
        gaps={"items": gap_items, "total": len(gaps), "lang": wording,
              "german_note": wording != lang and lang != "de"},
        virtual=virtual, town=None if town is None or not math.isfinite(town) else format_value("e2sfca_per_10k", town),
        planning=ctx.params, demand_method=ctx.demand.method,
        catchment=format_decimal(ctx.params.catchment_m, "#,##0"),
        detour=format_decimal(ctx.params.detour_factor, "0.0#"),
        minimum=format_decimal(ctx.params.gap_min_residents, "#,##0"),
    )


# --------------------------------------------------------------------------- offers for the map


@bp.get("/offers.geojson")
def offers() -> Response:
    """The located offers that answer the question (category, language, target group) as GeoJSON points.

    Exactly the offers the table counts (geo.coverage.filters.matching_offers): an
    offer with no target group, or with "all", is open to every group.
    """
    inputs, ctx, _error = coverage_context()
    if ctx is None:
        return _json({"type": "FeatureCollection", "features": []})
    params, problems = parse_params(request.args, ctx, POINTS_PARAMETERS)
    if problems:
        return _bad_request(problems)
    query = CoverageQuery(params.category, params.language, params.target_group)
    mask = matching_offers(ctx.offers, query) & ctx.offers["located"].to_numpy()
    positions = np.flatnonzero(mask)
    frame = inputs.offers.iloc[positions].to_crs(4326)
    lang = ui_lang()
    features = []
    for rec, geom in zip(frame.drop(columns=frame.geometry.name).to_dict("records"), frame.geometry.values):
        features.append({
            "type": "Feature", "id": str(rec.get("id", "")),
            "geometry": {"type": "Point", "coordinates": [geom.x, geom.y]},  # GeoJSON order: lon, lat
            "properties": {"id": str(rec.get("id", "")), "name": str(rec.get("name", "") or ""),
                           "category": str(rec.get("category", "") or ""),
                           "category_label": vocabulary_label(ctx.categories, str(rec.get("category", "")), lang)},
        })
    return _json(feature_collection(features, numberMatched=len(features)), mimetype="application/geo+json")


# --------------------------------------------------------------------------- downloads


def _export(kind: str, fmt: str) -> Response:
    inputs, ctx, error = coverage_context()
    if fmt not in FORMATS:
        return _bad_request([ParameterError("format", fmt, f"unknown download format {fmt!r}", list(FORMATS))],
                            status=404)
    if ctx is None:
        return unavailable(error)
    params, problems = parse_params(request.args, ctx, DOWNLOAD_PARAMETERS)
    if problems:
        return _bad_request(problems)
    lang = params.lang or reason_lang(ui_lang())
    table = gaps_for(ctx, params, lang) if kind == "underserved" else table_for(ctx, params)
    with tempfile.TemporaryDirectory(prefix="angebotskarte-") as folder:
        path = write_table(table, Path(folder) / f"{kind}.{fmt}", districts=inputs.districts,
                           categories=ctx.categories, lang=lang, title=kind)
        body = path.read_bytes()
    name = "-".join([kind, *(re.sub(r"[^A-Za-z0-9_]+", "_", v) for v in
                             (params.category, params.language, params.target_group) if v)])
    response = Response(body, mimetype=MEDIA_TYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = MEDIA_TYPES[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/download.<fmt>")
def download(fmt: str) -> Response:
    """The coverage table of the question as CSV, XLSX (one sheet per category), GeoJSON or GeoPackage."""
    return _export("coverage", fmt)


@bp.get("/gaps.<fmt>")
def gaps(fmt: str) -> Response:
    """The ranked underserved list of the question, with reasons, in the same formats."""
    return _export("underserved", fmt)


# --------------------------------------------------------------------------- small helpers


def _json(body: Any, status: int = 200, mimetype: str = "application/json") -> Response:
    import json

    return Response(json.dumps(json_value(body), ensure_ascii=False, separators=(",", ":")), status=status,
                    mimetype=mimetype)


def _bad_request(problems: list[ParameterError], status: int = 400) -> Response:
    body = dict(problems[0].as_dict())
    body["problems"] = [p.as_dict() for p in problems]
    response = _json(body, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def unavailable(error: str | None) -> Response:
    """The JSON answer when coverage cannot be computed: 404 without districts, else 503."""
    if error == "no-districts":
        text = "no districts are loaded; coverage is computed per district (angebotskarte districts FILE)"
        return _bad_request([ParameterError(None, None, text, None)], status=404)
    return _bad_request([ParameterError(None, None, f"coverage cannot be computed: {error}", None)], status=503)


@bp.after_request
def _compress(response: Response) -> Response:
    from webmap import api

    return api.api_state().compress.after_request(response)


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = _PlanningCache()
    app.register_blueprint(bp)
    from webmap import planning_api

    planning_api.init_app(app)
