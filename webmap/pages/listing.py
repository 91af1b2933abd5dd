"""``/``: the newcomer's map and list with filters.

Every state is a URL: the filter form is a plain GET form using the API's
parameter names (category, language, target_group, district, q, open_now,
wheelchair, offset), parsed by webmap.params exactly as the API parses them
and answered by the same OfferIndex query. ``near`` is the one extension: on
these pages it may hold an address, which is geocoded (rate-limited per
client, never logged) into the API's ``near=lat,lon``.

Everything works without JavaScript. With it (webmap/static/js), the list is
refreshed in place from ``/?…&partial=results`` (this view, rendering only
the results section) and the map from ``/api/v1/clusters``.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from flask import current_app, render_template, request, url_for
from flask_babel import gettext

from geo.languages import language_name, native_name
from webmap import maps
from webmap.i18n import ui_lang, vocabulary_label
from webmap.pages.address_search import address_geocoder, resolve_location
from webmap.pages.blueprint import bp
from webmap.pages.context import common_context, map_labels
from webmap.pages.offer_views import ICON_SPRITE, category_info, html_lang, offer_records, offer_view
from webmap.pages.query import page_query
from webmap.state import current_data, derived, district_names, snapshot
from webmap.vendor import vendor_url

PAGE_SIZE = 50
# Facets the form offers, in order (wheelchair and open_now are single checkboxes).
FORM_FACETS = ("category", "language", "target_group", "district")


def facet_views(query, counts: dict[str, dict[str, int]], lang: str) -> list[dict]:
    data = current_data()
    index = snapshot().index
    names = district_names()
    legends = {"category": gettext("Category"), "language": gettext("Language of the offer"),
               "target_group": gettext("Target group"), "district": gettext("District")}
    views = []
    for facet in FORM_FACETS:
        chosen = set(query.facet_values(facet))
        facet_counts = counts.get(facet, {})
        values = list(index.facets[facet].values) if facet in index.facets else []
        values += [v for v in chosen if v not in values]
        options = []
        for value in values:
            option = {"value": value, "count": int(facet_counts.get(value, 0)), "checked": value in chosen,
                      "lang": None, "note": None, "icon": False}
            if facet == "category":
                option["label"] = vocabulary_label(data.categories, value, lang)
                option["icon"] = True
            elif facet == "target_group":
                option["label"] = vocabulary_label(data.target_groups, value, lang)
            elif facet == "language":
                option["label"] = native_name(value)
                option["lang"] = html_lang(value)
                name = language_name(value, lang)
                option["note"] = name if name.casefold() != option["label"].casefold() else None
            else:
                option["label"] = names.get(value, value)
            option["hidden"] = option["count"] == 0 and not option["checked"]
            options.append(option)
        if facet == "category":
            order = {k: i for i, k in enumerate(data.categories.keys)}
            options.sort(key=lambda o: order.get(o["value"], len(order)))
        elif facet == "target_group":
            order = {k: i for i, k in enumerate(data.target_groups.keys)}
            options.sort(key=lambda o: order.get(o["value"], len(order)))
        elif facet == "language":
            options.sort(key=lambda o: (-o["count"], o["label"].casefold()))
        else:
            options.sort(key=lambda o: o["label"].casefold())
        if any(not o["hidden"] for o in options):
            views.append({"name": facet, "legend": legends[facet], "options": options,
                          "selected": len(chosen), "open": bool(chosen)})
    return views


def _page_url(args, **changes) -> str:
    params = [(k, v) for k, v in args.items(multi=True) if k not in changes and k != "partial"]
    params += [(k, v) for k, v in changes.items() if v not in (None, "", 0)]
    return url_for("pages.index") + ("?" + urlencode(params) if params else "")


def _map_query(args) -> str:
    """The filters the map shows, as an API query string (no place, page or UI language)."""
    keep = [(k, v) for k, v in args.items(multi=True)
            if k in ("category", "language", "target_group", "district", "q", "open_now", "wheelchair") and v]
    return urlencode(keep)


def _legend(lang: str) -> list[dict]:
    data = current_data()
    index = snapshot().index
    present = set(index.facets["category"].values) if "category" in index.facets else set()
    return [category_info(k, lang) for k in data.categories.keys if k in present]


@bp.get("/")
def index():
    data = current_data()
    lang = ui_lang()
    args = request.args
    near_text = args.get("near", "").strip()
    location, message = resolve_location(near_text)
    query, problems = page_query(args, near=location, limit=PAGE_SIZE)
    results, result = result_page(query, location, near_text, facets=True)
    total = results["total"]
    results.update({
        "facets": result.facets or {},
        "map_query": _map_query(args),
        "pages": total > PAGE_SIZE,
        "previous_url": _page_url(args, offset=max(0, query.offset - PAGE_SIZE)) if query.offset > 0 else None,
        "next_url": _page_url(args, offset=query.offset + PAGE_SIZE) if query.offset + PAGE_SIZE < total else None,
    })
    if problems and message is None:
        message = {"kind": "error", "text": gettext(
            "Some filters in this link were not understood and have been left out: %(names)s",
            names=", ".join(problems))}
    status = (message or {}).get("status", 200)
    context = dict(common_context(), results=results, location_message=message)
    if args.get("partial") == "results":
        return render_template("partials/results.html", **context), status
    form = {"q": args.get("q", ""), "near": near_text, "open_now": query.open_now,
            "wheelchair": "yes" in query.wheelchair}
    fit = data_bounds()
    if location is not None:
        lat, lon = location
        fit = [[lat - 0.01, lon - 0.015], [lat + 0.01, lon + 0.015]]
    map_config = maps.offers_map_config(
        data.settings, vendor_url,
        categories={k: category_info(k, lang) for k in data.categories.keys},
        data_url=url_for("api.clusters"),
        detail_url=url_for("pages.offer", offer_id="__ID__", ui=lang),
        labels=map_labels(), fit=fit,
    )
    map_config.update(iconSprite=url_for("static", filename=ICON_SPRITE), query=results["map_query"])
    if location is not None:
        map_config["here"] = {"lat": location[0], "lon": location[1], "label": gettext("Your search location")}
    return render_template(
        "pages/index.html", **context, form=form, facets=facet_views(query, result.facets or {}, lang),
        legend=_legend(lang), map_config=map_config, address_search=address_geocoder() is not None,
        filtered=bool(request.args),
    ), status


def data_bounds() -> list[list[float]] | None:
    """[[lat_min, lon_min], [lat_max, lon_max]] of the located offers inside [area] bbox, or None."""
    lon_min, lat_min, lon_max, lat_max = current_app.config["ANGEBOTSKARTE"].bbox

    def build(snap):
        index = snap.index
        lon, lat = index.lon[index.located], index.lat[index.located]
        inside = (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)
        if not inside.any():
            return None
        lon, lat = lon[inside], lat[inside]
        return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]

    return derived("data_bounds", build)


def result_page(query, location, near_text: str, *, facets: bool) -> tuple[dict, object]:
    """One page of matching offers as the list templates show them (map page and embed alike).

    Returns the template's ``results`` dict (offers with anchors, totals, the place
    searched from) and the index's SearchResult; callers add their own paging links.
    """
    snap = snapshot()
    lang = ui_lang()
    result = snap.index.search(query, facets=facets)
    located_total = snap.index.count(dataclasses.replace(query, include_virtual=False))
    distances = result.distances_m if result.distances_m is not None else [None] * len(result.rows)
    near_param = near_text if location is not None else ""
    offers = [offer_view(rec, lang=lang, distance_m=None if d is None else float(d), near_param=near_param)
              for rec, d in zip(offer_records(result.rows), distances)]
    for number, view in enumerate(offers, start=query.offset + 1):
        view["anchor"] = f"offer-{number}-name"
    results = {
        "total": result.total,
        "located": located_total,
        "not_on_map": result.total - located_total,
        "offers": offers,
        "offset": query.offset,
        "near": location,
        "near_text": "" if location is None else f"{location[0]:.6f},{location[1]:.6f}",
        "near_label": near_text,
    }
    return results, result

