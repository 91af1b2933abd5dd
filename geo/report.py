"""What an import found, for people: grouped console lines and an Excel report beside the original rows.

:func:`summary_lines` groups problems by kind (severity, column and message with its
values left out) with counts and the first examples, for the console.
:func:`write_report_xlsx` writes the list as it was read, one sheet row per input row,
with the problem cells filled in the colour of their severity and the messages as cell
comments, plus a sheet with every problem; people who work in Excel filter and fix
there. Every text cell is written as a string cell, so a value such as "=HYPERLINK(...)"
from a list is shown as text and never evaluated as a formula.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.schema import Problem

# Most serious first; the console lists groups in this order.
SEVERITY_ORDER = ("error", "review", "duplicate", "warning", "note")
_SEVERITY_WORDS = {"error": "rejected", "review": "kept for review (unpublished)", "duplicate": "duplicate, not imported",
                   "warning": "stored, with a warning", "note": "stored; what a value became"}
_FILLS = {"error": "F4B6B6", "review": "F9D29D", "duplicate": "D9D2E9", "warning": "FFF2A8", "note": "DDEBF7"}
_REPORT_COLUMNS = ("file", "row", "column", "value", "message", "suggestion", "severity")


def problem_kind(problem: Problem) -> tuple[str, str, str]:
    """(severity, column, message without its values): problems of one kind share it."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "…", problem.message)
    message = re.sub(r"\b\d+(?:[.,]\d+)?\b", "N", message)
    return problem.severity, problem.column, message


def summary_lines(problems: Sequence[Problem], examples: int = 3, include_notes: bool = False) -> list[str]:
    """Problems grouped by kind, most serious first, each with its count and first examples.

    Notes (what a value became) are left out unless ``include_notes``: they are for the report.
    """
    groups: dict[tuple[str, str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        if p.severity == "note" and not include_notes:
            continue
        groups[problem_kind(p)].append(p)
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    ordered = sorted(groups.items(), key=lambda kv: (rank.get(kv[0][0], 9), -len(kv[1]), kv[0][1], kv[0][2]))
    lines = []
    for (severity, column, message), items in ordered:
        rows = {p.row for p in items if p.row is not None}
        where = f"{column}: " if column else ""
        count = f"{len(items)}×" if not rows or len(rows) == len(items) else f"{len(items)}× in {len(rows)} rows"
        lines.append(f"{_SEVERITY_WORDS.get(severity, severity)} – {where}{message} ({count})")
        shown = []
        for p in items[:examples]:
            text = f"row {p.row}" if p.row is not None else "file"
            if p.value:
                text += f": {p.value[:60]!r}"
            shown.append(text)
        more = f" and {len(items) - examples} more" if len(items) > examples else ""
        lines.append("    " + "; ".join(shown) + more)
    return lines


@dataclass
class OriginalRows:
    """The rows as read: headers, and per row its spreadsheet number and cells."""

    headers: list[str]
    numbers: list[int]
    rows: list[list[str]]
    header_row: int = 1


def original_rows_of(raw) -> OriginalRows:
    """The original rows of a RawTable (geo.readers.tabular)."""
    return OriginalRows(list(raw.headers), list(raw.row_numbers), [list(r) for r in raw.rows],
                        header_row=max(raw.header_rows) if raw.header_rows else 1)


def write_report_xlsx(problems: Iterable[Problem], original_rows, path: str | Path) -> Path:
    """An Excel report: sheet "Zeilen" with every input row and its problem cells highlighted
    (fill by severity, the messages as a comment), sheet "Probleme" with every problem.

    ``original_rows`` is an :class:`OriginalRows` or a RawTable.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    original = original_rows if isinstance(original_rows, OriginalRows) else original_rows_of(original_rows)
    problems = list(problems)
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    by_row: dict[int | None, list[Problem]] = defaultdict(list)
    for p in problems:
        by_row[p.row].append(p)
    column_of = {h: i for i, h in enumerate(original.headers) if h}

    book = Workbook()
    sheet = book.active
    sheet.title = "Zeilen"
    fixed = ["Zeile", "Ergebnis", "Probleme"]
    _row(sheet, 1, fixed + [h or f"(Spalte {i + 1})" for i, h in enumerate(original.headers)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for c, header in enumerate(original.headers):
        header_problems = [p for p in by_row.get(original.header_row, []) + by_row.get(None, []) if p.column == header]
        if header_problems:
            sheet.cell(1, len(fixed) + c + 1).comment = Comment(_comment(header_problems), "angebotskarte")
    for i, (number, cells) in enumerate(zip(original.numbers, original.rows), start=2):
        found = sorted(by_row.get(number, []), key=lambda p: rank.get(p.severity, 9))
        worst = found[0].severity if found else ""
        outcome = _SEVERITY_WORDS.get(worst, "stored") if worst != "note" else "stored"
        _row(sheet, i, [str(number), outcome, " | ".join(_one_line(p) for p in found if p.severity != "note")]
             + [str(c) if c is not None else "" for c in cells])
        sheet.cell(i, 1).data_type = "n"
        sheet.cell(i, 1).value = number
        if worst and worst != "note":
            sheet.cell(i, 2).fill = PatternFill("solid", fgColor=_FILLS[worst])
        by_column: dict[int, list[Problem]] = defaultdict(list)
        for p in found:
            c = column_of.get(p.column)
            if c is not None:
                by_column[c].append(p)
        for c, items in by_column.items():
            cell = sheet.cell(i, len(fixed) + c + 1)
            cell.fill = PatternFill("solid", fgColor=_FILLS.get(items[0].severity, "FFFFFF"))
            cell.comment = Comment(_comment(items), "angebotskarte")
    sheet.freeze_panes = "D2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(fixed) + len(original.headers))}{len(original.rows) + 1}"

    listing = book.create_sheet("Probleme")
    _row(listing, 1, list(_REPORT_COLUMNS))
    for cell in listing[1]:
        cell.font = Font(bold=True)
    for i, p in enumerate(sorted(problems, key=lambda p: (p.row or 0, rank.get(p.severity, 9))), start=2):
        _row(listing, i, ["" if getattr(p, c) is None else str(getattr(p, c)) for c in _REPORT_COLUMNS])
        listing.cell(i, 7).fill = PatternFill("solid", fgColor=_FILLS.get(p.severity, "FFFFFF"))
    listing.auto_filter.ref = f"A1:G{len(problems) + 1}"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _row(sheet, number: int, values: list[str]) -> None:
    for c, value in enumerate(values, start=1):
        cell = sheet.cell(number, c)
        # A string cell, never a formula: "=..." from a list stays text (formula neutralisation).
        cell.value = value
        cell.data_type = "s"


def _one_line(p: Problem) -> str:
    text = f"{p.column}: {p.message}" if p.column else p.message
    return text + (f" ({p.suggestion})" if p.suggestion else "")


def _comment(items: list[Problem]) -> str:
    return "\n".join(f"{p.severity}: {p.message}" + (f" – {p.suggestion}" if p.suggestion else "") for p in items)[:2000]
