"""Areas reachable on foot: what lies inside, what the river keeps out, and the GeoJSON shape."""

from __future__ import annotations

import pytest
import shapely
from osm_world import at, river_town, write_osm
from shapely.geometry import shape

from geo.network import Walking, WalkNetwork, build_network

START = (0, -60)


@pytest.fixture(scope="module")
def walking(tmp_path_factory):
    folder = tmp_path_factory.mktemp("town")
    nodes, ways = river_town()
    report = build_network(write_osm(folder / "town.osm", nodes, ways), folder / "walk.npz", progress=False)
    return Walking(WalkNetwork.load(report.out))


@pytest.fixture(scope="module")
def areas(walking):
    lon, lat = at(*START)
    collection = walking.isochrones(lat, lon)
    return collection, {f["properties"]["minutes"]: shape(f["geometry"]) for f in collection["features"]}


def inside(area, x, y):
    return area.contains(shapely.Point(*at(x, y)))


def test_a_feature_collection_per_walking_time(areas):
    collection, by_minutes = areas
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"] for f in collection["features"]] == [
        {"minutes": 5, "walk_m": 375.0}, {"minutes": 10, "walk_m": 750.0}, {"minutes": 15, "walk_m": 1125.0}]
    for area in by_minutes.values():
        assert area.is_valid and area.geom_type in ("Polygon", "MultiPolygon")
        lon_min, lat_min, lon_max, lat_max = area.bounds
        assert 7.7 < lon_min < lon_max < 7.8 and 49.4 < lat_min < lat_max < 49.5  # EPSG:4326, lon first


def test_the_river_keeps_the_near_bank_out_of_five_minutes(areas):
    _collection, by_minutes = areas
    five = by_minutes[5]
    assert inside(five, *START)
    assert inside(five, 300, -50)      # 310 m along the street
    assert inside(five, -300, -50)
    assert not inside(five, 0, 60)     # 120 m away in a straight line, 520 m on foot
    assert not inside(five, 0, 50)


def test_longer_walks_cross_the_bridge_and_nest(areas):
    _collection, by_minutes = areas
    assert inside(by_minutes[10], 0, 60)
    assert not inside(by_minutes[10], -500, -100)   # the west street is about 1.4 km on foot
    assert inside(by_minutes[15], -400, 50)
    for small, large in ((5, 10), (10, 15)):
        # Contained up to slivers of the 0.1 m rounding (1e-9 square degrees is about 7 m²).
        assert by_minutes[small].difference(by_minutes[large]).area < 1e-9


def test_a_start_far_from_the_streets_reaches_only_towards_them(walking):
    lon, lat = at(0, -500)  # 450 m south of the south street: more than 5 minutes away
    collection = walking.isochrones(lat, lon, minutes=(5,))
    area = shape(collection["features"][0]["geometry"])
    assert inside(area, 0, -500) and not inside(area, 0, -50)


@pytest.mark.parametrize("minutes", [(), (0,), (-5,), (float("nan"),), (500,)])
def test_walking_times_must_be_sensible(walking, minutes):
    lon, lat = at(*START)
    with pytest.raises(ValueError, match="minutes must be walking times between 0 and 120"):
        walking.isochrones(lat, lon, minutes=minutes)
