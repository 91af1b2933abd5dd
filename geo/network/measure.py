"""Great-circle metres, the one length every part of the network measures in.

Edge lengths, snapping distances and the split of an edge at a snapped point are all
great-circle (haversine) metres on the sphere the offer index uses
(:data:`geo.index.sphere.EARTH_RADIUS_M`). A walk is then a chain of great-circle hops,
so by the triangle inequality it is never shorter than the index's straight-line
distance between its ends: the lower bound that makes the nearest-by-walking search
exact (see :mod:`geo.network.nearest`). A projected CRS would break that bound by up to
0.04 % (the UTM scale factor).
"""

from __future__ import annotations

import numpy as np

from geo.index.sphere import EARTH_RADIUS_M


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle metres between (lon1, lat1) and (lon2, lat2), degrees, element-wise."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def walk_minutes(walk_m, speed_kmh: float) -> np.ndarray:
    """Minutes on foot for walking metres at ``speed_kmh``, rounded up, at least 1 (NaN stays NaN).

    The same rounding as the pages' straight-line estimate (docs/ui.md): a 40 m walk
    is "1 minute", never "0 minutes".
    """
    if not speed_kmh > 0:
        raise ValueError(f"walking speed must be a positive number of km/h, got {speed_kmh!r}")
    metres = np.asarray(walk_m, dtype=float)
    minutes = np.ceil(metres / (speed_kmh * 1000.0 / 60.0))
    return np.where(np.isfinite(minutes), np.maximum(minutes, 1.0), np.nan)
