"""Snapping, exact walking distances and nearest offers on foot, on worlds the tests draw."""

from __future__ import annotations

import numpy as np
import pytest
from osm_world import at, point_m, river_town, write_osm

from geo.index import OfferIndex, OfferQuery
from geo.index.synthetic import offers_frame
from geo.network import Walking, WalkNetwork, build_network
from geo.network.measure import walk_minutes

QUERY = (0, -60)  # 10 m south of the south street, right opposite offers across the river


@pytest.fixture(scope="module")
def walking(tmp_path_factory):
    folder = tmp_path_factory.mktemp("town")
    nodes, ways = river_town()
    report = build_network(write_osm(folder / "town.osm", nodes, ways), folder / "walk.npz", progress=False)
    return Walking(WalkNetwork.load(report.out))


def lonlat(x, y):
    return at(x, y)


def snap_at(walking, x, y):
    lon, lat = at(x, y)
    return walking.snapper.snap([lon], [lat])


def osm_node(walking, osm_id):
    return int(np.flatnonzero(walking.network.node_osm_id == osm_id)[0])


# ---------------------------------------------------------------------- snapping

def test_points_snap_to_the_nearest_edge_not_the_nearest_node(walking):
    snapped = snap_at(walking, *QUERY)
    network = walking.network
    edge = int(snapped.edge[0])
    assert {network.edge_u[edge], network.edge_v[edge]} == {osm_node(walking, 1), osm_node(walking, 4)}
    assert snapped.snap_m[0] == pytest.approx(point_m(QUERY, (0, -50)), abs=0.01)
    foot_lon, foot_lat = at(0, -50)
    assert (snapped.lon[0], snapped.lat[0]) == pytest.approx((foot_lon, foot_lat), abs=1e-7)
    split = sorted((snapped.to_u_m[0], snapped.to_v_m[0]))
    assert split == pytest.approx([point_m((0, -50), (200, -50)), point_m((0, -50), (-400, -50))], abs=0.01)
    assert snapped.to_u_m[0] + snapped.to_v_m[0] == pytest.approx(network.edge_length_m[edge], abs=1e-6)


def test_points_snap_only_to_the_largest_component(walking):
    # 5 m from the island's footway, 45 m from the south street: the island leads nowhere.
    snapped = snap_at(walking, -90, -5)
    assert walking.network.edge_in_largest[snapped.edge[0]]
    assert snapped.snap_m[0] == pytest.approx(point_m((-90, -5), (-90, -50)), abs=0.01)
    # On the road bridge over the tunnel: the bridge does not touch the footway below.
    on_bridge = snap_at(walking, -430, 25)
    assert on_bridge.snap_m[0] == pytest.approx(point_m((-430, 25), (-430, 20)), abs=0.01)


def test_points_without_a_place_are_not_snapped(walking):
    lon, lat = at(0, 0)
    snapped = walking.snapper.snap([lon, np.nan], [lat, np.nan])
    assert snapped.ok.tolist() == [True, False]
    assert np.isnan(snapped.snap_m[1]) and snapped.edge[1] == -1


# ---------------------------------------------------------------------- exact distances

OFFERS = {
    # name: (x, y, languages, category)
    "across": (0, 60, ["ar"], "counselling"),          # across the river: bridge at x = 200
    "same_bank": (-300, -60, ["de"], "counselling"),   # same bank, farther in a straight line
    "steps": (410, 100, ["ar", "de"], "language_course"),  # up the steps
    "west": (-510, -100, ["ar"], "counselling"),       # beyond the railway, through the tunnel
    "island": (-90, 5, ["ar"], "meeting_place"),       # on the island: walked to from the north street
}


def expected_walk(name):
    """The walks drawn by hand: every leg in great-circle metres."""
    q = QUERY
    to_bridge = point_m(q, (0, -50)) + point_m((0, -50), (200, -50)) + point_m((200, -50), (200, 50))
    legs = {
        "across": to_bridge + point_m((200, 50), (0, 50)) + point_m((0, 50), (0, 60)),
        "same_bank": point_m(q, (0, -50)) + point_m((0, -50), (-300, -50)) + point_m((-300, -50), (-300, -60)),
        "steps": to_bridge + point_m((200, 50), (400, 50)) + point_m((400, 50), (400, 80))
        + point_m((400, 80), (400, 100)) + point_m((400, 100), (410, 100)),
        "west": to_bridge + point_m((200, 50), (-400, 50)) + point_m((-400, 50), (-400, 20))
        + point_m((-400, 20), (-500, 20)) + point_m((-500, 20), (-500, -100)) + point_m((-500, -100), (-510, -100)),
        "island": to_bridge + point_m((200, 50), (-90, 50)) + point_m((-90, 50), (-90, 5)),
    }
    return legs[name]


@pytest.fixture(scope="module")
def town_offers():
    records = []
    for name, (x, y, languages, category) in OFFERS.items():
        lon, lat = at(x, y)
        records.append(dict(id=name, name=name, lat=lat, lon=lon, languages=languages, category=category))
    records.append(dict(id="online", name="online", location_type="virtual", languages=["ar"],
                        category="counselling"))
    return offers_frame(records)


@pytest.fixture(scope="module")
def search(walking, town_offers):
    return walking.search(OfferIndex.from_offers(town_offers))


def near_query(**kwargs):
    lon, lat = at(*QUERY)
    return OfferQuery(near=(lat, lon), **kwargs)


def test_walking_distances_follow_bridges_tunnels_and_steps(search):
    result = search.search(near_query(limit=10))
    walks = dict(zip(result.ids, result.walk_m))
    for name in OFFERS:
        assert walks[name] == pytest.approx(expected_walk(name), abs=0.01), name
    # foot=no, the private road and the motorway would each have been a shortcut.
    assert walks["across"] > 4 * point_m(QUERY, OFFERS["across"][:2])
    assert result.ids.tolist() == sorted(OFFERS, key=expected_walk)


def test_straight_line_and_walking_order_differ_across_the_river(search):
    straight = search.index.search(near_query(categories=("counselling",), limit=2))
    walk = search.search(near_query(categories=("counselling",), limit=2))
    assert straight.ids.tolist() == ["across", "same_bank"]
    assert walk.ids.tolist() == ["same_bank", "across"]
    np.testing.assert_allclose(walk.straight_m, [point_m(QUERY, (-300, -60)), point_m(QUERY, (0, 60))], atol=0.01)
    assert np.all(walk.walk_m >= walk.straight_m)


def test_minutes_use_the_walking_speed(search, walking):
    result = search.search(near_query(limit=10))
    np.testing.assert_array_equal(result.walk_minutes, np.ceil(result.walk_m / 75.0))
    slow = Walking(walking.network, speed_kmh=3.0).search(search.index)
    np.testing.assert_array_equal(slow.search(near_query(limit=10)).walk_minutes, np.ceil(result.walk_m / 50.0))
    assert walk_minutes([1.0, np.nan], 4.5)[0] == 1 and np.isnan(walk_minutes([np.nan], 4.5)[0])


def test_filters_work_as_in_the_index(search):
    arabic = search.search(near_query(languages=("ar",), limit=10))
    assert arabic.ids.tolist() == sorted(["across", "steps", "west", "island"], key=expected_walk)
    assert arabic.total == 4
    courses = search.search(near_query(categories=("language_course",), limit=10))
    assert courses.ids.tolist() == ["steps"]
    lon_min, lat_min = at(-600, -200)
    lon_max, lat_max = at(100, 200)
    boxed = search.search(near_query(bbox=(lon_min, lat_min, lon_max, lat_max), limit=10))
    assert set(boxed.ids) == {"across", "same_bank", "west", "island"}
    words = search.search(near_query(text="bank", limit=10))
    assert words.ids.tolist() == ["same_bank"]


def test_radius_is_a_walking_radius(search):
    radius = (expected_walk("same_bank") + expected_walk("across")) / 2
    result = search.search(near_query(radius_m=radius, limit=10))
    # "across" is within the radius in a straight line, but not on foot.
    assert result.ids.tolist() == ["same_bank"] and result.total == 1
    everything = search.search(near_query(radius_m=10_000, limit=2))
    assert everything.total == len(OFFERS) and len(everything) == 2


def test_offers_without_a_place_come_last_and_count(search):
    result = search.search(near_query(languages=("ar",), include_virtual=True, limit=10))
    assert result.ids.tolist()[-1] == "online" and result.total == 5
    assert np.isnan(result.walk_m[-1]) and np.isnan(result.walk_minutes[-1]) and np.isnan(result.straight_m[-1])
    only_online = search.search(near_query(languages=("ar",), include_virtual=True, limit=1, offset=4))
    assert only_online.ids.tolist() == ["online"]


def test_pages_concatenate_to_the_full_ranking(search):
    full = search.search(near_query(limit=10)).ids.tolist()
    pages = [search.search(near_query(limit=2, offset=o)).ids.tolist() for o in range(0, 6, 2)]
    assert sum(pages, []) == full


def test_walk_to_given_offers(search):
    lon, lat = at(*QUERY)
    rows = [search.index.row_of("west"), search.index.row_of("online"), search.index.row_of("across")]
    walks = search.walk_m(lat, lon, rows)
    assert walks[0] == pytest.approx(expected_walk("west"), abs=0.01)
    assert np.isnan(walks[1])
    assert walks[2] == pytest.approx(expected_walk("across"), abs=0.01)


def test_a_walking_search_needs_a_place(search):
    with pytest.raises(ValueError, match="needs near"):
        search.search(OfferQuery(limit=3))
    with pytest.raises(ValueError, match="speed_kmh must be a positive number"):
        Walking(search.network, speed_kmh=0)


def test_no_matching_offer_gives_an_empty_page(search):
    result = search.search(near_query(languages=("ti",), limit=10))
    assert len(result) == 0 and result.total == 0
    counted = search.search(near_query(languages=("ar",), limit=0))  # a count without a page
    assert len(counted) == 0 and counted.total == 4
