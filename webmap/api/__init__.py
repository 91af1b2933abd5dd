"""The search API under /api/v1: one blueprint, one set of HTTP manners (see docs/api.md).

* offers.py: ``/offers``, ``/offers/<id>``, ``/facets``, ``/districts``
* clusters.py: ``/clusters``, what the map shows of one viewport
* coverage.py: ``/coverage``, the planner's question as JSON
* openapi.py: ``/openapi.json`` and JSON 404s for unknown paths

Views stay thin: check the parameters (webmap.params), ask this request's
snapshot of the data (webmap.state), serialise with geo.geojson. Every GET
answer carries a weak ETag per data version (304 on If-None-Match, checked
before any searching), Cache-Control, CORS and compression (webmap.http).
"""

from __future__ import annotations

from flask import Flask

from webmap.api import clusters, coverage, offers, openapi
from webmap.api.blueprint import bp

__all__ = ["bp", "clusters", "coverage", "init_app", "offers", "openapi"]


def init_app(app: Flask) -> None:
    """Register the API blueprint (its views are registered by importing their modules above)."""
    app.register_blueprint(bp)
