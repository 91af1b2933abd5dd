"""Planner's costs on foot: nearest offer per demand point and E2SFCA by network distance."""

from __future__ import annotations

import numpy as np
import pytest
from osm_world import at, point_m, river_town, write_osm
from pyproj import Transformer

from geo.coverage.e2sfca import decay_weights, e2sfca
from geo.network import Walking, WalkNetwork, build_network

CRS = "EPSG:25832"
_TO_METRIC = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)


@pytest.fixture(scope="module")
def costs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("town")
    nodes, ways = river_town()
    report = build_network(write_osm(folder / "town.osm", nodes, ways), folder / "walk.npz", progress=False)
    return Walking(WalkNetwork.load(report.out)).costs(CRS)


def metric(*points):
    lonlat = np.array([at(x, y) for x, y in points])
    x, y = _TO_METRIC.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack((x, y))


# Demand points and offers on both banks (x, y metres; the footbridge is at x = 200).
A, B, C = (0, -60), (100, 60), (-300, -60)
O1, O2 = (0, 60), (-250, -60)


def leg(*points):
    return sum(point_m(p, q) for p, q in zip(points, points[1:]))


WALK = {  # drawn by hand: snap, along the streets, over the bridge, snap
    (A, O1): leg(A, (0, -50), (200, -50), (200, 50), (0, 50), O1),
    (A, O2): leg(A, (0, -50), (-250, -50), O2),
    (B, O1): leg(B, (100, 50), (0, 50), O1),
    (B, O2): leg(B, (100, 50), (200, 50), (200, -50), (-250, -50), O2),
    (C, O1): leg(C, (-300, -50), (200, -50), (200, 50), (0, 50), O1),
    (C, O2): leg(C, (-300, -50), (-250, -50), O2),
}


def test_nearest_offer_on_foot_per_point(costs):
    cost = costs.nearest(metric(A, B, C), metric(O1, O2))
    np.testing.assert_allclose(cost, [WALK[A, O2], WALK[B, O1], WALK[C, O2]], atol=0.01)
    only_north = costs.nearest(metric(A, B, C), metric(O1))
    np.testing.assert_allclose(only_north, [WALK[A, O1], WALK[B, O1], WALK[C, O1]], atol=0.01)
    limited = costs.nearest(metric(A, B, C), metric(O1), limit=300)
    assert np.isinf(limited[0]) and np.isinf(limited[2]) and limited[1] == pytest.approx(WALK[B, O1], abs=0.01)
    assert np.isinf(costs.nearest(metric(A), np.zeros((0, 2)))).all()
    # A point or an offer without coordinates: no walk, and no effect on the others.
    with_gap = costs.nearest(np.vstack((metric(A), [[np.nan, np.nan]])), np.vstack((metric(O2), [[np.nan, np.nan]])))
    assert with_gap[0] == pytest.approx(WALK[A, O2], abs=0.01) and np.isinf(with_gap[1])
    assert costs.nearest(np.zeros((0, 2)), metric(O1)).shape == (0,)


def test_e2sfca_by_walking_differs_from_the_straight_line_where_the_river_is(costs):
    demand_xy, supply_xy = metric(A, B, C), metric(O1, O2)
    residents = np.array([100.0, 50.0, 80.0])
    catchment = 400.0
    straight = e2sfca(demand_xy, residents, supply_xy, catchment_m=catchment, workers=1)
    walked = e2sfca(demand_xy, residents, supply_xy, catchment_m=catchment, workers=1,
                    pair_costs=costs.pair_costs(demand_xy, supply_xy))
    # The formula by hand with the walks above: pairs beyond 400 m on foot drop out.
    points, offers = (A, B, C), (O1, O2)
    cost = np.array([[WALK[p, o] for o in offers] for p in points])
    w = np.where(cost <= catchment, decay_weights(cost, catchment, "gaussian"), 0.0)
    ratio = 1.0 / (w * residents[:, None]).sum(axis=0)
    # (Snap points differ from the hand-drawn feet by millimetres: the projections round.)
    np.testing.assert_allclose(walked.ratio, ratio, rtol=1e-5)
    np.testing.assert_allclose(walked.access, (w * ratio).sum(axis=1), rtol=1e-5)
    # Straight lines reach across the river (A to O1 is 120 m); on foot it is 520 m.
    assert straight.access[0] != pytest.approx(walked.access[0], rel=0.01)
    assert not np.allclose(straight.ratio, walked.ratio)


def test_pair_costs_agree_with_the_nearest_offer(costs):
    grid = [(x, y) for x in range(-550, 451, 100) for y in range(-150, 151, 50)]
    offers = [O1, O2, (390, 110), (-500, 100)]
    demand_xy, supply_xy = metric(*grid), metric(*offers)
    catchment = 500.0
    offer, point, cost = costs.pair_costs(demand_xy, supply_xy)(np.arange(len(offers)), catchment)
    assert np.all(cost <= catchment)
    best = np.full(len(grid), np.inf)
    np.minimum.at(best, point, cost)
    np.testing.assert_allclose(best, costs.nearest(demand_xy, supply_xy, limit=catchment), atol=1e-6)
    # Chunks report positions within the chunk.
    offer2, point2, cost2 = costs.pair_costs(demand_xy, supply_xy)(np.array([2, 3]), catchment)
    mask = offer >= 2
    assert sorted(zip(offer2 + 2, point2, np.round(cost2, 6))) == sorted(zip(offer[mask], point[mask],
                                                                               np.round(cost[mask], 6)))


def test_snapped_points_are_cached_by_coordinates(costs):
    xy = metric(A, B)
    assert costs.snap_xy(xy) is costs.snap_xy(xy.copy())
    assert costs.snap_xy(xy) is not costs.snap_xy(metric(B, A))


def test_pair_costs_need_an_unscaled_straight_line(costs):
    xy = metric(A)
    with pytest.raises(ValueError, match="with pair_costs it must be 1"):
        e2sfca(xy, np.ones(1), metric(O1), catchment_m=400, distance_factor=1.3,
               pair_costs=costs.pair_costs(xy, metric(O1)))
