"""Demand points and per-district metrics on small hand-built worlds."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings, strategies as st
from shapely import affinity
from shapely.geometry import Polygon, box

from geo.coverage.demand import even_spread, grid_points, language_demand, language_groups, locate
from geo.coverage.metrics import count_by_district, reach_by_district, weighted_quantiles

CRS = "EPSG:25832"
X0, Y0 = 410_000.0, 5_480_000.0  # Kaiserslautern


def districts_frame(polygons, ids=None) -> gpd.GeoDataFrame:
    ids = ids or [f"d{i}" for i in range(len(polygons))]
    return gpd.GeoDataFrame({"district_id": ids, "name": [f"District {i}" for i in ids]},
                            geometry=list(polygons), crs=CRS)


# -- even spread ---------------------------------------------------------------------------------

def test_even_spread_shares_sum_to_one_and_balance_at_the_centroid():
    l_shape = Polygon([(X0, Y0), (X0 + 1234, Y0), (X0 + 1234, Y0 + 400), (X0 + 420, Y0 + 400),
                       (X0 + 420, Y0 + 1777), (X0, Y0 + 1777)])
    tilted = affinity.rotate(box(X0 + 3000, Y0, X0 + 3950, Y0 + 610), 33)
    tiny = box(X0 + 5000, Y0 + 5000, X0 + 5030, Y0 + 5020)
    frame = districts_frame([l_shape, tilted, tiny])
    points = even_spread(frame, spacing_m=100)
    for code, geom in enumerate(frame.geometry):
        mine = points.district == code
        assert points.share[mine].sum() == pytest.approx(1.0)
        # The clipped lattice cells tile the polygon, so their area-weighted centroids average
        # to the polygon's centroid exactly.
        assert np.average(points.x[mine], weights=points.share[mine]) == pytest.approx(geom.centroid.x, abs=1e-6)
        assert np.average(points.y[mine], weights=points.share[mine]) == pytest.approx(geom.centroid.y, abs=1e-6)
        assert shapely.contains_xy(geom.buffer(1e-6), points.x[mine], points.y[mine]).all()
    assert (points.district == 2).sum() == 1  # smaller than one lattice cell: one point


def test_even_spread_lattice_is_shared_by_neighbours():
    left, right = box(X0, Y0, X0 + 550, Y0 + 300), box(X0 + 550, Y0, X0 + 1000, Y0 + 300)
    points = even_spread(districts_frame([left, right]), spacing_m=100)
    # The lattice is anchored at multiples of the spacing, so the cell cut by the border
    # gives one half to each side and no resident is counted twice.
    assert len(points) == 10 * 3 + 3
    assert points.share[points.district == 0].sum() == pytest.approx(1.0)


def test_even_spread_caps_the_number_of_points():
    big = box(X0, Y0, X0 + 100_000, Y0 + 100_000)  # 10,000 km²: 1 million cells at 100 m
    points = even_spread(districts_frame([big]), spacing_m=100, max_points=10_000)
    assert len(points) <= 10_000 * 1.05
    assert points.share.sum() == pytest.approx(1.0)


def test_even_spread_needs_a_metric_crs():
    with pytest.raises(ValueError, match="metric"):
        even_spread(districts_frame([box(X0, Y0, X0 + 10, Y0 + 10)]).to_crs(4326))


# -- grid ----------------------------------------------------------------------------------------

def test_grid_points_weight_cells_and_fall_back_to_the_even_spread():
    covered, uncovered = box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 2000, Y0, X0 + 2500, Y0 + 500)
    frame = districts_frame([covered, uncovered])
    cells_m = gpd.GeoSeries(gpd.points_from_xy([X0 + 150, X0 + 550, X0 + 850, X0 + 5000],
                                               [Y0 + 150, Y0 + 550, Y0 + 850, Y0 + 5000]), crs=CRS)
    cells = cells_m.to_crs("EPSG:3035")
    grid = pd.DataFrame({"x": cells.x, "y": cells.y, "population": [10.0, 30.0, np.nan, 99.0]})
    points = grid_points(frame, grid, spacing_m=100)
    assert points.method == "grid"
    first = points.district == 0
    assert sorted(points.share[first].tolist()) == pytest.approx([0.25, 0.75])  # suppressed cell left out
    second = points.district == 1
    assert second.sum() == 25 and points.share[second].sum() == pytest.approx(1.0)
    assert np.isnan(points.grid_residents[second]).all()
    assert np.nansum(points.grid_residents[first]) == pytest.approx(40.0)
    assert len(points) == 2 + 25  # the cell outside every district is dropped


def test_locate_puts_border_points_in_the_first_district_once():
    frame = districts_frame([box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 100, Y0, X0 + 200, Y0 + 100)])
    points = gpd.GeoSeries(gpd.points_from_xy([X0 + 50, X0 + 100, X0 + 150, X0 + 999], [Y0 + 50] * 4), crs=CRS)
    assert locate(points, frame).tolist() == [0, 0, 1, -1]


# -- origin groups -> languages ------------------------------------------------------------------

def test_language_groups_match_columns_without_case_or_accents():
    mapping = {"Syrien": ["ar", "kmr"], "Türkei": ["tr", "kmr"], "Irak": ["ar"], "Eritrea": ["ti"]}
    groups = language_groups(["district_id", "population", "SYRIEN", "turkei", "Irak"], mapping)
    assert groups == {"ar": ["SYRIEN", "Irak"], "kmr": ["SYRIEN", "turkei"], "tr": ["turkei"]}
    table = pd.DataFrame({"SYRIEN": [10, 0], "Irak": [5, np.nan]})
    assert language_demand(table, ["SYRIEN", "Irak"]).tolist() == [15.0, 0.0]


# -- counts, reach, quantiles --------------------------------------------------------------------

def test_count_by_district_ignores_offers_outside():
    assert count_by_district(np.array([0, 2, 2, -1, 2]), 4).tolist() == [1, 0, 3, 0]


def test_reach_shares_and_quantiles_per_district():
    district = np.array([0, 0, 0, 0, 1, 1])
    weight = np.array([1.0, 1.0, 1.0, 1.0, 3.0, 1.0])
    cost = np.array([100.0, 200.0, 900.0, 1500.0, 1200.0, 10.0])
    share, median, p90 = reach_by_district(district, weight, cost, 1000.0, 3)
    assert share[:2].tolist() == [0.75, 0.25]
    assert np.isnan(share[2])
    assert median[:2].tolist() == [200.0, 1200.0]
    assert p90[:2].tolist() == [1500.0, 1200.0]
    assert np.isnan(median[2])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 50), st.integers(1, 5)), min_size=1, max_size=60),
       st.sampled_from([0.1, 0.5, 0.9, 1.0]))
def test_weighted_quantiles_equal_quantiles_of_the_repeated_values(rows, q):
    group = np.array([r[0] for r in rows])
    value = np.array([float(r[1]) for r in rows])
    weight = np.array([float(r[2]) for r in rows])
    (result,) = weighted_quantiles(group, value, weight, 4, (q,))
    for g in range(4):
        repeated = np.sort(np.repeat(value[group == g], weight[group == g].astype(int)))
        if len(repeated) == 0:
            assert np.isnan(result[g])
        else:
            # lower quantile: the smallest value with at least q of the weight at or below it
            k = int(np.ceil(q * len(repeated))) - 1
            assert result[g] == repeated[max(k, 0)]
