"""The map's configuration (built with folium) and the viewport API (/api/v1/clusters)."""

from __future__ import annotations

import numpy as np
import pytest

from webmap import maps


def local_url(package: str, filename: str) -> str:
    return f"/static/vendor/{package}/{filename}"


def test_offers_map_config_uses_only_local_assets_and_the_configured_tiles(tmp_path):
    from conftest import make_settings

    settings = make_settings(tmp_path, map={"tile_url": "https://tiles.example.de/{z}/{x}/{y}.png",
                                            "tile_attribution": "© Stadt"})
    config = maps.offers_map_config(settings, local_url, categories={}, data_url="/api/v1/clusters",
                                    detail_url="/angebote/__ID__", labels={})
    assert config["tiles"]["url"] == "https://tiles.example.de/{z}/{x}/{y}.png"
    assert config["tiles"]["options"]["attribution"] == "© Stadt"
    assert config["tiles"]["options"]["maxZoom"] == maps.MAX_ZOOM
    assert config["assets"]["js"] == ["/static/vendor/leaflet/leaflet.js",
                                      "/static/vendor/leaflet.markercluster/leaflet.markercluster.js"]
    assert "/static/vendor/leaflet/leaflet.css" in config["assets"]["css"]
    assert config["cluster"]["showCoverageOnHover"] is False
    assert config["dataUrl"] == "/api/v1/clusters"
    lon_min, lat_min, lon_max, lat_max = settings.bbox
    assert config["bounds"] == [[lat_min, lon_min], [lat_max, lon_max]]
    assert "features" not in str(config), "offers are loaded from the API, not inlined"


def test_folium_cdn_assets_are_refused():
    import folium

    with pytest.raises(ValueError, match="not served by the app"):
        maps.assets_of(folium.Map(tiles=None))


def test_offer_map_config_centres_on_the_offer(tmp_path):
    from conftest import make_settings

    config = maps.offer_map_config(make_settings(tmp_path), local_url, lat=49.44, lon=7.77, name="X",
                                   category={"key": "doctor"}, labels={})
    assert config["center"] == [49.44, 7.77]
    assert config["options"]["zoom"] == maps.DETAIL_ZOOM
    assert config["cluster"] is None
    assert config["assets"]["js"] == ["/static/vendor/leaflet/leaflet.js"]


def test_folium_reference_pages_are_folium_s_own():
    points = [(49.4 + i / 1000, 7.7, f"offer {i}") for i in range(20)]
    slow = maps.folium_reference_page(points, fast=False)
    fast = maps.folium_reference_page(points, fast=True)
    assert "L.markerClusterGroup" in slow and "offer 19" in slow
    assert "cdn" in slow  # the baseline keeps folium's CDN links; the benchmark answers them locally
    assert len(fast) < len(slow)


def test_grid_clusters_count_every_point_once():
    from geo.clusters import grid_clusters

    rng = np.random.default_rng(1)
    lon = rng.uniform(7.6, 7.9, 5000)
    lat = rng.uniform(49.35, 49.5, 5000)
    for zoom in (5, 9, 12, 15):
        cells = grid_clusters(lon, lat, zoom)
        assert sum(c["count"] for c in cells) == 5000
        for c in cells:
            w, s, e, n = c["bbox"]
            assert w - 1e-6 <= c["lon"] <= e + 1e-6 and s - 1e-6 <= c["lat"] <= n + 1e-6
            assert w < e and s < n
    assert len(grid_clusters(lon, lat, 5)) < len(grid_clusters(lon, lat, 12))
    assert grid_clusters(np.array([]), np.array([]), 10) == []


def test_clusters_api_points_mode_matches_the_index(demo_client, demo_app):
    data = demo_client.get("/api/v1/clusters?zoom=12").get_json()
    assert data["type"] == "FeatureCollection" and data["mode"] == "points"
    with demo_app.test_request_context():
        from geo.index import OfferQuery
        from webmap.state import current_data

        settings = current_data().settings
        expected = current_data().index.search(OfferQuery(bbox=settings.bbox, limit=0)).total
    assert data["total"] == expected == len(data["features"])
    feature = data["features"][0]
    assert set(feature["properties"]) == {"id", "name", "category", "address"}
    assert feature["geometry"]["type"] == "Point"


def test_clusters_api_filters_like_the_list(demo_client):
    doctors = demo_client.get("/api/v1/clusters?zoom=12&category=doctor").get_json()
    assert doctors["total"] > 0
    assert {f["properties"]["category"] for f in doctors["features"]} == {"doctor"}
    page = demo_client.get("/?ui=en&category=doctor&partial=results").data.decode()
    import re

    located = int(re.search(r'data-located="(\d+)"', page).group(1))
    assert located == doctors["total"]


def test_clusters_api_aggregates_when_a_viewport_holds_many(demo_client, monkeypatch):
    from webmap.api import clusters

    monkeypatch.setattr(clusters, "MAX_POINTS", 10)
    data = demo_client.get("/api/v1/clusters?zoom=11").get_json()
    assert data["mode"] == "clusters"
    assert sum(f["properties"]["count"] for f in data["features"]) == data["total"] > 10
    assert all(len(f["properties"]["bbox"]) == 4 for f in data["features"])
    street = demo_client.get(f"/api/v1/clusters?zoom={clusters.POINTS_ZOOM}").get_json()
    assert street["mode"] == "points"


@pytest.mark.parametrize("query", ["bbox=1,2,3", "bbox=a,b,c,d", "bbox=8,49,7,50", "zoom=x", "zoom=40",
                                   "category=nonsense", "categroy=doctor"])
def test_clusters_api_rejects_bad_parameters(demo_client, query):
    response = demo_client.get(f"/api/v1/clusters?{query}")
    assert response.status_code == 400
    assert response.get_json()


def test_clusters_api_clamps_a_world_wide_viewport(demo_client):
    data = demo_client.get("/api/v1/clusters?bbox=-400,-100,400,100&zoom=1").get_json()
    assert data["total"] > 0


@pytest.mark.parametrize("query, parameter", [
    ("bbox=1,2,3", "bbox"),
    ("bbox=a,b,c,d", "bbox"),
    ("bbox=8,49,7,50", "bbox"),
    ("zoom=abc", "zoom"),
    ("zoom=40", "zoom"),
    ("language=xx-unknown", "language"),
])
def test_bad_viewport_parameters_get_the_api_error_shape(demo_client, query, parameter):
    response = demo_client.get(f"/api/v1/clusters?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) >= {"error", "parameter", "value", "allowed"}
    assert body["parameter"] == parameter
