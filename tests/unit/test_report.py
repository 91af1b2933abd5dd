"""geo.report: grouped console lines and the Excel report beside the original rows."""

from __future__ import annotations

import openpyxl
import pytest
from conftest import make_settings

from geo.readers.tabular import read_table
from geo.report import summary_lines, write_report_xlsx
from geo.schema import Problem
from geo.validate import validate_table


def P(row, column, value, message, severity="warning"):
    return Problem("liste.csv", row, column, value, message, "", severity)


def test_problems_are_grouped_by_kind_with_counts_and_first_examples():
    problems = [P(r, "Kategorie", v, f"unknown category {v!r}: the row is kept unpublished for review", "review")
                for r, v in ((2, "Bibliothek"), (3, "Kultur"), (5, "Kultur"), (8, "Gastronomie"))]
    problems += [P(4, "Telefon", "+123456789", "a dummy phone number; left empty"),
                 P(6, "Sprachen", "Klingonx", "unknown language", "error"),
                 P(7, "Öffnungszeiten", "Mo-Do 8-12 Uhr", "read as 'Mo-Th 08:00-12:00'", "note")]
    lines = summary_lines(problems, examples=2)
    assert lines[0].startswith("rejected – Sprachen: unknown language (1×)")
    assert lines[2] == ("kept for review (unpublished) – Kategorie: unknown category …: the row is kept unpublished "
                        "for review (4×)")
    assert lines[3] == "    row 2: 'Bibliothek'; row 3: 'Kultur' and 2 more"
    assert not any("read as" in line for line in lines)  # notes are for the report
    assert any("read as" in line for line in summary_lines(problems, include_notes=True))


def test_the_excel_report_highlights_problem_cells_beside_the_original_rows(tmp_path):
    csv_path = tmp_path / "liste.csv"
    csv_path.write_text("Name;Kategorie;Telefon;Notiz\n"
                        "Treff;Religionsgemeinschaft;+123456789;=HYPERLINK(\"http://x\")\n"
                        "Beratung;Beratung;0631 123;\n"
                        ";Beratung;;\n", encoding="utf-8")
    raw = read_table(csv_path)
    result = validate_table(raw, make_settings(tmp_path), "t")
    out = write_report_xlsx(result.problems, raw, tmp_path / "report" / "probleme.xlsx")
    book = openpyxl.load_workbook(out)
    rows = book["Zeilen"]
    assert [c.value for c in rows[1]] == ["Zeile", "Ergebnis", "Probleme", "Name", "Kategorie", "Telefon", "Notiz"]
    assert [rows.cell(r, 1).value for r in (2, 3, 4)] == [2, 3, 4]
    assert rows.cell(2, 2).value == "kept for review (unpublished)"
    assert rows.cell(3, 2).value == "stored"
    assert rows.cell(4, 2).value == "rejected"
    category = rows.cell(2, 5)
    assert category.value == "Religionsgemeinschaft"
    assert category.fill.fgColor.rgb.endswith("F9D29D") and "unknown category" in category.comment.text
    assert rows.cell(2, 6).comment is not None and "dummy phone" in rows.cell(2, 6).comment.text
    assert rows.cell(3, 5).comment is None
    # a formula from the list is text in the report, never evaluated
    formula = rows.cell(2, 7)
    assert formula.value == '=HYPERLINK("http://x")' and formula.data_type == "s"
    listing = book["Probleme"]
    assert [c.value for c in listing[1]] == ["file", "row", "column", "value", "message", "suggestion", "severity"]
    assert listing.max_row - 1 == len(result.problems)


@pytest.mark.parametrize("count", [0, 1])
def test_a_report_without_problems_still_lists_the_rows(tmp_path, count):
    csv_path = tmp_path / "liste.csv"
    csv_path.write_text("Name;Kategorie\n" + "Treff;Treffpunkt\n" * (count + 1), encoding="utf-8")
    raw = read_table(csv_path)
    out = write_report_xlsx([], raw, tmp_path / "r.xlsx")
    assert openpyxl.load_workbook(out)["Zeilen"].max_row == count + 2
