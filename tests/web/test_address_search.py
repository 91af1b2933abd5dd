"""The newcomer's "near an address" search goes through the real geocoding pipeline.

A small OSM extract written by the test is built into an offline gazetteer; the
page must place the typed address there and rank offers by distance from it.
"""

from __future__ import annotations

import re

import pytest

from conftest import make_settings
from geo.geocoding.gazetteer_build import build_gazetteer
from geo.index.synthetic import offers_frame
from geo.store import Store
from test_geocoding_gazetteer import HAUPT_5_A, MARKT_5, write_town_extract
from webmap import create_app


@pytest.fixture
def client(tmp_path):
    gazetteer = tmp_path / "town.gazetteer.sqlite"
    build_gazetteer(write_town_extract(tmp_path), gazetteer)
    settings = make_settings(tmp_path, geocoding={"providers": ["offline"], "gazetteer": str(gazetteer)})
    # One offer beside Marktstraße 5, one beside Hauptstraße 5 (about 320 m further north-west).
    Store(settings.store_path).write(offers=offers_frame([
        {"id": "near-markt", "name": "Beratung am Markt", "category": "counselling",
         "lat": MARKT_5[0], "lon": MARKT_5[1] + 0.0003},
        {"id": "near-haupt", "name": "Aaa Sprachcafé", "category": "language_course",
         "lat": HAUPT_5_A[0], "lon": HAUPT_5_A[1] + 0.0003},
    ]))
    return create_app(settings, TESTING=True).test_client()


def _result_ids(html: str) -> list[str]:
    return re.findall(r'href="/angebote/([\w-]+)', html)


@pytest.mark.parametrize("typed, first", [
    ("Marktstr. 5, 67655 Musterstadt", "near-markt"),
    ("hauptstrasse 5 Musterstadt", "near-haupt"),
])
def test_typed_address_ranks_offers_by_distance_from_it(client, typed, first):
    html = client.get("/", query_string={"ui": "en", "near": typed}).get_data(as_text=True)
    ids = list(dict.fromkeys(_result_ids(html)))
    assert ids[0] == first
    assert "Sorted by distance" in html


def test_address_outside_the_gazetteer_says_so_and_keeps_the_list(client):
    response = client.get("/", query_string={"ui": "en", "near": "Nirgendwostraße 99, 99999 Nirgendwo"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert set(_result_ids(html)) == {"near-markt", "near-haupt"}
    assert "Sorted by distance" not in html
