"""coverage_table, language_gaps and underserved on small hand-built worlds."""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.coverage import QueryError, coverage_table, language_gaps, prepare, underserved
from geo.coverage.e2sfca import decay_function
from geo.settings import load_settings

CRS = "EPSG:25832"
X0, Y0 = 410_000.0, 5_480_000.0  # Kaiserslautern, west of 12° E: the auto CRS is EPSG:25832


def make_districts(squares: list[tuple[float, float, float]], names=None) -> gpd.GeoDataFrame:
    """Squares (x offset, y offset, side) in metres from (X0, Y0), returned in EPSG:4326 like the store."""
    geoms = [box(X0 + x, Y0 + y, X0 + x + side, Y0 + y + side) for x, y, side in squares]
    ids = [f"D{i + 1}" for i in range(len(squares))]
    names = names or [f"Ortsbezirk {i + 1}" for i in range(len(squares))]
    return gpd.GeoDataFrame({"district_id": ids, "name": names}, geometry=geoms, crs=CRS).to_crs(4326)


def make_offers(rows: list[dict]) -> gpd.GeoDataFrame:
    """Offers at (x, y) metres from (X0, Y0); x=None means virtual."""
    records, points = [], []
    for i, row in enumerate(rows):
        virtual = row.get("x") is None
        records.append({
            "id": f"o{i}", "name": f"Offer {i}", "category": row.get("category", "counselling"),
            "languages": row.get("languages", []), "target_groups": row.get("target_groups", []),
            "district": "", "location_type": "virtual" if virtual else "physical",
            "places": row.get("places", np.nan),
        })
        points.append(None if virtual else gpd.points_from_xy([X0 + row["x"]], [Y0 + row["y"]])[0])
    frame = gpd.GeoDataFrame(records, geometry=gpd.GeoSeries(points, crs=CRS), crs=CRS).to_crs(4326)
    lonlat = frame.geometry
    frame["lon"] = [g.x if g is not None else np.nan for g in lonlat]
    frame["lat"] = [g.y if g is not None else np.nan for g in lonlat]
    return frame


def settings_with(**planning):
    return load_settings(None, overrides={"planning": planning})


# -- counts --------------------------------------------------------------------------------------

def test_counts_equal_a_geopandas_spatial_join():
    rng = np.random.default_rng(11)
    squares = [(x * 700.0, y * 700.0, 700.0) for x in range(3) for y in range(3)]
    districts = make_districts(squares)
    cats = ["counselling", "language_course", "doctor"]
    rows = [{"x": float(rng.uniform(-300, 2400)), "y": float(rng.uniform(-300, 2400)),
             "category": cats[i % 3]} for i in range(300)]
    rows += [{"x": None, "category": "counselling"}] * 4
    offers = make_offers(rows)
    table = coverage_table(offers, districts, None, settings_with(), metrics=["count"])

    located = offers[offers.geometry.notna()]
    joined = gpd.sjoin(located, districts[["district_id", "geometry"]], how="inner", predicate="within")
    expected = joined.groupby(["district_id", "category"]).size()
    for cat in cats:
        part = table[table["category"] == cat].set_index("district_id")["offers"]
        want = expected.xs(cat, level="category").reindex(part.index, fill_value=0)
        assert part.tolist() == want.tolist()
        assert part.sum() < (located["category"] == cat).sum()  # some offers lie outside every district
    assert set(table["virtual_offers"][table["category"] == "counselling"]) == {4}
    # every vocabulary category gets its rows, also those without any offer
    assert {"meeting_place", "authority", "other"} <= set(table["category"])


def test_per_10k_relates_counts_to_residents_and_the_group():
    districts = make_districts([(0, 0, 1000), (1000, 0, 1000)])
    offers = make_offers([{"x": 100, "y": 100}, {"x": 200, "y": 900}, {"x": 1500, "y": 500}])
    population = pd.DataFrame({"district_id": ["D1", "D2"], "population": [4000, 20000], "Ausländer": [800, 500]})
    table = coverage_table(offers, districts, population, settings_with(foreign_field="Ausländer"),
                           category="Beratung")
    assert table["offers"].tolist() == [2, 1]
    assert table["offers_per_10k"].tolist() == pytest.approx([5.0, 0.5])
    assert table["group"].tolist() == ["Ausländer", "Ausländer"]
    assert table["offers_per_10k_group"].tolist() == pytest.approx([25.0, 20.0])


# -- reach and distances -------------------------------------------------------------------------

def test_share_within_catchment_and_median_walk_match_geometry():
    # One square district, 1 km side, one offer in the middle. Catchment 390 m on foot with
    # detour factor 1.3 = a circle of 300 m straight-line radius.
    districts = make_districts([(0, 0, 1000)])
    offers = make_offers([{"x": 500, "y": 500}])
    population = pd.DataFrame({"district_id": ["D1"], "population": [10_000]})
    s = load_settings(None, overrides={"planning": {"catchment_m": 390, "spread_spacing_m": 10},
                                       "map": {"detour_factor": 1.3}})
    row = coverage_table(offers, districts, population, s, category="counselling").iloc[0]
    share = math.pi * 300**2 / 1000**2
    assert row["share_within_catchment"] == pytest.approx(share, abs=0.005)
    assert row["unreached_residents"] == pytest.approx(10_000 * (1 - share), rel=0.01)
    # Half the square lies within r of the centre when pi r^2 = 0.5 km^2.
    assert row["median_distance_m"] == pytest.approx(math.sqrt(0.5e6 / math.pi) * 1.3, rel=0.01)
    assert row["p90_distance_m"] > row["median_distance_m"]


def test_no_matching_offer_means_nobody_reached_and_no_distance():
    districts = make_districts([(0, 0, 1000)])
    offers = make_offers([{"x": 500, "y": 500, "category": "doctor"}])
    population = pd.DataFrame({"district_id": ["D1"], "population": [1000]})
    row = coverage_table(offers, districts, population, settings_with(), category="sports").iloc[0]
    assert row["offers"] == 0 and row["share_within_catchment"] == 0
    assert row["unreached_residents"] == 1000
    assert np.isnan(row["median_distance_m"]) and row["e2sfca_per_10k"] == 0


# -- E2SFCA per district against pysal access ---------------------------------------------------

@pytest.mark.parametrize("decay", ["gaussian", "step"])
def test_district_e2sfca_is_the_population_weighted_mean_of_access(decay):
    from access import Access

    districts = make_districts([(0, 0, 800), (800, 0, 800), (0, 800, 800), (800, 800, 800)])
    offers = make_offers([{"x": 100, "y": 100, "places": 3}, {"x": 1500, "y": 700, "places": 1},
                          {"x": 700, "y": 1500}, {"x": 900, "y": 900, "category": "doctor"}])
    population = pd.DataFrame({"district_id": ["D1", "D2", "D3", "D4"], "population": [500, 2500, 1200, 40]})
    s = settings_with(e2sfca_catchment_m=900, decay=decay, spread_spacing_m=100, supply_weight_field="places")
    ctx = prepare(offers, districts, population, s)
    table = coverage_table(None, None, context=ctx, category="counselling")

    demand = ctx.demand
    people = demand.spread(ctx.residents)
    matched = (ctx.offers["category"] == "counselling").to_numpy()
    supply_xy = ctx.offers.loc[matched, ["x", "y"]].to_numpy()
    supply = np.array([3.0, 1.0, 1.0])  # places given; the third offer has none and counts 1
    dist = np.hypot(demand.x[:, None] - supply_xy[None, :, 0], demand.y[:, None] - supply_xy[None, :, 1]) * 1.3
    n, m = dist.shape
    cost = pd.DataFrame({"o": np.repeat(np.arange(n), m), "d": np.tile(np.arange(m), n), "c": dist.ravel()})
    with warnings.catch_warnings():
        # access is third-party code; its pandas idioms age (deprecations are not ours to fix)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        model = Access(demand_df=pd.DataFrame({"p": people}, index=pd.Index(np.arange(n), name="g")),
                       demand_index=True, demand_value="p",
                       supply_df=pd.DataFrame({"s": supply}, index=pd.Index(np.arange(m), name="g")),
                       supply_index=True, supply_value="s", cost_df=cost, cost_origin="o", cost_dest="d",
                       cost_name="c")
        access = model.enhanced_two_stage_fca(name="a", max_cost=900, weight_fn=decay_function(900, decay))
    a = access["a_s"].reindex(np.arange(n)).fillna(0).to_numpy()
    for code, row in table.iterrows():
        mine = demand.district == code
        expected = np.average(a[mine], weights=people[mine]) * 10_000
        assert row["e2sfca_per_10k"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    town = (people * a).sum() / people.sum() * 10_000
    assert table["e2sfca_town_per_10k"].iloc[0] == pytest.approx(town, rel=1e-9)
    assert table["e2sfca_vs_town"].tolist() == pytest.approx((table["e2sfca_per_10k"] / town).tolist())


# -- languages, target groups, groups ------------------------------------------------------------

def test_language_restriction_uses_the_origin_groups_as_demand():
    districts = make_districts([(0, 0, 1000), (1000, 0, 1000)])
    offers = make_offers([{"x": 500, "y": 500, "languages": ["ar", "de"]}, {"x": 1500, "y": 500, "languages": ["uk"]},
                          {"x": 600, "y": 500, "languages": ["ar"], "category": "doctor"}])
    population = pd.DataFrame({"district_id": ["D1", "D2"], "population": [5000, 5000],
                               "Syrien": [300, 100], "Irak": [50, 0], "Ukraine": [10, 400]})
    s = settings_with()  # default mapping: Syrien -> ar, kmr; Irak -> ar, ckb, kmr; Ukraine -> uk, ru
    table = coverage_table(offers, districts, population, s, language="Arabisch")
    counselling = table[table["category"] == "counselling"]
    assert counselling["language"].unique().tolist() == ["ar"]
    assert counselling["group"].iloc[0] == "Syrien + Irak"
    assert counselling["group_residents"].tolist() == [350, 100]
    assert counselling["offers"].tolist() == [1, 0]
    assert counselling["offers_per_10k_group"].tolist() == pytest.approx([1 / 350 * 1e4, 0.0])

    gaps = language_gaps(offers, districts, population, s, category="counselling")
    assert set(gaps["language"]) == {"ar", "kmr", "ckb", "uk", "ru"}
    uk = gaps[gaps["language"] == "uk"]
    assert uk["group_residents"].tolist() == [10, 400] and uk["offers"].tolist() == [0, 1]
    kmr = gaps[gaps["language"] == "kmr"]
    assert kmr["offers"].sum() == 0 and (kmr["e2sfca_per_10k"] == 0).all()


def test_target_group_filter_counts_open_offers():
    districts = make_districts([(0, 0, 1000)])
    offers = make_offers([{"x": 100, "y": 100, "target_groups": ["refugees"]},
                          {"x": 200, "y": 100, "target_groups": ["all"]},
                          {"x": 300, "y": 100, "target_groups": []},
                          {"x": 400, "y": 100, "target_groups": ["women"]}])
    table = coverage_table(offers, districts, None, settings_with(), category="counselling",
                           target_group="Geflüchtete")
    assert table["target_group"].iloc[0] == "refugees"
    assert table["offers"].iloc[0] == 3


def test_unknown_words_are_reported_with_what_is_allowed():
    districts = make_districts([(0, 0, 1000)])
    offers = make_offers([{"x": 100, "y": 100}])
    population = pd.DataFrame({"district_id": ["D1"], "population": [100], "foreign": [10]})
    with pytest.raises(QueryError, match=r"category 'Beratng'.*counselling"):
        coverage_table(offers, districts, population, settings_with(), category="Beratng")
    with pytest.raises(QueryError, match="language 'Xyzzyisch'"):
        coverage_table(offers, districts, population, settings_with(), language="Xyzzyisch")
    with pytest.raises(QueryError, match=r"group 'auslaender'.*columns: foreign"):
        coverage_table(offers, districts, population, settings_with(), group="auslaender")
    with pytest.raises(QueryError, match="metric 'speed'"):
        coverage_table(offers, districts, population, settings_with(), metrics=["speed"])


def test_metrics_choose_the_columns():
    districts = make_districts([(0, 0, 1000)])
    offers = make_offers([{"x": 100, "y": 100}])
    table = coverage_table(offers, districts, None, settings_with(), category="counselling",
                           metrics=["count", "distance"])
    assert "median_distance_m" in table and "offers" in table
    assert "e2sfca_per_10k" not in table and "share_within_catchment" not in table


def test_districts_without_population_rows_have_unknown_residents():
    districts = make_districts([(0, 0, 1000), (1000, 0, 1000)])
    offers = make_offers([{"x": 100, "y": 100}])
    population = pd.DataFrame({"district_id": ["D1"], "population": [1000]})
    table = coverage_table(offers, districts, population, settings_with(), category="counselling")
    assert np.isnan(table["residents"].iloc[1]) and np.isnan(table["e2sfca_per_10k"].iloc[1])
    assert table["share_within_catchment"].iloc[1] >= 0  # reach by area still works


# -- underserved ---------------------------------------------------------------------------------

def gap_world():
    districts = make_districts([(0, 0, 1000), (3000, 0, 1000), (6000, 0, 2000)],
                               names=["Innenstadt", "Ortsbezirk West", "Ortsbezirk Ost"])
    offers = make_offers([{"x": 500, "y": 500, "languages": ["de"]},
                          {"x": 7000, "y": 1000, "languages": ["ar"]}])
    population = pd.DataFrame({"district_id": ["D1", "D2", "D3"], "population": [3000, 5000, 2000],
                               "Syrien": [100, 1230, 400]})
    return offers, districts, population


@pytest.mark.parametrize("lang,expected", [
    ("en", "Ortsbezirk West: no counselling offer in Arabic within 1 km on foot for an estimated 1,230 "
           "residents of the origin group Syrien"),
    ("de", "Ortsbezirk West: kein Angebot der Kategorie „Beratung“ auf Arabisch im Umkreis von 1 km Fußweg "
           "für geschätzt 1.230 Einwohner*innen der Herkunftsgruppe Syrien"),
])
def test_underserved_names_the_gap_in_plain_language(lang, expected):
    offers, districts, population = gap_world()
    gaps = underserved(offers, districts, population, settings_with(origin_languages={"Syrien": ["ar"]}),
                       category="counselling", lang=lang)
    assert expected in gaps["reason"].tolist()
    assert gaps["rank"].tolist() == list(range(1, len(gaps) + 1))
    assert gaps["affected_residents"].is_monotonic_decreasing
    top = gaps.iloc[0]
    assert top["district"] == "Ortsbezirk West" and top["language"] == ""
    assert top["affected_residents"] == pytest.approx(5000)
    # Ortsbezirk Ost has an Arabic offer in its middle: parts of it are reached, and the
    # reason says how many are not.
    east = gaps[(gaps["district"] == "Ortsbezirk Ost") & (gaps["language"] == "ar")]
    assert len(east) == 1 and 0 < east["affected_residents"].iloc[0] < 400
    assert ("von 400" if lang == "de" else "of 400") in east["reason"].iloc[0]


def test_underserved_flags_low_accessibility_where_everyone_is_in_reach():
    # Three districts, each fully reached by its own offer, but one offer is shared by 100
    # times more people than the others.
    districts = make_districts([(0, 0, 500), (5000, 0, 500), (10_000, 0, 500)], names=["Klein", "Groß", "Mittel"])
    offers = make_offers([{"x": 250, "y": 250}, {"x": 5250, "y": 250}, {"x": 10_250, "y": 250}])
    population = pd.DataFrame({"district_id": ["D1", "D2", "D3"], "population": [100, 10_000, 100]})
    gaps = underserved(offers, districts, population, settings_with(origin_languages={}), category="counselling",
                       lang="en")
    assert gaps["district"].tolist() == ["Groß"]
    assert "accessibility is 1.00 per 10,000 residents" in gaps["reason"].iloc[0]
    assert gaps["affected_residents"].iloc[0] == 0


def test_underserved_respects_the_minimum_of_residents():
    offers, districts, population = gap_world()
    s = settings_with(origin_languages={"Syrien": ["ar"]}, gap_min_residents=100_000)
    assert underserved(offers, districts, population, s, lang="en").empty
    with pytest.raises(ValueError, match="lang"):
        underserved(offers, districts, population, s, lang="fr")


def test_keyword_overrides_replace_planning_values_for_one_call():
    districts = make_districts([(0, 0, 2000)])
    offers = make_offers([{"x": 1000, "y": 1000}])
    population = pd.DataFrame({"district_id": ["D1"], "population": [1000]})
    narrow = coverage_table(offers, districts, population, settings_with(), category="counselling", catchment_m=300)
    wide = coverage_table(offers, districts, population, settings_with(), category="counselling", catchment_m=3000)
    assert narrow["share_within_catchment"].iloc[0] < 0.1 and wide["share_within_catchment"].iloc[0] == 1.0
    with pytest.raises(ValueError, match="unknown planning parameter 'catchment'"):
        coverage_table(offers, districts, population, settings_with(), catchment=300)
