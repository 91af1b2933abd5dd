"""The static HTML export (``angebotskarte export-html``): one self-contained page for CMSs that allow no iframes."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from urllib.parse import urlsplit

from flask import current_app, render_template, url_for
from flask_babel import format_date, gettext

from webmap import maps
from webmap.embed.presets import frame_title
from webmap.i18n import RTL, ui_lang
from webmap.pages.context import common_context
from webmap.pages.offer_views import category_info, html_lang, offer_records, offer_view
from webmap.params import MAP_FILTER_PARAMETERS, parse_offer_query
from webmap.state import search_vocabulary, snapshot
from webmap.vendor import PACKAGES

_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{3,8}")


def static_export(filters, *, title: str = "", link_base: str = "") -> tuple[str, int, int]:
    """One self-contained HTML page (map and list) of the offers matching ``filters``.

    Runs inside a request context of the deployment's app, whose ``ui``
    argument is the page's language. ``filters`` uses the API's parameter
    names; a problem raises :class:`webmap.params.ParameterErrors` (an export
    must not silently leave a filter out). ``link_base`` is the public address
    of this Angebotskarte: offer names then also link to their pages there.

    Returns (html, offers listed, offers on the map).
    """
    index = snapshot().index
    lang = ui_lang()
    query = parse_offer_query(filters, search_vocabulary(), accepted=MAP_FILTER_PARAMETERS)
    query = dataclasses.replace(query, include_virtual=True, offset=0, limit=0)
    total = index.count(query)
    rows = index.search(dataclasses.replace(query, limit=total)).rows if total else []
    base = safe_base_url(link_base)
    offers = []
    for number, rec in enumerate(offer_records(rows), start=1):
        view = offer_view(rec, lang=lang, detail=True)
        view["anchor"] = f"offer-{number}"
        view["url"] = base + url_for("pages.offer", offer_id=view["id"], ui=lang) if base else ""
        badge = category_info(view["category"], lang)
        # The colour goes into a style attribute: only a plain hex colour may (no url(), no other rules).
        view["badge"] = dict(badge, colour=badge["colour"] if _HEX_COLOUR.fullmatch(badge["colour"]) else "#4d4d4d")
        offers.append(view)
    title = title or frame_title(query, lang)
    context = dict(common_context(), offers=offers, title=title, total=len(offers),
                   on_map=sum(o["located"] for o in offers), as_of=format_date(date.today(), "long"),
                   site_url=(base + "/") if base else "")
    points = [{"id": o["id"], "lat": o["lat"], "lon": o["lon"], "name": o["name"], "category": o["category_label"],
               "colour": o["badge"]["colour"], "letter": o["badge"]["letter"], "address": o["address"],
               "anchor": o["anchor"], "url": o["url"]}
              for o in offers if o["located"]]
    html = maps.static_offers_page(
        current_app.config["ANGEBOTSKARTE"], points, title=title, lang=html_lang(lang), direction="rtl" if lang in RTL else "ltr",
        asset_folder=lambda package: PACKAGES[package][0],
        before_map=render_template("embed/export_top.html", **context),
        after_map=render_template("embed/export_list.html", **context),
        style=render_template("embed/export.css"),
        labels={"details": gettext("Details in the list"), "page": gettext("Page of this offer"),
                "map": gettext("Map of the offers")},
    )
    return html, len(offers), len(points)


def safe_base_url(value: str) -> str:
    """``value`` when it is an http(s) address without query or fragment, else "" (for --link-base)."""
    parts = urlsplit((value or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return ""
    return value.strip().rstrip("/")

