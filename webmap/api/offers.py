"""The search API under /api/v1: offers as GeoJSON, facet counts, districts, the OpenAPI document.

Views stay thin: check the parameters (webmap.params), ask the index built for
the current data version (geo.index), serialise with the one GeoJSON encoder
(geo.geojson). docs/api.md describes every endpoint and parameter.

HTTP manners: responses carry a weak ETag made from the data version (304 on
If-None-Match, checked before any searching), Cache-Control from [api]
cache_max_age_seconds, gzip/brotli compression (flask-compress, only here), and
CORS headers for the origins in [api] cors_origins and [embed] allowed_origins.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, request
from flask_compress import Compress
from werkzeug.exceptions import HTTPException

from geo.geojson import OfferFeatures, feature_collection, json_value
from geo.hours import local_time
from geo.index import OfferIndex
from geo.schema import WHEELCHAIR_VALUES
from webmap.openapi import build_document
from webmap.params import (
    ParameterError,
    ParameterErrors,
    SearchVocabulary,
    parse_flag,
    parse_offer_query,
    query_echo,
    query_string_values,
)
from webmap.compression import scoped_compress
from webmap.state import current_data, search_vocabulary

bp = Blueprint("api", __name__, url_prefix="/api/v1")

GEOJSON = "application/geo+json"
# Part of every ETag: bump it when the shape of the responses changes, so a
# client's cached copy from before an upgrade is not confirmed with a 304.
FORMAT_VERSION = "1"
_EXTENSION = "angebotskarte_api"


def init_app(app: Flask) -> None:
    """Register the API blueprint and its per-app caches."""
    app.extensions[_EXTENSION] = _ApiState(_compressor(app))
    app.register_blueprint(bp)
    # Routing errors (wrong method) happen before a blueprint is chosen, so the
    # blueprint's handler never sees them; answer JSON for every /api path here.
    app.register_error_handler(405, _method_not_allowed)


def _method_not_allowed(exc: HTTPException):
    if not request.path.startswith("/api/"):
        return exc
    return http_error(exc)


# ---------------------------------------------------------------------------- views


@bp.get("/offers")
def offers() -> Response:
    """Offers matching the filters as a GeoJSON FeatureCollection (see docs/api.md)."""
    data = current_data()
    query = parse_offer_query(request.args, _vocabulary(), at=_local_now())
    with_facets = parse_flag("facets", request.args.get("facets"))
    not_modified = not_modified_response(data.version, query.open_now)
    if not_modified is not None:
        return not_modified
    index = data.index
    result = index.search(query, facets=with_facets)
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
    body = _features(index).collection_json(result.rows, result.distances_m, **members)
    return cacheable(Response(body, mimetype=GEOJSON), data.version, query.open_now)


@bp.get("/facets")
def facets() -> Response:
    """Facet counts for the filters (each facet counted under the other facets' filters)."""
    data = current_data()
    query = parse_offer_query(request.args, _vocabulary(), at=_local_now())
    not_modified = not_modified_response(data.version, query.open_now)
    if not_modified is not None:
        return not_modified
    index = data.index
    body = {
        "numberMatched": index.count(query),
        "facets": _complete_facets(index.facet_counts(query)),
        "query": query_echo(query),
    }
    return cacheable(json_response(body), data.version, query.open_now)


@bp.get("/offers/<path:offer_id>")
def offer(offer_id: str) -> Response:
    """One offer as a GeoJSON Feature; with near=lat,lon it carries distance_m."""
    data = current_data()
    query = parse_offer_query(request.args, _vocabulary(), accepted=("near",))
    index = data.index
    row = index.row_of(offer_id)
    if row is None:
        return error_response(404, ParameterError("id", offer_id, f"no offer with id {offer_id!r}",
                                          "an id from GET /api/v1/offers"))
    not_modified = not_modified_response(data.version, False)
    if not_modified is not None:
        return not_modified
    distance = None
    if query.near is not None:
        distance = float(index.distances_m(query.near[0], query.near[1], [row])[0])
    body = _features(index).feature_json(row, distance)
    return cacheable(Response(body, mimetype=GEOJSON), data.version, False)


@bp.get("/districts")
def districts() -> Response:
    """District polygons with the number of offers per category in each."""
    data = current_data()
    parse_offer_query(request.args, _vocabulary(), accepted=())
    not_modified = not_modified_response(data.version, False)
    if not_modified is not None:
        return not_modified
    body = data.derived("districts_json", lambda: _districts_collection(data))
    return cacheable(Response(body, mimetype=GEOJSON), data.version, False)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    data = current_data()
    parse_offer_query(request.args, _vocabulary(), accepted=())
    document = api_state().openapi(data)
    return cacheable(Response(document, mimetype="application/json"), "openapi", False)


@bp.get("/", defaults={"rest": ""})
@bp.get("/<path:rest>")
def not_found(rest: str) -> Response:
    """Unknown paths under /api/v1 answer in JSON, listing the endpoints there are."""
    # The list comes from the OpenAPI document so it cannot drift from the real endpoints.
    data = current_data()
    endpoints = sorted(json.loads(api_state().openapi(data))["paths"])
    return error_response(404, ParameterError("path", request.path, f"no API endpoint at {request.path}", endpoints))


@bp.errorhandler(ParameterErrors)
def bad_parameters(exc: ParameterErrors) -> Response:
    return error_response(400, *exc.problems)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Response:
    response = json_response({"error": exc.description or exc.name, "parameter": None, "value": None, "allowed": None},
                     status=exc.code or 500)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.after_request
def http_manners(response: Response) -> Response:
    _cors(response)
    return api_state().compress.after_request(response)


# ---------------------------------------------------------------------------- helpers


class _ApiState:
    """Per-app state of the API: its compressor and the OpenAPI document (fixed per deployment).

    Everything tied to a data version lives in DataState.derived.
    """

    def __init__(self, compress: Compress):
        self.compress = compress
        self._openapi: str | None = None

    def openapi(self, data: Any) -> str:
        if self._openapi is None:
            document = build_document(data.settings, data.categories, data.target_groups)
            self._openapi = json.dumps(document, ensure_ascii=False, indent=1)
        return self._openapi


def api_state() -> _ApiState:
    return current_app.extensions[_EXTENSION]


def _vocabulary() -> SearchVocabulary:
    return search_vocabulary()


def _features(index: OfferIndex) -> OfferFeatures:
    # Built from the index's own frame: its rows are positions in exactly that frame.
    return current_data().derived("offer_features", lambda: OfferFeatures(index.offers))


def _local_now() -> datetime:
    """Now as the town's wall-clock time ([area] timezone), what "open now" means."""
    return local_time(None, current_data().settings.get("area", "timezone") or "Europe/Berlin")


def _compressor(app: Flask) -> Compress:
    """A flask-compress instance for /api only (the pages have their own)."""
    return scoped_compress(app, {GEOJSON}, prefer_gzip=True)


def _etag(version: str, open_now: bool) -> str:
    parts = [FORMAT_VERSION, version, request.path, request.query_string.decode("latin-1")]
    if open_now:
        # "Open now" answers change every minute even when the data does not.
        parts.append(_local_now().strftime("%Y%m%d%H%M"))
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:24]


def not_modified_response(version: str, open_now: bool) -> Response | None:
    """A 304 when the client already holds this version (checked before any searching)."""
    etag = _etag(version, open_now)
    if not request.if_none_match.contains_weak(etag):
        return None
    response = Response(status=304)
    return cacheable(response, version, open_now, etag=etag)


def cacheable(response: Response, version: str, open_now: bool, etag: str | None = None) -> Response:
    response.set_etag(etag or _etag(version, open_now), weak=True)
    max_age = int(current_data().settings.get("api", "cache_max_age_seconds", 60))
    if open_now:
        max_age = min(max_age, 60 - datetime.now().second)
    response.headers["Cache-Control"] = f"public, max-age={max(max_age, 0)}"
    return response


def json_response(body: Any, status: int = 200) -> Response:
    text = json.dumps(json_value(body), ensure_ascii=False, separators=(",", ":"))
    return Response(text, status=status, mimetype="application/json")


def error_response(status: int, *problems: ParameterError) -> Response:
    """{"error", "parameter", "value", "allowed"} of the first problem, and all of them in "problems"."""
    body = dict(problems[0].as_dict())
    body["problems"] = [p.as_dict() for p in problems]
    response = json_response(body, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


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
        "district": list(_vocabulary().districts),
        "language": [],
    }
    complete = {}
    for facet, values in known.items():
        found = counts.get(facet, {})
        complete[facet] = {value: int(found.get(value, 0)) for value in [*values, *sorted(found)]}
    return complete


def _districts_collection(data: Any) -> str:
    districts = data.districts
    offers = data.offers
    categories = list(data.categories.keys)
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


def _cors(response: Response) -> None:
    """Access-Control-* headers for allowed origins ([api] cors_origins and [embed] allowed_origins)."""
    settings = current_data().settings
    allowed = {str(o).rstrip("/") for o in
               [*(settings.get("api", "cors_origins") or []), *(settings.get("embed", "allowed_origins") or [])]}
    if not allowed:
        return
    origin = request.headers.get("Origin", "").rstrip("/")
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        response.vary.add("Origin")  # the answer differs by Origin: caches must keep them apart
        if not origin or origin not in allowed:
            return
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "600"
