"""The whole analysis on real data: Berlin's 448 planning areas (LOR until 2020) with their 2020
population, foreign residents and origin regions, and Berlin's 407 youth centres as offers.

Checked against numbers computed independently of geo.coverage: point-in-polygon counts with
shapely in the facilities' own EPSG:25833 coordinates, the population table itself, the area of
each district within the union of catchment circles, and the E2SFCA conservation law.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.coverage import coverage_table, language_gaps, prepare, underserved
from geo.settings import load_settings

from conftest import SHARED_DATA as DATA  # ../shared/data or $ANGEBOTSKARTE_SHARED_DATA
LOR = DATA / "berlin-lor-population"
FACILITIES = DATA / "berlin-open-data-facilities"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (LOR.is_dir() and FACILITIES.is_dir()),
                       reason=f"real data not present: needs {LOR} and {FACILITIES}"),
]

ORIGINS = {"inhabitants_from_syria": ["ar", "kmr"], "inhabitants_from_arabic_countries": ["ar"],
           "inhabitants_from_turkey": ["tr", "kmr"], "inhabitants_from_ukraine": ["uk", "ru"]}


@pytest.fixture(scope="module")
def berlin():
    districts = gpd.read_file(LOR / "geometry" / "berlin-lor-planning-areas-until-2020.geojson")
    districts = districts.rename(columns={"id": "district_id"})[["district_id", "name", "geometry"]]
    t1 = pd.read_csv(LOR / "population-2020-02" / "berlin-lor-population-2020-02-t1-planning-areas.csv",
                     dtype={"id": str})
    t4 = pd.read_csv(LOR / "population-2020-02" / "berlin-lor-population-2020-02-t4-planning-areas.csv",
                     dtype={"id": str})
    population = t1[["id", "inhabitants", "inhabitants_foreigners"]].merge(
        t4[["id", *ORIGINS]], on="id").rename(columns={"id": "district_id", "inhabitants": "population"})
    centres = gpd.read_file(FACILITIES / "jugendfreizeiteinrichtungen.geojson")
    assert centres.crs.to_epsg() == 25833
    offers = gpd.GeoDataFrame({
        "id": centres["e_nr"], "name": centres["e_name"], "category": "meeting_place",
        "languages": [[] for _ in range(len(centres))], "target_groups": [["youth"] for _ in range(len(centres))],
        "location_type": "physical", "places": pd.to_numeric(centres["e_platz"], errors="coerce"),
    }, geometry=centres.geometry.to_crs(4326), crs=4326)
    settings = load_settings(None, overrides={"planning": {
        "foreign_field": "inhabitants_foreigners", "supply_weight_field": "places", "origin_languages": ORIGINS}})
    ctx = prepare(offers, districts, population, settings)
    table = coverage_table(None, None, context=ctx, category="meeting_place")
    return dict(districts=districts, population=population, centres=centres, offers=offers, ctx=ctx, table=table)


def test_counts_per_planning_area_equal_point_in_polygon_in_the_source_crs(berlin):
    districts = berlin["districts"].to_crs(25833)
    # One planning area id comes as two polygons in the file; it is one district.
    shapes = districts.groupby("district_id")["geometry"].apply(lambda g: shapely.union_all(g.values))
    xy = shapely.get_coordinates(berlin["centres"].geometry.values)
    expected = {did: int(shapely.contains_xy(geom, xy[:, 0], xy[:, 1]).sum()) for did, geom in shapes.items()}
    table = berlin["table"].set_index("district_id")
    assert len(table) == len(shapes) == 447
    assert table["offers"].to_dict() == expected
    assert table["offers"].sum() == 407  # every youth centre lies in one planning area


def test_residents_come_from_the_population_table(berlin):
    table = berlin["table"].set_index("district_id")
    population = berlin["population"].set_index("district_id")
    common = table.index.intersection(population.index)
    assert len(common) >= 440
    np.testing.assert_array_equal(table.loc[common, "residents"], population.loc[common, "population"])
    np.testing.assert_array_equal(table.loc[common, "group_residents"],
                                  population.loc[common, "inhabitants_foreigners"])
    per_10k = population.loc[common, "population"]
    expected = table.loc[common, "offers"] / per_10k * 10_000
    np.testing.assert_allclose(table.loc[common, "offers_per_10k"], expected.where(per_10k > 0), rtol=1e-12)


def test_share_within_catchment_matches_the_area_within_the_catchment_circles(berlin):
    # Residents are spread evenly over each area, so the share within reach is the share of the
    # area within catchment_m / detour_factor (1,000 m / 1.3) of a youth centre, up to the
    # 100 m lattice.
    districts = berlin["ctx"].districts
    circles = shapely.union_all(shapely.buffer(berlin["centres"].geometry.values, 1000 / 1.3, quad_segs=64))
    area_share = shapely.area(shapely.intersection(districts.geometry.values, circles)) / districts.geometry.area
    diff = np.abs(berlin["table"]["share_within_catchment"].to_numpy() - area_share.to_numpy())
    assert diff.mean() < 0.01
    assert diff.max() < 0.08


def test_e2sfca_conserves_the_places_of_all_youth_centres(berlin):
    # sum over residents of their accessibility = total supply of offers with residents in reach;
    # every youth centre has residents within 2 km, so that is all places (e_platz).
    table = berlin["table"]
    residents = table["group_residents"].fillna(0)
    total = (residents * table["e2sfca_per_10k"].fillna(0) / 10_000).sum()
    assert total == pytest.approx(berlin["offers"]["places"].fillna(1).sum(), rel=1e-9)
    assert table["e2sfca_town_per_10k"].iloc[0] == pytest.approx(total / residents.sum() * 10_000, rel=1e-9)


def test_language_gaps_and_underserved_list(berlin):
    ctx = berlin["ctx"]
    gaps = language_gaps(None, None, context=ctx, category="meeting_place")
    assert set(gaps["language"]) == {"ar", "kmr", "tr", "uk", "ru"}
    arabic = gaps[gaps["language"] == "ar"].set_index("district_id")
    population = berlin["population"].set_index("district_id")
    expected = population["inhabitants_from_syria"] + population["inhabitants_from_arabic_countries"]
    common = arabic.index.intersection(expected.index)
    np.testing.assert_allclose(arabic.loc[common, "group_residents"], expected.loc[common])
    assert (arabic["offers"] == 0).all()  # the youth centre list names no languages

    ranked = underserved(None, None, context=ctx, category="meeting_place", lang="en")
    assert ranked["affected_residents"].is_monotonic_decreasing
    ar = ranked[ranked["language"] == "ar"]
    top = expected.idxmax()
    assert ar["district_id"].iloc[0] == top
    assert ar["affected_residents"].iloc[0] == pytest.approx(expected.max())
    name = berlin["districts"].set_index("district_id").loc[top, "name"]
    name = name if isinstance(name, str) else name.iloc[0]
    assert ar["reason"].iloc[0].startswith(f"{name}: no meeting place offer in Arabic within 1 km on foot for an "
                                           "estimated ")
