"""Writing coverage tables: CSV, XLSX (one sheet per category, for council papers), GeoJSON, GeoPackage."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coverage import wording
from geo.languages import language_name
from geo.spreadsheet import append_row, write_frame_csv
from geo.vocab import Vocabulary

FORMATS = ("csv", "xlsx", "geojson", "gpkg")

# Spreadsheet number formats per column (Excel shows them in the reader's locale).
_NUMBER_FORMATS = {
    "residents": "#,##0", "group_residents": "#,##0", "offers": "0", "virtual_offers": "0",
    "offers_per_10k": "0.00", "offers_per_10k_group": "0.00", "share_within_catchment": "0%",
    "unreached_residents": "#,##0", "affected_residents": "#,##0", "median_distance_m": "#,##0",
    "p90_distance_m": "#,##0", "e2sfca_per_10k": "0.00", "e2sfca_town_per_10k": "0.00",
    "e2sfca_vs_town": "0%", "rank": "0",
}
_MAX_WIDTH = 60


def output_format(path: str | Path) -> str:
    """The format named by a file's extension.

    Raises
    ------
    ValueError
        When the extension is not one of :data:`FORMATS`.
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix == "json":
        suffix = "geojson"
    if suffix not in FORMATS:
        raise ValueError(f"{path}: unknown output format {suffix or '(no extension)'!r}; "
                         f"allowed: {', '.join('.' + f for f in FORMATS)}")
    return suffix


def write_table(table: pd.DataFrame, path: str | Path, *, districts: gpd.GeoDataFrame | None = None,
                categories: Vocabulary | None = None, lang: str = "de", title: str = "coverage") -> Path:
    """Write a coverage or underserved table in the format of ``path``'s extension.

    - csv: machine column names, UTF-8, one row per table row;
    - csv and xlsx never hold a live formula (text from the data is neutralised, see
      :mod:`geo.spreadsheet`); numbers stay numbers;
    - xlsx: one sheet per category, headings in ``lang``, bold frozen header row,
      number formats and column widths, ready to paste into a council paper;
    - geojson: one feature per row with its district polygon (EPSG:4326);
    - gpkg: one layer per category (layer = category key) with district polygons.

    ``districts`` is needed for geojson and gpkg; rows whose district has no
    polygon keep an empty geometry.
    """
    path = Path(path)
    kind = output_format(path)
    wording.check_lang(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        write_frame_csv(table, path, encoding="utf-8")
    elif kind == "xlsx":
        _write_xlsx(table, path, categories, lang, title)
    else:
        if districts is None:
            raise ValueError(f"{path}: {kind} output needs the district polygons")
        geo = _with_geometry(table, districts)
        if kind == "geojson":
            if path.exists():
                path.unlink()  # GDAL's GeoJSON driver will not overwrite
            geo.to_file(path, driver="GeoJSON")
        else:
            if path.exists():
                path.unlink()
            for cat, part in _by_category(geo):
                part.to_file(path, driver="GPKG", layer=_layer_name(cat or title))
    return path


def _with_geometry(table: pd.DataFrame, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    shapes = districts[["district_id", districts.geometry.name]].copy()
    shapes["district_id"] = shapes["district_id"].astype(str)
    shapes = shapes.drop_duplicates("district_id").to_crs(4326).set_index("district_id")
    geometry = shapes.geometry.reindex(table["district_id"].astype(str)).values
    frame = table.copy()
    for column in frame.columns:
        # GDAL writes no lists; NaN-only object columns would become text.
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                                              else str(v))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=4326), crs=4326)


def _by_category(table: pd.DataFrame):
    if "category" not in table or table.empty:
        yield "", table
        return
    for cat in pd.unique(table["category"]):
        yield str(cat), table[table["category"] == cat]


def _layer_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", name) or "coverage"


def _sheet_name(label: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", label).strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.casefold())
    return name


def _display(table: pd.DataFrame, categories: Vocabulary | None, lang: str) -> pd.DataFrame:
    """Keys as words for people: category labels and language names."""
    shown = table.copy()
    if categories is not None and "category" in shown:
        shown["category"] = [categories.label(c, lang) if c else "" for c in shown["category"]]
    if "language" in shown:
        shown["language"] = [language_name(c, lang) if c else "" for c in shown["language"]]
    return shown


def _write_xlsx(table: pd.DataFrame, path: Path, categories: Vocabulary | None, lang: str, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for cat, part in _by_category(table):
        label = (categories.label(cat, lang) if categories is not None and cat else cat) or title
        sheet = book.create_sheet(_sheet_name(label, taken))
        shown = _display(part, categories, lang)
        headers = [wording.column_label(c, lang) for c in shown.columns]
        append_row(sheet, headers)
        for values in shown.itertuples(index=False):
            # District names and labels are text from other people's files: never a formula.
            append_row(sheet, [_cell(v) for v in values])
        bold = Font(bold=True)
        for col, column in enumerate(shown.columns, start=1):
            head = sheet.cell(row=1, column=col)
            head.font = bold
            head.alignment = Alignment(wrap_text=True, vertical="top")
            number_format = _NUMBER_FORMATS.get(column)
            if number_format:
                for row in range(2, len(shown) + 2):
                    sheet.cell(row=row, column=col).number_format = number_format
            longest = max([len(str(v)) for v in shown[column].head(500)] + [min(len(headers[col - 1]), 24), 6])
            sheet.column_dimensions[get_column_letter(col)].width = min(longest + 2, _MAX_WIDTH)
        sheet.freeze_panes = "A2"
        if len(shown):
            sheet.auto_filter.ref = sheet.dimensions
    book.save(path)


def _cell(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    return value
