"""The OpenAPI 3.1 document of /api/v1, built in code from the same constants the API checks.

Built per app because limits and vocabularies come from the deployment's
settings. Tests validate real responses against it (openapi-core), so the
description cannot drift from the behaviour.
"""

from __future__ import annotations

from typing import Any

from geo.schema import APPOINTMENT_VALUES, COST_VALUES, GEOCODE_STATUSES, LOCATION_TYPES, WHEELCHAIR_VALUES
from geo.vocab import Vocabulary
from webmap.params import FACET_PARAMETERS, MAX_OFFSET, MAX_TEXT_LENGTH, OFFERS_PARAMETERS

_FLAG = {"type": "string", "enum": ["1", "0", "true", "false", "yes", "no", "on", "off"]}
_TEXT = {"type": "string"}
_NUMBER_OR_NULL = {"type": ["number", "null"]}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def parameter_descriptions(settings: Any, categories: Vocabulary, target_groups: Vocabulary) -> dict[str, dict]:
    """OpenAPI Parameter objects for every query parameter of GET /api/v1/offers."""
    max_limit = int(settings.get("api", "max_limit", 1000))
    default_limit = int(settings.get("api", "default_limit", 50))
    max_radius = float(settings.get("api", "max_radius_m", 200_000))
    repeatable = {"type": "array", "items": {"type": "string"}}

    def facet(name: str, text: str) -> dict:
        return {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
                "schema": repeatable,
                "description": f"{text} Repeat the parameter or separate values by commas; several values "
                               "mean OR, different parameters mean AND."}

    parameters = {
        "category": facet("category", "Category key (" + ", ".join(categories.keys) + ") or a German/English "
                          "name of one."),
        "language": facet("language", "Language the offer is available in: an ISO 639 code (ar, uk, prs, kmr, "
                          "...) or a language name (\"Arabisch\")."),
        "target_group": facet("target_group", "Target group key (" + ", ".join(target_groups.keys) + ")."),
        "district": facet("district", "District id (see /api/v1/districts) or district name."),
        "wheelchair": facet("wheelchair", "Wheelchair access: " + ", ".join(WHEELCHAIR_VALUES) + "."),
        "near": {"name": "near", "in": "query", "required": False, "schema": _TEXT, "example": "49.4447,7.7690",
                 "description": "lat,lon in WGS84 degrees (latitude first). Results are ordered by "
                                "great-circle distance and carry distance_m."},
        "radius": {"name": "radius", "in": "query", "required": False,
                   "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": max_radius},
                   "description": "Only offers within this many metres of near (needs near)."},
        "bbox": {"name": "bbox", "in": "query", "required": False, "schema": _TEXT,
                 "example": "7.70,49.40,7.85,49.48",
                 "description": "lon_min,lat_min,lon_max,lat_max in WGS84 degrees (longitude first, as in "
                                "GeoJSON): only offers inside the box."},
        "q": {"name": "q", "in": "query", "required": False, "schema": {"type": "string", "maxLength": MAX_TEXT_LENGTH},
              "description": "Words that must all occur in name, organisation or description (case- and "
                             "accent-insensitive, parts of words match)."},
        "open_now": {"name": "open_now", "in": "query", "required": False, "schema": _FLAG,
                     "description": "1: only offers whose opening hours say they are open now (local time of "
                                    "the area); offers without hours are left out."},
        "include_virtual": {"name": "include_virtual", "in": "query", "required": False, "schema": _FLAG,
                            "description": "1: also offers without a place on the map (online/phone offers and "
                                           "offers whose address could not be located), with null geometry, "
                                           "after the located ones."},
        "limit": {"name": "limit", "in": "query", "required": False,
                  "schema": {"type": "integer", "minimum": 0, "maximum": max_limit, "default": default_limit},
                  "description": "Page size; 0 returns only the counts."},
        "offset": {"name": "offset", "in": "query", "required": False,
                   "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
                   "description": "How many results to skip (for paging)."},
        "facets": {"name": "facets", "in": "query", "required": False, "schema": _FLAG,
                   "description": "1: add facet counts (as in /api/v1/facets) to the response."},
    }
    assert set(parameters) == set(OFFERS_PARAMETERS), "every accepted parameter is described"
    return parameters


def _schemas() -> dict[str, dict]:
    string_list = {"type": "array", "items": {"type": "string"}}
    counts = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
    return {
        "Point": {
            "type": "object", "required": ["type", "coordinates"],
            "properties": {
                "type": {"const": "Point"},
                "coordinates": {"type": "array", "prefixItems": [
                    {"type": "number", "minimum": -180, "maximum": 180, "description": "longitude"},
                    {"type": "number", "minimum": -90, "maximum": 90, "description": "latitude"}],
                    "minItems": 2, "maxItems": 2},
            },
        },
        "OfferProperties": {
            "type": "object",
            "description": "Every field of the offer record (see geo/schema.py); empty text is \"\", "
                           "missing numbers are null.",
            "required": ["id", "name", "category", "location_type", "languages", "target_groups"],
            "properties": {
                **{name: _TEXT for name in ("id", "name", "category", "organisation", "description", "street",
                                            "housenumber", "postcode", "city", "district", "opening_hours",
                                            "phone", "email", "website", "last_verified", "source",
                                            "geocode_precision", "geocode_provider")},
                "lat": _NUMBER_OR_NULL, "lon": _NUMBER_OR_NULL, "age_min": _NUMBER_OR_NULL,
                "age_max": _NUMBER_OR_NULL,
                # Closed value sets; "" where the source said nothing.
                "location_type": {"enum": [*LOCATION_TYPES, ""]},
                "languages": string_list,
                "language_notes": {"type": "object", "additionalProperties": {"type": "string"}},
                "target_groups": string_list,
                "appointment": {"enum": [*APPOINTMENT_VALUES, ""]},
                "wheelchair": {"enum": [*WHEELCHAIR_VALUES, ""]},
                "cost": {"enum": [*COST_VALUES, ""]},
                "geocode_status": {"enum": [*GEOCODE_STATUSES, ""]},
                "district_status": {"enum": ["inside", "outside", ""]},
                "distance_m": {"type": ["number", "null"], "minimum": 0,
                               "description": "Great-circle metres from near (only when near is given; "
                                              "null for offers without a place)."},
            },
        },
        "OfferFeature": {
            "type": "object", "required": ["type", "id", "geometry", "properties"],
            "properties": {
                "type": {"const": "Feature"},
                "id": _TEXT,
                "geometry": {"oneOf": [_ref("schemas", "Point"), {"type": "null"}]},
                "properties": _ref("schemas", "OfferProperties"),
            },
        },
        "Facets": {
            "type": "object",
            "description": "Per facet, offers per value under all the other filters (what choosing that "
                           "value would give).",
            "required": list(FACET_PARAMETERS),
            "properties": {name: counts for name in FACET_PARAMETERS},
        },
        "Link": {"type": "object", "required": ["rel", "href"],
                 "properties": {"rel": {"enum": ["self", "next", "prev"]}, "href": _TEXT}},
        "OfferCollection": {
            "type": "object",
            "required": ["type", "features", "numberMatched", "numberReturned", "offset", "limit", "query", "links"],
            "properties": {
                "type": {"const": "FeatureCollection"},
                "features": {"type": "array", "items": _ref("schemas", "OfferFeature")},
                "numberMatched": {"type": "integer", "minimum": 0, "description": "All matches, every page."},
                "numberReturned": {"type": "integer", "minimum": 0},
                "offset": {"type": "integer", "minimum": 0},
                "limit": {"type": "integer", "minimum": 0},
                "query": {"type": "object", "description": "The filters as understood (canonical keys)."},
                "links": {"type": "array", "items": _ref("schemas", "Link")},
                "facets": _ref("schemas", "Facets"),
            },
        },
        "FacetResponse": {
            "type": "object", "required": ["numberMatched", "facets", "query"],
            "properties": {
                "numberMatched": {"type": "integer", "minimum": 0},
                "facets": _ref("schemas", "Facets"),
                "query": {"type": "object"},
            },
        },
        "DistrictFeature": {
            "type": "object", "required": ["type", "id", "geometry", "properties"],
            "properties": {
                "type": {"const": "Feature"},
                "id": _TEXT,
                "geometry": {"oneOf": [
                    {"type": "object", "required": ["type", "coordinates"],
                     "properties": {"type": {"enum": ["Polygon", "MultiPolygon"]}, "coordinates": {"type": "array"}}},
                    {"type": "null"}]},
                "properties": {
                    "type": "object", "required": ["district_id", "name", "offer_count", "offers_by_category"],
                    "properties": {"district_id": _TEXT, "name": _TEXT,
                                   "offer_count": {"type": "integer", "minimum": 0},
                                   "offers_by_category": counts},
                },
            },
        },
        "DistrictCollection": {
            "type": "object", "required": ["type", "features"],
            "properties": {"type": {"const": "FeatureCollection"},
                           "features": {"type": "array", "items": _ref("schemas", "DistrictFeature")},
                           "numberMatched": {"type": "integer", "minimum": 0}},
        },
        "Problem": {
            "type": "object", "required": ["error", "parameter", "value", "allowed"],
            "properties": {
                "error": {"type": "string", "description": "What is wrong, in English."},
                "parameter": {"type": ["string", "null"], "description": "The parameter (or \"id\", \"path\")."},
                "value": {"type": ["string", "null"], "description": "The value as given."},
                "allowed": {"description": "What would be accepted: a list of values or a description.",
                            "type": ["array", "string", "null"], "items": {"type": "string"}},
            },
        },
        "Error": {
            "allOf": [_ref("schemas", "Problem"), {
                "type": "object",
                "properties": {"problems": {"type": "array", "items": _ref("schemas", "Problem"),
                                            "description": "Every problem found, the first one repeated."}},
            }],
        },
    }


def _responses() -> dict[str, dict]:
    def error(description: str) -> dict:
        return {"description": description, "content": {"application/json": {"schema": _ref("schemas", "Error")}}}

    return {
        "BadRequest": error("A parameter is unknown, malformed or out of range; the body says which."),
        "NotFound": error("No such offer (or no such endpoint)."),
        "NotModified": {"description": "The client's copy (If-None-Match) is still current."},
    }


def build_document(settings: Any, categories: Vocabulary, target_groups: Vocabulary) -> dict[str, Any]:
    """The OpenAPI 3.1 document for this deployment's API."""
    parameters = parameter_descriptions(settings, categories, target_groups)
    filters = [_ref("parameters", name) for name in OFFERS_PARAMETERS]
    errors = {"304": _ref("responses", "NotModified"), "400": _ref("responses", "BadRequest")}
    area = settings.get("area", "name", "")
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
                            "content": {"application/geo+json": {"schema": _ref("schemas", "OfferCollection")}}},
                    **errors,
                },
            }},
            "/api/v1/offers/{id}": {"get": {
                "operationId": "getOffer",
                "summary": "One offer",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": _TEXT},
                    _ref("parameters", "near"),
                ],
                "responses": {
                    "200": {"description": "The offer.",
                            "content": {"application/geo+json": {"schema": _ref("schemas", "OfferFeature")}}},
                    **errors,
                    "404": _ref("responses", "NotFound"),
                },
            }},
            "/api/v1/facets": {"get": {
                "operationId": "facetCounts",
                "summary": "Facet counts for filters (same parameters as /api/v1/offers)",
                "parameters": filters,
                "responses": {
                    "200": {"description": "Counts per facet value.",
                            "content": {"application/json": {"schema": _ref("schemas", "FacetResponse")}}},
                    **errors,
                },
            }},
            "/api/v1/districts": {"get": {
                "operationId": "listDistricts",
                "summary": "District polygons with offer counts per category",
                "responses": {
                    "200": {"description": "All districts.",
                            "content": {"application/geo+json": {"schema": _ref("schemas", "DistrictCollection")}}},
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
                       "schemas": {**_schemas(), **coverage_schemas(), **clusters_schemas()},
                       "responses": _responses()},
    }


# --------------------------------------------------------------------------- GET /api/v1/coverage (planner's view)


def coverage_path(categories: Vocabulary, target_groups: Vocabulary) -> dict[str, Any]:
    """The path item of GET /api/v1/coverage (webmap/planning_api.py; parameters as on /planung).

    Its parameters are inline rather than in components/parameters, which holds
    exactly the parameters of the offer search.
    """
    from geo.coverage import METRICS
    from webmap.planning import MAX_CLASSES, MIN_CLASSES, SCHEMES

    def query(name: str, schema: dict, description: str, **extra) -> dict:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description,
                **extra}

    parameters = [
        query("category", _TEXT, "One category: key (" + ", ".join(categories.keys) + ") or a German/English "
              "name. Without it the rows have one block per category."),
        query("language", _TEXT, "Only offers in this language: ISO 639 code (ar, uk, prs, ...) or a language "
              "name. Relates the offers to the origin groups of that language ([planning.origin_languages])."),
        query("target_group", _TEXT, "Only offers open to this target group (" + ", ".join(target_groups.keys)
              + "); offers naming no group or \"all\" are open to every group."),
        query("group", _TEXT, "A column of the population table to relate the offers to (default: origin "
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
    error = {"content": {"application/json": {"schema": _ref("schemas", "Error")}}}
    return {"get": {
        "operationId": "coverage",
        "summary": "Coverage per district and category, and the ranked underserved districts",
        "parameters": parameters,
        "responses": {
            "200": {"description": "The coverage table (as `angebotskarte coverage` writes it), the underserved "
                                   "list and, with a category, the classes of the /planung map.",
                    "content": {"application/json": {"schema": _ref("schemas", "CoverageResponse")}}},
            "304": _ref("responses", "NotModified"),
            "400": _ref("responses", "BadRequest"),
            "404": {"description": "No districts are loaded: coverage is computed per district.", **error},
            "503": {"description": "The deployment's data or [planning] settings do not allow the computation.",
                    **error},
        },
    }}


def coverage_schemas() -> dict[str, dict]:
    """Schemas of the GET /api/v1/coverage answer (columns: docs/planning.md)."""
    from geo.coverage import METRICS
    from webmap.planning import SCHEMES

    number = _NUMBER_OR_NULL
    text_or_null = {"type": ["string", "null"]}
    metric_columns = {column: number for columns in METRICS.values() for column in columns}
    metric_columns["offers"] = {"type": "integer", "minimum": 0}
    metric_columns["virtual_offers"] = {"type": "integer", "minimum": 0}
    id_columns = {name: _TEXT for name in ("district_id", "district", "category", "language", "target_group",
                                           "group")}
    return {
        "CoverageRow": {
            "type": "object",
            "required": [*id_columns, "residents", "group_residents"],
            "description": "One district × category; the metric columns of the chosen metrics. Missing numbers "
                           "are null; category, language and target group are keys/codes (\"\" = any).",
            "properties": {**id_columns, "residents": number, "group_residents": number, **metric_columns},
        },
        "UnderservedRow": {
            "type": "object",
            "required": ["rank", "district_id", "district", "category", "language", "affected_residents", "reason"],
            "properties": {
                **id_columns, "rank": {"type": "integer", "minimum": 1}, "residents": number,
                "group_residents": number, "affected_residents": number, "share_within_catchment": number,
                "e2sfca_per_10k": number, "e2sfca_vs_town": number,
                "reason": {"type": "string", "description": "Plain-language reason in German or English (lang)."},
            },
        },
        "CoverageClassification": {
            "type": "object",
            "required": ["column", "scheme", "k", "lower", "breaks", "colours", "counts", "districts"],
            "properties": {
                "column": _TEXT, "scheme": {"enum": list(SCHEMES)}, "k": {"type": "integer", "minimum": 0},
                "lower": number,
                "breaks": {"type": "array", "items": {"type": "number"},
                           "description": "Upper bound of each class; class i holds (breaks[i-1], breaks[i]]."},
                "colours": {"type": "array", "items": _TEXT},
                "counts": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                "no_data_colour": _TEXT,
                "districts": {"type": "object", "additionalProperties": {"type": ["integer", "null"]},
                              "description": "District id -> class index (null: no value)."},
            },
        },
        "CoverageResponse": {
            "type": "object",
            "required": ["rows", "underserved", "parameters"],
            "properties": {
                "rows": {"type": "array", "items": _ref("schemas", "CoverageRow")},
                "underserved": {"type": "array", "items": _ref("schemas", "UnderservedRow")},
                "parameters": {
                    "type": "object", "description": "The parameters as understood (keys, codes, column names).",
                    "required": ["category", "language", "target_group", "group", "metric", "lang", "scheme",
                                 "classes"],
                    "properties": {"category": text_or_null, "language": text_or_null,
                                   "target_group": text_or_null, "group": text_or_null,
                                   "metric": {"type": "array", "items": _TEXT}, "lang": {"enum": ["de", "en"]},
                                   "scheme": {"enum": list(SCHEMES)}, "classes": {"type": "integer"}},
                },
                "classification": _ref("schemas", "CoverageClassification"),
            },
        },
    }


# --------------------------------------------------------------------------- GET /api/v1/clusters (the map's viewport)


def clusters_path(errors: dict) -> dict[str, Any]:
    """The path item of GET /api/v1/clusters (webmap/clusters.py): what the map shows of one viewport.

    Filters are the offer search's facet parameters plus ``q`` and ``open_now``;
    ``bbox`` and ``zoom`` are inline because here they describe a map view.
    """
    from webmap.clusters import MAX_ZOOM

    filters = [_ref("parameters", name) for name in (*FACET_PARAMETERS, "q", "open_now")]
    view = [
        {"name": "bbox", "in": "query", "required": False, "description":
            "The viewport, lon_min,lat_min,lon_max,lat_max (WGS84); default: [area] bbox. Values past "
            "the antimeridian or the poles are clamped.", "schema": _TEXT},
        {"name": "zoom", "in": "query", "required": False, "description":
            "The map's zoom level; decides the grid of server-side clusters.",
         "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM, "default": 12}},
    ]
    return {"get": {
        "operationId": "viewportClusters",
        "summary": "Offers of one map viewport: single points, or grid clusters when there are many",
        "parameters": view + filters,
        "responses": {
            "200": {"description": "Points (mode \"points\") or clusters with counts (mode \"clusters\").",
                    "content": {"application/json": {"schema": _ref("schemas", "ViewportCollection")}}},
            "400": errors["400"],
        },
    }}


def clusters_schemas() -> dict[str, dict]:
    point_feature = {
        "type": "object", "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"}, "id": _TEXT, "geometry": _ref("schemas", "Point"),
            "properties": {"type": "object", "properties": {
                "id": _TEXT, "name": _TEXT, "category": _TEXT, "address": _TEXT,
                "count": {"type": "integer", "minimum": 1, "description": "Offers in this cluster (mode clusters)."},
                "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4,
                         "description": "Extent of the cluster's offers (mode clusters)."},
            }},
        },
    }
    return {"ViewportCollection": {
        "type": "object", "required": ["type", "features", "mode", "total", "zoom"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": point_feature},
            "mode": {"enum": ["points", "clusters"]},
            "total": {"type": "integer", "minimum": 0, "description": "Matching offers in the viewport."},
            "zoom": {"type": "integer"},
        },
    }}
