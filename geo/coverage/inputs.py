"""The coverage inputs of a deployment: the store's frames and the population grid.

The grid lives in the store as the attribute layer ``population_grid`` (x, y in
EPSG:3035, population), written by ``angebotskarte population-grid``. When the
store has none but [population] grid names a CSV, that file is read directly.
This module opens nothing: it gets the frames (:func:`inputs_from_frames`) or an
object that hands them out (:func:`load_inputs`), from its caller.
"""

from __future__ import annotations

from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.coverage.grid import GRID_CRS, read_zensus_grid
from geo.settings import Settings

GRID_LAYER = "population_grid"
# Cells this far beyond the districts' bounding box are kept too (grids are cut by bounding box only).
GRID_MARGIN_M = 1000.0


class CoverageInputs(NamedTuple):
    offers: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    population: pd.DataFrame
    grid: pd.DataFrame | None


def load_inputs(store, settings: Settings) -> CoverageInputs:
    """Offers, districts, population and the grid (None without one) of ``store``
    (anything with offers(), districts(), population(), layers() and read_table())."""
    grid_table = store.read_table(GRID_LAYER) if GRID_LAYER in store.layers() else None
    return inputs_from_frames(store.offers(), store.districts(), store.population(), grid_table, settings)


def inputs_from_frames(offers: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, population: pd.DataFrame,
                       grid_table: pd.DataFrame | None, settings: Settings) -> CoverageInputs:
    """The coverage inputs from the store's frames; the grid from the stored layer, else from
    the CSV that [population] grid names (cut to the districts), else None."""
    grid = None
    if grid_table is not None:
        grid = pd.DataFrame({c: pd.to_numeric(grid_table[c], errors="coerce") for c in ("x", "y", "population")})
    else:
        path = settings.path("population", "grid")
        if path is not None:
            grid = read_zensus_grid(path, bounds=grid_bounds(districts, settings))
    return CoverageInputs(offers, districts, population, grid)


def grid_bounds(districts: gpd.GeoDataFrame, settings: Settings) -> tuple[float, float, float, float]:
    """The EPSG:3035 box worth keeping from a grid: the districts' extent, else [area] bbox, plus a margin."""
    if districts is not None and not districts.empty:
        xmin, ymin, xmax, ymax = districts.to_crs(GRID_CRS).total_bounds
    else:
        lon_min, lat_min, lon_max, lat_max = settings.bbox
        to_grid = Transformer.from_crs(4326, GRID_CRS, always_xy=True)
        xs, ys = to_grid.transform(np.array([lon_min, lon_min, lon_max, lon_max]),
                                   np.array([lat_min, lat_max, lat_min, lat_max]))
        xmin, ymin, xmax, ymax = min(xs), min(ys), max(xs), max(ys)
    return (xmin - GRID_MARGIN_M, ymin - GRID_MARGIN_M, xmax + GRID_MARGIN_M, ymax + GRID_MARGIN_M)


def grid_layer(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid as it is kept in the store layer ``population_grid``."""
    return pd.DataFrame({"x": grid["x"].to_numpy(float), "y": grid["y"].to_numpy(float),
                         "population": grid["population"].to_numpy(float)})


def store_grid(store, grid: pd.DataFrame, *, actor: str = "cli") -> str:
    """Keep a grid in ``store`` (replacing an earlier one); returns the new data version."""
    store.replace_layer(GRID_LAYER, grid_layer(grid), actor=actor)
    return store.version
