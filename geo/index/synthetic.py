"""Synthetic offers shaped like a real region, for benchmarks and randomised tests.

Offers cluster around towns of very different sizes (a few big cities, many
villages), speak German plus a skewed mix of 30 languages, and carry the 7
categories and 14 target groups of the real vocabularies. Nothing here is real
data; names are made up from a small word list.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.schema import OFFER_COLUMNS

# Roughly Rhineland-Palatinate: one UTM zone (32), about 170 x 220 km.
REGION_BBOX = (6.1, 48.95, 8.5, 50.95)
CATEGORIES = ("counselling", "language_course", "meeting_place", "sports", "doctor", "authority", "other")
CATEGORY_WEIGHTS = (0.22, 0.2, 0.15, 0.12, 0.18, 0.06, 0.07)
# German first; the rest in roughly the order of how often offers in German towns list them.
LANGUAGES = (
    "de", "en", "ar", "uk", "ru", "tr", "fa", "prs", "fr", "pl", "ro", "kmr", "ckb", "ps", "ti",
    "so", "es", "it", "bg", "sq", "sr", "hr", "bs", "el", "vi", "zh", "ur", "hi", "ku", "am",
)
TARGET_GROUPS = (
    "all", "refugees", "asylum_seekers", "tolerated", "unaccompanied_minors", "international_students",
    "eu_citizens", "late_repatriates", "women", "families", "children", "youth", "seniors", "job_seekers",
)
WHEELCHAIR = ("yes", "limited", "no", "unknown")
OPENING_HOURS = (
    "", "", "", "Mo-Fr 09:00-17:00", "Mo-Fr 08:00-12:00; Th 14:00-18:00", "Mo,We 10:00-12:00",
    "Tu 15:00-17:30", "Mo-Th 09:00-16:00; Fr 09:00-12:00; PH off", "Sa 10:00-13:00", "24/7",
    "Mo-Fr 08:00-18:00; Sa 09:00-12:00", "We 18:00-20:00", "Mo-Fr 07:30-12:30,13:30-16:00",
)
_WORDS = (
    "Beratung", "Treffpunkt", "Sprachcafé", "Begegnung", "Frauen", "Familien", "Jugend", "Café",
    "Migration", "Integration", "Hilfe", "Zentrum", "Nachbarschaft", "Willkommen", "Sport", "Praxis",
    "Bürgerbüro", "Lernen", "Deutsch", "Kinder", "Gesundheit", "Arbeit", "Kultur", "Schule",
)
_ORGANISATIONS = (
    "Caritasverband", "Diakonisches Werk", "AWO Kreisverband", "Stadtverwaltung", "Volkshochschule",
    "Turnverein 1861", "Jugendmigrationsdienst", "Deutsches Rotes Kreuz", "Praxis Dr. Öztürk",
    "Initiative Miteinander", "Jobcenter", "Internationaler Bund",
)


def synthetic_offers(n: int, seed: int = 0, virtual_share: float = 0.02, n_towns: int = 60) -> gpd.GeoDataFrame:
    """``n`` made-up offers as an offers GeoDataFrame (EPSG:4326, all schema columns).

    Deterministic for a given ``seed``. About ``virtual_share`` of them are
    virtual (no geometry).
    """
    rng = np.random.default_rng(seed)
    lon_min, lat_min, lon_max, lat_max = REGION_BBOX
    town_lon = rng.uniform(lon_min + 0.1, lon_max - 0.1, n_towns)
    town_lat = rng.uniform(lat_min + 0.1, lat_max - 0.1, n_towns)
    # Zipf-like town sizes: the biggest town has ~1/4 of the offers.
    size = 1.0 / np.arange(1, n_towns + 1) ** 1.1
    town = rng.choice(n_towns, size=n, p=size / size.sum())
    spread_km = 1.0 + 6.0 * np.sqrt(size[town] / size[0])
    lat = np.clip(town_lat[town] + rng.normal(0, 1, n) * spread_km / 111.0, lat_min, lat_max)
    lon = np.clip(town_lon[town] + rng.normal(0, 1, n) * spread_km / (111.0 * np.cos(np.radians(lat))),
                  lon_min, lon_max)
    virtual = rng.random(n) < virtual_share
    lat[virtual] = np.nan
    lon[virtual] = np.nan

    category = np.asarray(CATEGORIES, dtype=object)[rng.choice(len(CATEGORIES), size=n, p=CATEGORY_WEIGHTS)]
    lang_weight = 1.0 / np.arange(1, len(LANGUAGES)) ** 1.2  # languages other than German
    lang_p = lang_weight / lang_weight.sum()
    extra_langs = rng.geometric(0.55, n) - 1  # 0, 1, 2, ... more languages, mostly few
    has_german = rng.random(n) < 0.9
    other = rng.choice(np.arange(1, len(LANGUAGES)), size=(n, 4), p=lang_p)
    languages = [
        list(dict.fromkeys((["de"] if g else []) + [LANGUAGES[c] for c in row[:min(e, 4)]])) or ["de"]
        for g, e, row in zip(has_german, extra_langs, other)
    ]
    groups_idx = rng.integers(0, len(TARGET_GROUPS), size=(n, 2))
    n_groups = rng.integers(1, 3, n)
    target_groups = [list(dict.fromkeys(TARGET_GROUPS[g] for g in row[:k])) for row, k in zip(groups_idx, n_groups)]
    wheelchair = np.asarray(WHEELCHAIR, dtype=object)[rng.choice(4, size=n, p=(0.35, 0.2, 0.15, 0.3))]
    hours = np.asarray(OPENING_HOURS, dtype=object)[rng.integers(0, len(OPENING_HOURS), n)]
    words = np.asarray(_WORDS, dtype=object)
    w = rng.integers(0, len(_WORDS), size=(n, 3))
    orgs = np.asarray(_ORGANISATIONS, dtype=object)[rng.integers(0, len(_ORGANISATIONS), n)]
    ids = np.char.add("o", np.arange(n).astype(str)).astype(object)
    names = [f"{words[a]} {words[b]} {i}" for i, (a, b) in enumerate(w[:, :2])]
    descriptions = [f"{words[c]} und {words[a]} für alle" for a, _b, c in w]
    district = np.char.add("d", (town % 20).astype(str)).astype(object)
    district[virtual] = ""

    frame = pd.DataFrame({
        "id": ids, "name": names, "category": category, "organisation": orgs, "description": descriptions,
        "street": "Hauptstraße", "housenumber": "1", "postcode": "67655", "city": "Musterstadt",
        "lat": lat, "lon": lon, "location_type": np.where(virtual, "virtual", "physical").astype(object),
        "district": district, "languages": languages, "language_notes": [{} for _ in range(n)],
        "target_groups": target_groups, "age_min": np.nan, "age_max": np.nan, "opening_hours": hours,
        "appointment": "none", "phone": "", "email": "", "website": "", "wheelchair": wheelchair,
        "cost": "free", "last_verified": "2024-05-01", "source": "synthetic",
        "geocode_status": np.where(virtual, "virtual", "given").astype(object), "geocode_precision": "",
        "geocode_provider": "", "district_status": np.where(virtual, "", "inside").astype(object),
    }, columns=list(OFFER_COLUMNS))
    geometry = shapely.points(lon, lat)
    geometry[virtual] = None
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=4326), crs=4326)


_DEFAULTS: dict[str, object] = {
    "category": "other", "location_type": "physical", "appointment": "none", "wheelchair": "unknown",
    "cost": "unknown", "lat": np.nan, "lon": np.nan, "age_min": np.nan, "age_max": np.nan,
}


def offers_frame(records: list[dict]) -> gpd.GeoDataFrame:
    """An offers GeoDataFrame from partial records (tests build small worlds by hand).

    Missing text fields are "", lists empty, numbers NaN; ``geometry`` is a Point
    from ``lat``/``lon`` when both are given and the offer is not virtual.
    ``geocode_status`` defaults to "given", "virtual" or "not_located" as fits.
    """
    rows = []
    for i, record in enumerate(records):
        row: dict[str, object] = {}
        for column in OFFER_COLUMNS:
            if column in record:
                row[column] = record[column]
            elif column in ("languages", "target_groups"):
                row[column] = []
            elif column == "language_notes":
                row[column] = {}
            else:
                row[column] = _DEFAULTS.get(column, "")
        if not row["id"]:
            row["id"] = f"offer-{i}"
        if "geocode_status" not in record:
            has_place = np.isfinite(float(row["lat"])) and np.isfinite(float(row["lon"]))
            row["geocode_status"] = ("virtual" if row["location_type"] == "virtual"
                                     else "given" if has_place else "not_located")
        if "district_status" not in record and row["district"]:
            row["district_status"] = "inside"
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(OFFER_COLUMNS))
    lat = frame["lat"].astype(float).to_numpy()
    lon = frame["lon"].astype(float).to_numpy()
    frame["lat"], frame["lon"] = lat, lon
    located = np.isfinite(lat) & np.isfinite(lon) & (frame["location_type"] != "virtual").to_numpy()
    geometry = np.array([shapely.Point(x, y) if ok else None for x, y, ok in zip(lon, lat, located)], dtype=object)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=4326), crs=4326)
