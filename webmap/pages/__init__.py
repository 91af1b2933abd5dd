"""The newcomer's pages: ``/`` (filters, list, map), ``/angebote/<id>`` (one offer), ``/hinweise``.

* listing.py: the map and list; query.py: a page's filters as an OfferQuery
* offer.py: one offer's page (and its facts for the embed)
* offer_views.py: offers as templates show them (shared with the embed and the static export)
* address_search.py: the "near an address" field
* context.py: what every page's template gets, the HTML 404
"""

from __future__ import annotations

from flask import Flask

from webmap.i18n import RTL
from webmap.pages import listing, offer
from webmap.pages.blueprint import bp
from webmap.pages.context import language_url, not_found
from webmap.pages.offer_views import category_icon, html_lang

__all__ = ["bp", "init_app", "listing", "offer"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(404, not_found)
    app.jinja_env.globals.update(
        category_icon=category_icon,
        language_url=language_url,
        code_html_lang=html_lang,
        direction_of=lambda code: "rtl" if code in RTL else "ltr",
    )
