"""`angebotskarte gazetteer build|info` and `angebotskarte geocode` from the command line."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from geo.settings import default_values, load_settings
from test_geocoding_gazetteer import MARKT_5, metres, write_town_extract
from test_geocoding_nominatim import USER_AGENT, FakeGeocodingServer, Scripted
from webmap.cli import main

ROOT = Path(__file__).resolve().parents[2]


def write_config(folder: Path, **geocoding) -> Path:
    values = {"providers": ["offline"], "gazetteer": "town.gazetteer.sqlite", **geocoding}
    lines = ["[area]", "bbox = [7.60, 49.35, 7.95, 49.52]", "", "[geocoding]"]
    for key, value in values.items():
        if isinstance(value, list):
            lines.append(f"{key} = [{', '.join(repr(v).replace(chr(39), chr(34)) for v in value)}]")
        elif isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value}")
    path = folder / "angebotskarte.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def town(tmp_path) -> Path:
    """A deployment folder with a config and the small world's gazetteer built by the CLI."""
    extract = write_town_extract(tmp_path, ".osm.pbf")
    config = write_config(tmp_path)
    assert main(["gazetteer", "build", str(extract), "--config", str(config)]) == 0
    return tmp_path


def read_out(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_gazetteer_build_writes_the_configured_file_and_reports(tmp_path, capsys):
    extract = write_town_extract(tmp_path, ".osm.gz")
    config = write_config(tmp_path)
    assert main(["gazetteer", "build", str(extract), "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "town.gazetteer.sqlite").is_file()
    assert re.search(r"indexed 20 addresses \(\+3 on interpolation lines\)", out)
    assert "set in the config" not in out  # it already points there
    assert main(["gazetteer", "info", "--config", str(config)]) == 0
    assert "20 addresses" in capsys.readouterr().out


def test_gazetteer_build_out_option_and_hint(tmp_path, capsys):
    extract = write_town_extract(tmp_path)
    config = write_config(tmp_path)
    target = tmp_path / "elsewhere" / "g.sqlite"
    assert main(["gazetteer", "build", str(extract), "--out", str(target), "--config", str(config)]) == 0
    assert target.is_file()
    # inside the config's folder: relative to it, so the deployment folder can move
    assert 'gazetteer = "elsewhere/g.sqlite"' in capsys.readouterr().out


def _follow_hint(out: str, config: Path) -> None:
    """Do what the hint after `gazetteer build` says: write its value into the config."""
    value = re.search(r'\[geocoding\] gazetteer = ("[^"]*")', out).group(1)
    text = re.sub(r'^gazetteer = .*$', f"gazetteer = {value}", config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("out_arg", ["neu/g.sqlite", "../anderswo/g.sqlite"], ids=["inside", "outside"])
def test_following_the_hint_from_another_folder_finds_the_gazetteer(tmp_path, monkeypatch, capsys, out_arg):
    """The hint names the file as the config resolves paths (against its own folder), not
    relative to the folder the command ran in."""
    town = tmp_path / "stadt"
    town.mkdir()
    extract = write_town_extract(town)
    config = write_config(town)
    work = town / "arbeit"
    work.mkdir()
    monkeypatch.chdir(work)  # the relative --out is relative to this folder, the config's paths are not
    assert main(["gazetteer", "build", str(extract), "--out", out_arg, "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert f"in {config}:" in out
    _follow_hint(out, config)
    assert load_settings(config).path("geocoding", "gazetteer") == (work / out_arg).resolve()
    assert main(["gazetteer", "info", "--config", str(config)]) == 0
    src = work / "in.csv"
    src.write_text("Straße;Hausnummer;PLZ\nMarktstraße;5;67655\n", encoding="utf-8")
    assert main(["geocode", str(src), "--out", str(work / "o.csv"), "--config", str(config)]) == 0
    assert [r["status"] for r in read_out(work / "o.csv")] == ["ok"]


def test_gazetteer_build_bad_input_is_one_line(tmp_path, capsys):
    config = write_config(tmp_path)
    assert main(["gazetteer", "build", str(tmp_path / "nope.osm.pbf"), "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert "nope.osm.pbf: OSM extract not found" in err
    assert len(err.splitlines()) == 1


def test_geocode_csv_with_german_columns(town, capsys):
    src = town / "adressen.csv"
    src.write_text(
        "Name;Straße;Hausnummer;PLZ;Ort;Notiz\n"
        "Beratung;Marktstr.;5;67655;Musterstadt;erste\n"
        "Kurs;Goethestraße;1;67655;Musterstadt;unbekannt\n"
        "Treff;Hauptstraße;5;;;zwei Orte\n"
        "Amt;Bahnweg;1;55116;Fernstadt;weit weg\n"
        "Arzt;Marktstraße;;67655;Musterstadt;ohne Nummer\n", encoding="utf-8")
    out = town / "out" / "mit-koordinaten.csv"
    assert main(["geocode", str(src), "--out", str(out), "--config", str(town / "angebotskarte.toml")]) == 0
    rows = read_out(out)
    assert list(rows[0]) == ["Name", "Straße", "Hausnummer", "PLZ", "Ort", "Notiz",
                             "lat", "lon", "status", "precision", "provider", "message"]
    assert [r["Notiz"] for r in rows] == ["erste", "unbekannt", "zwei Orte", "weit weg", "ohne Nummer"]
    assert [r["status"] for r in rows] == ["ok", "not_found", "not_found", "outside_area", "ok"]
    assert [r["precision"] for r in rows] == ["house", "", "", "", "street"]
    assert rows[0]["provider"] == "offline"
    assert metres((float(rows[0]["lat"]), float(rows[0]["lon"])), MARKT_5) < 1.0
    assert rows[1]["lat"] == "" and "street not in the offline gazetteer" in rows[1]["message"]
    stdout = capsys.readouterr().out
    assert "5 rows: 2 ok, 2 not_found, 1 outside_area" in stdout
    assert "Goethe" not in stdout  # counts, not addresses


def test_geocode_one_address_column_and_given_coordinates(town):
    src = town / "liste.csv"
    src.write_text(
        "address,lat,lon\n"
        "\"Marktstraße 5, 67655 Musterstadt\",,\n"
        "\"Musterstadt 67655, Marktstr. 5\",,\n"
        "\"Irgendwo 1, 67655 Musterstadt\",49.45,7.77\n", encoding="utf-8")
    out = town / "out.csv"
    assert main(["geocode", str(src), "--out", str(out), "--config", str(town / "angebotskarte.toml")]) == 0
    rows = read_out(out)
    assert [r["status"] for r in rows] == ["ok", "ok", "given"]
    assert rows[0]["lat"] == rows[1]["lat"]
    assert (rows[2]["lat"], rows[2]["lon"], rows[2]["provider"]) == ("49.4500000", "7.7700000", "input")
    # Its own output can be the next input: our columns are replaced, not doubled.
    again = town / "again.csv"
    assert main(["geocode", str(out), "--out", str(again), "--config", str(town / "angebotskarte.toml")]) == 0
    assert list(read_out(again)[0]).count("status") == 1


def test_geocode_xlsx(town):
    import openpyxl  # a dependency of the project: missing is a failure, not a skip
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Anschrift", "Bemerkung"])
    sheet.append(["Marktstraße 5, 67655 Musterstadt", "x"])
    book.save(town / "liste.xlsx")
    out = town / "out.csv"
    assert main(["geocode", str(town / "liste.xlsx"), "--out", str(out),
                 "--config", str(town / "angebotskarte.toml")]) == 0
    assert read_out(out)[0]["status"] == "ok"


@pytest.mark.parametrize("content, config_changes, message", [
    ("Name;Telefon\nA;1\n", {}, "no address columns"),
    ("Straße;Ort\nMarktstraße;Musterstadt\n", {"providers": []}, "[geocoding] providers is empty"),
    ("Straße;Ort\nMarktstraße;Musterstadt\n", {"gazetteer": "missing.sqlite"}, "missing.sqlite"),
])
def test_geocode_user_errors_are_one_line(tmp_path, capsys, content, config_changes, message):
    config = write_config(tmp_path, **config_changes)
    src = tmp_path / "in.csv"
    src.write_text(content, encoding="utf-8")
    assert main(["geocode", str(src), "--out", str(tmp_path / "o.csv"), "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o.csv").exists()


def test_geocode_interrupted_keeps_the_cache_and_says_how_to_resume(town, capsys, monkeypatch):
    from geo.geocoding.providers import OfflineProvider

    calls = []
    original = OfflineProvider.lookup

    def interrupted(self, query, **kw):
        calls.append(query)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, query, **kw)

    monkeypatch.setattr(OfflineProvider, "lookup", interrupted)
    src = town / "in.csv"
    src.write_text("Straße;Hausnummer;PLZ\nMarktstraße;5;67655\nMarktstraße;7;67655\nMarktstraße;3;67655\n",
                   encoding="utf-8")
    out = town / "o.csv"
    assert main(["geocode", str(src), "--out", str(out), "--config", str(town / "angebotskarte.toml")]) == 130
    err = capsys.readouterr().err
    assert "interrupted after 1 of 3" in err and "run the same command again to resume" in err
    assert not out.exists()


def test_geocode_online_second_run_asks_nothing_and_refresh_asks_again(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("Straße;Hausnummer;PLZ;Ort\nMarktstraße;5;67655;Kaiserslautern\n"
                   "Marktstraße;7;67655;Kaiserslautern\nNirgendweg;1;67655;Kaiserslautern\n", encoding="utf-8")
    with FakeGeocodingServer() as server:
        # min_delay 0 is allowed for a self-hosted Nominatim; it keeps this test quick on the real clock.
        config = write_config(tmp_path, providers=["nominatim"], nominatim_url=server.url, user_agent=USER_AGENT,
                              min_delay_seconds=0.0, max_retries=0)
        args = ["geocode", str(src), "--out", str(tmp_path / "o.csv"), "--config", str(config)]
        assert main(args) == 0
        assert [r["status"] for r in read_out(tmp_path / "o.csv")] == ["ok", "ok", "not_found"]
        assert len(server.searches()) == 3
        assert main(args) == 0
        assert len(server.searches()) == 3
        assert [r["status"] for r in read_out(tmp_path / "o.csv")] == ["cached", "cached", "not_found"]
        assert main(args + ["--refresh"]) == 0
        assert len(server.searches()) == 6
        server.script = [Scripted(403, {"error": "blocked"})]
        assert main(args + ["--refresh", "--out", str(tmp_path / "blocked.csv")]) == 1
    err = capsys.readouterr().err
    assert "403" in err and "usage policy" in err
    assert not (tmp_path / "blocked.csv").exists()


def test_every_geocoding_key_is_documented():
    doc = (ROOT / "docs" / "geocoding.md").read_text(encoding="utf-8")
    for key in default_values()["geocoding"]:
        assert f"`{key}`" in doc, f"[geocoding] {key} is not described in docs/geocoding.md"
