"""The OpenAPI 3.1 document of /api/v1, built in code from the tables the API checks against.

The offer search's parameters come from webmap.params.PARAMETERS (the same
table the parser reads), the coverage parameters and clusters limits from
their modules, limits and vocabularies from the deployment's settings. Tests
validate real responses against it (openapi-core), so the description cannot
drift from the behaviour. ``GET /api/v1/openapi.json`` serves it; unknown
paths under /api/v1 answer JSON 404s listing its paths.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, request

from geo.coverage import METRICS
from geo.schema import WHEELCHAIR_VALUES
from geo.vocab import Vocabulary
from webmap import http
from webmap.api.blueprint import bp
from webmap.api.clusters import DEFAULT_ZOOM, MAX_ZOOM
from webmap.api.schemas import TEXT, ref, schemas
from webmap.params import (MAP_FILTER_PARAMETERS, OFFERS_PARAMETERS, PARAMETERS, ParameterError, SearchVocabulary,
                           parameter_schema, parse_offer_query)
from webmap.planning.classify import MAX_CLASSES, MIN_CLASSES, SCHEMES
from webmap.state import current_data, search_vocabulary

_EXTENSION = "angebotskarte.openapi"


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    parse_offer_query(request.args, search_vocabulary(), accepted=())
    cached = http.not_modified("openapi")
    if cached is not None:
        return cached
    return http.cacheable(Response(document_text(), mimetype="application/json"), "openapi")


@bp.get("/", defaults={"rest": ""})
@bp.get("/<path:rest>")
def not_found(rest: str) -> Response:
    """Unknown paths under /api/v1 answer in JSON, listing the endpoints there are."""
    # The list comes from the OpenAPI document so it cannot drift from the real endpoints.
    endpoints = sorted(json.loads(document_text())["paths"])
    return http.error_response(404, ParameterError("path", request.path, f"no API endpoint at {request.path}",
                                                   endpoints))


def document_text() -> str:
    """The document as JSON text, built once per app (it depends on the settings only)."""
    text = current_app.extensions.get(_EXTENSION)
    if text is None:
        data = current_data()
        vocab = SearchVocabulary.from_settings(data.settings, data.categories, data.target_groups, {})
        document = build_document(data.settings, vocab)
        text = current_app.extensions[_EXTENSION] = json.dumps(document, ensure_ascii=False, indent=1)
    return text


def parameter_descriptions(vocab: SearchVocabulary) -> dict[str, dict]:
    """OpenAPI Parameter objects for every query parameter of GET /api/v1/offers (from webmap.params.PARAMETERS)."""
    fill = {"categories": ", ".join(vocab.categories.keys), "target_groups": ", ".join(vocab.target_groups.keys),
            "wheelchair": ", ".join(WHEELCHAIR_VALUES), "max_radius": f"{vocab.max_radius_m:g}",
            "max_limit": vocab.max_limit, "default_limit": vocab.default_limit}
    parameters = {}
    for name, parameter in PARAMETERS.items():
        description = parameter.description.format(**fill)
        item: dict[str, Any] = {"name": name, "in": "query", "required": False,
                                "schema": parameter_schema(parameter, vocab)}
        if parameter.kind == "facet":
            item.update(style="form", explode=True)
        if parameter.example:
            item["example"] = parameter.example
        if parameter.requires:
            description += " Needs " + " and ".join(parameter.requires) + "."
            item["x-requires"] = list(parameter.requires)
        item["description"] = description
        parameters[name] = item
    return parameters


def _responses() -> dict[str, dict]:
    def error(description: str) -> dict:
        return {"description": description, "content": {"application/json": {"schema": ref("schemas", "Error")}}}

    return {
        "BadRequest": error("A parameter is unknown, malformed or out of range; the body says which."),
        "NotFound": error("No such offer (or no such endpoint)."),
        "NotModified": {"description": "The client's copy (If-None-Match) is still current."},
    }


def build_document(settings: Any, vocab: SearchVocabulary) -> dict[str, Any]:
    """The OpenAPI 3.1 document for this deployment's API."""
    categories, target_groups = vocab.categories, vocab.target_groups
    parameters = parameter_descriptions(vocab)
    filters = [ref("parameters", name) for name in OFFERS_PARAMETERS]
    errors = {"304": ref("responses", "NotModified"), "400": ref("responses", "BadRequest")}
    area = settings.area.name
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Angebotskarte search API{' – ' + area if area else ''}",
            "version": "1",
            "description": "Integration offers (counselling, language courses, meeting places, sports, doctors, "
                           "authorities) with filters, nearest-first search and facet counts. Coordinates are "
                           "WGS84; distances are great-circle metres. Every invalid parameter is answered with "
                           "HTTP 400 naming the parameter. Responses carry an ETag per data version.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "paths": {
            "/api/v1/offers": {"get": {
                "operationId": "listOffers",
                "summary": "Offers matching filters, optionally nearest first",
                "parameters": filters,
                "responses": {
                    "200": {"description": "A page of matching offers.",
                            "content": {"application/geo+json": {"schema": ref("schemas", "OfferCollection")}}},
                    **errors,
                },
            }},
            "/api/v1/offers/{id}": {"get": {
                "operationId": "getOffer",
                "summary": "One offer",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": TEXT},
                    ref("parameters", "near"),
                ],
                "responses": {
                    "200": {"description": "The offer.",
                            "content": {"application/geo+json": {"schema": ref("schemas", "OfferFeature")}}},
                    **errors,
                    "404": ref("responses", "NotFound"),
                },
            }},
            "/api/v1/facets": {"get": {
                "operationId": "facetCounts",
                "summary": "Facet counts for filters (same parameters as /api/v1/offers)",
                "parameters": filters,
                "responses": {
                    "200": {"description": "Counts per facet value.",
                            "content": {"application/json": {"schema": ref("schemas", "FacetResponse")}}},
                    **errors,
                },
            }},
            "/api/v1/districts": {"get": {
                "operationId": "listDistricts",
                "summary": "District polygons with offer counts per category",
                "responses": {
                    "200": {"description": "All districts.",
                            "content": {"application/geo+json": {"schema": ref("schemas", "DistrictCollection")}}},
                    **errors,
                },
            }},
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1 document.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
            "/api/v1/coverage": coverage_path(categories, target_groups),
            "/api/v1/clusters": clusters_path(errors),
        },
        "components": {"parameters": parameters,
                       "schemas": schemas(),
                       "responses": _responses()},
    }


# --------------------------------------------------------------------------- GET /api/v1/coverage (planner's view)


def coverage_path(categories: Vocabulary, target_groups: Vocabulary) -> dict[str, Any]:
    """The path item of GET /api/v1/coverage (webmap/api/coverage.py; parameters as on /planung).

    Its parameters are inline rather than in components/parameters, which holds
    exactly the parameters of the offer search.
    """
    def query(name: str, schema: dict, description: str, **extra) -> dict:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description,
                **extra}

    parameters = [
        query("category", TEXT, "One category: key (" + ", ".join(categories.keys) + ") or a German/English "
              "name. Without it the rows have one block per category."),
        query("language", TEXT, "Only offers in this language: ISO 639 code (ar, uk, prs, ...) or a language "
              "name. Relates the offers to the origin groups of that language ([planning.origin_languages])."),
        query("target_group", TEXT, "Only offers open to this target group (" + ", ".join(target_groups.keys)
              + "); offers naming no group or \"all\" are open to every group."),
        query("group", TEXT, "A column of the population table to relate the offers to (default: origin "
              "groups of the language, else [planning] foreign_field, else all residents)."),
        query("metric", {"type": "array", "items": {"type": "string"}},
              "Metrics to include: " + ", ".join(METRICS) + ". Repeat or separate by commas (default all).",
              style="form", explode=True),
        query("lang", {"type": "string", "enum": ["de", "en"]}, "Language of the underserved reasons (default de)."),
        query("scheme", {"type": "string", "enum": list(SCHEMES)},
              "Classification of the mapped metric (with a category): quantiles (default), natural_breaks "
              "(Fisher-Jenks) or equal_interval."),
        query("classes", {"type": "integer", "minimum": MIN_CLASSES, "maximum": MAX_CLASSES},
              "Number of classes (default 5; fewer when there are fewer distinct values)."),
    ]
    error = {"content": {"application/json": {"schema": ref("schemas", "Error")}}}
    return {"get": {
        "operationId": "coverage",
        "summary": "Coverage per district and category, and the ranked underserved districts",
        "parameters": parameters,
        "responses": {
            "200": {"description": "The coverage table (as `angebotskarte coverage` writes it), the underserved "
                                   "list and, with a category, the classes of the /planung map.",
                    "content": {"application/json": {"schema": ref("schemas", "CoverageResponse")}}},
            "304": ref("responses", "NotModified"),
            "400": ref("responses", "BadRequest"),
            "404": {"description": "No districts are loaded: coverage is computed per district.", **error},
            "503": {"description": "The deployment's data or [planning] settings do not allow the computation.",
                    **error},
        },
    }}


# --------------------------------------------------------------------------- GET /api/v1/clusters (the map's viewport)


def clusters_path(errors: dict) -> dict[str, Any]:
    """The path item of GET /api/v1/clusters (webmap/api/clusters.py): what the map shows of one viewport.

    Filters are the offer search's facet parameters plus ``q`` and ``open_now``;
    ``bbox`` and ``zoom`` are inline because here they describe a map view.
    """
    filters = [ref("parameters", name) for name in MAP_FILTER_PARAMETERS]
    view = [
        {"name": "bbox", "in": "query", "required": False, "description":
            "The viewport, lon_min,lat_min,lon_max,lat_max (WGS84); default: [area] bbox. Values past "
            "the antimeridian or the poles are clamped.", "schema": TEXT},
        {"name": "zoom", "in": "query", "required": False, "description":
            "The map's zoom level; decides the grid of server-side clusters.",
         "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM, "default": DEFAULT_ZOOM}},
    ]
    return {"get": {
        "operationId": "viewportClusters",
        "summary": "Offers of one map viewport: single points, or grid clusters when there are many",
        "parameters": view + filters,
        "responses": {
            "200": {"description": "Points (mode \"points\") or clusters with counts (mode \"clusters\").",
                    "content": {"application/json": {"schema": ref("schemas", "ViewportCollection")}}},
            **errors,
        },
    }}
