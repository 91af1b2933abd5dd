"""angebotskarte store copy: file -> PostGIS -> file, losslessly."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_settings, write_csv
from sqlalchemy import select

from geo.importer import import_file
from geo.store import StoreError, open_store
from geo.store.tables import api_tokens, changes, imports, meta, offer_history, offers
from test_store import DISTRICTS
from webmap.cli import main


def dump(store) -> dict:
    """Every row of every copied table, geometries as WKT (their encodings differ by backend)."""
    out = {}
    with store.backend.engine.connect() as connection:
        for table in (offers, offer_history, changes, imports, api_tokens, meta):
            rows = [dict(r) for r in connection.execute(select(table).order_by(table.c.fid)).mappings()]
            if rows and "geom" in rows[0]:
                geoms = store.backend.decode_geometries([r["geom"] for r in rows])
                for row, geom in zip(rows, geoms):
                    row["geom"] = None if geom is None else geom.wkt
            out[table.name] = rows
    out["districts"] = store.districts().to_wkt().to_dict("records")
    out["layers"] = {name: store.read_table(name).to_dict("list") for name in store.layers()
                     if name not in ("offers", "districts", "imports", "meta")}
    return out


def test_copy_file_to_postgis_and_back_is_lossless(tmp_path, postgis_url, capsys):
    file_settings = make_settings(tmp_path)
    write_csv(tmp_path / "l.csv", "ID;Name;Sprachen;Breitengrad;Längengrad\na;Ä „1“;Arabisch (Do), Dari;49,44;7,75\n"
              "b;Online;Türkisch;;\nc;C;;49,45;7,76\n")
    with open_store(file_settings) as store:
        store.replace_districts(DISTRICTS, actor="test")
    import_file(tmp_path / "l.csv", file_settings, source="stadt")
    with open_store(file_settings) as store:
        store.update_offer("a", {"phone": "0631 1"}, expected_version=1, actor="editor@example.org")
        store.delete_offer("c", expected_version=1, actor="editor@example.org")
        store.replace_population(pd.DataFrame({"district_id": ["01"], "population": [1234.0], "Syrien": [12]}),
                                 actor="test")
        store.replace_layer("population_grid", pd.DataFrame({"x": [1.5], "y": [2.5], "population": [3.0]}),
                            actor="test")
        store.create_token("verein", "provider", source="stadt")
        original = dump(store)
    (tmp_path / "file.toml").write_text('[store]\npath = "store.gpkg"\n', encoding="utf-8")
    (tmp_path / "pg.toml").write_text(f'[store]\nurl = "{postgis_url}"\n', encoding="utf-8")
    (tmp_path / "back.toml").write_text('[store]\npath = "back.gpkg"\n', encoding="utf-8")
    assert main(["store", "copy", "--from", str(tmp_path / "file.toml"), "--to", str(tmp_path / "pg.toml")]) == 0
    assert "copied 3 offers" in capsys.readouterr().out
    assert main(["store", "copy", "--to", str(tmp_path / "back.toml"), "--config", str(tmp_path / "pg.toml")]) == 0
    with open_store(make_settings(tmp_path, store={"url": postgis_url})) as middle:
        assert dump(middle) == original
        assert middle.offer("a")["phone"] == "0631 1" and middle.offer("c") is None
    with open_store(make_settings(tmp_path, store={"path": str(tmp_path / "back.gpkg")})) as back:
        assert dump(back) == original
        assert back.version == open_store(file_settings).version  # same store id and data version: ETags stay valid
        back.update_offer("b", {"name": "Nach der Kopie"}, expected_version=1, actor="x")  # the copy is writable
    # a second copy into a store that is no longer empty is refused
    assert main(["store", "copy", "--from", str(tmp_path / "file.toml"), "--to", str(tmp_path / "pg.toml")]) == 2
    assert "not empty" in capsys.readouterr().err


def test_copy_of_a_missing_store_says_so(tmp_path):
    with open_store(make_settings(tmp_path)) as missing, open_store(make_settings(tmp_path / "b")) as target:
        with pytest.raises(StoreError, match="no store to copy"):
            from geo.store import copy_store

            copy_store(missing, target)
