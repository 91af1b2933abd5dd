"""Everything a coverage question needs, projected and aligned once.

:func:`prepare` takes the store's frames (offers, districts, population, an
optional grid) and the settings, and returns a :class:`CoverageContext`: districts
and offers in the metric CRS, demand points, the population table aligned with
the districts, and the [planning] parameters. Several questions (every category,
every language) then reuse it; a web endpoint can keep one per data version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coverage.demand import (DemandPoints, even_spread, grid_points, language_groups, locate,
                                 origin_columns)
from geo.coverage.e2sfca import DECAYS
from geo.settings import Settings, default_values
from geo.vocab import Vocabulary, categories_from_config, target_groups_from_config


@dataclass(frozen=True)
class PlanningParams:
    """The [planning] keys that shape the metrics (see docs/planning.md)."""

    catchment_m: float = 1000.0
    e2sfca_catchment_m: float = 2000.0
    decay: str = "gaussian"
    detour_factor: float = 1.3
    foreign_field: str = ""
    supply_weight_field: str = ""
    spread_spacing_m: float = 100.0
    gap_min_residents: float = 50.0
    gap_access_ratio: float = 0.5
    origin_languages: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> "PlanningParams":
        planning = settings.planning
        values = dict(
            catchment_m=planning.catchment_m,
            e2sfca_catchment_m=planning.e2sfca_catchment_m,
            decay=planning.decay,
            detour_factor=settings.map.detour_factor,
            foreign_field=planning.foreign_field,
            supply_weight_field=planning.supply_weight_field,
            spread_spacing_m=planning.spread_spacing_m,
            gap_min_residents=planning.gap_min_residents,
            gap_access_ratio=planning.gap_access_ratio,
            origin_languages={k: list(v) for k, v in planning.origin_languages.items()},
        )
        unknown = sorted(set(overrides) - set(values))
        if unknown:
            raise ValueError(f"unknown planning parameter {unknown[0]!r}; allowed: {', '.join(sorted(values))}")
        values.update({k: v for k, v in overrides.items() if v is not None})
        params = cls(**values)
        params.check()
        return params

    def check(self) -> None:
        for name in ("catchment_m", "e2sfca_catchment_m", "detour_factor", "spread_spacing_m"):
            if not getattr(self, name) > 0:
                raise ValueError(f"[planning] {name} must be a positive number, got {getattr(self, name)!r}")
        if self.decay not in DECAYS:
            raise ValueError(f"[planning] decay must be one of {', '.join(DECAYS)}, got {self.decay!r}")


@dataclass
class CoverageContext:
    """Projected, aligned inputs of the coverage metrics (build with :func:`prepare`)."""

    params: PlanningParams
    crs: str
    districts: gpd.GeoDataFrame          # metric CRS; district_id, name, geometry
    population: pd.DataFrame             # one row per district (same order), numeric columns
    residents: np.ndarray                # total residents per district, NaN when unknown
    demand: DemandPoints
    offers: pd.DataFrame                 # the offers with x, y (metric), located, virtual, district_pos, supply
    categories: Vocabulary
    target_groups: Vocabulary
    languages: dict[str, list[str]]      # language code -> population columns of its origin groups
    origin_keys: dict[str, str]          # population column -> origin key as configured

    @property
    def n_districts(self) -> int:
        return len(self.districts)


def default_settings() -> Settings:
    """The built-in defaults, for library callers without a config file."""
    return Settings(values=default_values(), base_dir=Path.cwd())


def metric_crs(settings: Settings, lon: float) -> str:
    """[area] metric_crs, or by longitude: EPSG:25832 west of 12° E, EPSG:25833 east of it."""
    configured = settings.area.metric_crs
    if configured:
        return configured
    return "EPSG:25833" if lon >= 12.0 else "EPSG:25832"


def prepare(offers: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, population: pd.DataFrame | None = None,
            settings: Settings | None = None, *, grid: pd.DataFrame | None = None,
            **overrides: Any) -> CoverageContext:
    """Project and align the inputs once.

    Parameters
    ----------
    offers
        The offers frame (EPSG:4326, see geo.schema); offers without a place or with
        ``location_type == "virtual"`` take part only in the virtual-offer count.
    districts
        district_id, name, geometry (EPSG:4326 or any CRS). Rows sharing an id are merged.
    population
        district_id, population and further numeric columns; None or empty: no
        resident numbers (counts and distances still work, shares are by area or grid).
    settings
        The deployment settings; None: the built-in defaults.
    grid
        Optional population grid: x, y (EPSG:3035 cell centres), population.
    overrides
        Replace [planning] values for this call (catchment_m, e2sfca_catchment_m,
        decay, detour_factor, supply_weight_field, ...).
    """
    settings = settings or default_settings()
    params = PlanningParams.from_settings(settings, **overrides)
    if districts is None or districts.empty:
        raise ValueError("no districts: coverage is computed per district; load district polygons first")
    if districts.crs is None:
        raise ValueError("districts have no CRS; the store keeps them in EPSG:4326")
    districts = _merge_duplicate_ids(districts)
    lon = float(districts.to_crs(4326).union_all().centroid.x)
    crs = metric_crs(settings, lon)
    districts_m = districts[["district_id", "name", districts.geometry.name]].to_crs(crs).reset_index(drop=True)
    districts_m = districts_m.rename_geometry("geometry") if districts_m.geometry.name != "geometry" else districts_m

    pop = _align_population(population, districts_m["district_id"])
    if grid is not None and len(grid):
        demand = grid_points(districts_m, grid, params.spread_spacing_m)
    else:
        demand = even_spread(districts_m, params.spread_spacing_m)
    residents = pop["population"].to_numpy(float) if "population" in pop else np.full(len(districts_m), np.nan)
    if demand.method == "grid":
        # Districts the table has no number for take the grid's own head count.
        grid_total = np.bincount(demand.district, np.nan_to_num(demand.grid_residents), minlength=len(districts_m))
        has_grid = np.bincount(demand.district, np.isfinite(demand.grid_residents), minlength=len(districts_m)) > 0
        residents = np.where(np.isnan(residents) & has_grid, grid_total, residents)

    categories = categories_from_config(settings.vocabulary.categories)
    target_groups = target_groups_from_config(settings.vocabulary.target_groups)
    offer_frame = _project_offers(offers, districts_m, crs, params)
    groups = language_groups(pop.columns, params.origin_languages)
    origin_keys = {column: key for key, column in origin_columns(pop.columns, params.origin_languages).items()}
    return CoverageContext(params=params, crs=crs, districts=districts_m, population=pop, residents=residents,
                           demand=demand, offers=offer_frame, categories=categories, target_groups=target_groups,
                           languages=groups, origin_keys=origin_keys)


def _merge_duplicate_ids(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    districts = districts.copy()
    districts["district_id"] = districts["district_id"].astype(str)
    if "name" not in districts:
        districts["name"] = districts["district_id"]
    districts["name"] = districts["name"].fillna("").astype(str)
    if not districts["district_id"].duplicated().any():
        return districts
    merged = districts.dissolve(by="district_id", aggfunc={"name": "first"}, sort=False).reset_index()
    return merged[["district_id", "name", merged.geometry.name]]


def _align_population(population: pd.DataFrame | None, district_ids: pd.Series) -> pd.DataFrame:
    """One row per district in district order; numeric columns only; NaN where the table has no row."""
    aligned = pd.DataFrame(index=pd.Index(district_ids.astype(str), name="district_id"))
    if population is None or len(population) == 0 or "district_id" not in population:
        return aligned.reset_index(drop=True)
    table = population.copy()
    table["district_id"] = table["district_id"].astype(str)
    numeric = {}
    for column in table.columns:
        if column in ("district_id", "geometry"):
            continue
        values = pd.to_numeric(table[column], errors="coerce")
        if values.notna().any():
            numeric[str(column)] = values
    frame = pd.DataFrame(numeric)
    frame["district_id"] = table["district_id"].values
    # A district listed twice (e.g. two parts of one Ortsbezirk) counts once with the sums.
    frame = frame.groupby("district_id", sort=False).sum(min_count=1)
    return aligned.join(frame).reset_index(drop=True)


def _project_offers(offers: gpd.GeoDataFrame, districts_m: gpd.GeoDataFrame, crs: str,
                    params: PlanningParams) -> pd.DataFrame:
    frame = pd.DataFrame(offers.drop(columns=offers.geometry.name) if isinstance(offers, gpd.GeoDataFrame)
                         else offers).reset_index(drop=True)
    defaults = {"category": "", "languages": None, "target_groups": None, "location_type": "physical"}
    for column, empty in defaults.items():
        if column not in frame:
            frame[column] = [empty if empty is not None else [] for _ in range(len(frame))]
    geometry = offers.geometry.reset_index(drop=True) if isinstance(offers, gpd.GeoDataFrame) else None
    virtual = frame["location_type"].astype(str).to_numpy() == "virtual"
    x = np.full(len(frame), np.nan)
    y = np.full(len(frame), np.nan)
    if geometry is not None and len(geometry):
        if geometry.crs is None:
            raise ValueError("offers have no CRS; the store keeps them in EPSG:4326")
        has_point = geometry.notna().to_numpy() & ~geometry.is_empty.to_numpy()
        has_point &= (geometry.geom_type == "Point").to_numpy()
        projected = geometry[has_point].to_crs(crs)
        x[has_point] = projected.x.to_numpy()
        y[has_point] = projected.y.to_numpy()
    located = np.isfinite(x) & np.isfinite(y) & ~virtual
    frame["x"], frame["y"] = x, y
    frame["located"] = located
    frame["virtual"] = virtual
    position = np.full(len(frame), -1, dtype=np.int64)
    if located.any():
        points = gpd.GeoSeries(gpd.points_from_xy(x[located], y[located]), crs=crs)
        position[located] = locate(points, districts_m)
    frame["district_pos"] = position
    frame["supply"] = _supply_weights(frame, params.supply_weight_field)
    return frame


def _supply_weights(frame: pd.DataFrame, field_name: str) -> np.ndarray:
    if not field_name:
        return np.ones(len(frame))
    if field_name not in frame:
        raise ValueError(f"[planning] supply_weight_field = {field_name!r}: the offers have no such column; "
                         f"columns: {', '.join(map(str, frame.columns))}")
    weights = pd.to_numeric(frame[field_name], errors="coerce").to_numpy(float)
    # An offer without a stated capacity counts as one, not as nothing.
    weights = np.where(np.isfinite(weights) & (weights >= 0), weights, 1.0)
    return weights
