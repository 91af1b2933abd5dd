"""``/planung``: the planner's page (choropleth, sortable table, underserved list).

Every state is a URL, as on the newcomer's map: the question is a plain GET form
(``category``, ``language``, ``target_group``, ``group``, ``metric``) plus how the
page shows it (``scheme``, ``classes``, ``sort``, ``ui``). Everything works without
JavaScript: the table is the map's text alternative and ``sort=`` orders it on the
server. With JavaScript (webmap/static/js/planning.js) the map colours the district
polygons (from ``/api/v1/districts``) by the classes computed here with mapclassify,
draws the matching offers on top (webmap.planning.points) and the table sorts in place.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from flask import render_template, request, url_for
from flask_babel import format_decimal, gettext

from geo.coverage import METRICS
from geo.languages import language_name
from geo.vocab import fold
from webmap.i18n import ui_lang, vocabulary_label
from webmap.maps import choropleth_map_config
from webmap.pages.context import common_context
from webmap.params import ParameterError
from webmap.planning.answers import classification_for, coverage_context, gaps_for, page_rows
from webmap.planning.blueprint import bp
from webmap.planning.classify import DEFAULT_CLASSES, DEFAULT_SCHEME, MAX_CLASSES, MIN_CLASSES, SCHEMES
from webmap.planning.params import DEFAULT_PAGE_METRIC, PAGE_PARAMETERS, CoverageParams, parse_params, population_columns
from webmap.planning.wording import (column_labels, format_value, legend_entries, metric_labels, reason_lang,
                                     scheme_labels)
from webmap.state import current_data, snapshot
from webmap.vendor import vendor_url

TABLE_COLUMNS = {
    "count": ("offers",),
    "per_10k": ("offers_per_10k", "offers_per_10k_group"),
    "catchment": ("share_within_catchment", "unreached_residents"),
    "distance": ("median_distance_m", "p90_distance_m"),
    "e2sfca": ("e2sfca_per_10k", "e2sfca_vs_town"),
}
GROUP_ONLY_COLUMNS = ("group_residents", "offers_per_10k_group")
GAP_LIMIT = 20  # entries of the underserved list on the page; the download has all


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
        # {shown} and {total} are filled in by planning.js (one answer holds at most [api] max_planning_offers).
        "partialOffers": gettext("The map shows %(shown)s of the %(total)s matching offers; the table counts all "
                                 "of them.", shown="{shown}", total="{total}"),
    }



@bp.get("")
def page():
    """The planner's page for the question in the URL (see docs/planning.md, "The /planung page")."""
    data = current_data()
    snap = snapshot()
    lang = ui_lang()
    inputs, ctx, error = coverage_context(snap)
    common = common_context()
    if ctx is None:
        if error == "no-districts":
            text = gettext("No districts are loaded yet. Load district polygons and population numbers first "
                           "(angebotskarte districts FILE, angebotskarte population FILE).")
        else:
            text = gettext("Coverage cannot be computed with the current data or settings: %(error)s", error=error)
        return render_template("planning/page.html", **common, unavailable=text)

    params, problems = parse_params(request.args, ctx, PAGE_PARAMETERS)
    chosen = list(params.metrics) or [DEFAULT_PAGE_METRIC]
    metrics = list(dict.fromkeys(["count", *chosen]))
    rows = page_rows(snap, ctx, params, metrics).reset_index(drop=True)
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
    gaps = gaps_for(snap, ctx, params, wording)
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
        "planning/page.html", **common, unavailable=None, message=message, form=form,
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

