"""``/planung/offers.geojson``: the offers that answer the planner's question, as points for the map.

Exactly the offers the table counts (geo.coverage.filters.matching_offers: an
offer with no target group, or with "all", is open to every group), located
ones only. One answer holds at most ``[api] max_planning_offers`` of them, in
store order; ``offset`` pages through the rest and ``numberMatched`` says how
many there are, so a town with 200,000 offers costs one bounded answer rather
than 50 MB. Answers are kept per data version (the same question is asked by
every planner who opens the page).
"""

from __future__ import annotations

import re

import numpy as np
from flask import Response, current_app, request
from urllib.parse import urlencode

from geo.coverage.filters import CoverageQuery, matching_offers
from geo.geojson import feature_collection
from webmap import http
from webmap.i18n import ui_lang, vocabulary_label
from webmap.params import MAX_OFFSET, ParameterError
from webmap.planning.answers import coverage_context
from webmap.planning.blueprint import bp
from webmap.planning.params import POINTS_PARAMETERS, parse_params
from webmap.state import snapshot

_WHOLE_NUMBER = re.compile(r"[0-9]{1,7}")


def _offset(problems: list[ParameterError]) -> int:
    raw = request.args.get("offset", "").strip()
    if not raw:
        return 0
    if _WHOLE_NUMBER.fullmatch(raw) and int(raw) <= MAX_OFFSET:
        return int(raw)
    problems.append(ParameterError("offset", raw, "offset must be a whole number", f"0 to {MAX_OFFSET}"))
    return 0


@bp.get("/offers.geojson")
def offers() -> Response:
    """One page of the located offers that answer the question (see module docstring)."""
    snap = snapshot()
    inputs, ctx, _error = coverage_context(snap)
    if ctx is None:
        return http.json_response(feature_collection([], numberMatched=0, numberReturned=0),
                                  mimetype=http.GEOJSON)
    params, problems = parse_params(request.args, ctx, POINTS_PARAMETERS + ("offset",))
    offset = _offset(problems)
    if problems:
        return http.error_response(400, *problems)
    lang = ui_lang()
    version = f"{snap.version}|{lang}"  # the labels are in the visitor's language
    cached = http.not_modified(version)
    if cached is not None:
        return cached
    page_size = current_app.config["ANGEBOTSKARTE"].api.max_planning_offers
    key = (params.category, params.language, params.target_group, offset, lang)

    def compute() -> str:
        query = CoverageQuery(params.category, params.language, params.target_group)
        positions = np.flatnonzero(matching_offers(ctx.offers, query) & ctx.offers["located"].to_numpy())
        page = positions[offset:offset + page_size]
        frame = inputs.offers.iloc[page].to_crs(4326)
        features = []
        for rec, geom in zip(frame.drop(columns=frame.geometry.name).to_dict("records"), frame.geometry.values):
            category = str(rec.get("category", "") or "")
            features.append({
                "type": "Feature", "id": str(rec.get("id", "")),
                "geometry": {"type": "Point", "coordinates": [geom.x, geom.y]},  # GeoJSON order: lon, lat
                "properties": {"id": str(rec.get("id", "")), "name": str(rec.get("name", "") or ""),
                               "category": category,
                               "category_label": vocabulary_label(ctx.categories, category, lang)},
            })
        members = {"numberMatched": int(len(positions)), "numberReturned": len(features), "offset": offset,
                   "limit": page_size}
        if offset + page_size < len(positions):
            items = [(k, v) for k, v in request.args.items(multi=True) if k != "offset"]
            members["links"] = [{"rel": "next", "href": request.script_root + request.path + "?"
                                 + urlencode(items + [("offset", str(offset + page_size))])}]
        return http.json_text(feature_collection(features, **members))

    body = snap.memo("planning-points", 32, 16_000_000).get(key, compute)
    response = http.cacheable(Response(body, mimetype=http.GEOJSON), version)
    response.vary.add("Accept-Language")
    return response
