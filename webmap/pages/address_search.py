"""The "near an address" field: coordinates as typed, or an address through the geocoding pipeline.

Addresses go through the same pipeline as imports (cache, providers in the
configured order, restricted to the area), are rate-limited per client in
memory (no cookies), and are never logged.
"""

from __future__ import annotations

import math
import re

from flask import request
from flask_babel import gettext

from geo.geocoding.politeness import ClientRateLimit

from webmap.state import app_cache, current_data, derived


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """(lat, lon) from "49.444, 7.769", "49.444 7.769" or "49,444; 7,769"; None when it is not that."""
    text = text.strip()
    if ";" in text:
        parts = [p.strip().replace(",", ".") for p in text.split(";")]
    else:
        parts = [p for p in re.split(r"[\s,]+", text) if p]
    if len(parts) != 2:
        return None
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def address_geocoder():
    """The address pipeline of [geocoding], or None when no provider is configured.

    Built once per data version: answers outside the districts of that version count as
    "outside_area", so the filter follows the districts when they are reloaded.
    """

    def build(snap):
        from geo.geocoding.pipeline import build_geocoder, districts_union

        return build_geocoder(current_data().settings, area_filter=districts_union(snap.districts))

    return derived("geocoder", build)


def _rate_limiter() -> ClientRateLimit:
    per_minute = current_data().settings.geocoding.search_rate_per_minute
    return app_cache("address_rate", lambda: ClientRateLimit(per_minute))


def resolve_location(text: str) -> tuple[tuple[float, float] | None, dict | None]:
    """The place of the "near" field: coordinates as typed, or a geocoded address.

    Returns ((lat, lon) or None, message or None); a message is a dict with
    ``kind`` ("error" / "info") and translated ``text``. The address is never logged.
    """
    text = (text or "").strip()
    if not text:
        return None, None
    coords = parse_coordinates(text)
    if coords is not None:
        return coords, None
    geocoder = address_geocoder()
    if geocoder is None:
        return None, {"kind": "error", "text": gettext(
            "Address search is not set up on this site. Enter coordinates such as 49.444, 7.769, "
            "or use your location.")}
    if not _rate_limiter().allow(request.remote_addr or "-"):
        return None, {"kind": "error", "text": gettext(
            "Too many address searches from your connection. Please wait a minute and try again."),
            "status": 429}
    try:
        result = geocoder.geocode_text(text)
    except Exception:  # noqa: BLE001 - a provider failure must not break the page; the text is not logged
        return None, {"kind": "error", "text": gettext("Address search is not available right now. Please try again later.")}
    if not result.located:
        return None, {"kind": "error", "text": gettext(
            "We could not find this address in %(area)s.", area=current_data().settings.area.name)}
    return (float(result.lat), float(result.lon)), None
