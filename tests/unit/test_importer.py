"""geo.importer and `angebotskarte import`: every row ends in the store or in the report.

Every test runs on the GeoPackage file and on PostGIS (the autouse fixture below).
"""

from __future__ import annotations

import csv
import string
import tempfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from conftest import make_settings as _make_settings, write_csv
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st
from shapely.geometry import box

from geo.geocoding.base import GeocodeResult, GeocodingBlocked
from geo.importer import REPORT_COLUMNS, import_file
from geo.schema import InputError
from geo.store import open_store
from webmap.cli import main

BACKEND = None  # the StoreBackend of the running test


@pytest.fixture(autouse=True)
def _on_both_backends(store_backend):
    global BACKEND
    BACKEND = store_backend
    yield
    BACKEND = None


def make_settings(folder: Path, **sections):
    """Settings of a deployment in ``folder`` whose store is on the test's backend."""
    return _make_settings(folder, store=BACKEND.store_section_for(folder), **sections)


def stored(folder: Path):
    """The store of the deployment in ``folder`` (read in the tests' assertions)."""
    return open_store(make_settings(folder))


def snapshot(folder: Path):
    """Everything a failed command must leave as it was: the file's bytes, or the data version and offers."""
    if BACKEND.name == "gpkg":
        return (folder / "store.gpkg").read_bytes()
    with stored(folder) as store:
        return store.version, store.offers().drop(columns="geometry").to_json()


HEADER = "ID;Name;Kategorie;Straße;Hausnummer;PLZ;Ort;Breitengrad;Längengrad;Sprachen;Öffnungszeiten\n"


def config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "angebotskarte.toml"
    path.write_text(BACKEND.toml() + extra, encoding="utf-8")
    return path


def read_report(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


# -- exit codes, console summary, report ------------------------------------------------------------

def test_all_rows_valid_exit_0_and_summary(tmp_path, capsys):
    cfg = config(tmp_path)
    write_csv(tmp_path / "a.csv", HEADER + "1;Beratung Mitte;Beratung;Marktstraße;5;67655;Kaiserslautern;49,44;7,75;"
              "Arabisch, Farsi;Mo-Fr 09:00-12:00\n2;Treff Ost;Treffpunkt;;;;;49,45;7,77;Deutsch;\n")
    code, out, err = run(capsys, "import", tmp_path / "a.csv", "--config", cfg)
    assert code == 0, err
    assert "2 rows read, 2 imported (0 with warnings), 0 rejected, 0 duplicates" in out
    assert "source 'a.csv': 2 added, 0 changed, 0 removed" in out
    offers = stored(tmp_path).offers()
    assert offers["name"].tolist() == ["Beratung Mitte", "Treff Ost"]
    assert offers["source"].unique().tolist() == ["a.csv"]


def test_some_rows_rejected_exit_1_valid_rows_stored_report_has_every_problem(tmp_path, capsys):
    cfg = config(tmp_path)
    write_csv(tmp_path / "b.csv", "\ufeff" + HEADER
              + "1;Gut;Beratung;;;;;49,44;7,75;Deutsch;\n"
              + "2;Falsche Kategorie;Mobilität;;;;;49,44;7,75;;\n"
              + ";;;;;;;;;;\n"  # blank row 4: skipped, but numbering continues
              + "3;Falsche Sprache;Beratung;;;;;49,44;7,75;Klingonx;\n"
              + "4;Kaputte Zeiten;Beratung;;;;;49,44;7,75;;montags 9-12\n"
              + "1;Gut nochmal;Beratung;;;;;49,44;7,75;;\n")
    code, out, err = run(capsys, "import", tmp_path / "b.csv", "--config", cfg, "--report", tmp_path / "r" / "report.csv")
    assert code == 1
    assert "5 rows read, 2 imported (0 with warnings), 2 rejected, 0 duplicates, 1 need review" in out
    assert stored(tmp_path).offers()["id"].tolist() == ["1", "4"]
    report = read_report(tmp_path / "r" / "report.csv")
    assert list(report[0]) == list(REPORT_COLUMNS)
    rows = {(r["row"], r["column"], r["value"], r["severity"]) for r in report}
    assert ("3", "Kategorie", "Mobilität", "review") in rows  # kept for review, not lost
    assert ("5", "Sprachen", "Klingonx", "error") in rows
    assert ("6", "Öffnungszeiten", "montags 9-12", "note") in rows  # read as "Mo 09:00-12:00"
    assert ("7", "ID", "1", "error") in rows  # the id of row 2 again
    assert all(r["file"] == "b.csv" and r["message"] for r in report)
    assert stored(tmp_path).offers()["opening_hours"].tolist() == ["", "Mo 09:00-12:00"]
    # the console names file, row, column and value of the rejected rows
    assert "b.csv, row 5, column 'Sprachen'" in err and "'Klingonx'" in err
    assert "Traceback" not in err


def test_report_is_excel_friendly_utf8_with_bom(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "c.csv", "Name;Kategorie\nÄrztin Öztürk;Ärztlich\n")
    import_file(tmp_path / "c.csv", settings, report_path=tmp_path / "report.csv")
    raw = (tmp_path / "report.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Ärztlich".encode() in raw


@pytest.mark.parametrize("content, words", [
    (b"", ["leer.csv", "empty"]),
    (b"Zeile;Ort\nA;B\n", ["leer.csv", "no name column", "Zeile"]),
    (b"Name;Ort\nB\x81ro;K\x8dln\n", ["leer.csv", "encoding"]),
    (b"Name;Ort\n", ["leer.csv", "no offers"]),
])
def test_unusable_file_exit_2_one_line_nothing_changed(tmp_path, capsys, content, words):
    cfg = config(tmp_path)
    write_csv(tmp_path / "ok.csv", "Name\nSchon da\n")
    assert run(capsys, "import", tmp_path / "ok.csv", "--config", cfg)[0] == 0
    before = snapshot(tmp_path)
    (tmp_path / "leer.csv").write_bytes(content)
    code, out, err = run(capsys, "import", tmp_path / "leer.csv", "--source", "ok.csv", "--config", cfg)
    assert code == 2
    for word in words:
        assert word in err
    assert "nothing was changed" in err and "Traceback" not in err
    assert snapshot(tmp_path) == before


def test_strict_stores_nothing_unless_every_row_is_valid(tmp_path, capsys):
    cfg = config(tmp_path)
    write_csv(tmp_path / "s.csv", "Name;Kategorie;Sprachen\nGut;Beratung;\nSchlecht;Beratung;Klingonx\n")
    code, out, _ = run(capsys, "import", tmp_path / "s.csv", "--strict", "--config", cfg, "--report", tmp_path / "r.csv")
    assert code == 1 and "--strict" in out
    assert not stored(tmp_path).exists()
    assert read_report(tmp_path / "r.csv")  # the report is written anyway
    write_csv(tmp_path / "s.csv", "Name;Kategorie\nGut;Beratung\n")
    assert run(capsys, "import", tmp_path / "s.csv", "--strict", "--config", cfg)[0] == 0
    assert stored(tmp_path).offers()["name"].tolist() == ["Gut"]


def test_a_list_whose_every_row_fails_does_not_wipe_its_source(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "l.csv", "Name;Kategorie\nA;Beratung\nB;Sport\n")
    import_file(tmp_path / "l.csv", settings)
    write_csv(tmp_path / "l.csv", "Name;Kategorie\nA;Mobilität\nB;Kultur\n")
    summary = import_file(tmp_path / "l.csv", settings)
    assert summary.exit_code == 1 and not summary.stored and summary.needs_review == 2
    assert "nothing stored" in summary.lines()[-1]
    assert stored(settings.base_dir).offers()["name"].tolist() == ["A", "B"]


def test_duplicates_are_counted_reported_and_not_stored_twice(tmp_path, capsys):
    cfg = config(tmp_path)
    write_csv(tmp_path / "d.csv", "Name;Adresse\nTreff;Marktstraße 5, 67655 Kaiserslautern\n"
              "Treff;Marktstraße 5, 67655 Kaiserslautern\nTREFF;Marktstrasse 5, 67655 Kaiserslautern\n")
    code, out, _ = run(capsys, "import", tmp_path / "d.csv", "--config", cfg, "--report", tmp_path / "r.csv")
    assert code == 0
    assert "3 rows read, 1 imported (1 with warnings), 0 rejected, 2 duplicates" in out  # not located
    assert len(stored(tmp_path).offers()) == 1
    duplicates = [r for r in read_report(tmp_path / "r.csv") if r["severity"] == "duplicate"]
    assert [(r["row"], "row 2" in r["message"]) for r in duplicates] == [("3", True), ("4", True)]


def test_xlsx_first_sheet_or_the_named_one(tmp_path, capsys):
    import openpyxl

    cfg = config(tmp_path)
    book = openpyxl.Workbook()
    book.active.title = "Stadt"
    for row in (["Bezeichnung", "Kategorie", "Breitengrad", "Längengrad"], ["Aus Blatt 1", "Beratung", 49.44, 7.75]):
        book.active.append(row)
    second = book.create_sheet("Kreis")
    for row in (["Name", "PLZ"], ["Aus Blatt 2", 67655]):
        second.append(row)
    book.save(tmp_path / "liste.xlsx")
    assert run(capsys, "import", tmp_path / "liste.xlsx", "--config", cfg, "--source", "a")[0] == 0
    assert run(capsys, "import", tmp_path / "liste.xlsx", "--sheet", "Kreis", "--config", cfg, "--source", "b")[0] == 0
    offers = stored(tmp_path).offers().set_index("name")
    assert offers.loc["Aus Blatt 1", "geocode_status"] == "given"
    assert offers.loc["Aus Blatt 2", "postcode"] == "67655"
    code, _, err = run(capsys, "import", tmp_path / "liste.xlsx", "--sheet", "Land", "--config", cfg)
    assert code == 2 and "no sheet 'Land'; sheets: Stadt, Kreis" in err


# -- sources side by side -------------------------------------------------------------------------

def test_reimporting_a_source_replaces_it_by_id_and_leaves_others(tmp_path, capsys):
    cfg = config(tmp_path)
    write_csv(tmp_path / "stadt.csv", "ID;Name;Kategorie\ns1;Eins;Beratung\ns2;Zwei;Beratung\ns3;Drei;Beratung\n")
    write_csv(tmp_path / "kreis.csv", "ID;Name;Kategorie\nk1;Kreis Eins;Sport\n")
    assert run(capsys, "import", tmp_path / "stadt.csv", "--source", "stadt", "--config", cfg)[0] == 0
    assert run(capsys, "import", tmp_path / "kreis.csv", "--source", "kreis", "--config", cfg)[0] == 0
    kreis_before = stored(tmp_path).offers().query("source == 'kreis'")

    write_csv(tmp_path / "stadt.csv", "ID;Name;Kategorie\ns1;Eins;Beratung\ns2;Zwei geändert;Beratung\ns4;Vier;Sport\n")
    code, out, _ = run(capsys, "import", tmp_path / "stadt.csv", "--source", "stadt", "--config", cfg)
    assert code == 0 and "source 'stadt': 1 added, 1 changed, 1 removed" in out
    offers = stored(tmp_path).offers()
    assert sorted(offers.query("source == 'stadt'")["id"]) == ["s1", "s2", "s4"]
    assert offers.set_index("id").loc["s2", "name"] == "Zwei geändert"
    kreis_after = offers.query("source == 'kreis'")
    assert kreis_after.drop(columns="geometry").reset_index(drop=True).equals(
        kreis_before.drop(columns="geometry").reset_index(drop=True))
    log = stored(tmp_path).imports()
    assert log["source"].tolist() == ["stadt", "kreis", "stadt"]
    assert log.iloc[-1][["added", "changed", "removed"]].astype(int).tolist() == [1, 1, 1]


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "a.csv", "Name;Sprachen;Breitengrad;Längengrad;Zielgruppen\nA;Arabisch (Do), Farsi;49,44;7,75;Frauen\n"
              "B;;;;\n")
    import_file(tmp_path / "a.csv", settings)
    again = import_file(tmp_path / "a.csv", settings)
    assert (again.added, again.changed, again.removed) == (0, 0, 0)


def test_an_id_used_by_another_source_is_rejected(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "a.csv", "ID;Name\nx1;A\n")
    write_csv(tmp_path / "b.csv", "ID;Name\nx1;B\nx2;C\n")
    import_file(tmp_path / "a.csv", settings, source="a")
    summary = import_file(tmp_path / "b.csv", settings, source="b", report_path=tmp_path / "r.csv")
    assert summary.rejected == 1 and summary.exit_code == 1
    offers = stored(settings.base_dir).offers().set_index("id")
    assert offers.loc["x1", "name"] == "A" and offers.loc["x2", "source"] == "b"
    assert any(r["row"] == "2" and "source 'a'" in r["message"] for r in read_report(tmp_path / "r.csv"))


# -- rows without a place -------------------------------------------------------------------------

def test_rows_without_coordinates_are_stored_not_located_and_listed(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "n.csv", "Name;Adresse;Breitengrad;Längengrad;Art\nOhne;Marktstraße 5, 67655 Kaiserslautern;;;\n"
              "Mit;;49,44;7,75;\nOnline;;;;online\nWeit weg;;52,5;13,4;\n")
    summary = import_file(tmp_path / "n.csv", settings, report_path=tmp_path / "r.csv")
    assert summary.exit_code == 0 and summary.imported == 4 and summary.not_located == 2
    assert "2 offers have no coordinates yet" in " ".join(summary.lines())
    status = stored(settings.base_dir).offers().set_index("name")["geocode_status"].to_dict()
    assert status == {"Ohne": "not_located", "Mit": "given", "Online": "virtual", "Weit weg": "not_located"}
    listed = {r["row"] for r in read_report(tmp_path / "r.csv") if "not located" in r["message"]}
    assert listed == {"2", "5"}


class FakeGeocoder:
    """Answers from a dict; anything else is not found."""

    def __init__(self, known: dict[str, tuple[float, float]], blocked_after: int | None = None):
        self.known, self.blocked_after, self.asked = known, blocked_after, []

    def geocode_many(self, queries):
        results = []
        for query in queries:
            if self.blocked_after is not None and len(results) == self.blocked_after:
                raise GeocodingBlocked("403 from provider", "fake", results)
            self.asked.append(query.text)
            hit = self.known.get(query.text)
            results.append(GeocodeResult("ok", *hit, precision="house", provider="fake") if hit
                           else GeocodeResult("not_found", provider="fake", message="no match"))
        return results


def test_rows_without_coordinates_go_through_the_geocoder(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "g.csv", "Name;Straße;Hausnummer;PLZ;Ort;Breitengrad;Längengrad\n"
              "Gefunden;Marktstraße;5;67655;Kaiserslautern;;\nNicht gefunden;Nirgendwo;1;67655;Kaiserslautern;;\n"
              "Schon da;Marktstraße;9;67655;Kaiserslautern;49,44;7,75\n")
    geocoder = FakeGeocoder({"Marktstraße 5, 67655 Kaiserslautern": (49.443, 7.771)})
    summary = import_file(tmp_path / "g.csv", settings, geocoder=geocoder, report_path=tmp_path / "r.csv")
    assert geocoder.asked == ["Marktstraße 5, 67655 Kaiserslautern", "Nirgendwo 1, 67655 Kaiserslautern"]
    offers = stored(settings.base_dir).offers().set_index("name")
    assert offers.loc["Gefunden", ["geocode_status", "geocode_provider"]].tolist() == ["ok", "fake"]
    assert offers.loc["Gefunden", "geometry"].y == pytest.approx(49.443)
    assert offers.loc["Nicht gefunden", "geocode_status"] == "not_found"
    assert offers.loc["Nicht gefunden", "geometry"] is None
    assert summary.imported == 3 and summary.not_located == 1
    assert any(r["row"] == "3" and "could not be located" in r["message"] for r in read_report(tmp_path / "r.csv"))


def test_a_provider_refusing_midway_keeps_every_row(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "g.csv", "Name;Straße;Hausnummer;Ort\nA;Marktstraße;1;Kaiserslautern\n"
              "B;Marktstraße;2;Kaiserslautern\nC;Marktstraße;3;Kaiserslautern\n")
    geocoder = FakeGeocoder({"Marktstraße 1, Kaiserslautern": (49.44, 7.75)}, blocked_after=1)
    summary = import_file(tmp_path / "g.csv", settings, geocoder=geocoder)
    assert summary.stored and summary.imported == 3
    status = stored(settings.base_dir).offers().set_index("name")["geocode_status"].to_dict()
    assert status == {"A": "ok", "B": "error", "C": "error"}
    assert any("geocoding stopped" in p.message for p in summary.problems)


def test_offers_outside_every_district_are_flagged_not_dropped(tmp_path):
    settings = make_settings(tmp_path)
    districts = gpd.GeoDataFrame({"district_id": ["01"], "name": ["Mitte"]},
                                 geometry=[box(7.70, 49.40, 7.80, 49.48)], crs=4326)
    stored(settings.base_dir).write(districts=districts)
    write_csv(tmp_path / "d.csv", "Name;Breitengrad;Längengrad\nDrin;49,44;7,75\nDraußen;49,50;7,90\nOhne Ort;;\n")
    summary = import_file(tmp_path / "d.csv", settings)
    offers = stored(settings.base_dir).offers().set_index("name")
    assert offers["district"].to_dict() == {"Drin": "01", "Draußen": "", "Ohne Ort": ""}
    assert offers["district_status"].to_dict() == {"Drin": "inside", "Draußen": "outside", "Ohne Ort": ""}
    flagged = [p for p in summary.problems if "outside every district" in p.message]
    assert [p.row for p in flagged] == [3]


# -- bad input: clear messages naming file, row, column, value ---------------------------------------

@pytest.mark.parametrize("csv_text, row, column, value_part, words", [
    ("Name;Breitengrad;Längengrad\nA;52,52;13,40\n", 2, "Breitengrad", "52.52", "outside the area"),
    ("Name;Breitengrad;Längengrad\nA;7,75;49,44\n", 2, "Breitengrad", "7.75", "swapped"),
    ("Name;Öffnungszeiten\nA;Mo 25:00-26:00\n", 2, "Öffnungszeiten", "Mo 25:00-26:00", "not a time of day"),
    ("Name;Sprachen\nA;Deutsch\nB;Arabsich, Klingonx\n", 3, "Sprachen", "Klingonx", "unknown language"),
    ("Name;Kategorie\nA;\n", 2, "Kategorie", "", "no category"),
])
def test_row_problems_name_file_row_column_and_value(tmp_path, csv_text, row, column, value_part, words):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "liste.csv", csv_text)
    summary = import_file(tmp_path / "liste.csv", settings)
    found = [p for p in summary.problems if p.row == row and p.column == column and words in p.message]
    assert found, [str(p) for p in summary.problems]
    text = str(found[0])
    assert text.startswith(f"liste.csv, row {row}, column {column!r}")
    assert value_part in found[0].value


def test_an_xlsx_that_is_really_a_csv_imports_with_a_warning(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "liste.xlsx", "Name;Kategorie\nA;Beratung\n")
    summary = import_file(tmp_path / "liste.xlsx", settings)
    assert summary.imported == 1
    assert any("not an Excel workbook" in str(p) and str(p).startswith("liste.xlsx") for p in summary.problems)


def test_input_error_from_the_library_changes_nothing(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "ok.csv", "Name\nA\n")
    import_file(tmp_path / "ok.csv", settings)
    before = snapshot(tmp_path)
    write_csv(tmp_path / "kaputt.geojson", "{nicht json")
    with pytest.raises(InputError, match="kaputt.geojson"):
        import_file(tmp_path / "kaputt.geojson", settings, source="ok.csv")
    assert snapshot(tmp_path) == before


# -- the invariant, on many generated lists ----------------------------------------------------------

NAMES = st.text(alphabet=string.ascii_letters + "äöüß <>&\"' ", max_size=12)
CELL = {
    "Name": NAMES,
    "Kategorie": st.sampled_from(["", "Beratung", "Sport", "Quatsch", "Arzt/Ärztin"]),
    "Sprachen": st.sampled_from(["", "Deutsch", "Arabisch, Farsi", "Klingonx", "Kurdisch (Kurmanji); Dari"]),
    "Breitengrad": st.sampled_from(["", "49,44", "7,75", "52,5", "x"]),
    "Längengrad": st.sampled_from(["", "7,75", "49,44", "13,4"]),
    "Öffnungszeiten": st.sampled_from(["", "Mo 09:00-12:00", "kaputt"]),
    "Art": st.sampled_from(["", "vor Ort", "online"]),
}
ROW = st.fixed_dictionaries(CELL)


@hyp_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=12))
def test_every_row_ends_in_the_store_or_the_report(tmp_path, rows):
    with tempfile.TemporaryDirectory(dir=tmp_path) as work:
        work = Path(work)
        settings = make_settings(work)
        path = work / "liste.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(list(CELL))
            writer.writerows([[row[c] for c in CELL] for row in rows])
        try:
            summary = import_file(path, settings, report_path=work / "r.csv")
        except InputError:
            # only when no row has any content at all
            assert all(not any(v.strip() for v in row.values()) for row in rows)
            return
        report = read_report(work / "r.csv")
        non_blank = [i + 2 for i, row in enumerate(rows) if any(v.strip() for v in row.values())]
        turned_away = {int(r["row"]) for r in report if r["severity"] in ("error", "duplicate")}
        stored_offers = stored(settings.base_dir).offers() if summary.stored else None
        assert summary.rows_read == len(non_blank)
        waiting = {int(r["row"]) for r in report if r["severity"] == "review"} - turned_away
        assert summary.imported + summary.rejected + summary.duplicates + summary.needs_review == summary.rows_read
        assert turned_away <= set(non_blank)
        assert len(turned_away) == summary.rejected + summary.duplicates
        assert len(waiting) == summary.needs_review
        if stored_offers is not None:
            assert len(stored_offers) == summary.imported
        else:
            assert summary.imported == 0 or summary.rejected or summary.needs_review


def test_import_columns_from_the_config_and_an_excel_report(tmp_path):
    settings = make_settings(tmp_path, **{"import": {"columns": {"Wer": "name", "Plätze": "capacity"}}})
    write_csv(tmp_path / "m.csv", "Wer;Kategorie;Plätze\nTreff am Markt;Treffpunkt;12\nTest;Treffpunkt;x\n")
    summary = import_file(tmp_path / "m.csv", settings, report_path=tmp_path / "probleme.xlsx")
    assert stored(tmp_path).offers()["name"].tolist() == ["Treff am Markt"]
    assert summary.needs_review == 1  # "Test" is a test entry
    book = openpyxl.load_workbook(tmp_path / "probleme.xlsx")
    assert book["Zeilen"].cell(3, 2).value == "kept for review (unpublished)"
    # an explicit mapping wins over the config
    summary = import_file(tmp_path / "m.csv", settings, columns={"Wer": "organisation", "Kategorie": "name"})
    assert "Treffpunkt" in stored(tmp_path).offers()["name"].tolist()


# -- re-import as a three-way merge (web edits survive an unchanged list) ------------------------------

def test_reimport_keeps_web_edits_the_file_did_not_touch_and_takes_what_it_changed(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "l.csv", "ID;Name;Telefon;Kategorie\nx1;Treff;0631 1;Treffpunkt\nx2;Kurs;0631 2;Sprachkurs\n"
              "x3;Weg;;Sport\n")
    import_file(tmp_path / "l.csv", settings, source="stadt")
    with stored(tmp_path) as store:
        store.update_offer("x1", {"phone": "0631 999"}, expected_version=1, actor="editor@example.org")
        store.update_offer("x2", {"name": "Kurs (Web)"}, expected_version=1, actor="editor@example.org")
    write_csv(tmp_path / "l.csv", "ID;Name;Telefon;Kategorie\nx1;Treff;0631 1;Treffpunkt\nx2;Kurs neu;0631 2;Sprachkurs\n"
              "x4;Lauftreff;;Sport\n")
    summary = import_file(tmp_path / "l.csv", settings, source="stadt")
    assert (summary.added, summary.changed, summary.removed) == (1, 1, 1)
    with stored(tmp_path) as store:
        offers = store.offers().set_index("id")
        assert offers.loc["x1", "phone"] == "0631 999"  # the file did not change it: the web edit stays
        assert offers.loc["x2", "name"] == "Kurs neu"  # the file changed it: the file wins ...
        assert [e.after.get("name") for e in store.history("x2")][-2:] == ["Kurs (Web)", "Kurs neu"]  # ... both kept
        assert store.offer("x1")["version"] == 2  # untouched by the import
        assert "x3" not in offers.index and store.offer("x3", include_deleted=True)["deleted_by"] == "import l.csv"
        assert store.history("x4")[0].actor == "import l.csv" and store.history("x4")[0].action == "create"
        assert store.restore_offer("x3", actor="editor@example.org")["name"] == "Weg"


def test_an_offer_the_import_removed_comes_back_with_the_list_one_an_editor_deleted_stays_deleted(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "l.csv", "ID;Name\na;A\nb;B\n")
    import_file(tmp_path / "l.csv", settings, source="s")
    write_csv(tmp_path / "l.csv", "ID;Name\nb;B\n")
    import_file(tmp_path / "l.csv", settings, source="s")
    with stored(tmp_path) as store:
        store.delete_offer("b", expected_version=1, actor="editor@example.org")
    write_csv(tmp_path / "l.csv", "ID;Name\na;A\nb;B\n")
    again = import_file(tmp_path / "l.csv", settings, source="s")
    assert (again.added, again.removed) == (1, 0)
    with stored(tmp_path) as store:
        assert store.offers()["id"].tolist() == ["a"]
        assert [e.action for e in store.history("a")] == ["create", "delete", "import"]


def test_an_unchanged_reimport_makes_no_offer_version_and_only_logs(tmp_path):
    settings = make_settings(tmp_path)
    write_csv(tmp_path / "l.csv", "ID;Name;Breitengrad;Längengrad\na;A;49,44;7,75\n")
    import_file(tmp_path / "l.csv", settings, source="s")
    with stored(tmp_path) as store:
        before = store.data_version()
    import_file(tmp_path / "l.csv", settings, source="s")
    with stored(tmp_path) as store:
        assert store.offer("a")["version"] == 1 and len(store.history("a")) == 1
        assert store.data_version() == before + 1 and len(store.imports()) == 2
        assert store.changes_since(before).offer_ids == frozenset()
