"""What a preset shows, in words and on the map: its labels, the iframe's title, where the map opens."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from flask import current_app
from flask_babel import gettext

from geo.languages import language_name
from webmap.embed.options import MAP_FILTERS
from webmap.i18n import vocabulary_label
from webmap.pages.listing import data_bounds
from webmap.params import query_string_values
from webmap.state import current_data, district_names, snapshot

#: Fitting the map to the matching offers costs one search over all of them; beyond this, the whole area.
FIT_MAX_OFFERS = 20_000


def map_query(query) -> str:
    """The map's filters as a clusters-API query string, from the *parsed* query (bad values left out)."""
    values = query_string_values(query)
    return urlencode([(k, values[k]) for k in MAP_FILTERS if k in values])


def matching_bounds(query) -> list[list[float]] | None:
    """[[lat_min, lon_min], [lat_max, lon_max]] of the located offers matching ``query`` inside [area] bbox.

    A preset for one district or topic then opens where its offers are.
    Falls back to all offers (webmap.pages.listing.data_bounds) when nothing matches
    or too much does.
    """
    index = snapshot().index
    located = dataclasses.replace(query, include_virtual=False, near=None, radius_m=None, offset=0)
    total = index.count(located)
    if total == 0 or total > FIT_MAX_OFFERS:
        return data_bounds()
    rows = index.search(dataclasses.replace(located, limit=total)).rows
    lon, lat = index.lon[rows], index.lat[rows]
    lon_min, lat_min, lon_max, lat_max = current_app.config["ANGEBOTSKARTE"].bbox
    inside = (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)
    if not inside.any():
        return data_bounds()
    lon, lat = lon[inside], lat[inside]
    pad = 0.004  # about 400 m: a single offer is not shown at house level
    return [[float(lat.min()) - pad, float(lon.min()) - pad], [float(lat.max()) + pad, float(lon.max()) + pad]]


def preset_labels(query, lang: str) -> list[str]:
    """What a query shows, in words of the UI language ("Sprachkurs", "Arabisch", "Innenstadt-West")."""
    data = current_data()
    names = district_names()
    labels = [vocabulary_label(data.categories, k, lang) for k in query.categories]
    labels += [language_name(code, lang) for code in query.languages]
    labels += [vocabulary_label(data.target_groups, k, lang) for k in query.target_groups]
    labels += [names.get(d, d) for d in query.districts]
    if query.text:
        labels.append(f"“{query.text}”")
    if query.open_now:
        labels.append(gettext("Open now"))
    if "yes" in query.wheelchair:
        labels.append(gettext("Wheelchair accessible"))
    return labels


def frame_title(query, lang: str) -> str:
    """A meaningful title for the iframe, e.g. "Karte: Sprachkurs auf Arabisch in Kaiserslautern".

    Screen readers announce it when they reach the frame, so it says what
    the map shows, not just "map".
    """
    data = current_data()
    offers = ", ".join(vocabulary_label(data.categories, k, lang) for k in query.categories) or gettext("Offers")
    if query.languages:
        offers = gettext("%(offers)s in %(languages)s", offers=offers,
                         languages=", ".join(language_name(code, lang) for code in query.languages))
    if query.target_groups:
        offers = gettext("%(offers)s for %(groups)s", offers=offers,
                         groups=", ".join(vocabulary_label(data.target_groups, k, lang) for k in query.target_groups))
    area = data.settings.area.name
    names = district_names()
    place = ", ".join([*(names.get(d, d) for d in query.districts), area]) if query.districts else area
    return gettext("Map: %(offers)s in %(place)s", offers=offers, place=place)
