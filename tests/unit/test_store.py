"""geo.store on both backends: frames in and out, versions, history, soft delete, revert, the change feed."""

from __future__ import annotations

import json
import math
import sqlite3

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from conftest import make_settings
from shapely.geometry import box

from geo.importer import to_geodataframe
from geo.readers.tabular import build_raw_table
from geo.schema import OFFER_COLUMNS
from geo.store import NotFound, Store, StoreError, StoreUnavailable, VersionConflict, open_store
from geo.validate import validate_table


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
DISTRICTS = gpd.GeoDataFrame({"district_id": ["01"], "name": ["Mitte"]}, geometry=[box(7.7, 49.4, 7.8, 49.5)],
                             crs=4326)


@pytest.fixture
def store(store_backend):
    with store_backend.open() as store:
        yield store


@pytest.fixture
def filled(store, store_backend):
    store.write(offers=offers_frame(store_backend.settings(), ROWS), actor="test")
    return store


def test_a_missing_store_reads_as_empty(store):
    assert not store.exists() and store.layers() == [] and store.version == "" and store.data_version() == 0
    offers = store.offers()
    assert list(offers.columns) == [*OFFER_COLUMNS, "geometry"] and offers.empty and offers.crs.to_epsg() == 4326
    assert store.districts().empty and store.population().empty and store.imports().empty
    assert store.offer("a") is None and store.history("a") == []
    assert not store.exists()  # reading created nothing


def test_offers_round_trip_with_lists_notes_missing_places_and_unicode(store, store_backend):
    offers = offers_frame(store_backend.settings(), ROWS)
    store.write(offers=offers)
    with store_backend.open() as again:
        back = again.offers()
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
    store.write(offers=offers_frame(settings, ROWS), districts=DISTRICTS, import_record={"source": "x", "rows_read": 3})
    store.write(population=pd.DataFrame({"district_id": ["01"], "population": [1234.0]}))
    info = pyogrio.read_info(store.path, layer="offers")
    assert info["geometry_type"] == "Point" and info["features"] == 3 and info["crs"] == "EPSG:4326"
    frame = gpd.read_file(store.path, layer="offers")
    assert frame["languages"][0] == '["ar", "uk", "prs"]'  # lists are JSON text in the file
    assert frame.geometry[0].x == 7.75
    layers = {str(n): str(t) for n, t in pyogrio.list_layers(store.path)}
    assert layers["offers"] == "Point" and layers["districts"] == "MultiPolygon"
    assert {"imports", "offer_history", "population"} <= set(layers)
    assert gpd.read_file(store.path, layer="districts")["name"].tolist() == ["Mitte"]
    with sqlite3.connect(store.path) as raw:
        assert raw.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_writing_one_layer_keeps_the_others_and_logs_imports(store, store_backend):
    settings = store_backend.settings()
    first = store.write(offers=offers_frame(settings, ROWS), import_record={"source": "x", "rows_read": 3, "imported": 3})
    second = store.write(districts=DISTRICTS)
    store.write(population=pd.DataFrame({"district_id": ["01"], "population": [1234.0]}))
    store.write(extra_layers={"grid": pd.DataFrame({"cell": ["a"], "people": [3]})})
    store.write(import_record={"source": "y", "rows_read": 1, "imported": 1})
    assert first != second != store.version
    with store_backend.open() as again:
        assert again.offers()["id"].tolist() == ["a", "b", "c"]
        assert again.districts()["name"].tolist() == ["Mitte"]
        assert again.districts().geometry[0].geom_type in ("Polygon", "MultiPolygon")
        assert again.population()["population"].tolist() == [1234.0]
        assert again.read_table("grid")["people"].tolist() == [3]
        assert again.imports()["source"].tolist() == ["x", "y"]


def test_attribute_layers_keep_names_types_and_odd_column_names(store):
    long_name = "Ausländerinnen und Ausländer aus Drittstaaten, Stichtag 31.12., insgesamt"
    frame = pd.DataFrame({"district_id": ["01", "02"], "population": [10.0, float("nan")], "Population": [1, 2],
                          long_name: [3.5, 4.5], "ok": [True, False], "note": ["x", None]})
    store.replace_layer("population_grid", frame, actor="test")
    back = store.read_table("population_grid")
    assert list(back.columns) == list(frame.columns)
    assert back["Population"].tolist() == [1, 2] and back[long_name].tolist() == [3.5, 4.5]
    assert math.isnan(back["population"][1]) and back["ok"].tolist() == [True, False]
    assert back["note"].tolist() == ["x", None]
    with pytest.raises(StoreError, match="layer name"):
        store.replace_layer("offers", frame, actor="test")
    assert store.drop_layer("population_grid", actor="test") and "population_grid" not in store.layers()


def test_a_second_store_object_sees_writes_of_another(store_backend):
    settings = store_backend.settings()
    with store_backend.open() as reader, store_backend.open() as writer:
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


def test_another_sqlite_file_is_refused_not_taken_over(tmp_path):
    path = tmp_path / "fremd.gpkg"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE strassen (name TEXT)")
    with pytest.raises(StoreError, match="not an Angebotskarte store"):
        Store(path).write(districts=DISTRICTS)
    with sqlite3.connect(path) as raw:
        assert [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["strassen"]


def test_an_unreachable_database_is_store_unavailable_without_password(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = open_store(make_settings(tmp_path, store={"url": f"postgresql://u:geheim@127.0.0.1:{port}/x"}))
    with pytest.raises(StoreUnavailable) as caught:
        store.offers()
    assert "geheim" not in str(caught.value) and "127.0.0.1" in str(caught.value)


# -- one offer, one transaction -------------------------------------------------------------------------

def test_one_offer_update_touches_that_row_its_history_and_the_data_version(filled):
    before = {oid: filled.offer(oid) for oid in "abc"}
    data_version = filled.data_version()
    updated = filled.update_offer("a", {"name": "Sprachcafé neu", "languages": ["ar"]}, expected_version=1,
                                  actor="editor@example.org")
    assert updated["version"] == 2 and updated["name"] == "Sprachcafé neu" and updated["languages"] == ["ar"]
    assert updated["updated_by"] == "editor@example.org"
    assert filled.data_version() == data_version + 1
    for oid in "bc":  # nothing else rewritten
        assert filled.offer(oid) == before[oid]
    last = filled.history("a")[-1]
    assert (last.offer_version, last.action, last.actor, last.data_version) == (2, "update", "editor@example.org",
                                                                               data_version + 1)
    assert last.before == {"name": before["a"]["name"], "languages": ["ar", "uk", "prs"]}
    assert last.after == {"name": "Sprachcafé neu", "languages": ["ar"]}
    assert filled.offers().set_index("id").loc["a", "name"] == "Sprachcafé neu"


def test_a_stale_expected_version_is_a_conflict_with_the_current_offer(filled):
    filled.update_offer("a", {"name": "Erste"}, expected_version=1, actor="x")
    with pytest.raises(VersionConflict) as caught:
        filled.update_offer("a", {"name": "Zweite"}, expected_version=1, actor="y")
    assert caught.value.current["name"] == "Erste" and caught.value.current["version"] == 2
    assert filled.offer("a")["name"] == "Erste"
    with pytest.raises(NotFound):
        filled.update_offer("zz", {"name": "x"}, expected_version=1, actor="y")
    with pytest.raises(StoreError, match="unknown or read-only"):
        filled.update_offer("a", {"id": "b"}, expected_version=2, actor="y")


def test_an_update_that_changes_nothing_makes_no_version(filled):
    data_version = filled.data_version()
    same = filled.update_offer("a", {"name": filled.offer("a")["name"]}, expected_version=1, actor="x")
    assert same["version"] == 1 and filled.data_version() == data_version and len(filled.history("a")) == 1


def test_create_delete_restore_and_revert_are_versions_in_the_history(filled):
    created = filled.create_offer({"id": "n1", "name": "Neu", "category": "sports", "lat": 49.43, "lon": 7.74},
                                  actor="token:verein")
    assert created["version"] == 1 and created["languages"] == [] and created["lat"] == 49.43
    assert filled.offers().set_index("id").loc["n1"].geometry.x == 7.74
    with pytest.raises(StoreError, match="already used"):
        filled.create_offer({"id": "n1", "name": "Doppelt"}, actor="x")
    filled.update_offer("n1", {"name": "Umbenannt", "lat": None, "lon": None}, expected_version=1, actor="x")
    assert filled.offers().set_index("id").loc["n1"].geometry is None
    deleted = filled.delete_offer("n1", expected_version=2, actor="x")
    assert deleted["deleted_at"] and deleted["version"] == 3
    assert "n1" not in filled.offers()["id"].tolist() and filled.offer("n1") is None
    assert "n1" in filled.offers(include_deleted=True)["id"].tolist()
    with pytest.raises(StoreError, match="restore"):
        filled.create_offer({"id": "n1", "name": "Wieder"}, actor="x")
    restored = filled.restore_offer("n1", actor="y")
    assert restored["version"] == 4 and restored["name"] == "Umbenannt" and restored["deleted_at"] is None
    assert filled.offer_at("n1", 1)["name"] == "Neu" and filled.offer_at("n1", 1)["lat"] == 49.43
    assert filled.offer_at("n1", 3)["deleted_at"] is not None
    reverted = filled.revert_offer("n1", 1, actor="z")
    assert reverted["version"] == 5 and reverted["name"] == "Neu" and reverted["lat"] == 49.43
    assert [e.action for e in filled.history("n1")] == ["create", "update", "delete", "restore", "revert"]
    assert [e.actor for e in filled.history("n1")][:1] == ["token:verein"]
    with pytest.raises(NotFound):
        filled.offer_at("n1", 9)


def test_changes_since_names_the_offers_and_layers_that_changed(filled):
    start = filled.data_version()
    assert filled.changes_since(start).offer_ids == frozenset() and not filled.changes_since(start).reload
    filled.update_offer("b", {"phone": "0631 1"}, expected_version=1, actor="x")
    filled.delete_offer("c", expected_version=1, actor="x")
    feed = filled.changes_since(start)
    assert feed.offer_ids == {"b", "c"} and feed.data_version == start + 2 and not feed.reload
    live, gone = filled.offers_by_id(feed.offer_ids)
    assert live["id"].tolist() == ["b"] and live["phone"].tolist() == ["0631 1"] and gone == {"c"}
    assert list(live.columns) == [*OFFER_COLUMNS, "geometry"]
    filled.replace_districts(DISTRICTS, actor="x")
    assert "districts" in filled.changes_since(start).layers and filled.changes_since(start).reload
    assert filled.changes_since(start, limit=1).offer_ids is None
    assert filled.changes_since(10**9).reload  # a version this store never had


def test_replacing_districts_reassigns_offers_as_new_versions(filled):
    changed = filled.replace_districts(DISTRICTS, actor="districts d.geojson")
    offers = filled.offers().set_index("id")
    assert changed == 1 and offers.loc["a", "district"] == "01" and offers.loc["a", "district_status"] == "inside"
    assert filled.history("a")[-1].action == "districts" and filled.offer("b")["version"] == 1


# -- tokens and shared rate limits ----------------------------------------------------------------------

def test_tokens_are_stored_as_hashes_verified_and_revoked(store, store_backend):
    store.write(districts=DISTRICTS)
    data_version = store.data_version()
    secret = store.create_token("verein", "provider", source="sportbund")
    assert store.data_version() == data_version  # no data changed: the app's caches stay valid
    assert len(secret) >= 43
    token = store.verify_token(secret)
    assert (token.name, token.role, token.source) == ("verein", "provider", "sportbund")
    assert store.verify_token(secret + "x") is None and store.verify_token("") is None
    with pytest.raises(StoreError, match="exists"):
        store.create_token("verein", "editor")
    with pytest.raises(StoreError, match="role"):
        store.create_token("x", "admin")
    with pytest.raises(StoreError, match="source"):
        store.create_token("x", "provider")
    if store_backend.name == "gpkg":
        assert secret.encode() not in store.path.read_bytes()
    assert all("hash" not in key for key in store.tokens()[0])
    store.revoke_token("verein")
    assert store.verify_token(secret) is None
    with pytest.raises(NotFound):
        store.revoke_token("verein")


def test_rate_limits_are_shared_windows_and_slots_with_hashed_keys(store_backend):
    with store_backend.open() as one, store_backend.open() as two:
        assert [s.hit("search:192.0.2.7", 2, 60, now=1000.0) for s in (one, two, one)] == [True, True, False]
        assert two.hit("search:192.0.2.8", 2, 60, now=1000.0)  # another client
        assert one.hit("search:192.0.2.7", 2, 60, now=1061.0)  # a new window
        waits = [s.reserve("nominatim", 1.0, now=2000.0) for s in (one, two, one)]
        assert waits == [0.0, 1.0, 2.0]
        assert one.reserve("nominatim", 1.0, now=2010.0) == 0.0
        if store_backend.name == "gpkg":
            limits = store_backend.folder / "store.gpkg.limits.sqlite"
            assert b"192.0.2.7" not in limits.read_bytes()
        assert one.prune_rate_limits(60, now=5000.0) >= 2


# -- schema --------------------------------------------------------------------------------------------

def test_the_migrated_schema_is_the_one_the_code_declares(filled):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from geo.store.tables import metadata

    import warnings

    from sqlalchemy.exc import SAWarning

    with filled.backend.engine.connect() as connection, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # reflection does not know PostGIS's geometry type
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, metadata)

    def relevant(diff) -> bool:
        kind = diff[0] if isinstance(diff, tuple) else diff[0][0]
        name = str(diff[1] if isinstance(diff, tuple) else diff[0][1])
        if "spatial_ref_sys" in name or "gpkg_" in name or "rtree" in name or "_geom" in name:
            return False
        if filled.backend.dialect == "sqlite" and "rate_limits" in name:
            return False  # kept beside the GeoPackage
        return kind not in ("remove_table",) or "alembic" not in name

    assert [d for d in differences if relevant(d)] == [], differences


def test_a_store_from_a_newer_program_is_refused(filled):
    with filled.backend.engine.connect().execution_options(store_write=True) as connection, connection.begin():
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match="newer Angebotskarte"), \
            Store(filled.backend.path if filled.path else filled.backend.url) as other:
        other.offers()


def test_history_json_is_plain_json(filled):
    filled.update_offer("a", {"age_min": None}, expected_version=1, actor="x")
    entry = filled.history("a")[-1]
    assert json.loads(json.dumps(entry.after)) == {"age_min": None}


def test_vacuum_into_while_a_write_is_open_backs_up_the_last_committed_state(tmp_path):
    """docs/store.md's backup recipe for the GeoPackage while the app serves and writes."""
    settings = make_settings(tmp_path)
    store = Store(tmp_path / "store.gpkg")
    store.write(offers=offers_frame(settings, ROWS))
    writer = sqlite3.connect(tmp_path / "store.gpkg", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE offers SET name = 'nicht festgeschrieben' WHERE id = 'a'")
        with sqlite3.connect(tmp_path / "store.gpkg") as reader:
            reader.execute("VACUUM INTO ?", (str(tmp_path / "backup.gpkg"),))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with Store(tmp_path / "backup.gpkg") as backup:
        assert backup.offers()["name"].tolist() == store.offers()["name"].tolist()
        assert backup.version == store.version
    assert pyogrio.read_info(tmp_path / "backup.gpkg", layer="offers")["features"] == 3


def test_postgis_is_created_when_missing_or_asked_for_with_a_clear_message(postgis_cluster, tmp_path):
    bare = postgis_cluster.create_database(postgis=False)
    try:
        with Store(bare) as store:  # a superuser may create the extension itself
            store.write(districts=DISTRICTS)
            assert store.districts()["name"].tolist() == ["Mitte"]
    finally:
        postgis_cluster.drop_database(bare)
    name = "t_plain_user"
    with postgis_cluster.admin() as admin:
        admin.execute("DROP DATABASE IF EXISTS t_no_postgis WITH (FORCE)")
        admin.execute(f"DROP ROLE IF EXISTS {name}")
        admin.execute(f"CREATE ROLE {name} LOGIN")
        admin.execute(f"CREATE DATABASE t_no_postgis OWNER {name} TEMPLATE template0")
    url = f"postgresql://{name}@127.0.0.1:{postgis_cluster.port}/t_no_postgis"
    try:
        with Store(url) as store, pytest.raises(StoreError, match="CREATE EXTENSION postgis"):
            store.write(districts=DISTRICTS)
    finally:
        with postgis_cluster.admin() as admin:
            admin.execute("DROP DATABASE IF EXISTS t_no_postgis WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {name}")


def test_a_created_offers_history_shows_its_first_fields_after_later_changes(filled):
    filled.update_offer("a", {"name": "Zweiter Name", "lat": None, "lon": None}, expected_version=1, actor="x")
    filled.update_offer("a", {"name": "Dritter Name"}, expected_version=2, actor="y")
    created = filled.history("a")[0]
    assert created.action == "create" and created.after["name"].startswith("Sprachcafé")
    assert created.after["lat"] == 49.44 and created.after["languages"] == ["ar", "uk", "prs"]
    assert "description" not in created.after  # empty fields are left out
