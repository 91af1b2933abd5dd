"""GET /api/v1/clusters: what the map shows of one viewport, small at any number of offers.

The map asks with the viewport (``bbox=lon_min,lat_min,lon_max,lat_max``),
its zoom level and the same filters as /api/v1/offers. When at most
:data:`MAX_POINTS` matching offers lie in the box (or the map is zoomed in
far), the answer holds each of them as a slim GeoJSON Feature (id, name,
category, address) and the browser clusters them with Leaflet.markercluster;
otherwise the server aggregates them on a grid of geo.clusters.CELL_PX screen
pixels at that zoom, and each Feature is one cell: the centroid of its offers,
``count`` and the ``bbox`` to zoom to. Virtual offers have no place and are
never on the map.

The work per request is bounded: a clustered answer may cover at most
``[api] max_cluster_cells`` grid cells (a viewport larger than any screen at
its zoom is answered with 400 asking to zoom in), and answers are kept per
data version, so the first view every visitor loads is computed once.

Answer: a GeoJSON FeatureCollection with the foreign members ``mode``
("points" / "clusters"), ``total`` (matching offers in the box) and ``zoom``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import shapely
from flask import Response, current_app, request
from werkzeug.datastructures import MultiDict

from geo.clusters import cells_across, grid_clusters, mercator_x, mercator_y
from geo.geojson import feature_collection, offer_feature
from geo.readmodel import Snapshot
from webmap import http
from webmap.api.blueprint import bp
from webmap.params import MAP_FILTER_PARAMETERS, ParameterError, ParameterErrors, parse_offer_query, query_string_values
from webmap.state import search_vocabulary, snapshot

#: Up to this many offers in the viewport, the map gets every one of them.
MAX_POINTS = 2000
#: From this zoom on (streets), the map gets individual offers up to HARD_MAX_POINTS.
POINTS_ZOOM = 16
HARD_MAX_POINTS = 10000
MAX_ZOOM = 22
DEFAULT_ZOOM = 12
#: Answers kept per data version (the views visitors share: the whole town at the first zoom levels),
#: at most this many and this many characters of JSON together.
CACHED_ANSWERS = 256
CACHED_CHARS = 32_000_000
BBOX_FORM = "lon_min,lat_min,lon_max,lat_max"


def _problem(parameter: str, value: str | None, message: str, allowed) -> ParameterErrors:
    """A bad viewport parameter, reported in the API's one error shape."""
    return ParameterErrors([ParameterError(parameter, value, message, allowed)])


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    parts = (text or "").split(",")
    if len(parts) != 4:
        raise _problem("bbox", text, "bbox must be four numbers", BBOX_FORM)
    try:
        lon_min, lat_min, lon_max, lat_max = (float(p) for p in parts)
    except ValueError:
        raise _problem("bbox", text, "bbox must be four numbers", BBOX_FORM) from None
    if not all(math.isfinite(v) for v in (lon_min, lat_min, lon_max, lat_max)):
        raise _problem("bbox", text, "bbox must be finite numbers", BBOX_FORM)
    # A map scrolled past the antimeridian or the poles asks for more than the world: clamp.
    lon_min, lon_max = max(-180.0, lon_min), min(180.0, lon_max)
    lat_min, lat_max = max(-90.0, lat_min), min(90.0, lat_max)
    if lon_min > lon_max or lat_min > lat_max:
        raise _problem("bbox", text, "lon_min must be <= lon_max and lat_min <= lat_max", BBOX_FORM)
    return lon_min, lat_min, lon_max, lat_max


def parse_zoom(text: str | None) -> int:
    try:
        zoom = int(text if text not in (None, "") else DEFAULT_ZOOM)
    except ValueError:
        raise _problem("zoom", text, "zoom must be a whole number", f"0..{MAX_ZOOM}") from None
    if not 0 <= zoom <= MAX_ZOOM:
        raise _problem("zoom", text, "zoom is out of range", f"0..{MAX_ZOOM}")
    return zoom


def _slim_record(rec: dict) -> dict:
    """What a marker and its popup need: no descriptions or contact data (the detail page has those)."""
    street = " ".join(p for p in (rec.get("street") or "", rec.get("housenumber") or "") if p)
    town = " ".join(p for p in (rec.get("postcode") or "", rec.get("city") or "") if p)
    return {"id": rec.get("id"), "name": rec.get("name"), "category": rec.get("category"),
            "address": ", ".join(p for p in (street, town) if p),
            "geometry": shapely.Point(rec["lon"], rec["lat"])}


def _projected(snap: Snapshot) -> tuple[np.ndarray, np.ndarray]:
    """Web-Mercator x, y in [0, 1] of every offer, computed once per snapshot."""
    def build(s: Snapshot):
        with np.errstate(invalid="ignore"):
            return mercator_x(s.index.lon), mercator_y(s.index.lat)

    return snap.derived("mercator", build)


def viewport(snap: Snapshot, query, bbox, zoom: int, max_cells: int) -> dict:
    """The FeatureCollection dict for one viewport of ``query``'s matches (see module docstring).

    Raises ParameterErrors when the matches must be clustered over more than
    ``max_cells`` grid cells.
    """
    index = snap.index
    located = dataclasses.replace(query, bbox=bbox, near=None, radius_m=None, include_virtual=False,
                                  limit=0, offset=0)
    rows = index.matching_rows(located)
    total = len(rows)
    points_allowed = MAX_POINTS if zoom < POINTS_ZOOM else HARD_MAX_POINTS
    if total <= points_allowed:
        rows = np.sort(rows)
        frame = snap.offers.iloc[rows]
        columns = ["id", "name", "category", "street", "housenumber", "postcode", "city"]
        records = frame[columns].to_dict("records") if total else []
        features = []
        for rec, row in zip(records, rows):
            rec["lon"], rec["lat"] = float(index.lon[row]), float(index.lat[row])
            features.append(offer_feature(_slim_record(rec)))
        return feature_collection(features, mode="points", total=total, zoom=zoom)
    cells = cells_across(bbox, zoom)
    if cells > max_cells:
        raise _problem("bbox", ",".join(f"{v:g}" for v in bbox),
                       f"this viewport spans {cells} grid cells at zoom {zoom}, more than one answer may hold: "
                       "zoom out or ask for a smaller bbox",
                       f"a bbox of at most {max_cells} cells of 60 screen pixels at the given zoom")
    mx, my = _projected(snap)
    clusters = grid_clusters(index.lon[rows], index.lat[rows], zoom, mx=mx[rows], my=my[rows])
    features = [{"type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [round(c["lon"], 6), round(c["lat"], 6)]},
                 "properties": {"count": c["count"], "bbox": c["bbox"]}} for c in clusters]
    return feature_collection(features, mode="clusters", total=total, zoom=zoom)


@bp.get("/clusters")
def clusters() -> Response:
    """The offers of one map viewport: points, or grid clusters when there are many (see module docstring)."""
    settings = current_app.config["ANGEBOTSKARTE"]
    snap = snapshot()
    now = http.local_now()
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k not in ("bbox", "zoom")])
    problems: list[ParameterError] = []
    bbox = zoom = query = None
    for parse in ("bbox", "zoom", "filters"):
        try:
            if parse == "bbox":
                bbox = parse_bbox(request.args.get("bbox") or ",".join(str(v) for v in settings.bbox))
            elif parse == "zoom":
                zoom = parse_zoom(request.args.get("zoom"))
            else:
                query = parse_offer_query(args, search_vocabulary(), accepted=MAP_FILTER_PARAMETERS, at=now)
        except ParameterErrors as exc:
            problems += exc.problems
    if problems:
        raise ParameterErrors(problems)
    minute = now if query.open_now else None
    cached = http.not_modified(snap.version, minute)
    if cached is not None:
        return cached
    key = (tuple(sorted(query_string_values(query).items())), bbox, zoom,
           minute.strftime("%H%M") if minute else None)
    body = snap.memo("clusters", CACHED_ANSWERS, CACHED_CHARS).get(
        key, lambda: http.json_text(viewport(snap, query, bbox, zoom, settings.api.max_cluster_cells)))
    return http.cacheable(Response(body, mimetype="application/json"), snap.version, minute)
