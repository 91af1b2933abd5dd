"""The GeoJSON serialiser: JSON-safe properties, geometry order, distances, pre-encoded pieces."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import shapely

from geo.geojson import OfferFeatures, feature_collection, json_value, offer_feature, offers_to_features
from geo.index.synthetic import offers_frame, synthetic_offers
from geo.schema import OFFER_COLUMNS

RECORDS = [
    dict(id="a", name="Migrationsberatung", lat=49.44, lon=7.77, languages=["ar", "prs"],
         language_notes={"prs": "nur donnerstags"}, target_groups=["refugees"], age_min=16.0,
         opening_hours="Mo 09:00-12:00"),
    dict(id="b", name="Online-Beratung", location_type="virtual", languages=["uk"]),
    dict(id="c", name="Ärztin „Dr. Ünal“", lat=49.45, lon=7.78, description='Zeile 1\nZeile "2"'),
]


@pytest.fixture(scope="module")
def offers():
    return offers_frame(RECORDS)


@pytest.fixture(scope="module")
def encoder(offers):
    return OfferFeatures(offers)


def test_feature_has_id_lon_lat_order_and_every_field(encoder):
    feature = encoder.feature(0)
    assert feature["type"] == "Feature"
    assert feature["id"] == "a"
    assert feature["geometry"] == {"type": "Point", "coordinates": [7.77, 49.44]}  # lon first
    assert set(OFFER_COLUMNS) <= set(feature["properties"])
    props = feature["properties"]
    assert props["languages"] == ["ar", "prs"]
    assert props["language_notes"] == {"prs": "nur donnerstags"}
    assert props["age_min"] == 16.0
    assert props["age_max"] is None  # NaN -> null
    assert "distance_m" not in props


def test_offers_without_place_have_null_geometry(encoder):
    feature = encoder.feature(1)
    assert feature["geometry"] is None
    assert feature["properties"]["lat"] is None and feature["properties"]["location_type"] == "virtual"


@pytest.mark.parametrize("distance, expected", [(1234.5678, 1234.6), (0.0, 0.0), (float("nan"), None)])
def test_distance_is_added_rounded_to_decimetres(encoder, distance, expected):
    assert encoder.feature(0, distance)["properties"]["distance_m"] == expected
    assert json.loads(encoder.feature_json(0, distance))["properties"]["distance_m"] == expected


def test_encoded_text_equals_the_dict_form(encoder, offers):
    for row in range(len(offers)):
        for distance in (None, 12.34):
            assert json.loads(encoder.feature_json(row, distance)) == encoder.feature(row, distance)
    assert "Ärztin „Dr. Ünal“" in encoder.feature_json(2)  # UTF-8, not \\u escapes


def test_collection_json_is_valid_geojson_with_foreign_members(encoder):
    text = encoder.collection_json([2, 0], [5.0, 7.25], numberMatched=2, facets={"category": {"other": 2}})
    data = json.loads(text)
    assert data["type"] == "FeatureCollection"
    assert [f["id"] for f in data["features"]] == ["c", "a"]
    assert [f["properties"]["distance_m"] for f in data["features"]] == [5.0, 7.2]
    assert data["numberMatched"] == 2 and data["facets"] == {"category": {"other": 2}}
    assert json.loads(encoder.collection_json([]))["features"] == []


def test_no_nan_ever_reaches_the_output():
    offers = synthetic_offers(300, seed=5)
    text = OfferFeatures(offers).collection_json(range(len(offers)), np.full(len(offers), np.nan))
    assert "NaN" not in text
    data = json.loads(text)
    assert len(data["features"]) == 300


@pytest.mark.parametrize("value, expected", [
    (float("nan"), None), (float("inf"), None), (np.float64(1.5), 1.5), (np.int64(3), 3),
    (np.bool_(True), True), (np.array(["a", "b"]), ["a", "b"]), (("x",), ["x"]),
    ({"k": np.nan}, {"k": None}), (None, None), ("", ""),
])
def test_json_value(value, expected):
    assert json_value(value) == expected


def test_pandas_missing_values_become_null():
    import pandas as pd

    assert json_value(pd.NA) is None
    assert json_value(pd.NaT) is None


def test_plain_records_and_helpers(offers):
    feature = offer_feature({"id": "x", "lat": 1.0, "lon": 2.0, "name": "n"}, distance_m=3.0)
    assert feature["geometry"]["coordinates"] == [2.0, 1.0]
    polygon = offer_feature({"id": "p", "geometry": shapely.box(0, 0, 1, 1)})
    assert polygon["geometry"]["type"] == "Polygon"
    collection = feature_collection(offers_to_features(offers), numberMatched=np.int64(3))
    assert collection["numberMatched"] == 3 and len(collection["features"]) == 3
    assert all(math.isfinite(c) for f in collection["features"] if f["geometry"]
               for c in f["geometry"]["coordinates"])
