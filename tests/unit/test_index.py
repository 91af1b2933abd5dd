"""OfferIndex on small worlds built by hand: filters, text, places, pages, facets, hours."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from geo.index import OfferIndex, OfferQuery, choose_metric_crs
from geo.index.synthetic import offers_frame, synthetic_offers

R = 6_371_008.8


def haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(a))


# Kaiserslautern-ish: the Stiftsplatz is our "here".
HERE = (49.4440, 7.7689)

WORLD = [
    dict(id="mbe", name="Migrationsberatung für Erwachsene", category="counselling", organisation="Caritas",
         lat=49.4450, lon=7.7700, languages=["de", "ar", "fa"], target_groups=["refugees"], district="d1",
         wheelchair="yes", opening_hours="Mo-Fr 09:00-12:00"),
    dict(id="jmd", name="Jugendmigrationsdienst", category="counselling", organisation="Diakonie",
         lat=49.4500, lon=7.7800, languages=["de", "uk", "ru"], target_groups=["youth", "refugees"], district="d1",
         wheelchair="limited", opening_hours="Tu 14:00-18:00"),
    dict(id="cafe", name="Sprachcafé International", category="language_course", organisation="Volkshochschule",
         description="Deutsch üben bei Kaffee und Kuchen", lat=49.4300, lon=7.7500, languages=["de", "ar"],
         target_groups=["all"], district="d2", wheelchair="no", opening_hours="We 15:00-17:00"),
    dict(id="amt", name="Ausländerbehörde", category="authority", organisation="Stadtverwaltung",
         lat=49.4445, lon=7.7690, languages=["de", "en"], target_groups=["all"], district="d1",
         wheelchair="yes", opening_hours="Mo-Fr 08:00-12:00; PH off"),
    dict(id="praxis", name="Hausarztpraxis Dr. Öztürk", category="doctor", lat=49.4700, lon=7.8100,
         languages=["de", "tr", "kmr"], target_groups=["all", "families"], district="d3", wheelchair="yes"),
    dict(id="online", name="Online-Beratung Ukraine", category="counselling", location_type="virtual",
         languages=["uk", "ru"], target_groups=["refugees"], geocode_status="virtual"),
    dict(id="lost", name="Frauentreff Nord", category="meeting_place", languages=["de", "ar"],
         target_groups=["women"], geocode_status="not_found"),
]


@pytest.fixture(scope="module")
def index():
    return OfferIndex.from_offers(offers_frame(WORLD))


def ids(result):
    return list(result.ids)


def test_nearest_offers_come_in_distance_order_with_haversine_metres(index):
    result = index.search(OfferQuery(near=HERE, limit=10))
    by_hand = sorted(
        (haversine_m(*HERE, o["lat"], o["lon"]), o["id"]) for o in WORLD if "lat" in o
    )
    assert ids(result) == [offer_id for _d, offer_id in by_hand]
    assert result.distances_m == pytest.approx([d for d, _id in by_hand], rel=1e-9)
    assert result.total == 5


def test_offers_without_place_only_with_include_virtual_and_after_located(index):
    assert "online" not in ids(index.search(OfferQuery(limit=100)))
    result = index.search(OfferQuery(near=HERE, include_virtual=True, limit=100))
    assert ids(result)[-2:] == ["lost", "online"]  # by name: "Frauentreff" < "Online"
    assert np.isnan(result.distances_m[-2:]).all()
    assert result.total == 7


def test_placeless_offers_pass_spatial_filters_when_included(index):
    result = index.search(OfferQuery(near=HERE, radius_m=200, include_virtual=True, limit=10))
    assert ids(result) == ["amt", "mbe", "lost", "online"]


@pytest.mark.parametrize("query, expected", [
    (OfferQuery(categories=("counselling",)), {"mbe", "jmd"}),
    (OfferQuery(categories=("counselling", "doctor")), {"mbe", "jmd", "praxis"}),  # OR within a facet
    (OfferQuery(languages=("ar",)), {"mbe", "cafe"}),
    (OfferQuery(languages=("ar", "tr")), {"mbe", "cafe", "praxis"}),
    (OfferQuery(languages=("ar",), categories=("counselling",)), {"mbe"}),  # AND across facets
    (OfferQuery(target_groups=("refugees",), districts=("d1",)), {"mbe", "jmd"}),
    (OfferQuery(wheelchair=("yes",)), {"mbe", "amt", "praxis"}),
    (OfferQuery(wheelchair=("yes", "limited"), languages=("uk",)), {"jmd"}),
    (OfferQuery(languages=("xx",)), set()),
    (OfferQuery(languages=("uk",), include_virtual=True), {"jmd", "online"}),
])
def test_facet_filters_or_within_and_across(index, query, expected):
    assert set(ids(index.search(query))) == expected
    assert index.count(query) == len(expected)


@pytest.mark.parametrize("text, expected", [
    ("beratung", {"mbe"}),                      # inside a compound word
    ("BERATUNG erwachsene", {"mbe"}),           # every word must match, any case
    ("behorde", {"amt"}),                       # without the umlaut
    ("Behörde", {"amt"}),
    ("ozturk", {"praxis"}),
    ("kuchen", {"cafe"}),                       # description
    ("caritas", {"mbe"}),                       # organisation
    ("  ", {"mbe", "jmd", "cafe", "amt", "praxis"}),  # no words: no text filter
    ("beratung nirgendwo", set()),
])
def test_free_text_is_accent_and_case_insensitive(index, text, expected):
    assert set(ids(index.search(OfferQuery(text=text)))) == expected


def test_radius_keeps_offers_within_and_orders_them(index):
    distances = {o["id"]: haversine_m(*HERE, o["lat"], o["lon"]) for o in WORLD if "lat" in o}
    radius = (distances["jmd"] + distances["cafe"]) / 2
    result = index.search(OfferQuery(near=HERE, radius_m=radius))
    assert set(ids(result)) == {k for k, d in distances.items() if d <= radius}
    assert list(result.distances_m) == sorted(result.distances_m)
    assert max(result.distances_m) <= radius


def test_bbox_without_near_is_ordered_by_name(index):
    result = index.search(OfferQuery(bbox=(7.74, 49.42, 7.79, 49.46)))
    assert ids(result) == ["amt", "jmd", "mbe", "cafe"]  # Ausländerbehörde, Jugend..., Migr..., Sprach...
    assert result.distances_m is None


def test_bbox_and_near_are_ordered_by_distance(index):
    result = index.search(OfferQuery(bbox=(7.74, 49.42, 7.79, 49.46), near=(49.43, 7.75)))
    assert ids(result)[0] == "cafe"
    assert list(result.distances_m) == sorted(result.distances_m)


def test_radius_and_bbox_together_intersect(index):
    result = index.search(OfferQuery(near=HERE, radius_m=5000, bbox=(7.765, 49.44, 7.79, 49.46)))
    assert set(ids(result)) == {"amt", "mbe", "jmd"}


def test_pages_of_ties_neither_overlap_nor_skip():
    # Twelve offers in one building and some around it: ties are the normal case.
    records = [dict(id=f"same{i}", name=f"Angebot {i:02d}", lat=49.44, lon=7.77) for i in range(12)]
    records += [dict(id=f"near{i}", name=f"Nah {i}", lat=49.44 + i * 1e-4, lon=7.77) for i in range(1, 6)]
    index = OfferIndex.from_offers(offers_frame(records))
    everything = ids(index.search(OfferQuery(near=(49.44, 7.77), limit=100)))
    pages = []
    for offset in range(0, 17, 5):
        pages += ids(index.search(OfferQuery(near=(49.44, 7.77), limit=5, offset=offset)))
    assert pages == everything
    assert len(set(everything)) == 17
    assert everything[:12] == sorted(everything[:12], key=lambda s: int(s[4:]))  # ties by row


def test_pages_without_near_follow_name_order():
    records = [dict(id=f"o{i}", name=name, lat=49.4, lon=7.7) for i, name in
               enumerate(["Zentrum", "ärztliche Beratung", "Beratung", "Café", "Amt", "Ökumene"])]
    index = OfferIndex.from_offers(offers_frame(records))
    names = [records[r]["name"] for r in index.search(OfferQuery(limit=10)).rows]
    assert names == ["Amt", "ärztliche Beratung", "Beratung", "Café", "Ökumene", "Zentrum"]
    assert [records[r]["name"] for r in index.search(OfferQuery(limit=2, offset=4)).rows] == ["Ökumene", "Zentrum"]


def test_rows_are_positions_even_when_the_frame_index_is_not(index):
    offers = offers_frame(WORLD).iloc[::-1]  # index labels 6..0
    reversed_index = OfferIndex.from_offers(offers)
    result = reversed_index.search(OfferQuery(near=HERE, languages=("ar",)))
    assert [offers.iloc[r]["id"] for r in result.rows] == list(result.ids) == ["mbe", "cafe"]


def test_limit_zero_with_one_language_counts_too(index):
    result = index.search(OfferQuery(near=HERE, limit=0, languages=("ar",)))
    assert len(result) == 0 and result.total == 2


def test_limit_zero_still_counts(index):
    result = index.search(OfferQuery(near=HERE, limit=0, languages=("de",)))
    located_german = [o for o in WORLD if "lat" in o and "de" in o["languages"]]
    assert len(result) == 0 and result.total == len(located_german)


def test_facet_counts_use_the_other_facets_filters(index):
    counts = index.facet_counts(OfferQuery(languages=("ar",), categories=("counselling",)))
    # Categories are counted under the language filter only ...
    assert counts["category"] == {
        "authority": 0, "counselling": 1, "doctor": 0, "language_course": 1,
        "meeting_place": 0,  # present in the data (not located), so listed with 0
    }
    # ... and languages under the category filter only.
    assert counts["language"]["uk"] == 1 and counts["language"]["ar"] == 1 and counts["language"]["fa"] == 1
    assert counts["wheelchair"] == {"limited": 0, "no": 0, "unknown": 0, "yes": 1}


def test_facet_counts_respect_place_text_and_virtual(index):
    counts = index.facet_counts(OfferQuery(near=HERE, radius_m=200, include_virtual=True))
    assert counts["category"]["counselling"] == 2  # mbe + online
    assert counts["category"]["meeting_place"] == 1  # not located, but included
    assert counts["category"]["doctor"] == 0
    assert index.facet_counts(OfferQuery(text="beratung"))["category"]["counselling"] == 1


def test_facet_counts_match_brute_force_on_synthetic_data():
    offers = synthetic_offers(3000, seed=3)
    index = OfferIndex.from_offers(offers)
    query = OfferQuery(languages=("ar", "uk"), categories=("counselling", "doctor"), wheelchair=("yes",),
                       near=(49.9, 7.3), radius_m=60_000)
    counts = index.facet_counts(query)
    lat, lon = offers["lat"].to_numpy(), offers["lon"].to_numpy()
    dist = np.array([haversine_m(49.9, 7.3, a, b) if np.isfinite(a) else np.inf for a, b in zip(lat, lon)])
    near = dist <= 60_000
    lang = offers["languages"].map(lambda ls: bool({"ar", "uk"} & set(ls))).to_numpy()
    cat = offers["category"].isin(["counselling", "doctor"]).to_numpy()
    wheel = (offers["wheelchair"] == "yes").to_numpy()
    for value, n in counts["category"].items():
        assert n == int((near & lang & wheel & (offers["category"] == value).to_numpy()).sum()), value
    for value, n in counts["language"].items():
        has = offers["languages"].map(lambda ls: value in ls).to_numpy()
        assert n == int((near & cat & wheel & has).sum()), value
    assert index.count(query) == int((near & lang & cat & wheel).sum())


def test_open_now_keeps_only_offers_known_to_be_open(index):
    tuesday_morning = datetime(2024, 6, 4, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert set(ids(index.search(OfferQuery(open_now=True, at=tuesday_morning)))) == {"mbe", "amt"}
    tuesday_afternoon = datetime(2024, 6, 4, 15, 0)  # naive: local time
    assert set(ids(index.search(OfferQuery(open_now=True, at=tuesday_afternoon)))) == {"jmd"}
    # 8:30 UTC is 10:30 in Berlin in summer.
    utc = datetime(2024, 6, 4, 8, 30, tzinfo=ZoneInfo("UTC"))
    assert set(ids(index.search(OfferQuery(open_now=True, at=utc)))) == {"mbe", "amt"}
    # Christmas Day: "PH off" closes the authority.
    christmas = datetime(2024, 12, 25, 10, 0)
    assert "amt" not in ids(index.search(OfferQuery(open_now=True, at=christmas)))


def test_row_of_and_ids(index):
    row = index.row_of("cafe")
    assert index.ids[row] == "cafe"
    assert index.row_of("nope") is None


@pytest.mark.parametrize("bbox, crs", [
    ((7.6, 49.35, 7.95, 49.52), "EPSG:25832"),   # Kaiserslautern
    ((13.1, 52.3, 13.8, 52.7), "EPSG:25833"),    # Berlin
    ((-74.3, 40.5, -73.7, 40.9), "EPSG:32618"),  # New York: WGS84 / UTM
])
def test_metric_crs_follows_the_area(bbox, crs):
    assert choose_metric_crs(bbox) == crs


def test_metric_crs_override_and_planar_coordinates():
    offers = offers_frame(WORLD)
    assert OfferIndex.from_offers(offers, bbox=(13.1, 52.3, 13.8, 52.7)).metric_crs == "EPSG:25833"
    index = OfferIndex.from_offers(offers, metric_crs="EPSG:3035")
    assert index.metric_crs == "EPSG:3035"
    assert np.isfinite(index.xy[index.located]).all() and np.isnan(index.xy[~index.located]).all()


def test_frame_in_another_crs_gives_the_same_answers(index):
    projected = offers_frame(WORLD).to_crs("EPSG:25832")
    other = OfferIndex.from_offers(projected)
    query = OfferQuery(near=HERE, limit=10)
    assert ids(other.search(query)) == ids(index.search(query))
    assert other.search(query).distances_m == pytest.approx(index.search(query).distances_m, abs=1e-3)


def test_empty_and_all_virtual_worlds():
    empty = OfferIndex.from_offers(offers_frame([]))
    assert empty.search(OfferQuery(near=HERE)).total == 0
    assert empty.facet_counts(OfferQuery())["category"] == {}
    virtual = OfferIndex.from_offers(offers_frame([dict(id="v", name="Online", location_type="virtual")]))
    assert ids(virtual.search(OfferQuery(near=HERE, include_virtual=True))) == ["v"]
    assert ids(virtual.search(OfferQuery(bbox=(0, 0, 1, 1)))) == []


def test_shortcuts(index):
    assert ids(index.nearest(*HERE, k=2)) == ["amt", "mbe"]
    assert set(ids(index.within(*HERE, 1100))) == {"amt", "mbe", "jmd"}
    assert set(ids(index.in_bbox((7.76, 49.44, 7.775, 49.449)))) == {"amt", "mbe"}


@pytest.mark.parametrize("kwargs, word", [
    (dict(radius_m=100), "needs a centre"),
    (dict(near=(91, 0)), "lat"),
    (dict(near=(float("nan"), 0)), "lat"),
    (dict(near=(0, 0), radius_m=-1), ">= 0"),
    (dict(bbox=(8, 49, 7, 50)), "lon_min<=lon_max"),
    (dict(bbox=(7, 49, 8)), "four"),
    (dict(limit=-1), "limit"),
    (dict(offset=1.5), "offset"),
])
def test_query_rejects_nonsense(kwargs, word):
    with pytest.raises(ValueError, match=word):
        OfferQuery(**kwargs)


def test_nearest_with_two_languages_keeps_every_tied_offer_of_both():
    """Regression (found by the hypothesis property test): with many offers at one address and
    the filter ar OR de, the de tree's share was filled with ar rows and one ar offer fell out."""
    records = [dict(id=f"x{i}", name=f"x{i}", lat=49.5, lon=8.0, languages=[]) for i in range(11)]
    records += [dict(id="d1", name="d1", lat=49.5, lon=8.0, languages=["de"]),
                dict(id="d2", name="d2", lat=49.5, lon=8.0, languages=["de", "ar"])]
    records += [dict(id=f"a{i}", name=f"a{i}", lat=49.5, lon=8.0, languages=["ar"]) for i in range(4)]
    index = OfferIndex.from_offers(offers_frame(records))
    result = index.search(OfferQuery(near=(49.5, 8.0), languages=("de", "ar"), limit=6))
    assert sorted(result.ids) == ["a0", "a1", "a2", "a3", "d1", "d2"]
