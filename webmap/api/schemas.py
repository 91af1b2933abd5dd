"""The component schemas of the OpenAPI document of /api/v1 (answers of offers, districts, coverage, clusters).

Tests validate real responses against them (openapi-core), so they cannot drift from the behaviour.
"""

from __future__ import annotations

from geo.coverage import METRICS
from geo.schema import APPOINTMENT_VALUES, COST_VALUES, GEOCODE_STATUSES, LOCATION_TYPES, WHEELCHAIR_VALUES
from webmap.params import FACET_PARAMETERS
from webmap.planning.classify import SCHEMES

TEXT = {"type": "string"}
NUMBER_OR_NULL = {"type": ["number", "null"]}


def ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def schemas() -> dict[str, dict]:
    """Every component schema."""
    return {**_offer_schemas(), **_coverage_schemas(), **_clusters_schemas()}


def _offer_schemas() -> dict[str, dict]:
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
                **{name: TEXT for name in ("id", "name", "category", "organisation", "description", "street",
                                            "housenumber", "postcode", "city", "district", "opening_hours",
                                            "phone", "email", "website", "last_verified", "source",
                                            "geocode_precision", "geocode_provider")},
                "lat": NUMBER_OR_NULL, "lon": NUMBER_OR_NULL, "age_min": NUMBER_OR_NULL,
                "age_max": NUMBER_OR_NULL,
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
                "id": TEXT,
                "geometry": {"oneOf": [ref("schemas", "Point"), {"type": "null"}]},
                "properties": ref("schemas", "OfferProperties"),
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
                 "properties": {"rel": {"enum": ["self", "next", "prev"]}, "href": TEXT}},
        "OfferCollection": {
            "type": "object",
            "required": ["type", "features", "numberMatched", "numberReturned", "offset", "limit", "query", "links"],
            "properties": {
                "type": {"const": "FeatureCollection"},
                "features": {"type": "array", "items": ref("schemas", "OfferFeature")},
                "numberMatched": {"type": "integer", "minimum": 0, "description": "All matches, every page."},
                "numberReturned": {"type": "integer", "minimum": 0},
                "offset": {"type": "integer", "minimum": 0},
                "limit": {"type": "integer", "minimum": 0},
                "query": {"type": "object", "description": "The filters as understood (canonical keys)."},
                "links": {"type": "array", "items": ref("schemas", "Link")},
                "facets": ref("schemas", "Facets"),
            },
        },
        "FacetResponse": {
            "type": "object", "required": ["numberMatched", "facets", "query"],
            "properties": {
                "numberMatched": {"type": "integer", "minimum": 0},
                "facets": ref("schemas", "Facets"),
                "query": {"type": "object"},
            },
        },
        "DistrictFeature": {
            "type": "object", "required": ["type", "id", "geometry", "properties"],
            "properties": {
                "type": {"const": "Feature"},
                "id": TEXT,
                "geometry": {"oneOf": [
                    {"type": "object", "required": ["type", "coordinates"],
                     "properties": {"type": {"enum": ["Polygon", "MultiPolygon"]}, "coordinates": {"type": "array"}}},
                    {"type": "null"}]},
                "properties": {
                    "type": "object", "required": ["district_id", "name", "offer_count", "offers_by_category"],
                    "properties": {"district_id": TEXT, "name": TEXT,
                                   "offer_count": {"type": "integer", "minimum": 0},
                                   "offers_by_category": counts},
                },
            },
        },
        "DistrictCollection": {
            "type": "object", "required": ["type", "features"],
            "properties": {"type": {"const": "FeatureCollection"},
                           "features": {"type": "array", "items": ref("schemas", "DistrictFeature")},
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
            "allOf": [ref("schemas", "Problem"), {
                "type": "object",
                "properties": {"problems": {"type": "array", "items": ref("schemas", "Problem"),
                                            "description": "Every problem found, the first one repeated."}},
            }],
        },
    }


def _coverage_schemas() -> dict[str, dict]:
    """Schemas of the GET /api/v1/coverage answer (columns: docs/planning.md)."""
    number = NUMBER_OR_NULL
    text_or_null = {"type": ["string", "null"]}
    metric_columns = {column: number for columns in METRICS.values() for column in columns}
    metric_columns["offers"] = {"type": "integer", "minimum": 0}
    metric_columns["virtual_offers"] = {"type": "integer", "minimum": 0}
    id_columns = {name: TEXT for name in ("district_id", "district", "category", "language", "target_group",
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
                "column": TEXT, "scheme": {"enum": list(SCHEMES)}, "k": {"type": "integer", "minimum": 0},
                "lower": number,
                "breaks": {"type": "array", "items": {"type": "number"},
                           "description": "Upper bound of each class; class i holds (breaks[i-1], breaks[i]]."},
                "colours": {"type": "array", "items": TEXT},
                "counts": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                "no_data_colour": TEXT,
                "districts": {"type": "object", "additionalProperties": {"type": ["integer", "null"]},
                              "description": "District id -> class index (null: no value)."},
            },
        },
        "CoverageResponse": {
            "type": "object",
            "required": ["rows", "underserved", "parameters"],
            "properties": {
                "rows": {"type": "array", "items": ref("schemas", "CoverageRow")},
                "underserved": {"type": "array", "items": ref("schemas", "UnderservedRow")},
                "parameters": {
                    "type": "object", "description": "The parameters as understood (keys, codes, column names).",
                    "required": ["category", "language", "target_group", "group", "metric", "lang", "scheme",
                                 "classes"],
                    "properties": {"category": text_or_null, "language": text_or_null,
                                   "target_group": text_or_null, "group": text_or_null,
                                   "metric": {"type": "array", "items": TEXT}, "lang": {"enum": ["de", "en"]},
                                   "scheme": {"enum": list(SCHEMES)}, "classes": {"type": "integer"}},
                },
                "classification": ref("schemas", "CoverageClassification"),
            },
        },
    }


def _clusters_schemas() -> dict[str, dict]:
    point_feature = {
        "type": "object", "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"}, "id": TEXT, "geometry": ref("schemas", "Point"),
            "properties": {"type": "object", "properties": {
                "id": TEXT, "name": TEXT, "category": TEXT, "address": TEXT,
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
