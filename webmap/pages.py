"""Public HTML pages. Until the map lands: a plain, accessible list of all offers."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template

from geo.languages import native_name
from webmap.i18n import ui_lang
from webmap.state import current_data

bp = Blueprint("pages", __name__)


def offer_view(offer, lang: str) -> dict:
    """The template-facing form of one offer row (labels resolved, lists as lists)."""
    data = current_data()
    return {
        "id": offer["id"],
        "name": offer["name"],
        "category": offer["category"],
        "category_label": data.categories.label(offer["category"], lang),
        "organisation": offer["organisation"],
        "address": " ".join(p for p in (offer["street"], offer["housenumber"]) if p)
        + (", " if offer["street"] and (offer["postcode"] or offer["city"]) else "")
        + " ".join(p for p in (offer["postcode"], offer["city"]) if p),
        "virtual": offer["location_type"] == "virtual",
        "languages": [native_name(c) for c in offer["languages"]],
        "target_groups": [data.target_groups.label(t, lang) for t in offer["target_groups"]],
        "phone": offer["phone"],
        "website": offer["website"],
    }


@bp.get("/")
def index():
    data = current_data()
    lang = ui_lang()
    offers = data.offers.sort_values("name", key=lambda s: s.str.casefold())
    views = [offer_view(row, lang) for _, row in offers.iterrows()]
    return render_template("list.html", offers=views, settings=data.settings)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
