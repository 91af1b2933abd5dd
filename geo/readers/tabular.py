"""CSV and XLSX input: whatever German Excel and LibreOffice produce.

CSV: UTF-8 with or without BOM, UTF-16 ("Unicode text" export), or Windows-1252
(German Excel's "CSV (Trennzeichen-getrennt)"); delimiter ``,`` ``;`` or tab,
detected. XLSX: the first sheet or a named one. The apostrophe our own exports put before
formula-like text (see :mod:`geo.spreadsheet`) is taken off again. A file whose extension lies
(an .xlsx that is really text, a .csv that is really a workbook) is read as what
it is, with a warning.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from geo.readers.columns import ColumnMapping, map_columns
from geo.readers.header import Merged, locate_header
from geo.schema import InputError, Problem
from geo.spreadsheet import MARK, restore

_ZIP_MAGIC = b"PK\x03\x04"
# Bytes Windows-1252 leaves undefined: text containing them is not cp1252 either.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


@dataclass
class RawTable:
    """Rows of one input file, as text, under the record's field names.

    ``frame`` has one column per recognised field (str, "" for empty cells);
    ``row_numbers[i]`` is the spreadsheet row number of frame row i;
    ``extras`` holds, row for row, the columns kept as extra attributes (known ones such as
    ``capacity`` under their name, others under their header); ``mapping`` says what
    became of every column; ``headers``/``rows`` are the data as read (for reports
    that show the original rows). ``problems`` holds file-level warnings.
    """

    file: str
    frame: pd.DataFrame
    row_numbers: list[int]
    columns: dict[str, str] = field(default_factory=dict)  # field -> original header
    problems: list[Problem] = field(default_factory=list)
    extras: pd.DataFrame = field(default_factory=pd.DataFrame)
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    header_rows: tuple[int, ...] = (1,)  # spreadsheet numbers of the header row(s)


def read_table(path: str | Path, sheet: str | None = None, columns: dict[str, str] | None = None) -> RawTable:
    """Read a CSV or XLSX offer list into a :class:`RawTable`.

    The header is found among the first rows (title rows, notes and blank rows above it
    are skipped and listed); two-row headers and merged cells are resolved (see
    geo.readers.header). ``columns`` maps headers to fields explicitly
    (``{"Einrichtung": "name", "Plätze": "capacity"}``), over the built-in names.

    Raises
    ------
    InputError
        When the file is missing, empty, not a table, in an unknown encoding, has no
        header row or no name column, or ``columns`` names an unknown field.
    """
    path = Path(path)
    grid, merged, problems = read_grid(path, sheet)
    layout = locate_header(grid, merged)
    for r, text in layout.skipped:
        problems.append(Problem(path.name, r + 1, "", text[:200], "row above the header skipped (a title or note)",
                                severity="warning"))
    for r, text in layout.sections:
        problems.append(Problem(path.name, r + 1, "", text[:200],
                                "section heading (one merged cell across the row) skipped, not an offer",
                                severity="warning"))
    rows = grid[layout.first_data_row:]
    table = build_raw_table(path.name, layout.headers, rows, problems, first_row_number=layout.first_data_row + 1,
                            columns=columns)
    table.header_rows = tuple(r + 1 for r in layout.header_rows)
    return table


def read_grid(path: str | Path, sheet: str | None = None) -> tuple[list[list[str]], list[Merged], list[Problem]]:
    """Every row of a CSV/XLSX table as text (the header among them) and the sheet's merged ranges."""
    path = Path(path)
    suffix, problems = _check_file(path)
    if suffix == "xlsx":
        grid, merged = _read_xlsx_grid(path, sheet)
        return grid, merged, problems
    if sheet:
        raise InputError(f"{path.name}: --sheet {sheet!r} given, but a CSV file has no sheets")
    grid, note = _read_csv_grid(path)
    if note:
        problems.append(Problem(path.name, None, "", "", note, severity="warning"))
    return grid, [], problems


def read_rows(path: str | Path, sheet: str | None = None) -> tuple[list[str], list[list[str]], list[Problem]]:
    """Headers (the first row) and rows of any CSV/XLSX table as text, every column kept.

    The tolerant decoding shared by offer lists, address lists (``geocode``) and
    population tables. Returns file-level warnings (encoding guesses, lying extensions).
    """
    grid, _merged, problems = read_grid(path, sheet)
    if not grid:
        raise InputError(f"{Path(path).name}: the file is empty")
    return grid[0], grid[1:], problems


def _check_file(path: Path) -> tuple[str, list[Problem]]:
    """"xlsx" or "csv" by content (not extension), with warnings when the extension lies."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise InputError(f"{path.name}: the file is empty")
    suffix = path.suffix.lower()
    problems: list[Problem] = []
    if suffix == ".xls":
        raise InputError(f"{path.name}: old Excel .xls files are not supported; save it as .xlsx or CSV")
    if head.startswith(b"\x1f\x8b"):
        raise InputError(f"{path.name}: a gzip-compressed file, not a table; unpack it first "
                         "(offer lists are read from CSV, XLSX or GeoJSON)")
    if head.startswith(_ZIP_MAGIC):
        if suffix not in (".xlsx", ".xlsm"):
            problems.append(Problem(path.name, None, "", "", "the file is an Excel workbook, not text; read it as XLSX",
                                    severity="warning"))
        return "xlsx", problems
    if suffix in (".xlsx", ".xlsm"):
        problems.append(Problem(path.name, None, "", "", "the file is not an Excel workbook but text; read it as CSV",
                                "save it from Excel as .xlsx, or rename it to .csv", severity="warning"))
    return "csv", problems


def build_raw_table(file: str, headers: list[str], rows: list[list[str]], problems: list[Problem],
                    first_row_number: int = 2, skip_blank: bool = True,
                    columns: dict[str, str] | None = None) -> RawTable:
    """Map headers, normalise text (NFC, trimmed) and wrap rows as a RawTable.

    Blank rows are skipped (``skip_blank``), but counted, so row numbers stay those a
    spreadsheet shows. A table without a single non-blank row is unusable (InputError):
    importing it would remove every offer of its source. Columns no field takes are kept
    in ``extras`` and listed as warnings on the header row.
    """
    headers = [_nfc(h) for h in headers]
    if not any(headers):
        raise InputError(f"{file}: the first row holds no column headers")
    kept = [offset for offset, row in enumerate(rows) if not (skip_blank and _blank(row))]
    samples = {i: [(_nfc(rows[o][i]) if i < len(rows[o]) else "") for o in kept[:200]] for i in range(len(headers))}
    try:
        mapping = map_columns(headers, columns, samples)
    except ValueError as exc:
        raise InputError(f"{file}: {exc}") from None
    fields = mapping.fields
    if "name" not in fields.values():
        raise InputError(
            f"{file}: no name column. Found columns: {', '.join(h for h in headers if h) or '(none)'}. "
            "Expected one of: Name, Bezeichnung, Angebot, Titel, Einrichtung, name "
            "(or map one: --map \"Spalte=name\")"
        )
    header_row = max(first_row_number - 1, 1)
    for use in mapping.columns:
        if use.is_field:
            continue
        if use.how == "doubled":
            problems.append(Problem(file, header_row, use.header, "",
                                    f"an earlier column already gives {use.target!r}; kept as extra attribute "
                                    f"{use.extra_name!r}", severity="warning"))
        elif not use.target and (use.header or any(_nfc(rows[o][use.position]) for o in kept
                                                   if use.position < len(rows[o]))):
            problems.append(Problem(file, header_row, use.header or use.extra_name, "",
                                    f"column kept as extra attribute {use.extra_name!r} "
                                    "(no field of the offer has this name)",
                                    "map it with --map \"Spalte=field\" or [import.columns] if it is one",
                                    severity="warning"))
    for header in mapping.unused_overrides:
        problems.append(Problem(file, None, header, "", "a column mapping names this column, but the file has none",
                                severity="warning"))
    if not kept:
        raise InputError(f"{file}: the header row is there, but no offers below it")
    row_numbers = [first_row_number + offset for offset in kept]
    data = {fld: _column(rows, kept, i) for i, fld in fields.items()}
    extras = {name: _column(rows, kept, i) for i, name in mapping.extras.items()}
    frame = pd.DataFrame(data, dtype=object)
    extra_frame = pd.DataFrame(extras, dtype=object, index=range(len(kept)))
    columns_used = {fld: headers[i] for i, fld in fields.items()}
    return RawTable(file=file, frame=frame, row_numbers=row_numbers, columns=columns_used, problems=problems,
                    extras=extra_frame, mapping=mapping, headers=headers, rows=[rows[o] for o in kept])


def _column(rows: list[list[str]], kept: list[int], i: int) -> list[str]:
    # Column by column, each distinct cell normalised once (100,000 rows hold few distinct
    # categories, languages or towns); short rows are padded with "".
    normalised: dict = {}
    column: list[str] = []
    for offset in kept:
        row = rows[offset]
        value = row[i] if i < len(row) else ""
        text = normalised.get(value)
        if text is None:
            text = normalised[value] = _nfc(value)
        column.append(text)
    return column


def _blank(row) -> bool:
    try:
        return not "".join(row).strip()
    except TypeError:  # XLSX/GeoJSON cells are text already; anything else the slow way
        return not any(str(c).strip() for c in row if c is not None)


def _nfc(value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return unicodedata.normalize("NFC", text).strip()


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    """Decode text; returns (text, note about the encoding or "")."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), ""
    try:
        return raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if any(b in _CP1252_UNDEFINED for b in raw):
        raise InputError(
            f"{name}: unknown text encoding (not UTF-8: {utf8_error.reason} at byte {utf8_error.start}, "
            "and not Windows-1252 either); save the file as 'CSV UTF-8'"
        )
    return raw.decode("cp1252"), "the file is not UTF-8; read it as Windows-1252 (German Excel's CSV encoding)"


def _read_csv_grid(path: Path) -> tuple[list[list[str]], str]:
    text, note = _decode(path.read_bytes(), path.name)
    if not text.strip():
        raise InputError(f"{path.name}: the file is empty")
    if "\x00" in text:
        raise InputError(f"{path.name}: binary data, not a CSV or XLSX table")
    # Sniff on lines that look like table rows: a title line above the header has no delimiter.
    lines = [ln for ln in text.splitlines()[:60] if ln.strip()]
    sample = "\n".join(lines[:50])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = max(",;\t", key=lambda d: max((ln.count(d) for ln in lines[:10]), default=0))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [row for row in reader]
    if MARK in text:  # undo the marks our own exports put before formula-like text
        rows = [[restore(cell) for cell in row] for row in rows]
    return rows, note


def _read_xlsx_grid(path: Path, sheet: str | None) -> tuple[list[list[str]], list[Merged]]:
    import openpyxl  # imported here: only XLSX input needs it
    from openpyxl.utils.exceptions import InvalidFileException

    # A file object, not the path: openpyxl refuses paths whose extension is not .xlsx,
    # but a workbook saved as "liste.csv" is still a workbook. Not read-only: only a
    # fully loaded sheet knows its merged cells.
    with open(path, "rb") as fh:
        try:
            book = openpyxl.load_workbook(fh, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise InputError(f"{path.name}: not a readable Excel workbook ({exc})") from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise InputError(f"{path.name}: no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}")
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        grid = [[_cell_text(c) for c in row] for row in ws.iter_rows(values_only=True)]
        if not grid or not any(any(c for c in row) for row in grid):
            raise InputError(f"{path.name}: the sheet {ws.title!r} is empty")
        merged = [Merged(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in ws.merged_cells.ranges]
    finally:
        book.close()
    return grid, merged


def _cell_text(value) -> str:
    """Excel cell values as the text a person sees (67655 not 67655.0, dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return restore(str(value))
