"""What every page's template gets: the site's name and notices, the language links, the map's labels."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from geo.languages import native_name
from webmap import http
from webmap.i18n import ui_lang, ui_languages
from webmap.pages.offer_views import html_lang, safe_email


def common_context() -> dict:
    """Template values every page shows (header, footer, demo notice, language links)."""
    settings = current_app.config["ANGEBOTSKARTE"]
    lang = ui_lang()
    return {
        "area_name": settings.area.name,
        "demo": settings.map.demo,
        "data_owner_email": safe_email(settings.map.data_owner_email),
        "tile_attribution": Markup(settings.map.tile_attribution),
        "html_lang": html_lang(lang),
        "language_links": [(code, native_name(code)) for code in ui_languages()],
    }


def language_url(code: str) -> str:
    """This page in another UI language (every other argument kept)."""
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


def not_found(exc):
    """An HTML 404 in the visitor's language for pages; API paths keep their JSON errors."""
    if request.path.startswith(http.API_PREFIX):
        return http.api_http_error(exc)
    if request.path.startswith("/static/"):
        return exc
    return render_template("pages/not_found.html", **common_context()), 404
