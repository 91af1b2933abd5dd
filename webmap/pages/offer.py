"""``/angebote/<id>`` (one offer) and ``/hinweise`` (how the map works); :func:`offer_detail` serves the embed too."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import abort, current_app, render_template, request, url_for
from flask_babel import format_decimal, gettext

from webmap import http, maps
from webmap.i18n import ui_lang
from webmap.pages.address_search import parse_coordinates, resolve_location
from webmap.pages.blueprint import bp
from webmap.pages.context import common_context, map_labels
from webmap.pages.offer_views import (ICON_SPRITE, category_info, haversine_m, offer_records, offer_view, osm_route_url,
                                      safe_email)
from webmap.state import snapshot
from webmap.vendor import vendor_url


def offer_detail(offer_id: str, *, geocode: bool) -> tuple[dict, dict | None, str | None]:
    """(view, map configuration, walking-route URL) of one offer of this request's snapshot; 404 when unknown.

    ``near`` in the URL gives the distance: coordinates, or (``geocode``) an
    address looked up as on the map page.
    """
    settings = current_app.config["ANGEBOTSKARTE"]
    lang = ui_lang()
    row = snapshot().index.row_of(offer_id)
    if row is None:
        abort(404)
    rec = offer_records([row])[0]
    near_text = request.args.get("near", "").strip()
    location = parse_coordinates(near_text) if near_text else None
    if geocode and near_text and location is None:
        location, _message = resolve_location(near_text)
    view = offer_view(rec, lang=lang, detail=True, near_param=near_text)
    if location is not None and view["located"]:
        distance = haversine_m(location, (view["lat"], view["lon"]))
        view = offer_view(rec, lang=lang, detail=True, distance_m=distance, near_param=near_text)
    map_config = route_url = None
    if view["located"]:
        category = category_info(view["category"], lang)
        map_config = maps.offer_map_config(settings, vendor_url, lat=view["lat"], lon=view["lon"], name=view["name"],
                                           category=category, labels=map_labels())
        map_config.update(iconSprite=url_for("static", filename=ICON_SPRITE), categories={view["category"]: category})
        map_config["marker"]["address"] = view["address"]
        route_url = osm_route_url(location, (view["lat"], view["lon"]))
    return view, map_config, route_url


@bp.get("/angebote/<path:offer_id>")
def offer(offer_id: str):
    """One offer's page: every fact, its place on a small map, the way there, "report an error"."""
    settings = current_app.config["ANGEBOTSKARTE"]
    view, map_config, route_url = offer_detail(offer_id, geocode=True)
    owner = safe_email(settings.map.data_owner_email)
    report_url = None
    if owner:
        subject = f"Angebotskarte: {view['id']} – {view['name']}"
        # The page's address as the world reaches it ([site] base_url), never the Host header.
        page = http.public_url("pages.offer", offer_id=view["id"]) or url_for("pages.offer", offer_id=view["id"])
        body = gettext("What is wrong in this entry?") + "\n\n" + page
        report_url = f"mailto:{owner}?subject={quote(subject)}&body={quote(body)}"
    back_args = [(k, v) for k, v in request.args.items(multi=True)]
    back_url = url_for("pages.index") + ("?" + urlencode(back_args) if back_args else "")
    return render_template(
        "partials/offer_page.html", **common_context(), in_frame=False, offer=view, map_config=map_config,
        route_url=route_url, report_url=report_url, back_url=back_url,
        max_age_days=settings.map.verification_max_age_days,
    )


@bp.get("/hinweise")
def about():
    """How distances and walking times are estimated, and where the data comes from."""
    settings = current_app.config["ANGEBOTSKARTE"]
    return render_template(
        "pages/about.html", **common_context(),
        detour_factor=format_decimal(settings.map.detour_factor, "0.0#"),
        walk_speed=format_decimal(settings.map.walk_speed_kmh, "0.0#"),
    )
