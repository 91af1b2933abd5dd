"""The web app on either backend: it reads through open_store, sees other processes' writes,
and answers 503 (not 500, not a hang) while the database is unreachable."""

from __future__ import annotations

import socket

from conftest import make_settings, write_csv

from geo.importer import import_file
from webmap import create_app


def test_the_app_serves_the_store_and_sees_changes_made_elsewhere(store_backend, tmp_path):
    settings = store_backend.settings()
    client = create_app(settings, TESTING=True).test_client()
    assert client.get("/healthz").status_code == 503  # no data yet
    import_file(write_csv(tmp_path / "l.csv", "ID;Name;Breitengrad;Längengrad\na;Treff;49,44;7,75\n"), settings)
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["offers"] == 1
    with store_backend.open() as store:
        store.update_offer("a", {"name": "Treff am Markt"}, expected_version=1, actor="editor")
        assert client.get("/healthz").json["version"] == store.version
    names = [f["properties"]["name"] for f in client.get("/api/v1/offers").json["features"]]
    assert names == ["Treff am Markt"]


def test_an_unreachable_database_is_a_503_everywhere_and_names_no_password(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = make_settings(tmp_path, store={"url": f"postgresql://karte:geheim@127.0.0.1:{port}/karte"})
    client = create_app(settings, TESTING=True).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and "cannot be reached" in health.json["detail"]
    assert "geheim" not in health.get_data(as_text=True)
    api = client.get("/api/v1/offers")
    assert api.status_code == 503 and "unreachable" in api.json["error"] and api.headers["Retry-After"]
    page = client.get("/")
    assert page.status_code == 503 and "nicht erreichbar" in page.get_data(as_text=True)
