"""E2SFCA: hand-computed examples, exactness against pysal `access`, conventions, chunking."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from geo.coverage.e2sfca import decay_function, decay_weights, e2sfca


def access_e2sfca(demand_xy, demand, supply_xy, supply, catchment_m, decay, distance_factor=1.0):
    """pysal access's enhanced_two_stage_fca on a full cost table (small cases only)."""
    from access import Access

    n, m = len(demand_xy), len(supply_xy)
    dist = np.hypot(demand_xy[:, None, 0] - supply_xy[None, :, 0], demand_xy[:, None, 1] - supply_xy[None, :, 1])
    cost = pd.DataFrame({"origin": np.repeat(np.arange(n), m), "dest": np.tile(np.arange(m), n),
                         "cost": (dist * distance_factor).ravel()})
    # Frames indexed up front: access's own set_index(inplace=True) is deprecated in pandas 3.
    demand_df = pd.DataFrame({"pop": demand}, index=pd.Index(np.arange(n), name="geoid"))
    supply_df = pd.DataFrame({"w": supply}, index=pd.Index(np.arange(m), name="geoid"))
    with warnings.catch_warnings():
        # access is third-party code; its pandas idioms age (deprecations are not ours to fix)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        model = Access(demand_df=demand_df, demand_index=True, demand_value="pop", supply_df=supply_df,
                       supply_index=True, supply_value="w", cost_df=cost, cost_origin="origin", cost_dest="dest",
                       cost_name="cost")
        result = model.enhanced_two_stage_fca(name="e2", max_cost=catchment_m,
                                              weight_fn=decay_function(catchment_m, decay))
    # access leaves points without any offer in reach as NaN; ours says 0 offers per resident.
    return result["e2_w"].reindex(np.arange(n)).fillna(0.0).to_numpy()


# -- decay -------------------------------------------------------------------------------------

def test_gaussian_decay_is_one_at_zero_and_zero_at_the_catchment():
    w = decay_weights(np.array([0.0, 500.0, 1000.0, 1000.0001, 5000.0]), 1000.0, "gaussian")
    edge = math.exp(-0.5)
    assert w[0] == pytest.approx(1.0)
    assert w[1] == pytest.approx((math.exp(-0.125) - edge) / (1 - edge))
    assert w[2] == pytest.approx(0.0, abs=1e-15)
    assert w[3] == 0.0 and w[4] == 0.0
    assert np.all(np.diff(decay_weights(np.linspace(0, 1000, 101), 1000.0, "gaussian")) <= 0)


def test_step_decay_has_luo_qi_zones_with_inner_edges():
    costs = np.array([0.0, 300.0, 1000 / 3, 400.0, 2000 / 3, 700.0, 1000.0, 1001.0])
    assert decay_weights(costs, 1000.0, "step").tolist() == [1.0, 1.0, 1.0, 0.68, 0.68, 0.22, 0.22, 0.0]


def test_decay_function_matches_the_array_form():
    fn = decay_function(2000.0, "gaussian")
    costs = np.linspace(0, 2500, 26)
    assert [fn(c) for c in costs] == pytest.approx(decay_weights(costs, 2000.0, "gaussian").tolist())


@pytest.mark.parametrize("decay,catchment", [("linear", 1000.0), ("gaussian", 0.0), ("step", -5.0)])
def test_bad_decay_or_catchment_is_named(decay, catchment):
    with pytest.raises(ValueError, match="decay|catchment_m"):
        decay_weights(np.zeros(1), catchment, decay)


# -- hand-computed example --------------------------------------------------------------------

def test_hand_computed_step_example():
    # Two villages on a line, 1 km apart, an offer in the first and one (weight 2) halfway.
    # Catchment 1,500 m, step zones 0-500 (1.00), 500-1,000 (0.68), 1,000-1,500 (0.22).
    demand_xy = np.array([[0.0, 0.0], [1000.0, 0.0]])
    people = np.array([100.0, 300.0])
    supply_xy = np.array([[0.0, 0.0], [500.0, 0.0]])
    supply = np.array([1.0, 2.0])
    # Offer 0: village 0 at 0 m (1.00), village 1 at 1,000 m (0.68): demand 100 + 204 = 304.
    # Offer 1: both villages at 500 m (1.00): demand 400.
    r0, r1 = 1 / 304, 2 / 400
    a0 = 1.00 * r0 + 1.00 * r1
    a1 = 0.68 * r0 + 1.00 * r1
    result = e2sfca(demand_xy, people, supply_xy, supply, catchment_m=1500, decay="step")
    assert result.ratio == pytest.approx([r0, r1], rel=1e-12)
    assert result.access == pytest.approx([a0, a1], rel=1e-12)
    # Every offer has demand in reach, so the accessibility adds up to the supply.
    assert (people * result.access).sum() == pytest.approx(supply.sum())


def test_hand_computed_gaussian_example_with_detour_factor():
    demand_xy = np.array([[0.0, 0.0], [0.0, 600.0]])
    people = np.array([50.0, 150.0])
    supply_xy = np.array([[0.0, 300.0]])
    # Both points 300 m away straight, 450 m on foot with factor 1.5; catchment 900 m.
    w = (math.exp(-0.5 * 0.25) - math.exp(-0.5)) / (1 - math.exp(-0.5))
    r = 1.0 / (w * 50 + w * 150)
    result = e2sfca(demand_xy, people, supply_xy, catchment_m=900, decay="gaussian", distance_factor=1.5)
    assert result.access == pytest.approx([w * r, w * r], rel=1e-12)


# -- exactness against pysal access ----------------------------------------------------------

@pytest.mark.parametrize("decay", ["gaussian", "step"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equals_access_enhanced_two_stage_fca(decay, seed):
    rng = np.random.default_rng(seed)
    n, m = 150, 12
    demand_xy = rng.uniform(0, 6000, (n, 2))
    people = rng.integers(1, 800, n).astype(float)
    supply_xy = rng.uniform(0, 6000, (m, 2))
    supply = rng.integers(1, 6, m).astype(float)
    ours = e2sfca(demand_xy, people, supply_xy, supply, catchment_m=2000, decay=decay, distance_factor=1.3).access
    theirs = access_e2sfca(demand_xy, people, supply_xy, supply, 2000, decay, distance_factor=1.3)
    assert (theirs > 0).sum() > n // 2  # the case is not trivially empty
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def test_equals_access_with_clustered_points_and_coincident_places():
    rng = np.random.default_rng(7)
    centres = rng.uniform(0, 4000, (4, 2))
    demand_xy = np.repeat(centres, 30, axis=0) + rng.normal(0, 300, (120, 2))
    supply_xy = np.vstack([demand_xy[:3], centres + rng.normal(0, 100, (4, 2))])  # three offers on demand points
    people = rng.integers(1, 300, len(demand_xy)).astype(float)
    supply = np.ones(len(supply_xy))
    ours = e2sfca(demand_xy, people, supply_xy, supply, catchment_m=1000, decay="gaussian").access
    theirs = access_e2sfca(demand_xy, people, supply_xy, supply, 1000, "gaussian")
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


# -- conventions and invariants ---------------------------------------------------------------

def test_points_without_offers_in_reach_get_zero_and_offers_without_people_serve_nobody():
    demand_xy = np.array([[0.0, 0.0], [10_000.0, 0.0]])
    people = np.array([100.0, 0.0])
    supply_xy = np.array([[100.0, 0.0], [10_000.0, 50.0]])
    result = e2sfca(demand_xy, people, supply_xy, catchment_m=1000, decay="step")
    assert result.ratio[1] == 0.0  # nobody lives near the second offer
    assert np.all(np.isfinite(result.access))
    assert result.access[1] == 0.0
    assert result.access[0] == pytest.approx(1 / 100)


def test_empty_inputs_give_zeros():
    assert e2sfca(np.empty((0, 2)), np.empty(0), np.array([[0.0, 0.0]]), catchment_m=1000).access.shape == (0,)
    result = e2sfca(np.array([[0.0, 0.0]]), np.array([5.0]), np.empty((0, 2)), catchment_m=1000)
    assert result.access.tolist() == [0.0]


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="demand has"):
        e2sfca(np.zeros((2, 2)), np.ones(3), np.zeros((1, 2)), catchment_m=1000)
    with pytest.raises(ValueError, match="non-negative"):
        e2sfca(np.zeros((1, 2)), np.array([-1.0]), np.zeros((1, 2)), catchment_m=1000)
    with pytest.raises(ValueError, match="supply_xy holds NaN"):
        e2sfca(np.zeros((1, 2)), np.ones(1), np.array([[np.nan, 0.0]]), catchment_m=1000)


def test_chunking_and_threads_do_not_change_the_result():
    rng = np.random.default_rng(3)
    demand_xy = rng.uniform(0, 20_000, (3000, 2))
    people = rng.uniform(0, 50, 3000)
    supply_xy = rng.uniform(0, 20_000, (400, 2))
    supply = rng.uniform(0.5, 3, 400)
    whole = e2sfca(demand_xy, people, supply_xy, supply, catchment_m=2000, workers=1, max_pairs=10**9)
    chunked = e2sfca(demand_xy, people, supply_xy, supply, catchment_m=2000, workers=2, max_pairs=500)
    np.testing.assert_allclose(chunked.access, whole.access, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(chunked.ratio, whole.ratio, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), catchment=st.floats(200, 5000), decay=st.sampled_from(["step", "gaussian"]))
def test_total_accessibility_equals_the_supply_that_reaches_someone(seed, catchment, decay):
    # sum_i P_i A_i = sum_j S_j over offers with weighted demand > 0 (the 2SFCA conservation law).
    rng = np.random.default_rng(seed)
    demand_xy = rng.uniform(0, 8000, (200, 2))
    people = rng.uniform(0, 100, 200)
    supply_xy = rng.uniform(0, 8000, (15, 2))
    supply = rng.uniform(0, 4, 15)
    result = e2sfca(demand_xy, people, supply_xy, supply, catchment_m=catchment, decay=decay)
    serving = result.ratio > 0
    assert (people * result.access).sum() == pytest.approx(supply[serving].sum(), rel=1e-9, abs=1e-12)
