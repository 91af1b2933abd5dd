"""Every /api/v1 GET route, found in the app's url_map (not a hand list), shares the API's HTTP manners:
a weak ETag, 304 on If-None-Match, Cache-Control, CORS and compression; routing errors keep the JSON shape."""

from __future__ import annotations

import gzip
import json

import pytest

from webmap import create_app

ORIGIN = "https://www.example-stadt.de"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The demo deployment (offers, districts, population) with one CORS origin."""
    from conftest import build_demo

    from geo.settings import load_settings

    settings = load_settings(build_demo(tmp_path_factory.mktemp("manners"))).with_overrides(
        {"api": {"cors_origins": [ORIGIN]}})
    return create_app(settings, TESTING=True)


def api_get_rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1") and "GET" in rule.methods]


def example_url(app, rule) -> str:
    """The rule with real values for its arguments (an offer id from the data, an unknown path)."""
    values = {}
    for argument in rule.arguments:
        if argument == "offer_id":
            values[argument] = app.test_client().get("/api/v1/offers?limit=1").get_json()["features"][0]["id"]
        elif argument == "rest":
            values[argument] = "gibt-es-nicht"
        else:
            raise AssertionError(f"no example value for <{argument}> of {rule.rule}: add one here")
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_the_api_has_the_routes_the_docs_name(app):
    endpoints = {rule.endpoint for rule in api_get_rules(app)}
    assert {"api.offers", "api.offer", "api.facets", "api.districts", "api.clusters", "api.coverage",
            "api.openapi"} <= endpoints
    assert {rule.endpoint.split(".")[0] for rule in api_get_rules(app)} == {"api"}  # one blueprint


def test_every_api_get_route_has_etag_304_cache_control_cors_and_compression(app):
    client = app.test_client()
    checked = 0
    for rule in api_get_rules(app):
        url = example_url(app, rule)
        headers = {"Origin": ORIGIN, "Accept-Encoding": "gzip"}
        response = client.get(url, headers=headers)
        assert response.headers.get("Access-Control-Allow-Origin") == ORIGIN, url
        assert "Origin" in response.headers.get("Vary", ""), url
        if rule.endpoint == "api.not_found":
            assert response.status_code == 404 and response.headers["Cache-Control"] == "no-store", url
            assert response.get_json()["parameter"] == "path"  # errors are not compressed (not 2xx)
            continue
        assert response.status_code == 200, (url, response.data[:300])
        etag = response.headers.get("ETag", "")
        assert etag.startswith('W/"'), url
        assert response.headers["Cache-Control"].startswith("public, max-age="), url
        assert response.headers.get("Content-Encoding") == "gzip", url
        assert json.loads(gzip.decompress(response.data)), url
        again = client.get(url, headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.headers.get("ETag") == etag and again.headers.get("Access-Control-Allow-Origin") == ORIGIN, url
        checked += 1
    assert checked >= 7


def test_an_etag_of_one_route_does_not_confirm_another(app):
    client = app.test_client()
    etag = client.get("/api/v1/offers").headers["ETag"]
    assert client.get("/api/v1/clusters", headers={"If-None-Match": etag}).status_code == 200


def test_wrong_methods_answer_405_with_allow_everywhere(app):
    client = app.test_client()
    for url in ("/api/v1/offers", "/api/v1/clusters", "/", "/planung", "/embed"):
        response = client.post(url, data="x")
        assert response.status_code == 405, url
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert {"GET", "HEAD", "OPTIONS"} <= allowed, url
        if url.startswith("/api/"):
            body = response.get_json()
            assert set(body) >= {"error", "parameter", "value", "allowed", "problems"}


def test_preflight_answers_for_allowed_origins_only(app):
    client = app.test_client()
    allowed = client.options("/api/v1/clusters", headers={"Origin": ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "If-None-Match" in allowed.headers["Access-Control-Allow-Headers"]
    other = client.options("/api/v1/clusters", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_api_answers_prefer_gzip_and_pages_brotli(app):
    client = app.test_client()
    both = {"Accept-Encoding": "br, gzip"}
    assert client.get("/api/v1/offers", headers=both).headers["Content-Encoding"] == "gzip"
    assert client.get("/", headers=both).headers["Content-Encoding"] == "br"
