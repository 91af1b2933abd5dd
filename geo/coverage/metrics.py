"""Per-district metrics on demand points: counts, reach within a catchment, distances, E2SFCA means.

Pure functions on arrays; :mod:`geo.coverage.table` feeds them from a
:class:`~geo.coverage.context.CoverageContext`.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def count_by_district(district_pos: np.ndarray, n_districts: int) -> np.ndarray:
    """Offers per district from each offer's district position (-1: outside every district)."""
    pos = np.asarray(district_pos, dtype=np.int64)
    return np.bincount(pos[pos >= 0], minlength=n_districts).astype(np.int64)


def per_10k(count: np.ndarray, residents: np.ndarray) -> np.ndarray:
    """Count per 10,000 residents; NaN where residents are unknown or zero."""
    count = np.asarray(count, dtype=float)
    residents = np.asarray(residents, dtype=float)
    out = np.full(count.shape, np.nan)
    ok = np.isfinite(residents) & (residents > 0)
    out[ok] = count[ok] / residents[ok] * 10_000
    return out


def nearest_cost(points_xy: np.ndarray, offers_xy: np.ndarray, distance_factor: float = 1.0,
                 workers: int = -1) -> np.ndarray:
    """Cost (straight-line distance × factor) from each point to its nearest offer; inf without offers."""
    if len(points_xy) == 0:
        return np.empty(0)
    if len(offers_xy) == 0:
        return np.full(len(points_xy), np.inf)
    distance, _ = cKDTree(offers_xy).query(points_xy, k=1, workers=workers)
    return distance * distance_factor


def reach_by_district(district: np.ndarray, weight: np.ndarray, cost: np.ndarray, catchment_m: float,
                      n_districts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share of residents within the catchment, median and 90th-percentile cost per district.

    ``weight`` is each point's residents (or share of its district's residents:
    within one district only proportions matter). The quantiles are weighted
    lower quantiles: the smallest cost c such that at least q of the district's
    residents live within c of their nearest offer. They are inf when some of
    those residents have no offer at all, NaN for districts without residents.
    """
    weight = np.asarray(weight, dtype=float)
    total = np.bincount(district, weight, minlength=n_districts)
    within = np.bincount(district, np.where(cost <= catchment_m, weight, 0.0), minlength=n_districts)
    share = np.divide(within, total, out=np.full(n_districts, np.nan), where=total > 0)
    median, p90 = weighted_quantiles(district, cost, weight, n_districts, (0.5, 0.9))
    return share, median, p90


def weighted_quantiles(group: np.ndarray, value: np.ndarray, weight: np.ndarray, n_groups: int,
                       quantiles: tuple[float, ...]) -> list[np.ndarray]:
    """Weighted lower quantiles of ``value`` per group (see :func:`reach_by_district`)."""
    group = np.asarray(group, dtype=np.int64)
    value = np.asarray(value, dtype=float)
    weight = np.asarray(weight, dtype=float)
    keep = weight > 0
    group, value, weight = group[keep], value[keep], weight[keep]
    order = np.lexsort((value, group))
    group, value, weight = group[order], value[order], weight[order]
    cumulative = np.cumsum(weight)
    total = np.bincount(group, weight, minlength=n_groups)
    start = np.searchsorted(group, np.arange(n_groups), side="left")
    end = np.searchsorted(group, np.arange(n_groups), side="right")
    before = np.where(start > 0, cumulative[np.maximum(start - 1, 0)], 0.0)
    results = []
    for q in quantiles:
        out = np.full(n_groups, np.nan)
        has = end > start
        # Relative tolerance so that rounding in the running sum cannot skip the exact quantile point.
        target = before + q * total - 1e-12 * np.maximum(total, 1.0)
        idx = np.searchsorted(cumulative, target[has], side="left")
        idx = np.minimum(np.maximum(idx, start[has]), end[has] - 1)
        out[has] = value[idx]
        results.append(out)
    return results


def district_mean(district: np.ndarray, weight: np.ndarray, value: np.ndarray, n_districts: int) -> np.ndarray:
    """Weighted mean of ``value`` per district; NaN where the weights sum to 0."""
    total = np.bincount(district, weight, minlength=n_districts)
    summed = np.bincount(district, weight * value, minlength=n_districts)
    return np.divide(summed, total, out=np.full(n_districts, np.nan), where=total > 0)
