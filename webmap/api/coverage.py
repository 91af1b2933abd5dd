"""``GET /api/v1/coverage``: the planner's question answered as JSON.

The same parameters as the /planung page and ``angebotskarte coverage`` (category,
language, target_group, group, metric), checked by the same function
(webmap.planning.params.parse_params), answered by the same cached library
calls (webmap.planning.answers). The HTTP manners are those of the rest of
/api/v1: JSON 400s naming the parameter, a weak ETag per data version with
304s, Cache-Control, compression and CORS.
"""

from __future__ import annotations

from flask import Response, request

from webmap import http
from webmap.api.blueprint import bp
from webmap.params import ParameterErrors
from webmap.planning.answers import classification_for, coverage_context, gaps_for, table_for, unavailable
from webmap.planning.params import CLASSIFY_PARAMETERS, COVERAGE_PARAMETERS, parse_params
from webmap.state import snapshot

API_PARAMETERS = COVERAGE_PARAMETERS + ("lang",) + CLASSIFY_PARAMETERS


@bp.get("/coverage")
def coverage() -> Response:
    """{"rows", "underserved", "parameters", "classification"?}: see docs/api.md."""
    snap = snapshot()
    _inputs, ctx, error = coverage_context(snap)
    if ctx is None:
        return unavailable(error)
    params, problems = parse_params(request.args, ctx, API_PARAMETERS)
    if problems:
        raise ParameterErrors(problems)
    cached = http.not_modified(snap.version)
    if cached is not None:
        return cached
    lang = params.lang or "de"
    table = table_for(snap, ctx, params)
    body = {
        "rows": table.to_dict("records"),
        "underserved": gaps_for(snap, ctx, params, lang).to_dict("records"),
        "parameters": params.echo(),
    }
    if params.category:
        # One row per district: the classes the /planung map colours them by.
        classification = classification_for(table, params)
        body["classification"] = classification.as_dict(table["district_id"].astype(str))
    return http.cacheable(http.json_response(body), snap.version)
