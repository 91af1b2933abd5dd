"""geo.store: one GeoPackage, every layer, replaced atomically."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from conftest import make_settings
from shapely.geometry import box

from geo.importer import import_file, to_geodataframe
from geo.readers.tabular import build_raw_table
from geo.schema import OFFER_COLUMNS
from geo.store import Store, StoreError
from geo.validate import validate_table

ROOT = Path(__file__).resolve().parents[1]


def offers_frame(settings, rows: list[dict], source: str = "test") -> gpd.GeoDataFrame:
    headers = list(dict.fromkeys(k for row in rows for k in row))
    raw = build_raw_table("t.csv", headers, [[row.get(h, "") for h in headers] for row in rows], [])
    return to_geodataframe(validate_table(raw, settings, source).offers)


ROWS = [
    {"ID": "a", "Name": "Sprachcafé „Grüß Gott“ & <b>Freunde</b>", "Kategorie": "Sprachkurs",
     "Breitengrad": "49,44", "Längengrad": "7,75", "Sprachen": "Arabisch (donnerstags), Ukrainisch, Dari",
     "Zielgruppen": "Frauen; Kinder", "Alter von": "6"},
    {"ID": "b", "Name": "Online-Beratung", "Art": "online", "Sprachen": "العربية"},
    {"ID": "c", "Name": "Ohne Ort", "Straße": "Marktstraße", "Hausnummer": "5"},
]


def test_a_missing_store_reads_as_empty(tmp_path):
    store = Store(tmp_path / "none.gpkg")
    assert not store.exists() and store.layers() == [] and store.version == ""
    offers = store.offers()
    assert list(offers.columns) == [*OFFER_COLUMNS, "geometry"] and offers.empty and offers.crs.to_epsg() == 4326
    assert store.districts().empty and store.population().empty and store.imports().empty


def test_offers_round_trip_with_lists_notes_missing_places_and_unicode(tmp_path):
    settings = make_settings(tmp_path)
    offers = offers_frame(settings, ROWS)
    store = Store(tmp_path / "s.gpkg")
    store.write(offers=offers)
    back = Store(tmp_path / "s.gpkg").offers()
    assert list(back.columns) == [*OFFER_COLUMNS, "geometry"]
    assert back.crs.to_epsg() == 4326
    for column in OFFER_COLUMNS:
        for written, read in zip(offers[column], back[column]):
            if isinstance(written, float) and math.isnan(written):
                assert math.isnan(read), column
            else:
                assert read == written, column
    assert back["languages"][0] == ["ar", "uk", "prs"] and back["language_notes"][0] == {"ar": "donnerstags"}
    assert back.geometry[0].x == 7.75 and back.geometry[0].y == 49.44
    assert back.geometry[1] is None and back.geometry[2] is None  # virtual and not located: no point
    assert set(store.layers()) >= {"offers", "districts", "meta"}


def test_the_store_opens_in_any_gis_as_a_plain_geopackage(tmp_path):
    settings = make_settings(tmp_path)
    store = Store(tmp_path / "s.gpkg")
    store.write(offers=offers_frame(settings, ROWS), import_record={"source": "x", "rows_read": 3})
    info = pyogrio.read_info(store.path, layer="offers")
    assert info["geometry_type"] == "Point" and info["features"] == 3
    frame = gpd.read_file(store.path, layer="offers")
    assert frame["languages"][0] == '["ar", "uk", "prs"]'  # lists are JSON text in the file


def test_writing_one_layer_keeps_the_others_and_logs_imports(tmp_path):
    settings = make_settings(tmp_path)
    store = Store(tmp_path / "s.gpkg")
    first = store.write(offers=offers_frame(settings, ROWS), import_record={"source": "x", "rows_read": 3, "imported": 3})
    districts = gpd.GeoDataFrame({"district_id": ["01"], "name": ["Mitte"]}, geometry=[box(7.7, 49.4, 7.8, 49.5)], crs=4326)
    second = store.write(districts=districts)
    store.write(population=pd.DataFrame({"district_id": ["01"], "population": [1234.0]}))
    store.write(extra_layers={"grid": pd.DataFrame({"cell": ["a"], "people": [3]})})
    store.write(import_record={"source": "y", "rows_read": 1, "imported": 1})
    assert first != second != store.version
    again = Store(tmp_path / "s.gpkg")
    assert again.offers()["id"].tolist() == ["a", "b", "c"]
    assert again.districts()["name"].tolist() == ["Mitte"]
    assert again.districts().geometry[0].geom_type in ("Polygon", "MultiPolygon")
    assert again.population()["population"].tolist() == [1234.0]
    assert again.read_table("grid")["people"].tolist() == [3]
    assert again.imports()["source"].tolist() == ["x", "y"]


def test_a_second_store_object_sees_writes_of_another(tmp_path):
    settings = make_settings(tmp_path)
    reader, writer = Store(tmp_path / "s.gpkg"), Store(tmp_path / "s.gpkg")
    writer.write(offers=offers_frame(settings, ROWS[:1]))
    assert len(reader.offers()) == 1
    version = reader.version
    writer.write(offers=offers_frame(settings, ROWS))
    assert len(reader.offers()) == 3 and reader.version != version


def test_a_file_that_is_not_a_geopackage_is_a_store_error(tmp_path):
    path = tmp_path / "s.gpkg"
    path.write_text("kein GeoPackage", encoding="utf-8")
    with pytest.raises(StoreError, match="s.gpkg"):
        Store(path).offers()


def test_stale_temporary_files_of_dead_writers_are_removed_live_ones_kept(tmp_path):
    settings = make_settings(tmp_path)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        dead = tmp_path / ".s.999999999-abcdef.tmp.gpkg"
        dead_journal = tmp_path / ".s.999999999-abcdef.tmp.gpkg-journal"
        live = tmp_path / f".s.{sleeper.pid}-abcdef.tmp.gpkg"
        for f in (dead, dead_journal, live):
            f.write_bytes(b"half written")
        Store(tmp_path / "s.gpkg").write(offers=offers_frame(settings, ROWS))
        assert not dead.exists() and not dead_journal.exists()
        assert live.exists()  # another import is writing right now
    finally:
        sleeper.kill()
        sleeper.wait()


# -- atomic replace: a real SIGKILL in the middle of writing ------------------------------------------

SLOW_WRITER = textwrap.dedent("""
    import sys, time
    import geo.store

    _original = geo.store._write_layer
    written = []

    def slow_write_layer(path, name, frame):
        _original(path, name, frame)
        written.append(name)
        if len(written) == 1:
            print("FIRST LAYER WRITTEN", path, flush=True)
            time.sleep(120)

    geo.store._write_layer = slow_write_layer
    from webmap.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def test_killing_an_import_while_it_writes_leaves_the_previous_data_intact(tmp_path):
    (tmp_path / "cfg.toml").write_text('[store]\npath = "store.gpkg"\n', encoding="utf-8")
    settings = make_settings(tmp_path)
    (tmp_path / "v1.csv").write_text("ID;Name;Breitengrad;Längengrad\nv1-a;Alt A;49,44;7,75\nv1-b;Alt B;49,45;7,76\n",
                                     encoding="utf-8")
    first = import_file(tmp_path / "v1.csv", settings, source="stadt")
    assert first.stored
    store = Store(tmp_path / "store.gpkg")
    before_version, before_bytes = store.version, store.path.read_bytes()
    (tmp_path / "v2.csv").write_text("ID;Name\n" + "".join(f"v2-{i};Neu {i}\n" for i in range(500)), encoding="utf-8")
    (tmp_path / "slow.py").write_text(SLOW_WRITER, encoding="utf-8")

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(tmp_path / "slow.py"), "import", str(tmp_path / "v2.csv"),
                             "--source", "stadt", "--config", str(tmp_path / "cfg.toml")],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "FIRST LAYER WRITTEN" in line, line + proc.stderr.read()
        tmp_file = Path(line.split()[-1])
        assert tmp_file.exists() and tmp_file != store.path
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    assert store.path.read_bytes() == before_bytes
    after = Store(tmp_path / "store.gpkg")
    assert after.version == before_version
    assert after.offers()["name"].tolist() == ["Alt A", "Alt B"]
    assert after.imports()["source"].tolist() == ["stadt"]

    # the next import works and clears the killed writer's leftovers
    again = import_file(tmp_path / "v2.csv", settings, source="stadt")
    assert again.stored and (again.added, again.removed) == (500, 2)
    assert not tmp_file.exists()
    assert not list(tmp_path.glob(".store.*.tmp.gpkg*"))
    assert len(Store(tmp_path / "store.gpkg").offers()) == 500


def test_a_failing_write_leaves_no_temporary_file_and_the_old_data(tmp_path, monkeypatch):
    settings = make_settings(tmp_path)
    store = Store(tmp_path / "s.gpkg")
    store.write(offers=offers_frame(settings, ROWS))
    import geo.store

    def broken(path, name, frame):
        raise OSError("disk full")

    monkeypatch.setattr(geo.store, "_write_layer", broken)
    with pytest.raises(OSError, match="disk full"):
        store.write(offers=offers_frame(settings, ROWS[:1]))
    assert not list(tmp_path.glob(".s.*"))
    assert len(Store(tmp_path / "s.gpkg").offers()) == 3
