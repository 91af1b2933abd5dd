"""GET /api/v1/coverage: the library's answer as JSON, 400s naming the parameter, HTTP manners, OpenAPI."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from test_api_openapi import load_spec
from test_planning import N_DISTRICTS, build_small, demo, library  # noqa: F401 - module fixtures
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from geo.coverage import METRICS, coverage_table, underserved
from webmap.planning.classify import PALETTES

API_PARAMETERS = ("category", "language", "target_group", "group", "metric", "lang", "scheme", "classes")


@pytest.fixture
def client(demo):  # noqa: F811
    return demo.test_client()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return build_small(tmp_path_factory.mktemp("planning-api"), api={"cors_origins": ["https://stadt.example"]})


def records(frame) -> list[dict]:
    """A frame as the API serialises it: NaN -> None, numpy scalars -> Python."""
    out = []
    for row in frame.to_dict("records"):
        out.append({k: (None if isinstance(v, float) and not math.isfinite(v) else
                        v.item() if isinstance(v, np.generic) else v) for k, v in row.items()})
    return out


def same(got: list[dict], expected: list[dict]) -> None:
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        assert a.keys() == b.keys()
        for key in a:
            if isinstance(b[key], float):
                assert a[key] == pytest.approx(b[key], rel=1e-12), key
            else:
                assert a[key] == b[key], key


@pytest.mark.parametrize("query, library_args", [
    ({}, {}),
    ({"category": "Beratung", "language": "Arabisch"}, {"category": "counselling", "language": "ar"}),
    ({"target_group": "women", "metric": "count,distance"},
     {"target_group": "women", "metrics": ["count", "distance"]}),
    ({"category": "doctor", "group": "Ukraine", "metric": ["e2sfca", "per_10k"]},
     {"category": "doctor", "group": "Ukraine", "metrics": ["e2sfca", "per_10k"]}),
])
def test_rows_are_the_librarys_coverage_table(client, library, query, library_args):  # noqa: F811
    response = client.get("/api/v1/coverage?" + urlencode(query, doseq=True))
    assert response.status_code == 200
    body = response.get_json()
    same(body["rows"], records(coverage_table(None, None, context=library, **library_args)))
    gap_args = {k: v for k, v in library_args.items() if k != "metrics"}
    same(body["underserved"], records(underserved(None, None, context=library, lang="de", **gap_args)))


def test_parameters_are_echoed_as_understood(client):
    body = client.get("/api/v1/coverage?category=Beratung&language=Arabisch&target_group=Geflüchtete"
                      "&metric=distance&lang=en&scheme=natural_breaks&classes=3").get_json()
    assert body["parameters"] == {"category": "counselling", "language": "ar", "target_group": "refugees",
                                  "group": None, "metric": ["distance"], "lang": "en",
                                  "scheme": "natural_breaks", "classes": 3}
    assert body["underserved"] and all(" on foot" in row["reason"] for row in body["underserved"])


def test_classification_comes_with_a_category(client, library):  # noqa: F811
    import mapclassify

    body = client.get("/api/v1/coverage?category=meeting_place&metric=catchment&scheme=quantiles&classes=4").get_json()
    classification = body["classification"]
    values = np.array([row["share_within_catchment"] for row in body["rows"]], dtype=float)
    expected = mapclassify.Quantiles(values, k=4)
    assert classification["column"] == "share_within_catchment"
    assert classification["breaks"] == pytest.approx(list(expected.bins))
    assert classification["colours"] == list(PALETTES[classification["k"]])
    assert [classification["districts"][row["district_id"]] for row in body["rows"]] == list(expected.yb)
    assert len(classification["districts"]) == N_DISTRICTS
    assert "classification" not in client.get("/api/v1/coverage?metric=count").get_json()


@pytest.mark.parametrize("query, parameter", [
    ("category=bogus", "category"),
    ("language=Klingonisch-xyz", "language"),
    ("target_group=astronauts", "target_group"),
    ("metric=count,speed", "metric"),
    ("group=Mars", "group"),
    ("lang=fr", "lang"),
    ("scheme=jenks", "scheme"),
    ("classes=2", "classes"),
    ("classes=x", "classes"),
    ("category=doctor&category=sports", "category"),
    ("categroy=doctor", "categroy"),
    ("sort=district", "sort"),
    ("category=" + "x" * 300, "category"),
    ("language=a%00b", "language"),
])
def test_bad_parameters_are_400_naming_the_parameter(small, query, parameter):
    response = small.test_client().get(f"/api/v1/coverage?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert body["parameter"] == parameter
    assert body["error"] and "allowed" in body and body["problems"][0]["parameter"] == parameter
    assert response.headers["Cache-Control"] == "no-store"


def test_several_problems_are_reported_at_once(small):
    body = small.test_client().get("/api/v1/coverage?category=nope&metric=nope").get_json()
    assert [p["parameter"] for p in body["problems"]] == ["category", "metric"]
    assert body["problems"][1]["allowed"] == list(METRICS)


def test_etag_cache_control_compression_and_cors(small):
    client = small.test_client()
    first = client.get("/api/v1/coverage?category=counselling", headers={"Origin": "https://stadt.example",
                                                                         "Accept-Encoding": "gzip"})
    assert first.status_code == 200
    assert first.headers["Access-Control-Allow-Origin"] == "https://stadt.example"
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert first.headers.get("Content-Encoding") == "gzip"
    etag = first.headers["ETag"]
    again = client.get("/api/v1/coverage?category=counselling", headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = client.get("/api/v1/coverage?category=counselling", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_the_etag_changes_with_the_data(tmp_path):
    from geo.index.synthetic import offers_frame
    from geo.store import Store
    from test_planning import SMALL_WORLD

    app = build_small(tmp_path)
    client = app.test_client()
    first = client.get("/api/v1/coverage?category=counselling")
    Store(app.config["ANGEBOTSKARTE"].store_path).write(offers=offers_frame(SMALL_WORLD[:2]))
    second = client.get("/api/v1/coverage?category=counselling", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    offers = {row["district_id"]: row["offers"] for row in second.get_json()["rows"]}
    assert offers == {"d1": 2, "d2": 0, "d3": 0}


# --------------------------------------------------------------------------- the OpenAPI document


@pytest.fixture(scope="module")
def spec(small):
    return load_spec(small.test_client().get("/api/v1/openapi.json").get_json())


def check(app, spec, url, headers=None):
    response = app.test_client().get(url, headers=headers or {})
    request = Request(EnvironBuilder(path=url, base_url="http://localhost/", headers=headers or {}).get_environ())
    spec.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
    return response


def test_the_document_describes_the_endpoint(small, spec):
    spec.check_spec()
    document = small.test_client().get("/api/v1/openapi.json").get_json()
    described = {p["name"] for p in document["paths"]["/api/v1/coverage"]["get"]["parameters"]}
    assert described == set(API_PARAMETERS)


@pytest.mark.parametrize("url, status", [
    ("/api/v1/coverage", 200),
    ("/api/v1/coverage?category=counselling&language=ar&lang=en", 200),
    ("/api/v1/coverage?target_group=women&metric=count&metric=e2sfca&group=Syrien", 200),
    ("/api/v1/coverage?category=meeting_place&scheme=equal_interval&classes=7", 200),
    ("/api/v1/coverage?category=nope", 400),
    ("/api/v1/coverage?classes=12&lang=xx", 400),
])
def test_real_responses_match_the_document(small, spec, url, status):
    assert check(small, spec, url).status_code == status


def test_demo_responses_match_the_document(demo):  # noqa: F811
    spec = load_spec(demo.test_client().get("/api/v1/openapi.json").get_json())
    response = check(demo, spec, "/api/v1/coverage?category=counselling&language=uk")
    assert response.status_code == 200 and response.get_json()["classification"]["k"] == 5
    etag = response.headers["ETag"]
    assert check(demo, spec, "/api/v1/coverage?category=counselling&language=uk",
                 headers={"If-None-Match": etag}).status_code == 304


def test_no_districts_matches_the_document(tmp_path):
    app = build_small(tmp_path, districts=False)
    spec = load_spec(app.test_client().get("/api/v1/openapi.json").get_json())
    assert check(app, spec, "/api/v1/coverage").status_code == 404


names = st.sampled_from([*API_PARAMETERS, "x", "Category", "sort", ""])
values = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["counselling", "Beratung", "ar", "Arabisch", "women", "all", "foreign", "Syrien", "count",
                     "per_10k,distance", "de", "en", "quantiles", "natural_breaks", "3", "7", "0", "-1", "1e9",
                     "nan", "١٢", ",,", " ", "doctor,sports"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.lists(st.tuples(names, values), max_size=4))
def test_any_query_string_is_answered_200_or_400_as_documented(small, spec, params):
    response = check(small, spec, f"/api/v1/coverage?{urlencode(params)}")
    assert response.status_code in (200, 400), response.get_data(as_text=True)


def test_settings_that_prevent_the_computation_are_503_not_500(tmp_path):
    app = build_small(tmp_path, planning={"supply_weight_field": "places"})  # the offers have no such column
    client = app.test_client()
    response = client.get("/api/v1/coverage")
    assert response.status_code == 503 and "supply_weight_field" in response.get_json()["error"]
    page = client.get("/planung?ui=en")
    assert page.status_code == 200 and "Coverage cannot be computed" in page.get_data(as_text=True)
    spec = load_spec(client.get("/api/v1/openapi.json").get_json())
    assert check(app, spec, "/api/v1/coverage").status_code == 503
