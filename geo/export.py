"""Export the whole store: GeoJSON, CSV, XLSX, GeoPackage or Open Referral HSDS 3.0 (JSON).

CSV/XLSX/GeoJSON use the offer record's field names, so ``export`` followed by
``import`` reproduces the same offers (languages with notes are written as
"ar (donnerstags); uk", the form the importer reads). CSV and XLSX never hold a live
formula (see :mod:`geo.spreadsheet`); import undoes the CSV's marks. The GeoPackage is a plain
GIS file written with GDAL from the store's frames, from either backend: the live
offers, districts, the import log and every attribute layer (no history, tokens
or deleted offers; ``angebotskarte store copy`` moves a whole store).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.schema import OFFER_COLUMNS
from geo.spreadsheet import append_row, write_frame_csv
from geo.store import Store

FORMATS = ("geojson", "csv", "xlsx", "gpkg", "hsds")
# Derived on import; exported for readers but not needed to re-import.
_EXPORT_COLUMNS = [c for c in OFFER_COLUMNS if c != "language_notes"]


def languages_cell(codes: list[str], notes: dict) -> str:
    """["ar", "uk"], {"ar": "donnerstags"} -> "ar (donnerstags); uk"."""
    return "; ".join(f"{c} ({notes[c]})" if notes.get(c) else c for c in codes)


def offers_as_table(offers: gpd.GeoDataFrame) -> pd.DataFrame:
    """Flat table of offers (one text cell per field) for CSV and XLSX."""
    table = pd.DataFrame(offers[list(OFFER_COLUMNS)]).copy()
    table["languages"] = [languages_cell(c, n) for c, n in zip(offers["languages"], offers["language_notes"])]
    table["target_groups"] = ["; ".join(v) for v in offers["target_groups"]]
    for col in ("lat", "lon"):
        table[col] = [("" if v is None or (isinstance(v, float) and math.isnan(v)) else repr(float(v))) for v in table[col]]
    for col in ("age_min", "age_max"):
        table[col] = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(int(v)) for v in table[col]]
    return table[_EXPORT_COLUMNS]


def export_store(store: Store, fmt: str, out: str | Path) -> int:
    """Write every offer of the store to ``out`` in ``fmt``; returns the number written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; allowed: {', '.join(FORMATS)}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    offers = store.offers()
    # GDAL picks its driver by the extension, so the GeoPackage's temporary name keeps it.
    tmp = out.with_name(f".{out.name}.tmp" + (".gpkg" if fmt == "gpkg" else ""))
    if fmt == "csv":
        write_frame_csv(offers_as_table(offers), tmp)
    elif fmt == "xlsx":
        _write_xlsx(offers_as_table(offers), tmp)
    elif fmt == "geojson":
        tmp.write_text(json.dumps(offers_feature_collection(offers), ensure_ascii=False), encoding="utf-8")
    elif fmt == "gpkg":
        _write_gpkg(store, offers, tmp)
    elif fmt == "hsds":
        tmp.write_text(json.dumps(to_hsds(offers), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out)
    return len(offers)


def _write_gpkg(store: Store, offers: gpd.GeoDataFrame, path: Path) -> None:
    """Every layer a GIS user needs, lists as JSON text as in the store file."""
    import pyogrio

    from geo.store import encode_offers

    path.unlink(missing_ok=True)
    pyogrio.write_dataframe(encode_offers(offers), path, layer="offers", driver="GPKG", geometry_type="Point")
    districts = store.districts()
    if not districts.empty:
        pyogrio.write_dataframe(districts, path, layer="districts", driver="GPKG", geometry_type="MultiPolygon",
                                promote_to_multi=True)
    for name in ["imports", *[n for n in store.layers() if n not in ("offers", "districts", "imports", "meta")]]:
        table = store.read_table(name)
        if len(table.columns):
            pyogrio.write_dataframe(pd.DataFrame(table), path, layer=name, driver="GPKG")


def offers_feature_collection(offers: gpd.GeoDataFrame) -> dict:
    """All offers as a GeoJSON FeatureCollection (null geometry for virtual / not-located ones)."""
    features = []
    for record, geom in zip(_records(offers), offers.geometry):
        features.append({
            "type": "Feature",
            "id": record["id"],
            "geometry": None if geom is None or geom.is_empty else {"type": "Point", "coordinates": [geom.x, geom.y]},
            "properties": record,
        })
    return {"type": "FeatureCollection", "features": features}


def _records(offers: gpd.GeoDataFrame) -> list[dict]:
    out = []
    for row in pd.DataFrame(offers[list(OFFER_COLUMNS)]).to_dict("records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()})
    return out


def _write_xlsx(table: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "offers"
    sheet.append(list(table.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.itertuples(index=False):
        # Text only: a name like "=Treff" must come back on re-import, never run in Excel.
        append_row(sheet, [str(v) if v is not None else "" for v in row])
    sheet.freeze_panes = "A2"
    book.save(path)


def to_hsds(offers: gpd.GeoDataFrame) -> dict:
    """Open Referral HSDS 3.0: organizations, services, locations and service_at_locations.

    An offer maps to one service (name, description, email, url, status) of its
    organisation, one location (address, lat/lon; virtual offers get a location
    of location_type "virtual"), a service_at_location joining them, languages,
    phones and a schedule (the OSM opening_hours string kept in ``description``
    of the schedule, because HSDS schedules are iCal-shaped).
    """
    orgs: dict[str, dict] = {}
    services, locations, sals, languages, phones, schedules, addresses = [], [], [], [], [], [], []
    for record, geom in zip(_records(offers), offers.geometry):
        org_name = record["organisation"] or record["name"]
        org_id = "org-" + _slug(org_name)
        orgs.setdefault(org_id, {"id": org_id, "name": org_name, "description": ""})
        sid, lid = f"svc-{record['id']}", f"loc-{record['id']}"
        services.append({
            "id": sid, "organization_id": org_id, "name": record["name"], "description": record["description"],
            "email": record["email"], "url": record["website"], "status": "active",
            "last_modified": record["last_verified"] or None,
            "eligibility_description": ", ".join(record["target_groups"]),
            "minimum_age": record["age_min"], "maximum_age": record["age_max"],
            "fees_description": {"free": "free", "fee": "fee", "unknown": ""}[record["cost"] or "unknown"],
            "category": record["category"], "wheelchair": record["wheelchair"], "appointment": record["appointment"],
        })
        locations.append({
            "id": lid, "location_type": "virtual" if record["location_type"] == "virtual" else "physical",
            "name": record["name"], "latitude": record["lat"], "longitude": record["lon"],
            "external_identifier": record["id"], "external_identifier_type": "angebotskarte",
        })
        if record["street"] or record["city"]:
            addresses.append({
                "id": f"adr-{record['id']}", "location_id": lid, "address_type": "physical",
                "address_1": " ".join(p for p in (record["street"], record["housenumber"]) if p),
                "city": record["city"], "postal_code": record["postcode"], "state_province": "", "country": "DE",
            })
        sals.append({"id": f"sal-{record['id']}", "service_id": sid, "location_id": lid})
        for code in record["languages"]:
            languages.append({"id": f"lang-{record['id']}-{code}", "service_id": sid, "code": code,
                              "note": record["language_notes"].get(code, "")})
        if record["phone"]:
            phones.append({"id": f"ph-{record['id']}", "service_id": sid, "number": record["phone"]})
        if record["opening_hours"]:
            schedules.append({"id": f"sch-{record['id']}", "service_id": sid,
                              "description": record["opening_hours"], "notes": "OpenStreetMap opening_hours syntax"})
    return {
        "hsds_version": "3.0", "organizations": list(orgs.values()), "services": services, "locations": locations,
        "addresses": addresses, "service_at_locations": sals, "languages": languages, "phones": phones,
        "schedules": schedules,
    }


def _slug(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.casefold().encode("utf-8")).hexdigest()[:10]
