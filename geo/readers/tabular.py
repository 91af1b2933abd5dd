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

from geo.readers.columns import map_headers
from geo.schema import InputError, Problem
from geo.spreadsheet import MARK, restore

_ZIP_MAGIC = b"PK\x03\x04"
# Bytes Windows-1252 leaves undefined: text containing them is not cp1252 either.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


@dataclass
class RawTable:
    """Rows of one input file, as text, under the record's field names.

    ``frame`` has one column per recognised field (str, "" for empty cells);
    ``row_numbers[i]`` is the spreadsheet row number of frame row i (header = 1).
    ``problems`` holds file-level warnings (unknown columns, encoding guesses).
    """

    file: str
    frame: pd.DataFrame
    row_numbers: list[int]
    columns: dict[str, str] = field(default_factory=dict)  # field -> original header
    problems: list[Problem] = field(default_factory=list)


def read_table(path: str | Path, sheet: str | None = None) -> RawTable:
    """Read a CSV or XLSX offer list into a :class:`RawTable`.

    Raises
    ------
    InputError
        When the file is missing, empty, not a table, in an unknown encoding, or has
        no header row or no name column.
    """
    path = Path(path)
    headers, rows, problems = read_rows(path, sheet)
    return build_raw_table(path.name, headers, rows, problems)


def read_rows(path: str | Path, sheet: str | None = None) -> tuple[list[str], list[list[str]], list[Problem]]:
    """Headers and rows of any CSV/XLSX table as text, every column kept.

    The tolerant decoding shared by offer lists, address lists (``geocode``) and
    population tables. Returns file-level warnings (encoding guesses, lying extensions).
    """
    path = Path(path)
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
        headers, rows = _read_xlsx(path, sheet)
    else:
        if suffix in (".xlsx", ".xlsm"):
            problems.append(Problem(path.name, None, "", "", "the file is not an Excel workbook but text; read it as CSV",
                                    "save it from Excel as .xlsx, or rename it to .csv", severity="warning"))
        if sheet:
            raise InputError(f"{path.name}: --sheet {sheet!r} given, but a CSV file has no sheets")
        headers, rows, note = _read_csv(path)
        if note:
            problems.append(Problem(path.name, None, "", "", note, severity="warning"))
    return headers, rows, problems


def build_raw_table(file: str, headers: list[str], rows: list[list[str]], problems: list[Problem],
                    first_row_number: int = 2, skip_blank: bool = True) -> RawTable:
    """Map headers, normalise text (NFC, trimmed) and wrap rows as a RawTable.

    Blank rows are skipped (``skip_blank``), but counted, so row numbers stay those a
    spreadsheet shows. A table without a single non-blank row is unusable (InputError):
    importing it would remove every offer of its source.
    """
    headers = [_nfc(h) for h in headers]
    if not any(headers):
        raise InputError(f"{file}: the first row holds no column headers")
    mapping, unknown, doubled = map_headers(headers)
    if "name" not in mapping.values():
        raise InputError(
            f"{file}: no name column. Found columns: {', '.join(h for h in headers if h) or '(none)'}. "
            "Expected one of: Name, Bezeichnung, Angebot, Titel, name"
        )
    for header in unknown:
        problems.append(Problem(file, 1, header, "", "column not used (no field of the offer record has this name)",
                                "see docs/import.md for the accepted column names", severity="warning"))
    for header, fld in doubled:
        problems.append(Problem(file, 1, header, "", f"column ignored: an earlier column already gives {fld!r}",
                                severity="warning"))
    index_of = {h: i for i, h in enumerate(headers) if h in mapping}
    # blank spreadsheet rows are not offers
    kept = [offset for offset, row in enumerate(rows) if not (skip_blank and _blank(row))]
    if not kept:
        raise InputError(f"{file}: the header row is there, but no offers below it")
    row_numbers = [first_row_number + offset for offset in kept]
    data: dict[str, list[str]] = {}
    for h, i in index_of.items():
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
        data[mapping[h]] = column
    frame = pd.DataFrame(data, dtype=object)
    columns = {fld: h for h, fld in mapping.items()}
    return RawTable(file=file, frame=frame, row_numbers=row_numbers, columns=columns, problems=problems)


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


def _read_csv(path: Path) -> tuple[list[str], list[list[str]], str]:
    text, note = _decode(path.read_bytes(), path.name)
    if not text.strip():
        raise InputError(f"{path.name}: the file is empty")
    if "\x00" in text:
        raise InputError(f"{path.name}: binary data, not a CSV or XLSX table")
    sample = "\n".join(text.splitlines()[:50])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        first = text.splitlines()[0]
        delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [row for row in reader]
    if MARK in text:  # undo the marks our own exports put before formula-like text
        rows = [[restore(cell) for cell in row] for row in rows]
    headers = rows[0] if rows else []
    return headers, rows[1:], note


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[list[str]]]:
    import openpyxl  # imported here: only XLSX input needs it
    from openpyxl.utils.exceptions import InvalidFileException

    # A file object, not the path: openpyxl refuses paths whose extension is not .xlsx,
    # but a workbook saved as "liste.csv" is still a workbook.
    with open(path, "rb") as fh:
        try:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise InputError(f"{path.name}: not a readable Excel workbook ({exc})") from None
        return _read_sheet(path, book, sheet)


def _read_sheet(path: Path, book, sheet: str | None) -> tuple[list[str], list[list[str]]]:
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise InputError(f"{path.name}: no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}")
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        rows_iter = ws.iter_rows(values_only=True)
        header_row = next(rows_iter, None)
        if header_row is None:
            raise InputError(f"{path.name}: the sheet {ws.title!r} is empty")
        headers = [_cell_text(c) for c in header_row]
        rows = [[_cell_text(c) for c in row] for row in rows_iter]
    finally:
        book.close()
    return headers, rows


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
