"""The one table of the offer search's query parameters, read by the parser (webmap.params) and the OpenAPI document.

Names, kinds, descriptions, requirements ("radius needs near"), the accepted
flag words and the limits live here once, so what the parser accepts and what
the document promises cannot drift apart (tests/test_api_parameters_agree.py).
The one control-character rule and the one length bound for every parameter
of every page and endpoint are here too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_VALUES_PER_PARAMETER = 50
MAX_VALUE_LENGTH = 100
MAX_TEXT_LENGTH = 200
MAX_OFFSET = 1_000_000
#: No query parameter of any page or endpoint may be longer (a bound on what a request can make us echo).
MAX_PARAMETER_LENGTH = 1000
#: What a yes/no parameter accepts (case-insensitive, surrounding blanks ignored); absent or "" is no.
FLAG_TRUE = ("1", "true", "yes", "on")
FLAG_FALSE = ("0", "false", "no", "off", "")


# ---------------------------------------------------------------------------- the parameter table


@dataclass(frozen=True)
class QueryParameter:
    """One query parameter of the offer search: what the parser checks and the OpenAPI document says.

    ``kind`` selects both the parsing rule and the schema: facet (repeatable
    words), point (lat,lon), metres, box (lon_min,lat_min,lon_max,lat_max),
    text, flag, count. ``requires`` names parameters it is meaningless
    without; ``role`` is how another parameter's message names this one.
    The ``description`` may use {categories}, {target_groups}, {wheelchair},
    {max_radius}, {max_limit}, {default_limit} (filled in per deployment).
    """

    name: str
    kind: str
    description: str
    example: str | None = None
    requires: tuple[str, ...] = ()
    role: str = ""
    form: str = ""


_FACET_NOTE = (" Repeat the parameter or separate values by commas; several values mean OR, different "
               "parameters mean AND.")

#: Every parameter of GET /api/v1/offers, in the order the docs list them.
PARAMETERS: dict[str, QueryParameter] = {p.name: p for p in (
    QueryParameter("category", "facet", "Category key ({categories}) or a German/English name of one." + _FACET_NOTE),
    QueryParameter("language", "facet", "Language the offer is available in: an ISO 639 code (ar, uk, prs, kmr, "
                   "...) or a language name (\"Arabisch\")." + _FACET_NOTE),
    QueryParameter("target_group", "facet", "Target group key ({target_groups})." + _FACET_NOTE),
    QueryParameter("district", "facet", "District id (see /api/v1/districts) or district name." + _FACET_NOTE),
    QueryParameter("wheelchair", "facet", "Wheelchair access: {wheelchair}." + _FACET_NOTE),
    QueryParameter("near", "point", "lat,lon in WGS84 degrees (latitude first). Results are ordered by "
                   "great-circle distance and carry distance_m.", example="49.4447,7.7690", role="a centre",
                   form="lat,lon"),
    QueryParameter("radius", "metres", "Only offers within this many metres of near (more than 0, at most "
                   "{max_radius}).", requires=("near",)),
    QueryParameter("bbox", "box", "lon_min,lat_min,lon_max,lat_max in WGS84 degrees (longitude first, as in "
                   "GeoJSON): only offers inside the box.", example="7.70,49.40,7.85,49.48"),
    QueryParameter("q", "text", "Words that must all occur in name, organisation or description (case- and "
                   "accent-insensitive, parts of words match)."),
    QueryParameter("open_now", "flag", "1: only offers whose opening hours say they are open now (local time of "
                   "the area); offers without hours are left out."),
    QueryParameter("include_virtual", "flag", "1: also offers without a place on the map (online/phone offers "
                   "and offers whose address could not be located), with null geometry, after the located ones."),
    QueryParameter("limit", "count", "Page size; 0 returns only the counts (0 to {max_limit}, default "
                   "{default_limit})."),
    QueryParameter("offset", "count", "How many results to skip (for paging)."),
    QueryParameter("facets", "flag", "1: add facet counts (as in /api/v1/facets) to the response."),
)}

# Groups of the table's names. Facet parameters repeat or take commas.
FACET_PARAMETERS = tuple(name for name, p in PARAMETERS.items() if p.kind == "facet")
FILTER_PARAMETERS = FACET_PARAMETERS + ("near", "radius", "bbox", "q", "open_now", "include_virtual")
PAGE_PARAMETERS = ("limit", "offset")
# Parameters of GET /api/v1/offers (the HTML list and map pages add their own, e.g. ui).
OFFERS_PARAMETERS = tuple(PARAMETERS)
# The filters a map view takes (/api/v1/clusters, the embed's presets): no place, page or extras.
MAP_FILTER_PARAMETERS = FACET_PARAMETERS + ("q", "open_now")
assert set(FILTER_PARAMETERS + PAGE_PARAMETERS + ("facets",)) == set(OFFERS_PARAMETERS)


def _case_insensitive(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


def parameter_schema(parameter: QueryParameter, vocab: Any) -> dict[str, Any]:
    """The JSON Schema of one parameter's value, from the same constants the parser checks against.

    ``vocab`` gives the deployment's limits (a webmap.params.SearchVocabulary).
    """
    kind = parameter.kind
    if kind == "facet":
        return {"type": "array", "items": {"type": "string"}, "maxItems": MAX_VALUES_PER_PARAMETER}
    if kind == "flag":
        words = "|".join(_case_insensitive(w) for w in (*FLAG_TRUE, *FLAG_FALSE) if w)
        return {"type": "string", "pattern": rf"^\s*(?:{words})?\s*$"}
    if kind == "metres":
        return {"type": "number", "exclusiveMinimum": 0, "maximum": vocab.max_radius_m}
    if kind == "text":
        return {"type": "string", "maxLength": MAX_TEXT_LENGTH}
    if kind == "count":
        if parameter.name == "limit":
            return {"type": "integer", "minimum": 0, "maximum": vocab.max_limit, "default": vocab.default_limit}
        return {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}
    return {"type": "string", "maxLength": MAX_PARAMETER_LENGTH}  # point, box: numbers in a string


def has_control_character(value: str) -> bool:
    """The one control-character rule for every parameter of every page and endpoint.

    NUL and friends are never meant, and some libraries below us choke on them.
    Tabs and line breaks are whitespace a pasted search text may carry; they are harmless.
    """
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value)


def escaped(value: str, length: int = 50) -> str:
    """A value as an error message may show it: control characters escaped, at most ``length`` characters."""
    shown = value if len(value) <= length else value[:length] + "…"
    return shown.encode("unicode_escape").decode() if has_control_character(shown) else shown
