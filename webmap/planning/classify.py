"""Classes of one coverage column for the /planung map, computed with mapclassify.

Quantiles, natural breaks (Fisher-Jenks) or equal intervals; colours from
ColorBrewer's YlGnBu. The page, its map and GET /api/v1/coverage show the same
classes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

SCHEMES = ("quantiles", "natural_breaks", "equal_interval")
DEFAULT_SCHEME = "quantiles"
MIN_CLASSES, MAX_CLASSES, DEFAULT_CLASSES = 3, 7, 5
# The column a metric colours the map with (per_10k: per 10,000 of the group when there is one).
MAP_COLUMNS = {
    "count": "offers",
    "per_10k": "offers_per_10k",
    "catchment": "share_within_catchment",
    "distance": "median_distance_m",
    "e2sfca": "e2sfca_per_10k",
}
# ColorBrewer YlGnBu (colour-blind safe, prints in grey): lighter = lower, darker = higher.
PALETTES = {
    1: ("#41b6c4",),
    2: ("#a1dab4", "#225ea8"),
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
}
NO_DATA_COLOUR = "#d9d9d9"


@dataclass
class Classification:
    """Classes of one column's values, computed with mapclassify.

    ``breaks`` are the classes' upper bounds (mapclassify's ``bins``), ``lower``
    the smallest value; class *i* holds values in (breaks[i-1], breaks[i]], the
    first one [lower, breaks[0]]. ``classes`` gives each value's class (None
    where the value is missing).
    """

    column: str
    scheme: str
    k: int
    lower: float | None
    breaks: list[float]
    colours: list[str]
    counts: list[int]
    classes: list[int | None] = field(repr=False)

    def as_dict(self, district_ids) -> dict[str, Any]:
        return {
            "column": self.column, "scheme": self.scheme, "k": self.k, "lower": self.lower,
            "breaks": self.breaks, "colours": self.colours, "counts": self.counts,
            "no_data_colour": NO_DATA_COLOUR,
            "districts": {str(d): c for d, c in zip(district_ids, self.classes)},
        }


def classify(values, scheme: str = DEFAULT_SCHEME, k: int = DEFAULT_CLASSES, column: str = "") -> Classification:
    """Classes of ``values`` by ``scheme``: quantiles, natural breaks (Fisher-Jenks) or equal intervals.

    Missing values get no class. With fewer distinct values than ``k`` there are
    as many classes as distinct values; classes that would repeat a break
    (quantiles of tied values) are merged, so ``k`` may come out smaller.
    """
    import mapclassify

    y = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    known = np.isfinite(y)
    if not known.any():
        return Classification(column, scheme, 0, None, [], [], [], [None] * len(y))
    data = y[known]
    distinct = np.unique(data)
    if len(distinct) == 1:
        bins, yb = np.array([distinct[0]]), np.zeros(len(data), dtype=int)
    else:
        kinds = {"quantiles": mapclassify.Quantiles, "natural_breaks": mapclassify.FisherJenks,
                 "equal_interval": mapclassify.EqualInterval}
        with warnings.catch_warnings():
            # mapclassify warns about merged classes and a missing numba; neither matters here.
            warnings.simplefilter("ignore")
            result = kinds[scheme](data, k=int(min(k, len(distinct))))
        bins, yb = np.asarray(result.bins, dtype=float), np.asarray(result.yb, dtype=int)
    n = len(bins)
    palette = PALETTES[min(n, max(PALETTES))]
    classes: list[int | None] = [None] * len(y)
    for position, cls in zip(np.flatnonzero(known), yb):
        classes[int(position)] = int(cls)
    counts = np.bincount(yb, minlength=n).tolist()
    return Classification(column, scheme, n, float(data.min()), [float(b) for b in bins], list(palette[:n]),
                          [int(c) for c in counts], classes)


def map_column(metric: str, rows: pd.DataFrame) -> str:
    """The column ``metric`` colours the map with (per 10,000 of the group when the rows have one)."""
    if metric == "per_10k" and len(rows) and str(rows["group"].iloc[0]):
        return "offers_per_10k_group"
    return MAP_COLUMNS[metric]
