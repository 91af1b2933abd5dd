"""Export the whole store: GeoJSON, CSV, XLSX, GeoPackage or Open Referral HSDS 3.0 (geo.hsds).

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

from geo.hsds.export import HSDS_FORMATS, write_hsds
from geo.schema import OFFER_COLUMNS
from geo.spreadsheet import append_row, write_frame_csv
from geo.store import Store

FORMATS = ("geojson", "csv", "xlsx", "gpkg", *HSDS_FORMATS)
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
    elif fmt in HSDS_FORMATS:
        write_hsds(offers, fmt, tmp, imports=store.imports())
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
