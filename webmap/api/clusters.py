"""GET /api/v1/clusters: what the map shows of one viewport, small at any number of offers.

The map asks with the viewport (``bbox=lon_min,lat_min,lon_max,lat_max``),
its zoom level and the same filters as /api/v1/offers. When at most
:data:`MAX_POINTS` matching offers lie in the box (or the map is zoomed in
far), the answer holds each of them as a slim GeoJSON Feature (id, name,
category, address) and the browser clusters them with Leaflet.markercluster;
otherwise the server aggregates them on a grid of :data:`CELL_PX` screen pixels
at that zoom, and each Feature is one cell: the centroid of its offers,
``count`` and the ``bbox`` to zoom to. 300,000 offers thus cost a few hundred
features per request instead of 40 MB of inlined markers. Virtual offers have
no place and are never on the map.

Answer: a GeoJSON FeatureCollection with the foreign members ``mode``
("points" / "clusters"), ``total`` (matching offers in the box) and ``zoom``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import shapely
from flask import Blueprint, Flask, jsonify, request
from werkzeug.datastructures import MultiDict

from geo.geojson import feature_collection, offer_feature
from webmap.params import FACET_PARAMETERS, ParameterError, ParameterErrors, parse_offer_query
from webmap.state import current_data, search_vocabulary

bp = Blueprint("clusters", __name__)

#: Up to this many offers in the viewport, the map gets every one of them.
MAX_POINTS = 2000
#: From this zoom on (streets), the map gets individual offers up to HARD_MAX_POINTS.
POINTS_ZOOM = 16
HARD_MAX_POINTS = 10000
#: Grid cell size for server-side clusters, in screen pixels.
CELL_PX = 60
MAX_ZOOM = 22


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
        zoom = int(text if text not in (None, "") else 12)
    except ValueError:
        raise _problem("zoom", text, "zoom must be a whole number", f"0..{MAX_ZOOM}") from None
    if not 0 <= zoom <= MAX_ZOOM:
        raise _problem("zoom", text, "zoom is out of range", f"0..{MAX_ZOOM}")
    return zoom


def _mercator_x(lon: np.ndarray) -> np.ndarray:
    return (lon + 180.0) / 360.0


def _mercator_y(lat: np.ndarray) -> np.ndarray:
    lat_r = np.radians(np.clip(lat, -85.05112878, 85.05112878))
    return (1.0 - np.log(np.tan(lat_r) + 1.0 / np.cos(lat_r)) / math.pi) / 2.0


def _lon_of(x: np.ndarray) -> np.ndarray:
    return x * 360.0 - 180.0


def _lat_of(y: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan(np.sinh(math.pi * (1.0 - 2.0 * y))))


def grid_clusters(lon: np.ndarray, lat: np.ndarray, zoom: int, cell_px: int = CELL_PX,
                  mx: np.ndarray | None = None, my: np.ndarray | None = None) -> list[dict]:
    """Group points into square cells of ``cell_px`` Web-Mercator pixels at ``zoom``.

    Returns one dict per non-empty cell: ``lon``, ``lat`` (mean of its points, so
    a cluster sits where its offers are), ``count`` and ``bbox`` (the cell's
    lon_min, lat_min, lon_max, lat_max: where a click zooms to). Largest first.
    Linear in the number of points (counting, no sorting). ``mx``/``my`` are
    the points' Web-Mercator coordinates in [0, 1] when already known.
    """
    if not len(lon):
        return []
    cells = 256.0 * (2 ** zoom) / cell_px
    x = np.floor((_mercator_x(lon) if mx is None else mx) * cells).astype(np.int64)
    y = np.floor((_mercator_y(lat) if my is None else my) * cells).astype(np.int64)
    x0, y0 = int(x.min()), int(y.min())
    width, height = int(x.max()) - x0 + 1, int(y.max()) - y0 + 1
    if width * height > 4_000_000:  # a box far wider than any screen: fall back to sparse cell keys
        keys, inverse = np.unique((x - x0) * height + (y - y0), return_inverse=True)
    else:
        keys, inverse = None, (x - x0) * height + (y - y0)
    size = len(keys) if keys is not None else width * height
    counts = np.bincount(inverse, minlength=size)
    sum_lon = np.bincount(inverse, weights=lon, minlength=size)
    sum_lat = np.bincount(inverse, weights=lat, minlength=size)
    used = np.flatnonzero(counts)
    cell = keys[used] if keys is not None else used
    cx, cy = cell // height + x0, cell % height + y0
    west, east = _lon_of(cx / cells), _lon_of((cx + 1) / cells)
    north, south = _lat_of(cy / cells), _lat_of((cy + 1) / cells)
    order = used[np.argsort(-counts[used], kind="stable")]
    position = {int(c): i for i, c in enumerate(used)}
    result = []
    for c in order:
        i = position[int(c)]
        n = int(counts[c])
        result.append({"lon": float(sum_lon[c] / n), "lat": float(sum_lat[c] / n), "count": n,
                       "bbox": [round(float(west[i]), 6), round(float(south[i]), 6),
                                round(float(east[i]), 6), round(float(north[i]), 6)]})
    return result


def _slim_record(rec: dict) -> dict:
    """What a marker and its popup need: no descriptions or contact data (the detail page has those)."""
    street = " ".join(p for p in (rec.get("street") or "", rec.get("housenumber") or "") if p)
    town = " ".join(p for p in (rec.get("postcode") or "", rec.get("city") or "") if p)
    return {"id": rec.get("id"), "name": rec.get("name"), "category": rec.get("category"),
            "address": ", ".join(p for p in (street, town) if p),
            "geometry": shapely.Point(rec["lon"], rec["lat"])}


_PROJECTED: dict[int, tuple] = {}


def _projected(index) -> tuple[np.ndarray, np.ndarray]:
    """Web-Mercator x, y in [0, 1] of every offer, computed once per index (that is, per data version)."""
    hit = _PROJECTED.get(id(index))
    if hit is None or hit[0] is not index:
        with np.errstate(invalid="ignore"):
            hit = (index, _mercator_x(index.lon), _mercator_y(index.lat))
        _PROJECTED.clear()  # one data version at a time per process is plenty
        _PROJECTED[id(index)] = hit
    return hit[1], hit[2]


def viewport(query, bbox, zoom: int) -> dict:
    """The FeatureCollection dict for one viewport of ``query``'s matches (see module docstring)."""
    data = current_data()
    index = data.index
    located = dataclasses.replace(query, bbox=bbox, near=None, radius_m=None, include_virtual=False,
                                  limit=0, offset=0)
    rows = index.matching_rows(located)
    total = len(rows)
    points_allowed = MAX_POINTS if zoom < POINTS_ZOOM else HARD_MAX_POINTS
    if total <= points_allowed:
        rows = np.sort(rows)
        frame = data.offers.iloc[rows]
        columns = ["id", "name", "category", "street", "housenumber", "postcode", "city"]
        records = frame[columns].to_dict("records") if total else []
        features = []
        for rec, row in zip(records, rows):
            rec["lon"], rec["lat"] = float(index.lon[row]), float(index.lat[row])
            features.append(offer_feature(_slim_record(rec)))
        return feature_collection(features, mode="points", total=total, zoom=zoom)
    mx, my = _projected(index)
    cells = grid_clusters(index.lon[rows], index.lat[rows], zoom, mx=mx[rows], my=my[rows])
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(c["lon"], 6), round(c["lat"], 6)]},
                 "properties": {"count": c["count"], "bbox": c["bbox"]}} for c in cells]
    return feature_collection(features, mode="clusters", total=total, zoom=zoom)


@bp.get("/api/v1/clusters")
def clusters():
    from webmap.api import error_response

    settings = current_data().settings
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k not in ("bbox", "zoom")])
    try:
        bbox = parse_bbox(request.args.get("bbox") or ",".join(str(v) for v in settings.bbox))
        zoom = parse_zoom(request.args.get("zoom"))
        query = parse_offer_query(args, search_vocabulary(), accepted=FACET_PARAMETERS + ("q", "open_now"))
    except ParameterErrors as exc:
        # The same error shape as every other /api/v1 endpoint.
        return error_response(400, *exc.problems)
    response = jsonify(viewport(query, bbox, zoom))
    response.headers["Cache-Control"] = f"public, max-age={int(settings.get('api', 'cache_max_age_seconds') or 60)}"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
