"""One folding of names and addresses (geo/text.py), and everything that stores keys made with it."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

import geo.geocoding.normalise as normalise
import geo.vocab
from geo.geocoding.base import AddressQuery
from geo.geocoding.cache import CacheEntry, GeocodeCache
from geo.geocoding.gazetteer import FORMAT_VERSION, Gazetteer, GazetteerError
from geo.geocoding.gazetteer_build import build_gazetteer
from geo.geocoding.normalise import address_key, city_key, street_key
from geo.index import OfferIndex, OfferQuery
from geo.index.synthetic import offers_frame
from geo.text import FOLD_VERSION, fold
from geo.vocab import categories_from_config
from test_geocoding_gazetteer import MARKT_5, metres, write_town_extract
from webmap.cli import main

# -- the rule table -------------------------------------------------------------------------------

SAME = [
    ("Müller", "Mueller", "Muller", "MÜLLER", "MUELLER"),
    ("Straße", "Strasse", "STRASSE", "Stra\u1e9ee", "STRAẞE"),
    ("Köln", "Koeln", "Koln"),
    ("Ärzte", "Aerzte", "Arzte"),
    ("Düsseldorf", "Duesseldorf", "Dusseldorf"),
    ("Häuser", "Haeuser", "Hauser"),          # "äu": the u after the umlaut stays
    ("Gässchen", "Gaesschen", "Gasschen"),
    ("Übersetzung", "Uebersetzung", "Ubersetzung"),
    ("Café", "Cafe", "CAFÉ", "Cafe\u0301"),   # composed and decomposed accents
    ("Ｍüller", "Müller"),                     # full-width letters
    ("Karl–Marx—Straße", "Karl-Marx-Straße"),  # dashes
    ("language_course", "language course", "  Language   Course "),
]

DIFFERENT = [
    ("Feuer", "Fuer"),          # "eu": no umlaut
    ("neue", "neu"),
    ("Bauer", "Baur"),          # "au": no umlaut
    ("Quelle", "Qulle"),        # "qu": no umlaut
    ("Aue", "Au"),
    ("Müller", "Möller"),
    ("Mühle", "Mahle"),
]


@pytest.mark.parametrize("spellings", SAME, ids=lambda s: s[0])
def test_spellings_of_one_word_fold_alike(spellings):
    assert len({fold(s) for s in spellings}) == 1, {s: fold(s) for s in spellings}


@pytest.mark.parametrize("a, b", DIFFERENT)
def test_different_words_stay_different(a, b):
    assert fold(a) != fold(b)


@pytest.mark.parametrize("text, folded", [
    ("Müller", "muller"),
    ("Große Straße", "grosse strasse"),
    ("Feuerwache", "feuerwache"),
    ("Quellenweg", "quellenweg"),
    ("Behörde/Amt", "behorde/amt"),
    ("", ""),
])
def test_folded_forms(text, folded):
    assert fold(text) == folded


def test_everyone_uses_the_one_fold():
    assert geo.vocab.fold is fold and normalise.fold is fold


def test_vocabulary_search_and_geocoding_agree_on_umlauts():
    categories = categories_from_config({"doctor": {"aliases": ["Ärztehaus"]}})
    assert categories.normalise("Aerztehaus") == categories.normalise("Arztehaus") == "doctor"
    for a, b in [("Müllerstraße", "Muellerstr."), ("Müllerstraße", "mullerstrasse")]:
        assert street_key(a) == street_key(b)
    assert city_key("München") == city_key("Muenchen") == city_key("Munchen")
    assert address_key(AddressQuery("Mühlweg", "3", "67655", "Kaiserslautern")) == \
        address_key(AddressQuery("Muehlweg", "3", "67655", "kaiserslautern"))


@pytest.mark.parametrize("query", ["Müller", "Mueller", "Muller"])
def test_search_finds_every_spelling(query):
    frame = offers_frame([dict(id="a", name="Praxis Müller", category="doctor", lat=49.44, lon=7.75),
                          dict(id="b", name="Mueller Treff", category="meeting_place", lat=49.45, lon=7.76),
                          dict(id="c", name="Muller Beratung", category="counselling", lat=49.43, lon=7.74),
                          dict(id="d", name="Möller Sport", category="sports", lat=49.43, lon=7.74)])
    index = OfferIndex.from_offers(frame)
    found = index.search(OfferQuery(text=query, limit=10))
    assert sorted(found.ids) == ["a", "b", "c"]


# -- stored keys: gazetteer and geocoding cache ---------------------------------------------------

@pytest.fixture
def gazetteer(tmp_path):
    out = tmp_path / "g.sqlite"
    build_gazetteer(write_town_extract(tmp_path), out)
    return out


def test_the_gazetteer_matches_every_spelling(gazetteer):
    gaz = Gazetteer(gazetteer)
    for street in ("Marktstraße", "Marktstrasse", "Marktstr."):
        match = gaz.lookup(AddressQuery(street, "5", "67655", "Musterstadt"))
        assert metres((match.lat, match.lon), MARKT_5) < 1.0


@pytest.mark.parametrize("meta", [{"format_version": "1"}, {"fold_version": None}, {"fold_version": "1"}],
                         ids=["old format", "no fold version", "old fold"])
def test_an_old_gazetteer_is_refused_with_the_command_that_rebuilds_it(gazetteer, meta):
    con = sqlite3.connect(gazetteer)
    for key, value in meta.items():
        if value is None:
            con.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            con.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    con.commit()
    con.close()
    with pytest.raises(GazetteerError) as info:
        Gazetteer(gazetteer)
    message = str(info.value)
    assert f"this program reads {FORMAT_VERSION}" in message
    assert f"rebuild it with 'angebotskarte gazetteer build town.osm --out {gazetteer}'" in message


def test_import_with_an_old_gazetteer_stops_in_one_line(gazetteer, tmp_path, capsys):
    con = sqlite3.connect(gazetteer)
    con.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")
    con.commit()
    con.close()
    config = tmp_path / "angebotskarte.toml"
    config.write_text(f'[geocoding]\nproviders = ["offline"]\ngazetteer = "{gazetteer.name}"\n', encoding="utf-8")
    (tmp_path / "l.csv").write_text("Name;Straße;Hausnummer;PLZ\nA;Marktstraße;5;67655\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "l.csv"), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "rebuild it with 'angebotskarte gazetteer build" in err and len(err.strip().splitlines()) == 1


def test_cache_rows_of_another_fold_are_dropped_and_never_answered(tmp_path):
    path = tmp_path / "geocache.sqlite"
    at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    with GeocodeCache(path) as cache:
        cache.put("nominatim", "muhlweg|3|67655|kaiserslautern", CacheEntry(True, 49.4, 7.7, "house", "", at))
    con = sqlite3.connect(path)
    assert con.execute("SELECT value FROM meta WHERE key = 'fold_version'").fetchone() == (str(FOLD_VERSION),)
    con.execute("UPDATE meta SET value = 'old' WHERE key = 'fold_version'")  # as an older program left it
    con.commit()
    con.close()
    with GeocodeCache(path) as cache:
        assert len(cache) == 0
        assert cache.get("nominatim", "muhlweg|3|67655|kaiserslautern") is None
        cache.put("nominatim", "muhlweg|3|67655|kaiserslautern", CacheEntry(True, 49.4, 7.7, "house", "", at))
    with GeocodeCache(path) as cache:  # the current fold's rows survive reopening
        assert cache.get("nominatim", "muhlweg|3|67655|kaiserslautern").lat == 49.4

