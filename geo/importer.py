"""Import one input file as one source: read, validate, geocode, assign districts, store.

Every input row ends in the store or in the report. Re-importing a source
replaces that source's offers by id and leaves other sources alone: one
transaction (:meth:`geo.store.Store.replace_source`) that touches only the offers
that changed, merges three ways so that a correction made on the web survives the
import of an unchanged list, and logs the import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.districts import assign_districts
from geo.geocoding.base import AddressQuery, GeocodeResult, Geocoder, GeocodingBlocked
from geo.readers.geojson import read_geojson
from geo.readers.hsds import is_package as is_hsds_package
from geo.readers.hsds import looks_like_geojson, read_hsds
from geo.readers.tabular import RawTable, read_table
from geo.readers.vector import SUFFIXES as VECTOR_SUFFIXES
from geo.readers.vector import read_vector
from geo.report import write_report_xlsx
from geo.schema import InputError, Problem
from geo.settings import Settings
from geo.spreadsheet import SafeCsvWriter
from geo.store import OwnershipError, Store, open_store
from geo.validate import validate_table

REPORT_COLUMNS = ("file", "row", "column", "value", "message", "suggestion", "severity")


@dataclass
class ImportSummary:
    """What one import did; ``exit_code`` follows the CLI contract (0 all, 1 some rejected, 2 unusable)."""

    file: str
    source: str
    rows_read: int = 0
    imported: int = 0
    with_warnings: int = 0
    rejected: int = 0
    duplicates: int = 0
    needs_review: int = 0  # kept for review: not stored until the store keeps unpublished offers
    not_located: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    stored: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0 if self.rejected == 0 and self.needs_review == 0 else 1

    def lines(self) -> list[str]:
        """The console summary."""
        out = [
            f"{self.file}: {self.rows_read} rows read, {self.imported} imported "
            f"({self.with_warnings} with warnings), {self.rejected} rejected, {self.duplicates} duplicates"
            + (f", {self.needs_review} need review (not stored yet: the store cannot keep unpublished offers)"
               if self.needs_review else ""),
        ]
        if self.not_located:
            out.append(f"{self.not_located} offers have no coordinates yet (shown in lists, not on the map)")
        if self.stored:
            out.append(f"source {self.source!r}: {self.added} added, {self.changed} changed, {self.removed} removed")
        elif (self.rejected or self.needs_review) and self.imported == 0:
            out.append("nothing stored: no row is valid")
        else:
            out.append("nothing stored")
        return out


def read_input(path: str | Path, sheet: str | None = None, columns: dict[str, str] | None = None) -> RawTable:
    """Pick the reader by content and extension; ``columns`` maps headers to fields explicitly."""
    path = Path(path)
    if is_hsds_package(path) or path.suffix.lower() == ".json" and not looks_like_geojson(path):
        return read_hsds(path)
    if path.suffix.lower() in (".geojson", ".json"):
        return read_geojson(path)
    if path.suffix.lower() in VECTOR_SUFFIXES:
        return read_vector(path, layer=sheet)
    return read_table(path, sheet=sheet, columns=columns)


def import_file(path: str | Path, settings: Settings, *, source: str | None = None, sheet: str | None = None,
                strict: bool = False, geocoder: Geocoder | None = None, store: Store | None = None,
                report_path: str | Path | None = None, columns: dict[str, str] | None = None,
                value_mappings: dict[str, dict[str, str]] | None = None) -> ImportSummary:
    """Import one file as one source.

    ``columns`` (``--map``) maps headers to fields over ``[import.columns]``;
    ``value_mappings`` are the remembered vocabulary mappings (geo.vocab.map_value).
    A report path ending in .xlsx gets the Excel report (geo.report), else the CSV one.

    Raises
    ------
    InputError
        The file as a whole is unusable; nothing is changed.
    """
    path = Path(path)
    source = source or path.name
    raw = read_input(path, sheet=sheet, columns={**(settings.import_.columns), **(columns or {})})
    result = validate_table(raw, settings, source, value_mappings=value_mappings)
    own_store = store is None
    store = store or open_store(settings)
    try:
        return _import(path, raw, result, settings, source, strict, geocoder, store, report_path)
    finally:
        if own_store:
            store.close()


def _import(path: Path, raw: RawTable, result, settings: Settings, source: str, strict: bool,
            geocoder: Geocoder | None, store: Store, report_path) -> ImportSummary:
    summary = ImportSummary(file=path.name, source=source, rows_read=result.rows_read)
    problems = list(result.problems)

    # Rows that wait for review must not be published; until the store can keep them
    # unpublished they are reported, not stored.
    publishable = result.publishable
    summary.needs_review = int((~publishable).sum())
    offer_rows = [r for r, ok in zip(result.offer_rows, publishable) if ok]
    row_of_id = dict(zip(result.offers["id"][publishable], offer_rows))
    offers = _geocode(result.offers[publishable].reset_index(drop=True), raw.file, row_of_id, geocoder, problems)
    districts = store.districts()
    offers = to_geodataframe(offers)
    offers = assign_districts(offers, districts)
    if not districts.empty:
        for _, offer in offers[offers["district_status"] == "outside"].iterrows():
            problems.append(Problem(path.name, row_of_id.get(offer["id"]), "", offer["name"],
                                    f"offer {offer['id']} lies outside every district; stored, flagged as 'outside'",
                                    severity="warning"))

    taken = {oid: owner for oid, owner in store.offer_sources(offers["id"].tolist()).items() if owner != source}
    if taken:
        for oid in taken:
            problems.append(Problem(path.name, row_of_id.get(oid), "id", oid,
                                    f"the id is already used by source {taken[oid]!r}; row not imported",
                                    "ids must be unique across sources"))
        offers = offers[~offers["id"].isin(taken)].reset_index(drop=True)

    rejected_rows = {p.row for p in problems if p.severity == "error" and p.row is not None}
    summary.rejected = len(rejected_rows)
    summary.duplicates = len(result.duplicate_rows)
    summary.imported = len(offers)
    # Only stored rows count as "imported with warnings"; a duplicate's warnings do not.
    imported_rows = {row_of_id[oid] for oid in offers["id"]}
    warn_rows = {p.row for p in problems if p.severity == "warning" and p.row is not None} & imported_rows
    summary.with_warnings = len(warn_rows)
    summary.not_located = int((offers["geocode_status"].isin(["not_located", "not_found", "outside_area", "error"])).sum())
    summary.problems = problems

    if report_path and Path(report_path).suffix.lower() == ".xlsx":
        write_report_xlsx(problems, raw, report_path)
    elif report_path:
        write_report(problems, report_path)
    if strict and (summary.rejected or summary.needs_review):
        return summary
    if (summary.rejected or summary.needs_review) and summary.imported == 0:
        # A list whose every row failed (a wrong column, a broken export) must not
        # replace the source's good offers with nothing.
        return summary

    record = {
        "imported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "source": source, "file": path.name,
        "rows_read": summary.rows_read, "imported": summary.imported, "warnings": summary.with_warnings,
        "rejected": summary.rejected, "duplicates": summary.duplicates,
    }
    try:
        done = store.replace_source(source, offers, actor=f"import {path.name}", import_record=record)
    except OwnershipError as exc:
        # Another import took one of these ids after our check: refuse the whole file, change nothing.
        raise InputError(f"{path.name}: {exc}; import again (nothing was changed)") from None
    summary.added, summary.changed, summary.removed = done.added, done.changed, done.removed
    summary.stored = True
    return summary


def to_geodataframe(offers: pd.DataFrame) -> gpd.GeoDataFrame:
    """Offers with a Point geometry where lat/lon are known, None elsewhere."""
    lat = offers["lat"].to_numpy(float)
    lon = offers["lon"].to_numpy(float)
    ok = ~np.isnan(lat) & ~np.isnan(lon)
    geometry = gpd.GeoSeries([None] * len(offers), crs=4326)
    if ok.any():
        geometry[ok] = gpd.points_from_xy(lon[ok], lat[ok], crs=4326)
    frame = offers.copy()
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geometry.values, crs=4326)


def _geocode(offers: pd.DataFrame, file: str, row_of_id: dict[str, int], geocoder: Geocoder | None,
             problems: list[Problem]) -> pd.DataFrame:
    """Locate physical offers without coordinates; keep every row whatever the outcome."""
    offers = offers.copy()
    todo = np.flatnonzero((offers["geocode_status"] == "not_located").values)
    if len(todo) == 0:
        return offers
    if geocoder is None:
        for pos in todo:
            problems.append(Problem(file, row_of_id.get(offers.at[pos, "id"]), "", offers.at[pos, "name"],
                                    "no coordinates and no geocoder configured: stored as 'not located' "
                                    "(shown in lists, not on the map)",
                                    "add Breitengrad/Längengrad, or configure [geocoding] providers", severity="warning"))
        return offers
    queries = [AddressQuery(offers.at[p, "street"], offers.at[p, "housenumber"], offers.at[p, "postcode"],
                            offers.at[p, "city"]) for p in todo]
    try:
        results = geocoder.geocode_many(queries)
    except GeocodingBlocked as exc:
        # The provider refused us part-way: keep what was found, store the rest unlocated.
        problems.append(Problem(file, None, "", "", f"geocoding stopped: {exc}", severity="warning"))
        results = list(exc.results)[: len(queries)]
        results += [GeocodeResult("error", provider=exc.provider, message="geocoding stopped (provider refused)")
                    for _ in range(len(queries) - len(results))]
    for pos, query, res in zip(todo, queries, results):
        if res.located:
            offers.at[pos, "lat"], offers.at[pos, "lon"] = res.lat, res.lon
        offers.at[pos, "geocode_status"] = res.status
        offers.at[pos, "geocode_precision"] = res.precision
        offers.at[pos, "geocode_provider"] = res.provider
        if not res.located:
            problems.append(Problem(file, row_of_id.get(offers.at[pos, "id"]), "address", query.text,
                                    f"could not be located ({res.status}{': ' + res.message if res.message else ''}); "
                                    "stored without a place (shown in lists, not on the map)",
                                    "check the address, or add Breitengrad/Längengrad", severity="warning"))
        elif res.precision and res.precision != "house":
            problems.append(Problem(file, row_of_id.get(offers.at[pos, "id"]), "address", query.text,
                                    f"located only to {res.precision} precision", severity="warning"))
    return offers


def write_report(problems: list[Problem], path: str | Path) -> None:
    """The report: one CSV line per problem (UTF-8 with BOM so Excel shows umlauts)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = SafeCsvWriter(fh)  # the values come from the list: no formula may run in Excel
        writer.writerow(REPORT_COLUMNS)
        for p in problems:
            writer.writerow(["" if getattr(p, c) is None else getattr(p, c) for c in REPORT_COLUMNS])
