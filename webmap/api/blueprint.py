"""The one /api/v1 blueprint and its manners: JSON errors naming the parameter, CORS on every answer.

Compression is app-wide (webmap.http); ETags and Cache-Control are set by each
view from the data version it answered from (webmap.http.cacheable), because
only the view knows whether its answer also depends on the clock.
"""

from __future__ import annotations

from flask import Blueprint, Response
from werkzeug.exceptions import HTTPException

from webmap import http
from webmap.params import ParameterErrors

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ParameterErrors)
def bad_parameters(exc: ParameterErrors) -> Response:
    return http.error_response(400, *exc.problems)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Response:
    return http.http_error_response(exc)


@bp.after_request
def http_manners(response: Response) -> Response:
    return http.cors(response)
