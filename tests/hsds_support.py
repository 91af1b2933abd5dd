"""Shared by the HSDS tests: a deployment of hostile offers, the official schemas, comparisons."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from geo.schema import OFFER_COLUMNS
from geo.store import Store
from webmap.cli import main

HEADER = ["ID", "Name", "Kategorie", "Träger", "Beschreibung", "Straße", "Hausnummer", "PLZ", "Ort", "Breitengrad",
          "Längengrad", "Art", "Sprachen", "Zielgruppen", "Alter von", "Alter bis", "Öffnungszeiten", "Termin",
          "Telefon", "E-Mail", "Webseite", "Barrierefrei", "Kosten", "Stand"]
# Everything that could break an HSDS export: no coordinates, no ages, virtual offers, rare
# languages, empty fields, non-ASCII and right-to-left text, markup, formula-looking text,
# internationalised web and mail addresses, hours iCal cannot say, a town's own category.
HOSTILE = [
    HEADER,
    ["h-1", 'Sprachcafé <b>International</b> & "Freunde"', "Sprachkurs", "Verein; e. V.",
     "Zeile eins\nZeile zwei, mit Komma", "Am Altenhof", "12-14", "06108", "Kaiserslautern", "49,4447", "7,7689",
     "vor Ort", "Arabisch (Mo, Di; nach Absprache), Kurdisch (Kurmanji), Dari | Ukrainisch: nur (mit Termin)",
     "Frauen; Kinder", "6", "12", "Mo-Fr 09:00-12:00; We off; Sa 10:00-12:00; PH off", "empfohlen",
     "+49 631 5550100", "info@example.org", "https://example.org/a?b=1&c=2", "eingeschränkt", "kostenlos",
     "01.03.2025"],
    ["h-2", "<script>alert('x')</script> Treff", "Treffpunkt", "=HYPERLINK(\"https://evil.example\")",
     "</script><img src=x onerror=alert(1)>", "Marktstraße", "5", "67655", "Kaiserslautern", "", "", "", "العربية",
     "", "", "", "Mo[1,3] 10:00-12:00", "", "0631 5550", "", "", "", "", ""],
    ["h-3", "Online-Beratung für Geflüchtete 🌍", "Beratung", "", "", "", "", "", "", "", "", "online",
     "Tigrinya, Romanes, Deutsche Gebärdensprache, Paschtu", "Geflüchtete; Asylsuchende", "", "", "24/7", "", "",
     "beratung@bücherei-kl.de", "https://bücherei-kl.de/beratung/übersicht?stufe=ä", "", "kostenpflichtig", "2024"],
    ["h-4", "Nur ein Name", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["h-5", "Stadtbibliothek – Lesecafé", "Bibliothek", "Stadt Kaiserslautern", "Ruhig lesen.", "Steinstraße", "48",
     "67657", "Kaiserslautern", "49,4451", "7,7702", "", "Deutsch (Lesungen), Englisch", "Alle", "16", "",
     "nach Absprache im Büro, meist vormittags", "", "", "", "", "ja", "", ""],
    ["h-6", "Telefonseelsorge", "Beratung", "Stadt Kaiserslautern", "Rund um die Uhr.", "", "", "", "Kaiserslautern",
     "", "", "telefonisch", "Deutsch", "Alle", "", "99", "Tu 18:00-02:00", "keiner", "0800 1110111", "", "", "nein",
     "kostenlos", ""],
]
LIBRARY = """
[vocabulary.categories.library]
de = "Bibliothek"
en = "Library"
labels = { uk = "Бібліотека" }
"""


def deploy(folder: Path, rows: list[list[str]], source: str, capsys, extra_config: str = "") -> Path:
    """A deployment in ``folder`` whose store holds ``rows`` (German Excel's CSV), imported by the CLI."""
    cfg = folder / "angebotskarte.toml"
    cfg.write_text('[store]\npath = "store.gpkg"\n' + extra_config, encoding="utf-8")
    with open(folder / f"{source}.csv", "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    code = main(["import", str(folder / f"{source}.csv"), "--source", source, "--config", str(cfg)])
    _, err = capsys.readouterr()
    assert code == 0, err
    return cfg


def fresh_deployment(folder: Path, name: str, extra_config: str = "") -> Path:
    cfg = folder / f"{name}.toml"
    cfg.write_text(f'[store]\npath = "{name}.gpkg"\n' + extra_config, encoding="utf-8")
    return cfg


def comparable(store_path: Path) -> dict[str, dict]:
    records = {}
    for record in Store(store_path).offers()[list(OFFER_COLUMNS)].to_dict("records"):
        records[record["id"]] = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in record.items()}
    return records


def official_schemas(shared_data: Path):
    from geo.hsds.validation import load_schemas

    folder = shared_data / "hsds-3.0-schemas" / "schema"
    if not (folder / "service.json").is_file():
        pytest.skip(f"HSDS 3.0 schemas not present in {folder}")
    return load_schemas(folder)
