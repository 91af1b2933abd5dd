"""The OpenAPI document is valid and describes what the API really answers (openapi-core)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from test_api import build_app
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from webmap.params import OFFERS_PARAMETERS


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return build_app(tmp_path_factory.mktemp("openapi"))


def load_spec(document: dict) -> OpenAPI:
    # openapi-core decodes application/json by itself; GeoJSON is JSON too.
    config = Config(extra_media_type_deserializers={"application/geo+json": json.loads})
    return OpenAPI.from_dict(document, config=config)


@pytest.fixture(scope="module")
def spec(app):
    return load_spec(app.test_client().get("/api/v1/openapi.json").get_json())


def check(app, spec, url, headers=None):
    """Request ``url`` and validate request and response against the document."""
    response = app.test_client().get(url, headers=headers or {})
    request = Request(EnvironBuilder(path=url, base_url="http://localhost/", headers=headers or {}).get_environ())
    spec.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
    return response


def test_document_is_valid_openapi_3_1(spec):
    spec.check_spec()
    assert spec.spec["openapi"] == "3.1.0"


def test_every_accepted_parameter_is_documented_and_nothing_else(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = set(document["components"]["parameters"])
    assert documented == set(OFFERS_PARAMETERS)
    for path in ("/api/v1/offers", "/api/v1/facets"):
        refs = {p["$ref"].rsplit("/", 1)[1] for p in document["paths"][path]["get"]["parameters"]}
        assert refs == set(OFFERS_PARAMETERS)


def test_limits_in_the_document_follow_the_settings(tmp_path):
    app = build_app(tmp_path, api={"max_limit": 200, "default_limit": 20})
    limit = app.test_client().get("/api/v1/openapi.json").get_json()["components"]["parameters"]["limit"]
    assert limit["schema"]["maximum"] == 200 and limit["schema"]["default"] == 20


@pytest.mark.parametrize("url, status", [
    ("/api/v1/offers", 200),
    ("/api/v1/offers?near=49.444,7.7689&language=ar&limit=2", 200),
    ("/api/v1/offers?include_virtual=1&near=49.444,7.7689&facets=1", 200),
    ("/api/v1/offers?bbox=7.7,49.4,7.85,49.5&q=beratung&offset=1&limit=1", 200),
    ("/api/v1/offers?limit=0", 200),
    ("/api/v1/offers?category=nope", 400),
    ("/api/v1/offers?near=91,0&limit=-4", 400),
    ("/api/v1/facets?language=uk,ar&wheelchair=yes", 200),
    ("/api/v1/facets?radius=3", 400),
    ("/api/v1/offers/mbe", 200),
    ("/api/v1/offers/online?near=49.44,7.77", 200),
    ("/api/v1/offers/nope", 404),
    ("/api/v1/districts", 200),
    ("/api/v1/openapi.json", 200),
    ("/api/v1/clusters?zoom=12", 200),
    ("/api/v1/clusters?zoom=2&bbox=-10,40,30,60&language=ar", 200),
    ("/api/v1/clusters?zoom=99", 400),
    ("/api/v1/clusters?bbox=1,2", 400),
])
def test_real_responses_match_the_document(app, spec, url, status):
    assert check(app, spec, url).status_code == status


def test_not_modified_matches_the_document(app, spec):
    etag = app.test_client().get("/api/v1/offers").headers["ETag"]
    assert check(app, spec, "/api/v1/offers", headers={"If-None-Match": etag}).status_code == 304


def test_demo_data_matches_the_document(demo_app):
    """The demo deployment (real-looking data through the real importer) answers as documented."""
    spec = load_spec(demo_app.test_client().get("/api/v1/openapi.json").get_json())
    for url in ("/api/v1/offers?limit=1000&include_virtual=1", "/api/v1/offers?near=49.44,7.77&limit=20&facets=1",
                "/api/v1/districts"):
        response = check(demo_app, spec, url)
        assert response.status_code == 200
        assert response.get_json()["features"]


# Parameter names the API knows and some it does not; values from the plausible to the absurd.
names = st.sampled_from([*OFFERS_PARAMETERS, "x", "Category", "near ", ""])
values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["1", "0", "-1", "49.44,7.77", "7.7,49.4,7.8,49.5", "ar", "doctor", "nan", "inf", "1e400",
                     "١٢", "²", "--5", "+5", "0x10", ",,,", " ", "d1", "yes", "Arabisch"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/api/v1/offers", "/api/v1/facets", "/api/v1/offers/mbe", "/api/v1/clusters"]),
       params=st.lists(st.tuples(names, values), max_size=5))
def test_any_query_string_is_answered_200_or_400_as_documented(app, spec, path, params):
    from urllib.parse import urlencode

    response = check(app, spec, f"{path}?{urlencode(params)}")
    assert response.status_code in (200, 400), response.get_data(as_text=True)
