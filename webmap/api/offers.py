"""GET /api/v1/offers, /offers/<id>, /facets and /districts: the offer search (docs/api.md).

Each view takes this request's snapshot once and answers from it alone: the
index, the features and the vocabulary all belong to that one data version.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Response, request

from geo.geojson import OfferFeatures, feature_collection, json_value
from geo.readmodel import Snapshot
from geo.schema import WHEELCHAIR_VALUES
from webmap import http
from webmap.api.blueprint import bp
from webmap.params import ParameterError, parse_flag, parse_offer_query, query_echo, query_string_values
from webmap.state import current_data, search_vocabulary, snapshot


def offer_features(snap: Snapshot) -> OfferFeatures:
    """The encoded GeoJSON Features of one snapshot (rows are positions in exactly its offers frame)."""
    return snap.derived("offer_features", lambda s: OfferFeatures(s.offers))


@bp.get("/offers")
def offers() -> Response:
    """Offers matching the filters as a GeoJSON FeatureCollection (see docs/api.md)."""
    snap = snapshot()
    now = http.local_now()
    query = parse_offer_query(request.args, search_vocabulary(), at=now)
    with_facets = parse_flag("facets", request.args.get("facets"))
    minute = now if query.open_now else None
    cached = http.not_modified(snap.version, minute)
    if cached is not None:
        return cached
    result = snap.index.search(query, facets=with_facets)
    members: dict[str, Any] = {
        "numberMatched": result.total,
        "numberReturned": len(result),
        "offset": query.offset,
        "limit": query.limit,
        "query": query_echo(query),
        "links": _links(query, result.total),
    }
    if with_facets:
        members["facets"] = _complete_facets(result.facets or {})
    body = offer_features(snap).collection_json(result.rows, result.distances_m, **members)
    return http.cacheable(Response(body, mimetype=http.GEOJSON), snap.version, minute)


@bp.get("/facets")
def facets() -> Response:
    """Facet counts for the filters (each facet counted under the other facets' filters)."""
    snap = snapshot()
    now = http.local_now()
    query = parse_offer_query(request.args, search_vocabulary(), at=now)
    minute = now if query.open_now else None
    cached = http.not_modified(snap.version, minute)
    if cached is not None:
        return cached
    body = {
        "numberMatched": snap.index.count(query),
        "facets": _complete_facets(snap.index.facet_counts(query)),
        "query": query_echo(query),
    }
    return http.cacheable(http.json_response(body), snap.version, minute)


@bp.get("/offers/<path:offer_id>")
def offer(offer_id: str) -> Response:
    """One offer as a GeoJSON Feature; with near=lat,lon it carries distance_m."""
    snap = snapshot()
    query = parse_offer_query(request.args, search_vocabulary(), accepted=("near",))
    row = snap.index.row_of(offer_id)
    if row is None:
        return http.error_response(404, ParameterError("id", offer_id, f"no offer with id {offer_id!r}",
                                                       "an id from GET /api/v1/offers"))
    cached = http.not_modified(snap.version)
    if cached is not None:
        return cached
    distance = None
    if query.near is not None:
        distance = float(snap.index.distances_m(query.near[0], query.near[1], [row])[0])
    body = offer_features(snap).feature_json(row, distance)
    return http.cacheable(Response(body, mimetype=http.GEOJSON), snap.version)


@bp.get("/districts")
def districts() -> Response:
    """District polygons with the number of offers per category in each."""
    snap = snapshot()
    parse_offer_query(request.args, search_vocabulary(), accepted=())
    cached = http.not_modified(snap.version)
    if cached is not None:
        return cached
    categories = list(current_data().categories.keys)
    body = snap.derived("districts_json", lambda s: districts_collection(s, categories))
    return http.cacheable(Response(body, mimetype=http.GEOJSON), snap.version)


# ---------------------------------------------------------------------------- helpers


def _links(query: Any, total: int) -> list[dict[str, str]]:
    """self / next / prev links, root-relative (correct behind any proxy that keeps the path)."""
    base = request.script_root + request.path + "?"
    values = query_string_values(query)

    def href(offset: int) -> str:
        # urlencode rather than url_for: this runs on every request and url_for costs ~80 µs.
        return base + urlencode({**values, "limit": query.limit, "offset": offset})

    links = [{"rel": "self", "href": href(query.offset)}]
    if query.limit and query.offset + query.limit < total:
        links.append({"rel": "next", "href": href(query.offset + query.limit)})
    if query.limit and query.offset > 0:
        links.append({"rel": "prev", "href": href(max(query.offset - query.limit, 0))})
    return links


def _complete_facets(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Index counts plus 0 for every known value nobody has yet, so a UI can list all options."""
    data = current_data()
    known = {
        "category": data.categories.keys,
        "target_group": data.target_groups.keys,
        "wheelchair": list(WHEELCHAIR_VALUES),
        "district": list(search_vocabulary().districts),
        "language": [],
    }
    complete = {}
    for facet, values in known.items():
        found = counts.get(facet, {})
        complete[facet] = {value: int(found.get(value, 0)) for value in [*values, *sorted(found)]}
    return complete


def districts_collection(snap: Snapshot, categories: list[str]) -> str:
    """The districts of one snapshot as GeoJSON text, with offer counts per category."""
    districts, offers = snap.districts, snap.offers
    counts: dict[str, dict[str, int]] = {}
    if len(offers):
        sizes = offers[offers["district"] != ""].groupby(["district", "category"]).size()
        for (district, category), n in sizes.items():
            counts.setdefault(str(district), {})[str(category)] = int(n)
    features = []
    for district_id, name, geometry in zip(districts["district_id"], districts["name"], districts.geometry):
        by_category = counts.get(str(district_id), {})
        features.append({
            "type": "Feature",
            "id": str(district_id),
            "geometry": None if geometry is None else json_value(geometry.__geo_interface__),
            "properties": {
                "district_id": str(district_id),
                "name": str(name),
                "offer_count": sum(by_category.values()),
                "offers_by_category": {c: by_category.get(c, 0) for c in [*categories, *sorted(by_category)]},
            },
        })
    return json.dumps(feature_collection(features, numberMatched=len(features)), ensure_ascii=False,
                      separators=(",", ":"))
