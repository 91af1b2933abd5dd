"""Bounded work per request and the address the site is reached at (issue 10, defects 4 and 5).

- /api/v1/clusters over a whole region at street zoom aggregated 181,455 cells per call;
  /planung/offers.geojson answered 50 MB: both are bounded now.
- The Host header was echoed into the embed snippet, the report mailto and redirects;
  behind a reverse proxy every client shared one rate-limit bucket; bodies were not limited;
  /healthz told the store's path and SQLite's message; near= with 200,000 spaces made a 12 MB page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from conftest import build_demo, make_settings
from test_address_search import HAUPT_5_A, MARKT_5, write_town_extract

from geo.geocoding.gazetteer_build import build_gazetteer
from geo.index.synthetic import offers_frame
from geo.settings import load_settings
from geo.store import Store
from webmap import create_app

BASE = "https://karte.example-stadt.de"


@pytest.fixture(scope="module")
def demo_config(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("limits"))


def demo_app(demo_config, **sections):
    settings = load_settings(demo_config)
    return create_app(settings.with_overrides(sections) if sections else settings, TESTING=True)


# -- defect 4: bounded answers ---------------------------------------------------------------------


def test_clusters_refuse_a_street_zoom_view_of_the_whole_region(demo_config, monkeypatch):
    from webmap.api import clusters

    monkeypatch.setattr(clusters, "HARD_MAX_POINTS", 10)  # the demo's few hundred offers must be clustered
    client = demo_app(demo_config).test_client()
    response = client.get("/api/v1/clusters?zoom=18")
    assert response.status_code == 400
    body = response.get_json()
    assert body["parameter"] == "bbox" and "zoom" in body["error"] and "5000" in body["allowed"]
    assert response.headers["Cache-Control"] == "no-store"
    # A screen-sized view at the same zoom is answered.
    view = client.get("/api/v1/clusters?zoom=18&bbox=7.760,49.440,7.775,49.447").get_json()
    assert view["mode"] in ("points", "clusters")


def test_the_cell_limit_follows_the_settings_and_bounds_every_answer(demo_config, monkeypatch):
    from geo.clusters import cells_across
    from webmap.api import clusters

    monkeypatch.setattr(clusters, "MAX_POINTS", 5)
    client = demo_app(demo_config, api={"max_cluster_cells": 40}).test_client()
    area = demo_app(demo_config).config["ANGEBOTSKARTE"].bbox
    for zoom in range(8, 16):
        response = client.get(f"/api/v1/clusters?zoom={zoom}")
        if cells_across(area, zoom) > 40:
            assert response.status_code == 400, zoom
        else:
            body = response.get_json()
            assert body["mode"] == "clusters" and len(body["features"]) <= 40, zoom


def test_planning_offers_come_in_bounded_pages(demo_config):
    client = demo_app(demo_config, api={"max_planning_offers": 7}).test_client()
    first = client.get("/planung/offers.geojson?category=counselling").get_json()
    total = first["numberMatched"]
    assert total > 7 and first["numberReturned"] == len(first["features"]) == 7
    seen, url = [], "/planung/offers.geojson?category=counselling"
    while url:
        page = client.get(url).get_json()
        assert len(page["features"]) <= 7
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page.get("links", []) if link["rel"] == "next"), None)
    assert len(seen) == len(set(seen)) == total  # every matching offer exactly once
    bad = client.get("/planung/offers.geojson?offset=minus")
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "offset"


def test_planning_offers_have_an_etag_per_version_and_language(demo_config):
    client = demo_app(demo_config).test_client()
    german = client.get("/planung/offers.geojson?ui=de")
    english = client.get("/planung/offers.geojson?ui=en")
    assert german.headers["ETag"] != english.headers["ETag"]
    assert client.get("/planung/offers.geojson?ui=de",
                      headers={"If-None-Match": german.headers["ETag"]}).status_code == 304
    assert "Accept-Language" in german.headers["Vary"]


# -- defect 5: the public address, proxies, limits, words instead of internals -----------------------


def snippet_src(client, host: str) -> str:
    html = client.get("/embed/code?category=doctor", headers={"Host": host}).get_data(as_text=True)
    return re.search(r'<iframe src="([^"]+)"', html.replace("&amp;", "&")).group(1)


def test_the_embed_snippet_uses_the_configured_address_not_the_host_header(demo_config):
    client = demo_app(demo_config, site={"base_url": BASE + "/"}).test_client()
    src = snippet_src(client, "evil.example")
    assert src.startswith(f"{BASE}/embed?") and "evil" not in src
    data = client.get("/embed/code?partial=snippet", headers={"Host": "evil.example"}).get_json()
    assert "evil" not in data["snippet"] and f"{BASE}/embed/resize.js" in client.get(
        "/embed/code?resize=1&partial=snippet", headers={"Host": "evil.example"}).get_json()["snippet"]


def test_without_a_configured_address_only_this_machine_is_trusted(demo_config):
    client = demo_app(demo_config).test_client()
    assert snippet_src(client, "localhost").startswith("http://localhost/embed?")
    assert snippet_src(client, "127.0.0.1:5000").startswith("http://127.0.0.1:5000/embed?")
    src = snippet_src(client, "evil.example")
    assert src.startswith("/embed?")  # relative, never the made-up host
    page = client.get("/embed/code", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "base_url" in page  # the operator is told what to set


def test_redirects_and_report_mails_use_the_configured_address(demo_config):
    app = demo_app(demo_config, site={"base_url": BASE}, map={"data_owner_email": "daten@example-stadt.de"})
    client = app.test_client()
    redirect = client.get("/api/v1", headers={"Host": "evil.example"})
    assert redirect.status_code in (301, 308) and redirect.headers["Location"].startswith(BASE + "/api/v1/")
    offer_id = client.get("/api/v1/offers?limit=1").get_json()["features"][0]["id"]
    html = client.get(f"/angebote/{offer_id}", headers={"Host": "evil.example"}).get_data(as_text=True)
    mailto = re.search(r'href="(mailto:[^"]+)"', html).group(1).replace("&amp;", "&")
    body = unquote(parse_qs(urlsplit(mailto).query)["body"][0])
    assert f"{BASE}/angebote/{offer_id}" in body and "evil" not in mailto


def test_a_base_url_with_a_path_prefix_serves_and_links_below_it(demo_config):
    client = demo_app(demo_config, site={"base_url": "https://www.example-stadt.de/karte"}).test_client()
    response = client.get("/karte/embed/code")  # a proxy that passes the prefix on
    assert response.status_code == 200
    assert "https://www.example-stadt.de/karte/embed?" in response.get_data(as_text=True)
    assert client.get("/api/v1/offers?limit=1").status_code == 200  # and one that strips it


@pytest.fixture
def address_app(tmp_path):
    def build(**site):
        gazetteer = tmp_path / "town.gazetteer.sqlite"
        if not gazetteer.exists():
            build_gazetteer(write_town_extract(tmp_path), gazetteer)
        settings = make_settings(tmp_path, geocoding={"providers": ["offline"], "gazetteer": str(gazetteer),
                                                      "search_rate_per_minute": 2}, site=site)
        Store(settings.store_path).write(offers=offers_frame([
            {"id": "a", "name": "Beratung", "category": "counselling", "lat": MARKT_5[0], "lon": MARKT_5[1]},
            {"id": "b", "name": "Kurs", "category": "language_course", "lat": HAUPT_5_A[0], "lon": HAUPT_5_A[1]}]))
        return create_app(settings, TESTING=True)

    return build


def searches(client, forwarded_for: str, n: int) -> list[int]:
    return [client.get("/", query_string={"near": "Marktstr. 5, 67655 Musterstadt"},
                       headers={"X-Forwarded-For": forwarded_for},
                       environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for _ in range(n)]


def test_behind_a_trusted_proxy_each_client_has_its_own_rate_limit(address_app):
    client = address_app(trusted_proxies=1).test_client()
    assert searches(client, "203.0.113.5", 3) == [200, 200, 429]
    assert searches(client, "198.51.100.7", 1) == [200]  # another visitor behind the same proxy


def test_without_trusted_proxies_forwarded_headers_are_ignored(address_app):
    client = address_app().test_client()
    assert searches(client, "203.0.113.5", 2) == [200, 200]
    assert searches(client, "198.51.100.7", 1) == [429]  # a forged header buys no new budget


def test_large_request_bodies_are_refused_before_they_are_read(demo_config):
    client = demo_app(demo_config, site={"max_request_bytes": 1000}).test_client()
    for url in ("/", "/api/v1/offers"):
        response = client.get(url, data=b"x" * 1001)
        assert response.status_code == 413, url
    assert client.get("/api/v1/offers", data=b"x" * 10).status_code == 200
    assert client.get("/api/v1/offers", data=b"x" * 1001).get_json()["error"].startswith("request bodies")


def test_healthz_says_what_is_wrong_without_paths_or_database_messages(tmp_path):
    settings = make_settings(tmp_path)
    Store(settings.store_path).write(offers=offers_frame([
        {"id": "a", "name": "A", "category": "counselling", "lat": 49.44, "lon": 7.76}]))
    client = create_app(settings, TESTING=True).test_client()
    assert client.get("/healthz").get_json()["status"] == "ok"
    settings.store_path.write_bytes(b"this is no GeoPackage\n" * 50)  # a store overwritten by mistake
    response = client.get("/healthz")
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert response.get_json()["status"] == "error" and "cannot be read" in text
    assert str(tmp_path) not in text and "store.gpkg" not in text and "sqlite" not in text.lower()


@pytest.mark.parametrize("url", ["/", "/embed", "/api/v1/offers", "/planung", "/angebote/x"])
def test_an_absurdly_long_parameter_is_a_short_400_naming_it(demo_config, url):
    client = demo_app(demo_config).test_client()
    response = client.get(url, query_string={"near": " " * 200_000, "ui": "de"})
    assert response.status_code == 400
    assert len(response.data) < 5_000
    assert "near" in response.get_data(as_text=True)
    if url.startswith("/api/"):
        assert response.get_json()["parameter"] == "near"


def test_the_generator_refuses_control_characters_in_the_title_like_every_parameter(demo_config):
    client = demo_app(demo_config).test_client()
    data = client.get("/embed/code?partial=snippet&title=Karte%00%07").get_json()
    assert data["problems"] == ["title=Karte\\x00\\x07"]
    assert "\x00" not in data["snippet"] and "\x07" not in data["title"]
    assert data["title"] == client.get("/embed/code?partial=snippet").get_json()["title"]  # the one made from the filters
