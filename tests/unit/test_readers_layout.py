"""Lists as coordinators lay them out: title rows, notes, two-row headers, merged cells, extra columns."""

from __future__ import annotations

import openpyxl
import pytest

from geo.readers.columns import map_columns
from geo.readers.tabular import read_table
from geo.schema import InputError


def coordinator_workbook(path, *, title=True, merged_address=True, merged_provider=True):
    """An XLSX as an integration office keeps it: title, note, blank row, a two-row header with
    "Adresse" merged over its parts, the provider merged over its offers, a section heading."""
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append(["Angebote für Geflüchtete in Kaiserslautern"])
        sheet.merge_cells("A1:I1")
        sheet.append(["Stand: März 2024 – bitte Änderungen an integration@example.org"])
        sheet.append([])
    top = 4 if title else 1  # (max_row does not count the blank row)
    sheet.append(["Einrichtung", "Träger", "Adresse", None, None, None, "Telefonnummer", "Plätze", "Bemerkung"])
    sheet.append([None, None, "Straße", "Hausnummer", "PLZ", "Ort", None, None, None])
    if merged_address:
        sheet.merge_cells(start_row=top, start_column=3, end_row=top, end_column=6)
    for col in (1, 2, 7, 8, 9):
        sheet.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
    first = top + 2
    sheet.append(["Migrationsberatung", "Caritas", "Kerststr.", "25", "67655", "Kaiserslautern", "0631 1234", 12, "neu"])
    sheet.append(["Jugendmigrationsdienst", None, "Pirmasenser Straße", "60b", "67655", "Kaiserslautern", "0631 99",
                  8, ""])
    sheet.append([None, None, "Rudolf-Breitscheid-Str.", "4", "67655", "Kaiserslautern", "", None, ""])
    if merged_provider:
        sheet.merge_cells(start_row=first, start_column=2, end_row=first + 2, end_column=2)
        # one offer across two rows of the name column is one name
        sheet.cell(first + 2, 1).value = "Frauencafé"
    sheet.append(["Sprachkurse"])
    sheet.merge_cells(start_row=first + 3, start_column=1, end_row=first + 3, end_column=9)
    sheet.append(["Deutschkurs A1", "Volkshochschule", "Kanalstraße", "3", "67655", "Kaiserslautern", "", "20", ""])
    book.save(path)
    return path, top, first


def test_title_rows_and_notes_above_the_header_are_skipped_and_listed(tmp_path):
    path, top, first = coordinator_workbook(tmp_path / "liste.xlsx")
    table = read_table(path)
    assert table.header_rows == (top, top + 1)
    assert table.row_numbers == [first, first + 1, first + 2, first + 4]
    skipped = [p for p in table.problems if "above the header" in p.message]
    assert [p.row for p in skipped] == [1, 2]
    assert "Angebote für Geflüchtete" in skipped[0].value


def test_a_merged_address_header_resolves_to_its_sub_headers(tmp_path):
    path, _, _ = coordinator_workbook(tmp_path / "liste.xlsx")
    table = read_table(path)
    assert table.frame["street"].tolist()[:2] == ["Kerststr.", "Pirmasenser Straße"]
    assert table.frame["housenumber"].tolist()[:2] == ["25", "60b"]
    assert set(table.frame["postcode"]) == {"67655"} and set(table.frame["city"]) == {"Kaiserslautern"}
    # the phone column next to the group keeps its own header and is not lost
    assert table.frame["phone"].tolist()[0] == "0631 1234"
    assert "Straße -> street" in table.mapping.lines()


def test_merged_provider_cells_fill_every_row_they_cover(tmp_path):
    path, _, _ = coordinator_workbook(tmp_path / "liste.xlsx")
    table = read_table(path)
    assert table.frame["organisation"].tolist() == ["Caritas", "Caritas", "Caritas", "Volkshochschule"]


def test_a_section_heading_row_is_not_an_offer_and_is_reported(tmp_path):
    path, _, first = coordinator_workbook(tmp_path / "liste.xlsx")
    table = read_table(path)
    assert "Sprachkurse" not in table.frame["name"].tolist()
    section = [p for p in table.problems if "section heading" in p.message]
    assert [(p.row, p.value) for p in section] == [(first + 3, "Sprachkurse")]


def test_columns_no_field_takes_are_kept_as_extra_attributes_and_listed(tmp_path):
    path, top, _ = coordinator_workbook(tmp_path / "liste.xlsx")
    table = read_table(path)
    assert table.extras["capacity"].tolist() == ["12", "8", "", "20"]
    assert table.extras["notes"].tolist()[0] == "neu"
    lines = table.mapping.lines()
    assert "Plätze -> capacity (kept as extra attribute)" in lines
    assert "Einrichtung -> name" in lines and "Träger -> organisation" in lines


def test_a_header_in_the_first_row_still_works_without_merges(tmp_path):
    path, top, first = coordinator_workbook(tmp_path / "liste.xlsx", title=False, merged_address=False,
                                            merged_provider=False)
    table = read_table(path)
    # "Adresse" over blank cells with sub-headers below is a group header even without a merge
    assert table.header_rows == (1, 2)
    assert table.frame["street"].tolist()[0] == "Kerststr."
    # without the merge the provider cell is empty in the rows below: nothing is invented
    assert table.frame["organisation"].tolist()[:3] == ["Caritas", "", ""]


def test_cp1252_csv_with_notes_above_the_header(tmp_path):
    text = ("Liste der Beratungsstellen;;;\r\n"
            "erstellt vom Büro für Integration, Stand 03/2024;;;\r\n"
            ";;;\r\n"
            "Einrichtung;Straße und Hausnummer;Öffnungszeiten;Kapazität\r\n"
            "Sozialberatung Süd;Klosterstr. 8;Di, Do 14:00-17:00;15\r\n"
            "Café Grüß Gott;Kerststr.25;Mo-Do 8-12 Uhr;\r\n")
    path = tmp_path / "liste.csv"
    path.write_bytes(text.encode("cp1252"))
    table = read_table(path)
    assert table.header_rows == (4,)
    assert table.row_numbers == [5, 6]
    assert table.frame["name"].tolist() == ["Sozialberatung Süd", "Café Grüß Gott"]
    assert table.frame["street"].tolist() == ["Klosterstr. 8", "Kerststr.25"]
    assert table.frame["opening_hours"].tolist()[0] == "Di, Do 14:00-17:00"
    assert table.extras["capacity"].tolist() == ["15", ""]
    messages = [p.message for p in table.problems]
    assert any("Windows-1252" in m for m in messages)
    assert sum("above the header" in m for m in messages) == 2


def test_explicit_mappings_override_the_built_in_names(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Einrichtung;Angebot;Plätze;Wer\nCaritas;Beratung;5;Frau A\n", encoding="utf-8")
    table = read_table(path)
    # "Angebot" is the name, so "Einrichtung" falls back to the organisation
    assert table.columns["name"] == "Angebot" and table.columns["organisation"] == "Einrichtung"
    table = read_table(path, columns={"einrichtung": "name", "Angebot": "description", "Wer": "contact_person"})
    assert table.frame["name"].tolist() == ["Caritas"]
    assert table.frame["description"].tolist() == ["Beratung"]
    assert table.extras["contact_person"].tolist() == ["Frau A"]
    assert "Einrichtung -> name (as you mapped it)" in table.mapping.lines()


def test_a_mapping_to_an_unknown_field_names_the_allowed_ones(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Name;Plätze\nA;5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"x.csv: column 'Plätze' mapped to 'places' \(--map or \[import.columns\]\).*allowed: id, name"):
        read_table(path, columns={"Plätze": "places"})


def test_a_mapping_of_a_missing_column_is_a_warning(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Name\nA\n", encoding="utf-8")
    table = read_table(path, columns={"Plätze": "capacity"})
    assert any(p.column == "Plätze" and "no such column" not in p.message and "has none" in p.message
               for p in table.problems)
    assert "Plätze: mapped, but the file has no such column" in table.mapping.lines()


@pytest.mark.parametrize("values, target", [
    (["online", "vor Ort", "vor Ort"], "location_type"),
    (["Beratung", "Sprachkurs", "online"], "category"),
])
def test_an_art_column_is_read_by_its_values(values, target):
    mapping = map_columns(["Name", "Art"], samples={1: values})
    assert mapping.fields[1] == target


def test_doubled_and_unnamed_columns_are_kept_under_distinct_names(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Name;Bemerkung;Bezeichnung;;Bemerkung\nA;x;B;lose;y\n", encoding="utf-8")
    table = read_table(path)
    assert table.frame["name"].tolist() == ["A"]
    assert table.extras.iloc[0].to_dict() == {"notes": "x", "Bezeichnung": "B", "column 4": "lose",
                                              "Bemerkung": "y"}
