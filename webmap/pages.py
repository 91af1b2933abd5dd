"""The newcomer's pages: ``/`` (filters, list, map), ``/angebote/<id>`` (one offer), ``/hinweise``.

Every state is a URL: the filter form is a plain GET form using the API's
parameter names (category, language, target_group, district, q, open_now,
wheelchair, offset), parsed by webmap.params exactly as the API parses them
and answered by the same OfferIndex query. ``near`` is the one extension: on
these pages it may hold an address, which is geocoded here (rate-limited per
client, never logged) into the API's ``near=lat,lon``.

Everything works without JavaScript. With it (webmap/static/js), the list is
refreshed in place from ``/?…&partial=results`` (this view, rendering only
the results section) and the map from ``/api/v1/clusters``.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, urlencode

from flask import Blueprint, Flask, abort, render_template, request, url_for
from flask_babel import format_decimal, gettext
from markupsafe import Markup

from geo.languages import language_name, native_name
from webmap import maps
from webmap.address_search import address_geocoder, parse_coordinates, resolve_location
from webmap.i18n import RTL, ui_lang, ui_languages, vocabulary_label
from webmap.offer_views import (
    ICON_SPRITE, category_icon, category_info, district_names, haversine_m, html_lang, offer_records, offer_view,
    osm_route_url, safe_email,
)
from webmap.state import current_data, search_vocabulary
from webmap.vendor import vendor_url

bp = Blueprint("pages", __name__)

PAGE_SIZE = 50
# Facets the form offers, in order (wheelchair and open_now are single checkboxes).
FORM_FACETS = ("category", "language", "target_group", "district")


# --------------------------------------------------------------------------- parameters


# Parameters of the pages that are not search filters (the UI language, the partial-render switch).
PAGE_ONLY_PARAMETERS = ("ui", "partial")


def page_query(args, *, near: tuple[float, float] | None, limit: int,
               accepted: tuple[str, ...] | None = None, include_virtual: bool = True):
    """The OfferQuery of a page's filters, parsed by webmap.params exactly as the API parses them.

    ``near`` replaces the request's ``near`` (the pages accept an address there;
    the caller resolves it). A page shows what it can: parameters the parser
    rejects are left out and named in the returned problem list, instead of
    failing the whole page. Returns (query, names of the parameters left out).
    """
    from werkzeug.datastructures import MultiDict

    from webmap.params import (
        FACET_PARAMETERS, FILTER_PARAMETERS, PAGE_PARAMETERS, ParameterErrors, parse_offer_query,
    )

    accepted = accepted or (FILTER_PARAMETERS + PAGE_PARAMETERS)
    given = MultiDict([(k, v) for k, v in args.items(multi=True)
                       if k not in PAGE_ONLY_PARAMETERS and k not in ("near", "limit", "include_virtual")
                       and v.strip() != ""])
    if near is not None:
        given.add("near", f"{near[0]!r},{near[1]!r}")
    if "limit" in accepted:
        given.add("limit", str(limit))
    if include_virtual and "include_virtual" in accepted:
        given.add("include_virtual", "1")
    vocab = search_vocabulary()
    left_out: list[str] = []
    for _attempt in range(3):
        try:
            return parse_offer_query(given, vocab, accepted=accepted), left_out
        except ParameterErrors as exc:
            for problem in exc.problems:
                name = problem.parameter
                label = f"{name}={problem.value}" if problem.value else name
                if label not in left_out:
                    left_out.append(label)
                if name in FACET_PARAMETERS and problem.value:
                    # Keep the good values of a facet: "category=doctor,typo" still filters doctors.
                    kept = [v.strip() for raw in given.getlist(name) for v in raw.split(",")
                            if v.strip() and v.strip() != problem.value]
                    given.setlist(name, kept)
                else:
                    given.poplist(name)
    return parse_offer_query(MultiDict(), vocab, accepted=accepted), left_out


# --------------------------------------------------------------------------- small helpers


# --------------------------------------------------------------------------- offers for templates


# --------------------------------------------------------------------------- the list page


def facet_views(query, counts: dict[str, dict[str, int]], lang: str) -> list[dict]:
    data = current_data()
    index = data.index
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
    present = set(data.index.facets["category"].values) if "category" in data.index.facets else set()
    return [category_info(k, lang) for k in data.categories.keys if k in present]


def common_context() -> dict:
    settings = current_data().settings
    lang = ui_lang()
    return {
        "area_name": settings.get("area", "name"),
        "demo": bool(settings.get("map", "demo")),
        "data_owner_email": safe_email(settings.get("map", "data_owner_email") or ""),
        "tile_attribution": Markup(settings.get("map", "tile_attribution") or ""),
        "html_lang": html_lang(lang),
        "language_links": [(code, native_name(code)) for code in ui_languages()],
    }


def _language_url(code: str) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("ui", "partial")]
    return url_for(request.endpoint or "pages.index", **(request.view_args or {})) + "?" + urlencode(
        args + [("ui", code)])


def map_labels() -> dict[str, str]:
    return {
        "offers": gettext("offers"),
        "zoomIn": gettext("Zoom in to see these offers"),
        "mapRegion": gettext("Map of the offers"),
        "locating": gettext("Finding your location …"),
        "locateFailed": gettext("Your location could not be found. Please enter an address."),
        "loading": gettext("Loading …"),
    }


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
        data_url=url_for("clusters.clusters"),
        detail_url=url_for("pages.offer", offer_id="__ID__", ui=lang),
        labels=map_labels(), fit=fit,
    )
    map_config.update(iconSprite=url_for("static", filename=ICON_SPRITE), query=results["map_query"])
    if location is not None:
        map_config["here"] = {"lat": location[0], "lon": location[1], "label": gettext("Your search location")}
    return render_template(
        "index.html", **context, form=form, facets=facet_views(query, result.facets or {}, lang),
        legend=_legend(lang), map_config=map_config, address_search=address_geocoder() is not None,
        filtered=bool(request.args),
    ), status


def data_bounds() -> list[list[float]] | None:
    """[[lat_min, lon_min], [lat_max, lon_max]] of the located offers inside [area] bbox, or None."""
    data = current_data()

    def build():
        index = data.index
        lon_min, lat_min, lon_max, lat_max = data.settings.bbox
        lon, lat = index.lon[index.located], index.lat[index.located]
        inside = (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)
        if not inside.any():
            return None
        lon, lat = lon[inside], lat[inside]
        return [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]

    return data.derived("data_bounds", build)


def result_page(query, location, near_text: str, *, facets: bool) -> tuple[dict, object]:
    """One page of matching offers as the list templates show them (map page and embed alike).

    Returns the template's ``results`` dict (offers with anchors, totals, the place
    searched from) and the index's SearchResult; callers add their own paging links.
    """
    data = current_data()
    lang = ui_lang()
    result = data.index.search(query, facets=facets)
    located_total = data.index.count(dataclasses.replace(query, include_virtual=False))
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


# --------------------------------------------------------------------------- one offer


@bp.get("/angebote/<path:offer_id>")
def offer(offer_id: str):
    data = current_data()
    lang = ui_lang()
    row = data.index.row_of(offer_id)
    if row is None:
        abort(404)
    rec = offer_records([row])[0]
    near_text = request.args.get("near", "").strip()
    location = parse_coordinates(near_text) if near_text else None
    if near_text and location is None:
        location, _message = resolve_location(near_text)
    distance = None
    view = offer_view(rec, lang=lang, detail=True, near_param=near_text)
    if location is not None and view["located"]:
        distance = haversine_m(location, (view["lat"], view["lon"]))
        view = offer_view(rec, lang=lang, detail=True, distance_m=distance, near_param=near_text)
    map_config = None
    route_url = None
    if view["located"]:
        map_config = maps.offer_map_config(
            data.settings, vendor_url, lat=view["lat"], lon=view["lon"], name=view["name"],
            category=category_info(view["category"], lang), labels=map_labels())
        map_config.update(iconSprite=url_for("static", filename=ICON_SPRITE),
                          categories={view["category"]: category_info(view["category"], lang)})
        map_config["marker"]["address"] = view["address"]
        route_url = osm_route_url(location, (view["lat"], view["lon"]))
    settings = data.settings
    owner = safe_email(settings.get("map", "data_owner_email") or "")
    report_url = None
    if owner:
        subject = f"Angebotskarte: {view['id']} – {view['name']}"
        body = gettext("What is wrong in this entry?") + "\n\n" + url_for(
            "pages.offer", offer_id=view["id"], _external=True)
        report_url = f"mailto:{owner}?subject={quote(subject)}&body={quote(body)}"
    back_args = [(k, v) for k, v in request.args.items(multi=True)]
    back_url = url_for("pages.index") + ("?" + urlencode(back_args) if back_args else "")
    return render_template(
        "detail.html", **common_context(), offer=view, map_config=map_config, route_url=route_url,
        report_url=report_url, back_url=back_url,
        max_age_days=int(settings.get("map", "verification_max_age_days")),
    )


@bp.get("/hinweise")
def about():
    settings = current_data().settings
    return render_template(
        "about.html", **common_context(),
        detour_factor=format_decimal(float(settings.get("map", "detour_factor")), "0.0#"),
        walk_speed=format_decimal(float(settings.get("map", "walk_speed_kmh")), "0.0#"),
    )


# Responses compressed here: these pages, the map's viewport API and the files they load.
_COMPRESSED_BLUEPRINTS = ("pages", "clusters", "vendor", "embed")


def _compressor(app: Flask):
    """gzip/brotli for the pages and their assets (webmap/api.py compresses /api/v1 itself).

    Registered for our endpoints only rather than app-wide, so each part keeps
    its own HTTP manners.
    """
    from webmap.compression import scoped_compress

    compress = scoped_compress(app, {"image/svg+xml", "application/geo+json"})

    @app.after_request
    def _compress(response):
        if request.blueprint in _COMPRESSED_BLUEPRINTS or request.endpoint == "static":
            return compress.after_request(response)
        return response

    return compress


def not_found(exc):
    """An HTML 404 in the visitor's language for pages; API paths keep their JSON errors."""
    if request.path.startswith("/api/") or request.path.startswith("/static/"):
        return exc
    return render_template("not_found.html", **common_context()), 404


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(404, not_found)
    _compressor(app)
    app.jinja_env.globals.update(
        category_icon=category_icon,
        language_url=_language_url,
        code_html_lang=html_lang,
        direction_of=lambda code: "rtl" if code in RTL else "ltr",
    )
