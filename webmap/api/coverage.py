"""``GET /api/v1/coverage``: the planner's question answered as JSON.

The same parameters as the /planung page and ``angebotskarte coverage`` (category,
language, target_group, group, metric), checked by the same function
(webmap.planning.parse_params), answered by the same cached library calls. The
HTTP manners are those of the rest of /api/v1 (webmap/api.py): JSON 400s naming
the parameter, a weak ETag per data version with 304s, Cache-Control,
compression and CORS.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request

from webmap import api
from webmap.planning import (
    CLASSIFY_PARAMETERS, COVERAGE_PARAMETERS, classification_for, coverage_context, gaps_for, parse_params, table_for,
    unavailable,
)
from webmap.params import ParameterErrors
from webmap.state import current_data

bp = Blueprint("planning_api", __name__, url_prefix="/api/v1")

API_PARAMETERS = COVERAGE_PARAMETERS + ("lang",) + CLASSIFY_PARAMETERS


@bp.get("/coverage")
def coverage() -> Response:
    """{"rows", "underserved", "parameters", "classification"?}: see docs/api.md."""
    data = current_data()
    _inputs, ctx, error = coverage_context()
    if ctx is None:
        return unavailable(error)
    params, problems = parse_params(request.args, ctx, API_PARAMETERS)
    if problems:
        raise ParameterErrors(problems)
    not_modified = api.not_modified_response(data.version, False)
    if not_modified is not None:
        return not_modified
    lang = params.lang or "de"
    table = table_for(ctx, params)
    body = {
        "rows": table.to_dict("records"),
        "underserved": gaps_for(ctx, params, lang).to_dict("records"),
        "parameters": params.echo(),
    }
    if params.category:
        # One row per district: the classes the /planung map colours them by.
        classification = classification_for(table, params)
        body["classification"] = classification.as_dict(table["district_id"].astype(str))
    return api.cacheable(api.json_response(body), data.version, False)


@bp.errorhandler(ParameterErrors)
def bad_parameters(exc: ParameterErrors) -> Response:
    return api.error_response(400, *exc.problems)


@bp.after_request
def http_manners(response: Response) -> Response:
    return api.http_manners(response)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
