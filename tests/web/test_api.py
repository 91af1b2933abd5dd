"""GET /api/v1/...: answers, parameter checking, errors, caching, compression, CORS."""

from __future__ import annotations

import gzip
import json
import math
from datetime import datetime

import brotli
import geopandas as gpd
import pytest
import shapely
from conftest import make_settings

from geo.index.synthetic import offers_frame
from geo.store import Store

R = 6_371_008.8
HERE = (49.4440, 7.7689)

WORLD = [
    dict(id="mbe", name="Migrationsberatung für Erwachsene", category="counselling", organisation="Caritas",
         lat=49.4450, lon=7.7700, languages=["de", "ar", "fa"], language_notes={"fa": "dienstags"},
         target_groups=["refugees"], district="d1", wheelchair="yes", opening_hours="Mo-Fr 09:00-12:00"),
    dict(id="jmd", name="Jugendmigrationsdienst", category="counselling", organisation="Diakonie",
         lat=49.4500, lon=7.7800, languages=["de", "uk", "ru"], target_groups=["youth", "refugees"], district="d1",
         wheelchair="limited", opening_hours="Tu 14:00-18:00"),
    dict(id="cafe", name="Sprachcafé International", category="language_course", organisation="Volkshochschule",
         lat=49.4300, lon=7.7500, languages=["de", "ar"], target_groups=["all"], district="d2", wheelchair="no",
         opening_hours="We 15:00-17:00", age_min=16.0),
    dict(id="amt", name="Ausländerbehörde", category="authority", organisation="Stadtverwaltung",
         lat=49.4445, lon=7.7690, languages=["de", "en"], target_groups=["all"], district="d1", wheelchair="yes",
         opening_hours="Mo-Fr 08:00-12:00"),
    dict(id="praxis", name="Hausarztpraxis Dr. Öztürk", category="doctor", lat=49.4700, lon=7.8100,
         languages=["de", "tr", "kmr"], target_groups=["all", "families"], district="d3", wheelchair="yes"),
    dict(id="online", name="Online-Beratung Ukraine", category="counselling", location_type="virtual",
         languages=["uk", "ru"], target_groups=["refugees"], geocode_status="virtual"),
]


def districts_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"district_id": ["d1", "d2", "d3"], "name": ["Innenstadt", "Betzenberg", "Nord"]},
        geometry=[shapely.box(7.75, 49.44, 7.80, 49.46), shapely.box(7.70, 49.40, 7.76, 49.44),
                  shapely.box(7.80, 49.46, 7.85, 49.50)],
        crs=4326,
    )


def build_app(tmp_path, records=WORLD, **sections):
    """A fresh app whose store holds ``records`` and three districts."""
    from webmap import create_app

    settings = make_settings(tmp_path, **sections)
    Store(settings.store_path).write(offers=offers_frame(records), districts=districts_frame())
    return create_app(settings, TESTING=True)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    # Shared by the read-only tests of this module; tests that write build their own.
    return build_app(tmp_path_factory.mktemp("api"))


@pytest.fixture
def client(app):
    return app.test_client()


def haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * R * math.asin(math.sqrt(a))


def ids(body):
    return [f["id"] for f in body["features"]]


# ---------------------------------------------------------------------------- answers


def test_nearest_offers_with_a_language_filter(client):
    response = client.get("/api/v1/offers?near=49.4440,7.7689&language=ar")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    assert ids(body) == ["mbe", "cafe"]
    first = body["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [7.77, 49.445]}
    assert first["properties"]["distance_m"] == pytest.approx(haversine_m(*HERE, 49.445, 7.77), abs=0.05)
    assert first["properties"]["language_notes"] == {"fa": "dienstags"}
    assert body["numberMatched"] == 2 and body["numberReturned"] == 2
    assert body["query"] == {"language": ["ar"], "near": [49.444, 7.7689]}


def test_without_near_there_is_no_distance_and_name_order(client):
    body = client.get("/api/v1/offers").get_json()
    assert ids(body) == ["amt", "praxis", "jmd", "mbe", "cafe"]
    assert all("distance_m" not in f["properties"] for f in body["features"])


def test_virtual_offers_only_on_request_with_null_geometry(client):
    assert "online" not in ids(client.get("/api/v1/offers?language=uk").get_json())
    body = client.get("/api/v1/offers?language=uk&include_virtual=1&near=49.444,7.7689").get_json()
    assert ids(body) == ["jmd", "online"]
    assert body["features"][1]["geometry"] is None
    assert body["features"][1]["properties"]["distance_m"] is None


@pytest.mark.parametrize("a, b", [
    ("category=counselling&category=doctor", "category=counselling,doctor"),
    ("category=counselling,doctor", "category=Beratung,Arzt"),         # German names are understood
    ("language=ar", "language=Arabisch"),
    ("language=prs,uk", "language=Dari&language=Ukrainisch"),
    ("target_group=refugees", "target_group=Geflüchtete"),
    ("district=d1", "district=Innenstadt"),
    ("wheelchair=yes", "wheelchair=YES"),
])
def test_repeated_comma_separated_and_named_values_are_the_same_query(client, a, b):
    first, second = client.get(f"/api/v1/offers?{a}").get_json(), client.get(f"/api/v1/offers?{b}").get_json()
    assert ids(first) == ids(second)
    assert first["query"] == second["query"]


@pytest.mark.parametrize("query, expected", [
    ("category=counselling&language=ar", ["mbe"]),
    ("target_group=all&wheelchair=yes", ["amt", "praxis"]),
    ("q=BEHORDE", ["amt"]),
    ("q=migration", ["jmd", "mbe"]),
    ("bbox=7.74,49.42,7.79,49.46", ["amt", "jmd", "mbe", "cafe"]),
    ("near=49.444,7.7689&radius=1100", ["amt", "mbe", "jmd"]),
    ("district=d1&near=49.45,7.78", ["jmd", "mbe", "amt"]),
])
def test_filters(client, query, expected):
    assert ids(client.get(f"/api/v1/offers?{query}").get_json()) == expected


def test_open_now_uses_the_local_time_of_the_area(client, monkeypatch):
    import webmap.http

    monkeypatch.setattr(webmap.http, "local_now", lambda: datetime(2024, 6, 4, 15, 0))  # Tuesday 15:00
    assert ids(client.get("/api/v1/offers?open_now=1").get_json()) == ["jmd"]
    monkeypatch.setattr(webmap.http, "local_now", lambda: datetime(2024, 6, 4, 10, 0))
    assert ids(client.get("/api/v1/offers?open_now=true").get_json()) == ["amt", "mbe"]


def test_pages_follow_next_links_to_the_end(client):
    first = client.get("/api/v1/offers?near=49.444,7.7689&limit=2").get_json()
    seen, body = ids(first), first
    while any(link["rel"] == "next" for link in body["links"]):
        href = next(link["href"] for link in body["links"] if link["rel"] == "next")
        body = client.get(href).get_json()
        seen += ids(body)
    assert seen == ids(client.get("/api/v1/offers?near=49.444,7.7689").get_json())
    assert any(link["rel"] == "prev" for link in body["links"])


def test_limit_zero_gives_only_counts(client):
    body = client.get("/api/v1/offers?limit=0&language=de&facets=1").get_json()
    assert body["features"] == [] and body["numberMatched"] == 5
    assert body["facets"]["category"]["counselling"] == 2


def test_facets_endpoint_counts_each_facet_under_the_other_filters(client):
    body = client.get("/api/v1/facets?language=ar&category=counselling").get_json()
    assert body["numberMatched"] == 1
    assert body["facets"]["category"]["language_course"] == 1  # under language=ar only
    assert body["facets"]["category"]["sports"] == 0             # known category, no offers: listed with 0
    assert body["facets"]["language"]["uk"] == 1                  # under category=counselling only
    assert body["facets"]["district"] == {"d1": 1, "d2": 0, "d3": 0}
    same = client.get("/api/v1/offers?language=ar&category=counselling&facets=1").get_json()["facets"]
    assert same == body["facets"]


def test_one_offer_with_distance(client):
    response = client.get("/api/v1/offers/cafe?near=49.444,7.7689")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    feature = response.get_json()
    assert feature["id"] == "cafe" and feature["properties"]["age_min"] == 16.0
    assert feature["properties"]["distance_m"] == pytest.approx(haversine_m(*HERE, 49.43, 7.75), abs=0.05)
    assert "distance_m" not in client.get("/api/v1/offers/cafe").get_json()["properties"]
    assert client.get("/api/v1/offers/online").get_json()["geometry"] is None


def test_districts_with_offer_counts_per_category(client):
    body = client.get("/api/v1/districts").get_json()
    by_id = {f["id"]: f for f in body["features"]}
    assert set(by_id) == {"d1", "d2", "d3"}
    d1 = by_id["d1"]["properties"]
    assert d1["name"] == "Innenstadt" and d1["offer_count"] == 3
    assert d1["offers_by_category"]["counselling"] == 2 and d1["offers_by_category"]["authority"] == 1
    assert d1["offers_by_category"]["sports"] == 0
    assert by_id["d1"]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_empty_store_answers_with_an_empty_collection(tmp_path):
    client = build_app(tmp_path, records=[]).test_client()
    body = client.get("/api/v1/offers?near=49.44,7.77").get_json()
    assert body["features"] == [] and body["numberMatched"] == 0


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("query, parameter, words", [
    ("category=legal", "category", "unknown category"),
    ("category=Beratungg", "category", "did you mean counselling"),
    ("language=Blubberisch", "language", "unknown language"),
    ("language=xx", "language", "unknown language"),
    ("target_group=aliens", "target_group", "unknown target group"),
    ("district=Atlantis", "district", "unknown district"),
    ("wheelchair=ja", "wheelchair", "unknown wheelchair"),
    ("near=49.44", "near", "two numbers"),
    ("near=abc,def", "near", "two numbers"),
    ("near=49.44,7.77,3", "near", "two numbers"),
    ("near=nan,7.7", "near", "two numbers"),
    ("near=95,7.7", "near", "out of range"),
    ("near=-91,7.7", "near", "out of range"),
    ("near=49.44,200", "near", "out of range"),
    ("near=149.44,7.77", "near", "swapped"),
    ("radius=500", "radius", "needs a centre"),
    ("near=49.44,7.77&radius=-5", "radius", "out of range"),
    ("near=49.44,7.77&radius=0", "radius", "out of range"),
    ("near=49.44,7.77&radius=1e12", "radius", "out of range"),
    ("near=49.44,7.77&radius=inf", "radius", "number of metres"),
    ("near=49.44,7.77&radius=far", "radius", "number of metres"),
    ("bbox=7.7,49.4,7.8", "bbox", "four numbers"),
    ("bbox=7.8,49.4,7.7,49.5", "bbox", "larger than"),
    ("bbox=49.4,7.7,49.5,97.8", "bbox", "out of range"),
    ("limit=-1", "limit", "out of range"),
    ("limit=1001", "limit", "out of range"),
    ("limit=99999999999999999999999999", "limit", "out of range"),
    ("limit=ten", "limit", "whole number"),
    ("limit=1.5", "limit", "whole number"),
    ("offset=-3", "offset", "out of range"),
    ("open_now=maybe", "open_now", "1 or 0"),
    ("include_virtual=2", "include_virtual", "1 or 0"),
    ("facets=all", "facets", "1 or 0"),
    ("q=" + "x" * 201, "q", "too long"),
    ("limit=5&limit=6", "limit", "given 2 times"),
    ("categroy=doctor", "categroy", "did you mean 'category'"),
    ("languages=ar", "languages", "did you mean 'language'"),
    ("callback=x", "callback", "unknown parameter"),
    ("language=%00BV", "language", "control characters"),
    ("q=abc%00", "q", "control characters"),
    ("category=doctor%07", "category", "control characters"),
])
def test_bad_input_is_a_400_naming_the_parameter(client, query, parameter, words):
    response = client.get(f"/api/v1/offers?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= {"error", "parameter", "value", "allowed"}
    assert body["parameter"] == parameter
    assert words in body["error"]
    assert body["allowed"]
    assert response.headers["Cache-Control"] == "no-store"


def test_every_problem_is_reported_at_once(client):
    body = client.get("/api/v1/offers?category=nope&limit=-1&colour=red").get_json()
    assert {p["parameter"] for p in body["problems"]} == {"category", "limit", "colour"}
    assert body["problems"][0]["parameter"] == body["parameter"]


def test_unknown_category_lists_the_allowed_keys(client):
    body = client.get("/api/v1/offers?category=legal").get_json()
    assert body["value"] == "legal"
    assert "counselling" in body["allowed"] and "doctor" in body["allowed"]


def test_facets_endpoint_checks_parameters_too(client):
    assert client.get("/api/v1/facets?language=xx").status_code == 400
    assert client.get("/api/v1/districts?x=1").status_code == 400
    assert client.get("/api/v1/offers/mbe?limit=3").status_code == 400


def test_unknown_ids_and_paths_are_json_404(client):
    response = client.get("/api/v1/offers/does-not-exist")
    assert response.status_code == 404 and response.get_json()["value"] == "does-not-exist"
    response = client.get("/api/v1/things")
    assert response.status_code == 404 and "/api/v1/offers" in response.get_json()["allowed"]


# ---------------------------------------------------------------------------- HTTP manners


def test_etag_gives_304_until_the_data_changes(tmp_path):
    app = build_app(tmp_path)
    client = app.test_client()
    first = client.get("/api/v1/offers?language=ar")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get("/api/v1/offers?language=ar", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert client.get("/api/v1/offers?language=uk", headers={"If-None-Match": etag}).status_code == 200
    # A new import: same URL, new answer.
    Store(app.config["ANGEBOTSKARTE"].store_path).write(offers=offers_frame(WORLD[:2]))
    changed = client.get("/api/v1/offers?language=ar", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert ids(changed.get_json()) == ["mbe"]


def test_open_now_etag_changes_every_minute(client, monkeypatch):
    import webmap.http

    monkeypatch.setattr(webmap.http, "local_now", lambda: datetime(2024, 6, 4, 10, 0, 5))
    etag = client.get("/api/v1/offers?open_now=1").headers["ETag"]
    monkeypatch.setattr(webmap.http, "local_now", lambda: datetime(2024, 6, 4, 10, 0, 55))
    assert client.get("/api/v1/offers?open_now=1", headers={"If-None-Match": etag}).status_code == 304
    monkeypatch.setattr(webmap.http, "local_now", lambda: datetime(2024, 6, 4, 10, 1, 0))
    assert client.get("/api/v1/offers?open_now=1", headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("encoding, decompress", [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_compression(client, encoding, decompress):
    plain = client.get("/api/v1/offers")
    packed = client.get("/api/v1/offers", headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert json.loads(decompress(packed.data)) == plain.get_json()
    # The same weak ETag validates both representations.
    assert client.get("/api/v1/offers", headers={"Accept-Encoding": encoding,
                                                 "If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_pages_outside_the_api_are_not_compressed_by_it(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers


def test_no_cors_headers_without_configured_origins(client):
    response = client.get("/api/v1/offers", headers={"Origin": "https://example.org"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_for_configured_origins_only(tmp_path):
    app = build_app(tmp_path, api={"cors_origins": ["https://stadt.example"]},
                    embed={"allowed_origins": ["https://verein.example/"]})
    client = app.test_client()
    for origin in ("https://stadt.example", "https://verein.example"):
        response = client.get("/api/v1/offers", headers={"Origin": origin})
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert "Origin" in response.headers["Vary"]
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    other = client.get("/api/v1/offers", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers and "Origin" in other.headers["Vary"]
    preflight = client.options("/api/v1/offers", headers={
        "Origin": "https://stadt.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match"})
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    page = client.get("/healthz", headers={"Origin": "https://stadt.example"})
    assert "Access-Control-Allow-Origin" not in page.headers  # only /api


def test_cors_wildcard(tmp_path):
    client = build_app(tmp_path, api={"cors_origins": ["*"]}).test_client()
    response = client.get("/api/v1/districts", headers={"Origin": "https://anyone.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_head_requests(client):
    response = client.head("/api/v1/offers?language=ar")
    assert response.status_code == 200 and response.data == b""
    assert response.headers["ETag"]


@pytest.mark.parametrize("path", ["/api/v1/offers", "/api/v1/facets", "/api/v1/districts"])
def test_wrong_method_gets_a_json_405_not_an_html_page(client, path):
    response = client.post(path)
    assert response.status_code == 405
    assert response.is_json
    assert "not allowed" in response.get_json()["error"]
