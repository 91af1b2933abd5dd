"""The demo instance (data/demo): fictional offers that exercise everything, labelled as demo data."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from geo.schema import CATEGORY_KEYS_BUILTIN
from geo.store import Store
from webmap.cli import main

MARKUP_NAME = 'Sprachcafé <b>International</b> & "Freunde"'


@pytest.fixture
def demo_store(demo_settings) -> Store:
    return Store(demo_settings.store_path)


def test_demo_offers_cover_the_issue(demo_store):
    offers = demo_store.offers()
    assert 140 <= len(offers) <= 160
    assert set(CATEGORY_KEYS_BUILTIN) <= set(offers["category"])
    languages = {code for codes in offers["languages"] for code in codes}
    assert len(languages) >= 15
    assert {"ar", "uk", "prs", "kmr", "ti"} <= languages  # the codes the issue names
    assert (offers["location_type"] == "virtual").sum() >= 3
    assert (offers["geocode_status"] == "not_located").sum() >= 1
    assert offers["id"].is_unique
    assert MARKUP_NAME in set(offers["name"])


def test_demo_import_is_clean(demo_store):
    log = demo_store.imports()
    assert len(log) == 1
    assert int(log["rejected"][0]) == 0 and int(log["duplicates"][0]) == 0
    assert int(log["imported"][0]) == int(log["rows_read"][0])


def test_demo_has_districts_and_population_for_each(demo_store):
    districts = demo_store.districts()
    assert len(districts) >= 5 and districts.crs.to_epsg() == 4326
    assert districts.geometry.is_valid.all()
    population = demo_store.population()
    assert set(population["district_id"]) == set(districts["district_id"])
    assert (population["population"] > 0).all()
    offers = demo_store.offers()
    located = offers[offers.geometry.notna()]
    assert (located["district_status"] == "inside").all()
    assert set(located["district"]) <= set(districts["district_id"])


def test_demo_contacts_are_fictional(demo_store):
    offers = demo_store.offers()
    websites = [w for w in offers["website"] if w]
    emails = [e for e in offers["email"] if e]
    assert websites and all(re.match(r"https://example\.org(/|$)", w) for w in websites)
    assert emails and all(e.endswith("@example.org") for e in emails)
    phones = [re.sub(r"\D", "", p) for p in offers["phone"] if p]
    assert phones and all("6315550" in p for p in phones)


def test_rebuilding_the_demo_is_idempotent(demo_settings, capsys):
    before = Store(demo_settings.store_path).offers().drop(columns="geometry")
    capsys.readouterr()
    assert main(["demo", "--config", str(demo_settings.source)]) == 0
    assert "source 'demo': 0 added, 0 changed, 0 removed" in capsys.readouterr().out
    after = Store(demo_settings.store_path).offers().drop(columns="geometry")
    assert sorted(after["id"]) == sorted(before["id"])


def html_pages(app, offer_id: str) -> list[str]:
    """Every GET route of the app that answers with an HTML page (URL parameters filled in)."""
    urls = []
    for rule in app.url_map.iter_rules():
        assert isinstance(rule, Rule)
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith(("/api", "/static", "/healthz")):
            continue
        if rule.arguments - {"offer_id"}:
            continue
        urls.append(rule.rule.replace("<path:offer_id>", offer_id).replace("<offer_id>", offer_id))
    return urls


def test_every_demo_page_says_it_is_demo_data(demo_app, demo_client, demo_settings):
    offer_id = Store(demo_settings.store_path).offers()["id"][0]
    pages = html_pages(demo_app, offer_id)
    assert "/" in pages
    for lang in demo_settings.ui.languages:
        for url in pages:
            with demo_client.get(url, query_string={"ui": lang}) as response:
                if not response.content_type.startswith("text/html"):
                    continue
                text = response.get_data(as_text=True)
            assert "Beispieldaten" in text and "demo data" in text, f"{url}?ui={lang} lacks the demo notice"
            assert text.count("Beispieldaten") == 1, f"{url}?ui={lang} shows the demo notice more than once"


def test_the_not_found_page_of_the_demo_also_says_so(demo_client):
    response = demo_client.get("/angebote/gibt-es-nicht")
    assert response.status_code == 404
    if response.content_type.startswith("text/html"):
        text = response.get_data(as_text=True)
        assert "Beispieldaten" in text and "demo data" in text


def test_a_non_demo_instance_has_no_demo_notice(tmp_path, capsys):
    from webmap import create_app
    from geo.settings import load_settings

    (tmp_path / "c.toml").write_text('[store]\npath = "s.gpkg"\n', encoding="utf-8")
    (tmp_path / "l.csv").write_text("Name\nEcht\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "l.csv"), "--config", str(tmp_path / "c.toml")]) == 0
    client = create_app(load_settings(tmp_path / "c.toml"), TESTING=True).test_client()
    assert "Beispieldaten" not in client.get("/").get_data(as_text=True)
