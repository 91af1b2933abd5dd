"""Upgrading a GeoPackage written by the whole-file store (tests/data/legacy_store.gpkg).

The fixture file was written by the previous geo/store.py (pyogrio, one file
rewritten per write): offers of two sources, two districts, a population table
with an extra column, two import records and a population grid layer.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pyogrio
import pytest
from conftest import make_settings, write_csv

from geo.importer import import_file
from geo.store import open_store

LEGACY = Path(__file__).resolve().parents[1] / "data" / "legacy_store.gpkg"


@pytest.fixture
def legacy(tmp_path):
    shutil.copyfile(LEGACY, tmp_path / "store.gpkg")
    return make_settings(tmp_path)


def test_the_first_read_upgrades_a_whole_file_store_keeping_everything(legacy, caplog):
    caplog.set_level(logging.WARNING, logger="geo.store")
    with open_store(legacy) as store:
        offers = store.offers().set_index("id")
        assert any("upgrading the store from schema whole-file store" in r.getMessage() for r in caplog.records)
        assert sorted(offers.index) == ["a", "b", "c", "k1"]
        assert offers.loc["a", "languages"] == ["ar", "uk", "prs"]
        assert offers.loc["a", "language_notes"] == {"ar": "donnerstags"}
        assert offers.loc["a", "target_groups"] == ["women", "children"] and offers.loc["a", "age_min"] == 6.0
        assert offers.loc["a", "district"] == "01" and offers.loc["a"].geometry.x == 7.75
        assert offers.loc["b"].geometry is None and offers.loc["k1", "source"] == "kreis"
        assert store.offer("a")["version"] == 1 and store.offer("a")["updated_by"] == "upgrade"
        [created] = store.history("a")
        assert (created.action, created.actor, created.after["languages"]) == ("create", "upgrade", ["ar", "uk", "prs"])
        assert store.districts()["name"].tolist() == ["Innenstadt", "Ost"]
        assert store.population().set_index("district_id")["Syrien"].to_dict() == {"01": 120.0, "02": 80.0}
        assert store.read_table("population_grid")["population"].tolist() == [12.0, 7.0]
        assert store.imports()["source"].tolist() == ["stadt.csv", "kreis"]
        assert store.imports()["added"].tolist() == [3, 1]
    caplog.clear()
    with open_store(legacy) as store:  # once only
        store.offers()
    assert not caplog.records
    layers = {str(n): str(t) for n, t in pyogrio.list_layers(legacy.store_path)}
    assert layers["offers"] == "Point" and layers["districts"] == "MultiPolygon"
    assert {"population", "population_grid", "imports"} <= set(layers)
    assert not any(name.startswith("rtree_") for name in layers)
    assert sorted(pyogrio.read_dataframe(legacy.store_path, layer="offers")["id"]) == ["a", "b", "c", "k1"]


def test_an_import_into_an_old_store_upgrades_it_and_merges(legacy, tmp_path):
    write_csv(tmp_path / "kreis.csv", "ID;Name;Kategorie;Breitengrad;Längengrad\nk1;Kreis Treff neu;Treffpunkt;49,45;7,76\n")
    summary = import_file(tmp_path / "kreis.csv", legacy, source="kreis")
    assert (summary.added, summary.changed, summary.removed) == (0, 1, 0)
    with open_store(legacy) as store:
        assert store.offer("k1")["name"] == "Kreis Treff neu" and store.offer("k1")["version"] == 2
        assert store.history("k1")[-1].before["name"] == "Kreis Treff"
        assert store.offer("k1")["district"] == "02"  # the import assigns the stored districts
        assert len(store.offers()) == 4


def test_db_upgrade_says_what_it_did(legacy, tmp_path, capsys):
    from webmap.cli import main

    config = tmp_path / "angebotskarte.toml"
    config.write_text('[store]\npath = "store.gpkg"\n', encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    assert "upgraded from schema whole-file store" in capsys.readouterr().out
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    assert "is current" in capsys.readouterr().out
