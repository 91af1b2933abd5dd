"""Write the Kaiserslautern demo data in data/demo/ (offers, districts, population).

Everything here is made up by this script: the offers, organisations, people,
phone numbers and population figures are fictional; the districts are Voronoi
cells around approximate centre points, not official boundaries. Only the town
and its street names are real (as plain facts). No third-party data is read.

The output is deterministic (fixed seed, no network, no clock), so re-running
the script gives byte-identical files:

    .venv/bin/python scripts/make_demo.py
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

import numpy as np
import opening_hours
import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping

SEED = 67655  # a Kaiserslautern postcode; any fixed number would do
OUT = Path(__file__).resolve().parent.parent / "data" / "demo"

# --------------------------------------------------------------------------- districts

# A hand-drawn outline of the built-up town area (lon, lat). It is deliberately
# coarse: the demo only needs districts that tile "the town", not the real border.
TOWN_OUTLINE = [
    (7.700, 49.440), (7.703, 49.458), (7.712, 49.472), (7.740, 49.474), (7.770, 49.478),
    (7.800, 49.476), (7.822, 49.462), (7.830, 49.445), (7.826, 49.425), (7.808, 49.408),
    (7.775, 49.400), (7.745, 49.398), (7.718, 49.405), (7.703, 49.420),
]

# id, name, approximate centre (lon, lat), postcode, streets used for addresses,
# weight (how many offers land there: the centre has most), residents, foreign share.
# Centres are rough estimates from general knowledge; residents are invented.
DISTRICTS = [
    ("01", "Innenstadt-West", (7.758, 49.4440), "67655",
     ["Fackelstraße", "Marktstraße", "Eisenbahnstraße", "Rudolf-Breitscheid-Straße", "Richard-Wagner-Straße",
      "Königstraße", "Burgstraße", "Schillerstraße", "Kerststraße", "Steinstraße", "Rittersberg",
      "Stiftsplatz", "Willy-Brandt-Platz", "Glockenstraße", "Maxstraße"], 6.0, 15100, 0.31),
    ("02", "Innenstadt-Ost", (7.784, 49.4460), "67655",
     ["Logenstraße", "Mannheimer Straße", "Mühlstraße", "Kantstraße"], 4.0, 12800, 0.29),
    ("03", "Innenstadt-Nord/Kaiserberg", (7.771, 49.4550), "67657",
     ["Lauterstraße", "Benzinoring", "Donnersbergstraße"], 2.5, 10200, 0.24),
    ("04", "Grübentälchen/Volkspark", (7.796, 49.4365), "67657",
     ["Merkurstraße"], 1.5, 7600, 0.21),
    ("05", "Betzenberg", (7.772, 49.4330), "67663",
     ["Fritz-Walter-Straße"], 1.5, 6900, 0.19),
    ("06", "Lämmchesberg/Uniwohnstadt", (7.754, 49.4250), "67663",
     ["Trippstadter Straße", "Gottlieb-Daimler-Straße"], 2.0, 9900, 0.27),
    ("07", "Bännjerrück/Kotten", (7.734, 49.4380), "67663",
     ["Vogelwoogstraße"], 1.3, 7400, 0.17),
    ("08", "Kaiserslautern-West", (7.737, 49.4510), "67663",
     ["Pariser Straße"], 2.0, 12500, 0.26),
    ("09", "Erfenbach", (7.716, 49.4660), "67659",
     ["Siegelbacher Straße"], 0.6, 4300, 0.07),
    ("10", "Morlautern", (7.786, 49.4690), "67659",
     ["Morlauterer Straße"], 0.6, 3900, 0.06),
    ("11", "Dansenberg", (7.753, 49.4085), "67661",
     ["Dansenberger Straße"], 0.5, 3600, 0.06),
    ("12", "Hohenecken", (7.720, 49.4175), "67661",
     ["Hohenecker Straße"], 0.6, 4700, 0.08),
]
DISTRICT_NOTE = ("Schematische Bezirke (Voronoi-Zellen um ungefähre Ortsteilmittelpunkte), keine amtlichen "
                 "Grenzen / schematic districts, not official boundaries")


def make_districts() -> list[tuple[str, str, Polygon]]:
    """Voronoi cells around the centre points, clipped to the town outline.

    Coordinates are rounded to 5 decimals (about 1 m) so the file stays small;
    neighbouring cells share their vertices, so rounding keeps them tiling.
    """
    outline = Polygon(TOWN_OUTLINE)
    seeds = MultiPoint([d[2] for d in DISTRICTS])
    cells = shapely.voronoi_polygons(seeds, extend_to=outline).geoms
    out = []
    for did, name, centre, *_ in DISTRICTS:
        # voronoi_polygons does not promise input order, so match cells by their seed.
        cell = next(c for c in cells if c.contains(Point(centre)))
        clipped = shapely.transform(cell.intersection(outline), lambda xy: np.round(xy, 5))
        if not (clipped.is_valid and clipped.geom_type == "Polygon"):
            raise SystemExit(f"district {name}: clipped cell is not one valid polygon")
        out.append((did, name, clipped))
    return out


# --------------------------------------------------------------------------- vocabulary pools

# Languages as coordinators write them, with weights for how often they turn up
# among Kaiserslautern's offers (Arabic, Ukrainian, Russian, Turkish, English most).
# Several spellings of one language on purpose: the importer has to cope with them.
LANGUAGE_WEIGHTS = {
    "Arabisch": 10, "Englisch": 9, "Türkisch": 7, "Russisch": 7, "Ukrainisch": 7,
    "Farsi": 2.5, "Persisch": 2, "Dari": 3, "Kurdisch (Kurmanji)": 3, "Kurmanji": 1,
    "Polnisch": 3, "Rumänisch": 3, "Bulgarisch": 3, "Französisch": 3, "Albanisch": 1.5,
    "Paschtu": 1.2, "Paschto": 0.5, "Tigrinya": 1.5, "Somali": 1.2, "Serbisch": 1,
    "Spanisch": 1.5, "Italienisch": 1, "Vietnamesisch": 0.8,
}
# Notes people put in parentheses after a language; none of them is a language name.
LANGUAGE_NOTES = ["donnerstags", "nur nach Termin", "vormittags", "mit Dolmetscherin",
                  "auf Anfrage", "ehrenamtlich", "Grundkenntnisse", "dienstags"]

# Opening hours by kind of place, in OpenStreetMap opening_hours syntax. Rules
# that should add hours use "," (a ";" rule would replace the earlier day's hours).
HOURS = {
    "office": ["Mo-Fr 09:00-12:00, Tu,Th 14:00-17:00", "Mo,We 09:00-12:00", "Tu 13:00-16:00; Th 09:00-12:00",
               "Mo-Th 08:30-12:30; PH off", "We 14:00-18:00", "Tu-Th 09:00-13:00; PH off",
               "Mo-Fr 09:00-12:00; We 14:00-17:00 \"nur mit Termin\"", "Mo,Th 10:00-15:00; Dec 24-31 off"],
    "doctor": ["Mo-Fr 08:00-12:00, Mo,Tu,Th 15:00-18:00", "Mo-Fr 07:30-12:30; Tu,Th 07:30-12:30,14:30-18:00; PH off",
               "Mo,Tu,Th 08:00-12:00,14:00-18:00; We,Fr 08:00-13:00", "Mo-Fr 08:00-13:00; We off",
               "Mo-Th 08:00-12:00,15:00-17:30; Fr 08:00-12:00; PH off", "Mo-Fr 07:00-11:00, Tu,Th 16:00-19:00"],
    "course": ["Mo-Fr 08:30-12:45", "Mo,We 18:00-20:15", "Tu,Th 09:00-11:30", "Sa 10:00-13:00",
               "Mo-Th 13:00-16:15; SH off", "Tu,Th 18:30-20:00"],
    "meeting": ["We 15:00-18:00", "Fr 16:00-19:00", "Su 14:00-17:00", "Mo 10:00-12:00; Th 15:00-17:30",
                "Sa 10:00-14:00", "Tu[1,3] 15:00-17:00", "Th 09:30-11:30; Jul,Aug off", "Sa[-1] 11:00-15:00"],
    "sports": ["Tu,Th 17:30-19:00", "Mo 18:00-20:00; Fr 17:00-19:00", "Sa 10:00-12:00", "We 16:00-17:30",
               "Su 10:00-12:00", "Mo,We 19:00-21:00"],
    "authority": ["Mo-Fr 08:00-12:00, Th 14:00-17:30; PH off",
                  "Mo,Tu,Th 08:00-16:00; We 08:00-12:00; Fr 08:00-12:30; PH off", "Mo-Fr 08:00-12:00; PH off"],
    "hotline": ["Mo-Fr 09:00-16:00; PH off", "Mo,We,Fr 10:00-14:00", "Mo-Th 17:00-20:00"],
}

# Fictional organisations. "Beispiel"/"Muster" in every name keeps them obviously invented.
TRAEGER = {
    "social": ["Beispielverein Ankommen e. V.", "Musterwerk Soziale Dienste gGmbH",
               "Beispielverband Migration & Teilhabe", "Initiative Miteinander (Beispiel) e. V.",
               "Musterstiftung Nachbarschaft", "Beispielträger Jugendhilfe Westpfalz"],
    "school": ["Sprachschule Beispiel GmbH", "Muster-Sprachinstitut", "Volkshochschule (Beispiel)",
               "Bildungswerk Muster e. V.", "Beispielakademie für Sprache und Beruf"],
    "club": ["Beispielsportverein Lautertal 1921 e. V.", "Musterturnverein 1899 e. V.",
             "Fußballfreunde Beispielplatz e. V.", "Boxclub Musterring e. V.", "Schwimmverein Beispielbad e. V."],
    "city": ["Stadtverwaltung (Beispiel)"],
}

# Every kind of offer: name, Kategorie spellings, Träger pool, descriptions,
# Zielgruppen options, how many, and optionally languages it always has, an age
# range, hours pool, a preferred district, costs and "online"/"telefonisch".
def K(name, kat, traeger, desc, groups, n=1, **kw):
    return dict(name=name, kat=kat, traeger=traeger, desc=desc, groups=groups, n=n, **kw)


COUNSELLING = [
    K("Migrationsberatung für Erwachsene", ["Migrationsberatung", "Beratung", "MBE"], "social",
      ["Beratung zu Aufenthalt, Arbeit, Wohnen und Familiennachzug für Zugewanderte ab 27 Jahren.",
       "Wir helfen bei Anträgen, Briefen von Ämtern und bei der Suche nach dem passenden Kurs."],
      [["Alle"], ["EU-Bürger*innen", "Spätaussiedler", "Geflüchtete"]], n=4, age=(27, None)),
    K("Jugendmigrationsdienst", ["Jugendmigrationsdienst", "JMD"], "social",
      ["Begleitung junger Zugewanderter bei Schule, Ausbildung und Beruf.",
       "Einzelberatung und Gruppenangebote für junge Menschen zwischen 14 und 27 Jahren."],
      [["Jugendliche"], ["Jugendliche", "Geflüchtete"]], n=3, age=(14, 27)),
    K("Flüchtlings- und Asylverfahrensberatung", ["Flüchtlingsberatung", "Beratung"], "social",
      ["Unabhängige Beratung vor und während des Asylverfahrens.",
       "Wir erklären Anhörung, Bescheide und Fristen und vermitteln bei Bedarf an Anwältinnen und Anwälte."],
      [["Geflüchtete", "Asylsuchende", "Geduldete"], ["Asylsuchende"]], n=3),
    K("Sozialberatung im Stadtteilbüro", ["Sozialberatung", "Beratung"], "social",
      ["Offene Sprechstunde zu Geld, Wohnung, Schule und Gesundheit.",
       "Hilfe bei Anträgen auf Wohngeld, Kinderzuschlag und Bildungs- und Teilhabeleistungen."],
      [["Alle"], ["Familien", "Senior*innen"]], n=3),
    K("Anerkennungsberatung für ausländische Berufsabschlüsse", ["Beratung"], "social",
      ["Wir prüfen mit Ihnen, welche Stelle Ihren Abschluss anerkennt und welche Unterlagen nötig sind."],
      [["Arbeitsuchende"], ["Arbeitsuchende", "EU-Bürger*innen"]], n=2, appointment="erforderlich"),
    K("Frauenberatung Neuer Weg", ["Beratung"], "social",
      ["Vertrauliche Beratung für Frauen in Krisen, auch bei Gewalt in der Familie.",
       "Beratung von Frauen für Frauen, auf Wunsch mit Dolmetscherin."],
      [["Frauen"], ["Frauen", "Geflüchtete"]], n=2),
    K("Familienberatung International", ["Beratung"], "social",
      ["Beratung zu Erziehung, Schule und Familienleben in einem neuen Land."],
      [["Familien"], ["Familien", "Kinder"]], n=2),
    K("Beratung für internationale Studierende", ["Beratung"], "social",
      ["Fragen zu Visum, Finanzierung, Jobben neben dem Studium und Wohnungssuche."],
      [["Internationale Studierende"]], n=2, district="Lämmchesberg/Uniwohnstadt", langs=["Englisch"]),
    K("Aufenthaltsrechtliche Beratung", ["Rechtsberatung", "Beratung"], "social",
      ["Beratung zu Duldung, Ausbildungsduldung und Bleiberecht.",
       "Kostenlose Erstberatung durch ehrenamtliche Juristinnen und Juristen."],
      [["Geduldete", "Asylsuchende"], ["Geduldete"]], n=2, appointment="erforderlich"),
    K("Psychosoziale Beratung für Geflüchtete", ["Beratung"], "social",
      ["Gespräche bei Belastung, Schlafproblemen und Trauer; Vermittlung in Therapie."],
      [["Geflüchtete"]], appointment="erforderlich", langs=["Arabisch", "Farsi"]),
    K("Beratung für EU-Zugewanderte", ["Migrationsberatung", "Beratung"], "social",
      ["Beratung zu Arbeitsverträgen, Krankenversicherung und Kindergeld für Menschen aus der EU."],
      [["EU-Bürger*innen", "Arbeitsuchende"]], n=2, langs=["Rumänisch", "Bulgarisch", "Polnisch"]),
    K("Anlaufstelle für unbegleitete minderjährige Geflüchtete", ["Beratung", "Jugendmigrationsdienst"], "social",
      ["Ansprechpartner für junge Geflüchtete ohne Eltern: Vormundschaft, Schule, Wohnen."],
      [["unbegleitete minderjährige Geflüchtete"]], age=(14, 17)),
    K("Beratung für Spätaussiedler*innen", ["Migrationsberatung"], "social",
      ["Hilfe bei Rente, Anerkennung und Familienzusammenführung."],
      [["Spätaussiedler", "Senior*innen"]], langs=["Russisch", "Polnisch"]),
    K("Mehrsprachiges Beratungstelefon", ["Beratung"], "social",
      ["Telefonische Erstberatung in vielen Sprachen; wir vermitteln an die passende Stelle vor Ort."],
      [["Alle"]], art="telefonisch", hours="hotline", langs=["Arabisch", "Türkisch", "Englisch"]),
    K("Online-Migrationsberatung per Chat", ["Migrationsberatung"], "social",
      ["Anonyme Beratung im Chat, Antwort meist innerhalb von zwei Werktagen."],
      [["Alle"]], art="online", hours="hotline"),
    K("Telefonische Erstberatung für Geflüchtete aus der Ukraine", ["Beratung"], "social",
      ["Informationen zu Aufenthalt, Leistungen und Schule für Menschen aus der Ukraine."],
      [["Geflüchtete", "Familien"]], art="telefonisch", hours="hotline", langs=["Ukrainisch", "Russisch"]),
    K("Jugendmigrationsberatung online", ["Jugendmigrationsdienst"], "social",
      ["Beratung per Videochat zu Schule, Ausbildung und Studium."],
      [["Jugendliche"]], art="online", hours="hotline", age=(14, 27)),
]

LANGUAGE_COURSES = [
    K("Integrationskurs", ["Integrationskurs", "Integrationskurse"], "school",
      ["Allgemeiner Integrationskurs mit Sprachkurs und Orientierungskurs; Kostenbefreiung ist möglich.",
       "Deutsch bis Niveau B1 und Orientierungskurs; Einstieg jederzeit nach Einstufungstest."],
      [["Alle"], ["Geflüchtete", "EU-Bürger*innen", "Spätaussiedler"]], n=4, hours="course", cost="kostenpflichtig"),
    K("Integrationskurs mit Kinderbetreuung", ["Integrationskurs"], "school",
      ["Integrationskurs am Vormittag; kleine Kinder werden im Nebenraum betreut."],
      [["Familien", "Frauen"]], n=2, hours="course", cost="kostenpflichtig"),
    K("Frauenintegrationskurs", ["Integrationskurs"], "school",
      ["Integrationskurs nur für Frauen, mit Themen aus Alltag, Schule und Gesundheit."],
      [["Frauen"]], n=2, hours="course", cost="kostenpflichtig"),
    K("Jugendintegrationskurs", ["Integrationskurs"], "school",
      ["Integrationskurs für junge Erwachsene mit Vorbereitung auf Schule oder Ausbildung."],
      [["Jugendliche"]], hours="course", age=(16, 27), cost="kostenpflichtig"),
    K("Alphabetisierungskurs", ["Integrationskurs", "Sprachkurs"], "school",
      ["Lesen und Schreiben lernen in lateinischer Schrift, in kleinen Gruppen."],
      [["Alle"], ["Geflüchtete"]], n=2, hours="course"),
    K("Deutschkurs für Anfänger*innen (A1)", ["Deutschkurs", "Sprachkurs"], "social",
      ["Ehrenamtlicher Deutschkurs für den Einstieg, ohne Anmeldung.",
       "Erste Schritte auf Deutsch: Einkaufen, Arztbesuch, Behörden."],
      [["Alle"], ["Geflüchtete", "Asylsuchende"]], n=3, hours="course", cost="kostenlos"),
    K("Berufssprachkurs B2", ["Sprachkurs", "Deutschkurs"], "school",
      ["Berufsbezogenes Deutsch für Menschen, die Arbeit suchen oder ihren Abschluss anerkennen lassen."],
      [["Arbeitsuchende"]], n=2, hours="course", appointment="erforderlich"),
    K("Deutsch für internationale Studierende", ["Sprachkurs", "Deutschkurs"], "school",
      ["Vorbereitung auf die Sprachprüfung für den Hochschulzugang (C1)."],
      [["Internationale Studierende"]], n=2, hours="course", district="Lämmchesberg/Uniwohnstadt",
      langs=["Englisch"], cost="kostenpflichtig"),
    K("Konversationskurs Deutsch am Abend", ["Deutschkurs"], "school",
      ["Sprechen üben nach der Arbeit, ab Niveau A2."],
      [["Alle"]], n=2, hours="course", cost="kostenpflichtig"),
    K("Eltern lernen Deutsch in der Kita", ["Sprachkurs"], "school",
      ["Deutschkurs für Eltern in den Räumen der Kita, während die Kinder betreut werden."],
      [["Familien"]], hours="course", cost="kostenlos"),
    K("Deutschkurs für Senior*innen", ["Deutschkurs"], "social",
      ["Langsames Lerntempo, viel Wiederholung und Zeit für Gespräche."],
      [["Senior*innen"]], hours="course", age=(60, None), cost="kostenlos"),
    K("Deutschförderung und Hausaufgabenhilfe", ["Sprachförderung", "Sprachkurs"], "social",
      ["Hilfe bei Hausaufgaben und spielerische Sprachförderung für Grundschulkinder."],
      [["Kinder"]], n=2, hours="meeting", age=(6, 12), cost="kostenlos"),
    K("Online-Deutschkurs am Abend (A2–B1)", ["Sprachkurs", "Deutschkurs"], "school",
      ["Deutschkurs per Videokonferenz, zwei Abende pro Woche; ein Smartphone genügt."],
      [["Alle"], ["Arbeitsuchende"]], art="online", hours="course"),
    K("Deutsch am Telefon – Sprachpatenschaft", ["Sprachkurs"], "social",
      ["Ehrenamtliche Sprachpatinnen und -paten üben mit Ihnen einmal pro Woche am Telefon."],
      [["Alle"], ["Senior*innen"]], art="telefonisch", hours="hotline", cost="kostenlos"),
]

MEETING_PLACES = [
    K("Begegnungscafé", ["Begegnungscafé", "Treffpunkt"], "social",
      ["Kaffee, Tee und Gespräche zwischen Alteingesessenen und Neuangekommenen.",
       "Offener Treff mit Kinderecke; Ehrenamtliche helfen auch bei Briefen."],
      [["Alle"]], n=4, hours="meeting", appointment="keiner"),
    K("Internationales Frauenfrühstück", ["Treffpunkt"], "social",
      ["Gemeinsames Frühstück, Austausch und Themen, die Frauen wichtig sind."],
      [["Frauen"]], n=2, hours="meeting", appointment="keiner"),
    K("Elterncafé International", ["Begegnungscafé", "Treffpunkt"], "social",
      ["Eltern treffen sich, während die Kinder spielen; Fragen zu Kita und Schule sind willkommen."],
      [["Familien", "Kinder"]], n=2, hours="meeting"),
    K("Internationaler Kochtreff", ["Treffpunkt"], "social",
      ["Jede Woche kocht jemand ein Gericht aus seiner Heimat; danach essen alle zusammen."],
      [["Alle"]], hours="meeting", cost="kostenpflichtig"),
    K("Nähcafé Faden & Freundschaft", ["Treffpunkt"], "social",
      ["Nähmaschinen, Stoffreste und Hilfe beim Nähen; Deutsch lernen nebenbei."],
      [["Frauen"], ["Alle"]], hours="meeting"),
    K("Ukrainischer Gesprächskreis", ["Treffpunkt"], "social",
      ["Treffen für Menschen aus der Ukraine und alle, die sie kennenlernen möchten."],
      [["Geflüchtete"]], hours="meeting", langs=["Ukrainisch", "Russisch"]),
    K("Seniorentreff International", ["Begegnungsstätte", "Treffpunkt"], "social",
      ["Spiele, Gespräche und Ausflüge für ältere Menschen aus aller Welt."],
      [["Senior*innen"]], hours="meeting", age=(60, None)),
    K("Jugendtreff Welcome", ["Treff", "Treffpunkt"], "social",
      ["Billard, Musik und Hausaufgabenecke; Sozialarbeiterinnen sind immer ansprechbar."],
      [["Jugendliche"]], n=2, hours="meeting", age=(12, 21)),
    K("Kindertreff Weltentdecker", ["Treffpunkt"], "social",
      ["Basteln, Spielen und Vorlesen in mehreren Sprachen."],
      [["Kinder"]], hours="meeting", age=(6, 12)),
    K("Interkultureller Gemeinschaftsgarten", ["Treffpunkt"], "social",
      ["Gemeinsam gärtnern auf eigenen Beeten; Werkzeug ist vorhanden."],
      [["Alle"], ["Familien"]], hours="meeting"),
    K("Stammtisch für internationale Studierende", ["Treffpunkt"], "social",
      ["Lockere Treffen zum Kennenlernen, auf Deutsch und Englisch."],
      [["Internationale Studierende"]], hours="meeting", district="Lämmchesberg/Uniwohnstadt",
      langs=["Englisch"]),
    K("Stadtteiltreff", ["Stadtteiltreff"], "social",
      ["Treffpunkt im Viertel mit wechselnden Angeboten für alle Generationen."],
      [["Alle"]], n=2, hours="meeting"),
    K("Tandem-Treff", ["Begegnungscafé"], "social",
      ["Wir bringen Sprachpartnerinnen und -partner zusammen: eine Stunde Deutsch, eine Stunde Ihre Sprache."],
      [["Alle"], ["Internationale Studierende"]], hours="meeting"),
    # Markup, quotes and an ampersand in a name: the map must show them as text.
    K('Sprachcafé <b>International</b> & "Freunde"', ["Begegnungscafé"], "social",
      ['Offenes Sprachcafé: Deutsch üben bei Kaffee & Kuchen, mit <i>Spielen</i> und "Wörter-Bingo".'],
      [["Alle"]], hours="meeting", appointment="keiner", cost="kostenlos"),
]

SPORTS = [
    K("Fußball für alle – offenes Training", ["Sportverein", "Verein"], "club",
      ["Offenes Fußballtraining ohne Vereinsmitgliedschaft; Schuhe können geliehen werden."],
      [["Alle"], ["Jugendliche", "Geflüchtete"]], n=2),
    K("Frauenschwimmen", ["Sport", "Sportverein"], "club",
      ["Schwimmzeit nur für Frauen mit weiblicher Aufsicht; auch Schwimmkurse für Anfängerinnen."],
      [["Frauen"]]),
    K("Boxtraining für Jugendliche", ["Sportverein"], "club",
      ["Techniktraining und Fitness, Trainer sprechen Deutsch, Arabisch und Russisch."],
      [["Jugendliche"]], age=(12, 18), langs=["Arabisch", "Russisch"]),
    K("Laufgruppe Willkommen", ["Sport"], "club",
      ["Gemeinsam laufen im Volkspark, alle Tempos willkommen."], [["Alle"]]),
    K("Kinderturnen International", ["Sportverein"], "club",
      ["Bewegungsspiele für Kinder; Eltern dürfen zuschauen."], [["Kinder"], ["Kinder", "Familien"]],
      age=(3, 10)),
    K("Tischtennis-Treff", ["Verein", "Sportverein"], "club",
      ["Schläger und Bälle sind da, einfach vorbeikommen."], [["Alle"]]),
    K("Volleyball International", ["Sportverein"], "club",
      ["Gemischte Teams, Spaß vor Leistung."], [["Alle"], ["Internationale Studierende"]]),
    K("Radfahrkurs für Frauen", ["Sport"], "club",
      ["Radfahren lernen auf dem Übungsplatz, Fahrräder werden gestellt."], [["Frauen"]],
      appointment="erforderlich"),
    K("Cricket-Training", ["Sportverein"], "club",
      ["Cricket auf dem Rasenplatz; neue Spielerinnen und Spieler sind willkommen."],
      [["Alle"], ["Geflüchtete", "Jugendliche"]], langs=["Paschtu", "Dari"]),
    K("Basketball am Abend", ["Sport"], "club",
      ["Offenes Basketball in der Sporthalle für junge Menschen."], [["Jugendliche"]], age=(14, 25)),
    K("Klettern für Jugendliche", ["Sportverein"], "club",
      ["Klettern an der Boulderwand mit Trainerin; Ausrüstung wird gestellt."], [["Jugendliche"]],
      age=(12, 17), appointment="empfohlen"),
    K("Gymnastik für Senior*innen", ["Sportverein"], "club",
      ["Sanfte Bewegung im Sitzen und Stehen, auch für Einsteigerinnen."], [["Senior*innen"]]),
    K("Tanzgruppe International", ["Verein"], "club",
      ["Tänze aus vielen Ländern, jede und jeder bringt etwas mit."], [["Alle"], ["Frauen"]]),
    K("Selbstverteidigung für Frauen und Mädchen", ["Sport"], "club",
      ["Kurs in sechs Terminen: sicher auftreten und sich wehren."], [["Frauen", "Jugendliche"]],
      age=(14, None), appointment="erforderlich"),
]

AUTHORITIES = [
    K("Ausländerbehörde – Aufenthalt (Beispiel)", ["Ausländerbehörde", "Behörde"], "city",
      ["Aufenthaltstitel, Verlängerungen und Arbeitserlaubnisse."],
      [["Alle"]], appointment="erforderlich"),
    K("Ausländerbehörde – Servicepunkt Ukraine (Beispiel)", ["Ausländerbehörde"], "city",
      ["Aufenthaltserlaubnisse nach § 24 AufenthG für Geflüchtete aus der Ukraine."],
      [["Geflüchtete"]], appointment="erforderlich", langs=["Ukrainisch"]),
    K("Einbürgerungsstelle (Beispiel)", ["Behörde"], "city",
      ["Beratung und Anträge zur Einbürgerung."], [["Alle"]], appointment="erforderlich"),
    K("Jobcenter – Team Zuwanderung (Beispiel)", ["Jobcenter"], "Jobcenter (Beispiel)",
      ["Bürgergeld, Arbeitsvermittlung und Förderung von Sprachkursen."],
      [["Arbeitsuchende", "Geflüchtete"]], appointment="empfohlen"),
    K("Jobcenter – Jugendberufsagentur U25 (Beispiel)", ["Jobcenter"], "Jobcenter (Beispiel)",
      ["Ausbildung, Arbeit und Geld für junge Menschen unter 25 aus einer Hand."],
      [["Jugendliche", "Arbeitsuchende"]], age=(15, 25)),
    K("Bürgerbüro (Beispiel)", ["Bürgerbüro", "Behörde"], "city",
      ["Anmeldung der Wohnung, Ausweise und Bescheinigungen."], [["Alle"]], appointment="empfohlen"),
    K("Sozialamt – Leistungen nach dem Asylbewerberleistungsgesetz (Beispiel)", ["Sozialamt", "Behörde"], "city",
      ["Leistungen für Asylsuchende und Geduldete, Krankenscheine."],
      [["Asylsuchende", "Geduldete"]], appointment="empfohlen"),
    K("Agentur für Arbeit – Beratung für Zugewanderte (Beispiel)", ["Behörde"], "Agentur für Arbeit (Beispiel)",
      ["Berufsberatung, Anerkennung und Vermittlung in Arbeit."],
      [["Arbeitsuchende", "EU-Bürger*innen"]], appointment="erforderlich"),
    K("Jugendamt – Fachdienst unbegleitete Minderjährige (Beispiel)", ["Amt", "Behörde"], "city",
      ["Inobhutnahme, Vormundschaft und Hilfen für junge Geflüchtete ohne Eltern."],
      [["unbegleitete minderjährige Geflüchtete"]], age=(0, 17)),
    K("Gesundheitsamt – Impfsprechstunde (Beispiel)", ["Behörde"], "Gesundheitsamt (Beispiel)",
      ["Kostenlose Impfberatung und Impfungen für Kinder und Erwachsene ohne Hausarzt."],
      [["Alle"], ["Familien", "Kinder"]], cost="kostenlos"),
    K("Telefonische Terminvergabe der Ausländerbehörde (Beispiel)", ["Ausländerbehörde"], "city",
      ["Termine für die Ausländerbehörde werden telefonisch vergeben."],
      [["Alle"]], art="telefonisch", hours="hotline"),
]

OTHER = [
    K("Kleiderkammer", ["Sonstiges"], "social",
      ["Kleidung, Schuhe und Bettwäsche gegen eine kleine Spende."], [["Alle"]], n=2, hours="meeting"),
    K("Lebensmittelausgabe", ["Sonstiges"], "social",
      ["Lebensmittel für Menschen mit wenig Geld; bitte Nachweis mitbringen."], [["Alle"]], hours="meeting"),
    K("Fahrradwerkstatt für alle", ["Sonstiges", "Anderes"], "social",
      ["Fahrräder selbst reparieren mit Hilfe; gespendete Räder werden weitergegeben."], [["Alle"]],
      hours="meeting"),
    K("Formularhilfe", ["Sonstiges"], "social",
      ["Ehrenamtliche helfen beim Ausfüllen von Formularen und Briefen."], [["Alle"], ["Senior*innen"]],
      hours="office"),
    K("Mehrsprachige Kinderbücherei", ["Sonstiges"], "social",
      ["Bücher in über zehn Sprachen zum Ausleihen, Vorlesestunde am Samstag."], [["Kinder", "Familien"]],
      hours="meeting", age=(0, 12)),
    K("Möbelbörse", ["Anderes"], "social",
      ["Gebrauchte Möbel für die erste eigene Wohnung."], [["Geflüchtete"], ["Alle"]], hours="meeting"),
    K("PC-Sprechstunde & digitale Hilfe", ["Sonstiges"], "social",
      ["Hilfe mit Smartphone, E-Mail und Online-Anträgen."], [["Alle"], ["Senior*innen"]], hours="meeting"),
    K("Bewerbungswerkstatt", ["Sonstiges"], "social",
      ["Lebenslauf und Anschreiben gemeinsam erstellen, Bewerbungsfotos kostenlos."], [["Arbeitsuchende"]],
      hours="office", appointment="empfohlen"),
    K("Ehrenamtsbörse & Patenschaften", ["Sonstiges"], "social",
      ["Vermittlung von Patinnen und Paten, die im Alltag begleiten."], [["Alle"]], hours="office"),
    K("Kinderbetreuung während der Kurszeiten", ["Sonstiges"], "social",
      ["Betreuung für Kinder, deren Eltern einen Sprachkurs besuchen."], [["Kinder", "Familien"]],
      hours="course", age=(1, 6)),
    K("Infoabend Leben in Deutschland", ["Sonstiges"], "social",
      ["Monatlicher Infoabend zu Mietvertrag, Versicherungen und Schule, mit Dolmetschung."], [["Alle"]],
      hours="meeting"),
    K("Video-Dolmetschdienst für Termine (Beispiel)", ["Sonstiges"], "social",
      ["Dolmetschen per Video für Arzt- und Behördentermine; bitte zwei Tage vorher buchen."], [["Alle"]],
      art="online", hours="hotline", appointment="erforderlich", langs=["Tigrinya", "Somali", "Dari"]),
]

# Doctors get fictional names: the surnames are words for "example" in the
# language the doctor speaks, so no real person can be meant.
DOCTOR_SPECIALTIES = [
    ("Hausarztpraxis", ["Arztpraxis", "Hausarzt", "Arzt"], "Hausärztliche Versorgung für Erwachsene"),
    ("Praxis für Allgemeinmedizin", ["Arztpraxis", "Arzt/Ärztin"], "Allgemeinmedizin und Vorsorge"),
    ("Kinder- und Jugendarztpraxis", ["Kinderarzt", "Arztpraxis"], "Vorsorge, Impfungen und Sprechstunde für Kinder"),
    ("Frauenarztpraxis", ["Ärztin", "Arztpraxis"], "Frauenheilkunde und Schwangerenvorsorge"),
    ("Zahnarztpraxis", ["Zahnarzt", "Arztpraxis"], "Zahnmedizin für Kinder und Erwachsene"),
    ("Augenarztpraxis", ["Arzt", "Arztpraxis"], "Augenuntersuchungen und Sehtests"),
    ("HNO-Praxis", ["Arzt", "Arzt/Ärztin"], "Hals-Nasen-Ohren-Heilkunde"),
    ("Praxis für Innere Medizin", ["Arztpraxis", "Ärztin"], "Innere Medizin, Diabetes- und Blutdrucksprechstunde"),
    ("Hautarztpraxis", ["Arztpraxis"], "Hauterkrankungen und Allergien"),
    ("Orthopädische Praxis", ["Arzt", "Arztpraxis"], "Orthopädie und Unfallchirurgie"),
]
DOCTOR_NAMES = [  # (first name, surname, language the surname comes from / the doctor speaks)
    ("Ayşe", "Örnek", "Türkisch"), ("Mehmet", "Örnek", "Türkisch"), ("Karim", "Mithal", "Arabisch"),
    ("Rana", "Mithal", "Arabisch"), ("Samir", "Mithal", "Arabisch"), ("Nasrin", "Nemune", "Farsi"),
    ("Olena", "Pryklad", "Ukrainisch"), ("Andrij", "Pryklad", "Ukrainisch"), ("Ivan", "Primer", "Russisch"),
    ("Tatjana", "Primer", "Russisch"), ("Piotr", "Przykład", "Polnisch"), ("Ioana", "Exemplu", "Rumänisch"),
    ("Mihai", "Exemplu", "Rumänisch"), ("Desislava", "Primer", "Bulgarisch"), ("Sophie", "Exemple", "Französisch"),
    ("Jane", "Example", "Englisch"), ("Marta", "Ejemplo", "Spanisch"), ("Giulia", "Esempio", "Italienisch"),
    ("Arben", "Shembull", "Albanisch"), ("Dragan", "Primer", "Serbisch"), ("Linh", "Vi Du", "Vietnamesisch"),
    ("Hamid", "Misal", "Dari"), ("Zarghuna", "Misal", "Paschtu"), ("Hodan", "Tusaale", "Somali"),
    ("Senait", "Abnet", "Tigrinya"), ("Rojda", "Mînak", "Kurdisch (Kurmanji)"), ("Erika", "Musterfrau", "Englisch"),
    ("Max", "Mustermann", "Russisch"), ("Lina", "Beispiel", "Arabisch"), ("Jonas", "Beispiel", "Türkisch"),
    ("Leyla", "Nemune", "Dari"), ("Yusuf", "Mînak", "Arabisch"),
]
N_DOCTORS = 32

# Sentences that make a description two sentences long now and then.
EXTRA_SENTENCES = [
    "Bitte bringen Sie Ihre Unterlagen mit.", "Eine Dolmetscherin kann nach Absprache dazukommen.",
    "Kinder dürfen mitgebracht werden.", "Der Eingang liegt im Hinterhof.", "Neue Gesichter sind immer willkommen.",
    "In den Schulferien gelten andere Zeiten.", "Anmeldung auch per E-Mail möglich.",
    "Die Räume sind mit dem Bus gut erreichbar.",
]

HEADER = ["ID", "Name", "Kategorie", "Träger", "Beschreibung", "Straße", "Hausnummer", "PLZ", "Ort",
          "Breitengrad", "Längengrad", "Art", "Sprachen", "Zielgruppen", "Alter von", "Alter bis",
          "Öffnungszeiten", "Termin", "Telefon", "E-Mail", "Webseite", "Barrierefrei", "Kosten", "Stand"]

# One physical offer in each of these categories keeps its address but has no
# coordinates, so the demo shows "not located" and what geocoding is for.
NOT_LOCATED_CATEGORIES = ["counselling", "language_course", "meeting_place", "doctor", "other"]


# --------------------------------------------------------------------------- offers

def pick_weighted(rng: random.Random, weights: dict) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def pick_point(rng: random.Random, district: Polygon, centre: tuple[float, float]) -> tuple[float, float]:
    """A point near the district's centre, at least ~50 m inside its cell.

    Offers cluster around a district's centre the way real ones cluster along
    main streets; the margin keeps rounded coordinates clear of cell edges.
    """
    inner = district.buffer(-0.0007)
    for _ in range(1000):
        lon = round(rng.gauss(centre[0], 0.006), 4)
        lat = round(rng.gauss(centre[1], 0.004), 4)
        if inner.contains(Point(lon, lat)):
            return lon, lat
    raise SystemExit(f"could not place a point in {district}")


def languages_for(rng: random.Random, fixed: list[str], extra_max: int = 3) -> str:
    """A Sprachen cell: usually Deutsch, the offer's own languages, some random others."""
    langs = (["Deutsch"] if rng.random() < 0.75 or not fixed else []) + list(fixed)
    for _ in range(rng.randint(0 if fixed else 1, extra_max)):
        lang = pick_weighted(rng, LANGUAGE_WEIGHTS)
        if lang not in langs:
            langs.append(lang)
    # Now and then a note in parentheses, as coordinators write them.
    langs = [f"{lang} ({rng.choice(LANGUAGE_NOTES)})"
             if lang != "Deutsch" and "(" not in lang and rng.random() < 0.08 else lang for lang in langs]
    return rng.choice([", ", ", ", "; "]).join(langs)


def phone_number(rng: random.Random, number: int) -> str:
    # 0631 5550xxx: a fictional block, written in the formats people actually use.
    fmt = rng.choice(["0631 5550{n:03d}", "0631 5550-{n:03d}", "(0631) 5550{n:03d}", "+49 631 5550{n:03d}"])
    return fmt.format(n=number)


def stand_date(rng: random.Random) -> str:
    """Verification date; about a fifth deliberately older than a year (before 2025-11)."""
    if rng.random() < 0.2:
        start, end = dt.date(2024, 1, 8), dt.date(2025, 9, 30)
    else:
        start, end = dt.date(2025, 12, 1), dt.date(2026, 10, 30)
    day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
    return day.strftime("%d.%m.%Y")  # German date, as Excel shows it


def doctor_kinds(rng: random.Random) -> list[dict]:
    kinds = []
    for first, last, lang in rng.sample(DOCTOR_NAMES, N_DOCTORS):
        title, kats, what = rng.choice(DOCTOR_SPECIALTIES)
        age = (0, 17) if title.startswith("Kinder") else None
        if age:
            groups = [["Kinder", "Jugendliche", "Familien"]]
        else:
            groups = [["Frauen"]] if title.startswith("Frauen") else [["Alle"]]
        kinds.append(K(f"{title} Dr. {first} {last}", kats, f"Dr. med. {first} {last}",
                       [f"{what}; in der Praxis wird {{langs}} gesprochen.",
                        f"{what}. Wir sprechen {{langs}}."],
                       groups, hours="doctor", age=age, langs=[lang], cost="unbekannt", doctor=True))
    return kinds


def build_offer(rng: random.Random, kind: dict, category: str, districts: list) -> dict:
    virtual = "art" in kind
    row = {h: "" for h in HEADER}
    row["Kategorie"] = rng.choice(kind["kat"])
    traeger = kind["traeger"]
    row["Träger"] = rng.choice(TRAEGER[traeger]) if traeger in TRAEGER else traeger
    if rng.random() < 0.05 and not kind.get("doctor"):
        row["Träger"] = ""  # some rows simply lack it
    row["Sprachen"] = languages_for(rng, kind.get("langs", []), extra_max=2 if kind.get("doctor") else 3)
    # Doctors' descriptions name the spoken languages, the way practices advertise them.
    spoken = [s.split(" (")[0] for s in row["Sprachen"].replace("; ", ", ").split(", ") if s != "Deutsch"]
    spoken_text = " und ".join(filter(None, [", ".join(spoken[:-1]), spoken[-1]])) if spoken else "Deutsch"
    desc = rng.choice(kind["desc"]).replace("{langs}", spoken_text)
    if rng.random() < 0.35:
        desc += " " + rng.choice(EXTRA_SENTENCES)
    row["Beschreibung"] = desc
    row["Zielgruppen"] = ", ".join(rng.choice(kind["groups"]))
    lo, hi = kind.get("age") or (None, None)
    row["Alter von"], row["Alter bis"] = ("" if lo is None else str(lo)), ("" if hi is None else str(hi))
    hours = HOURS[kind.get("hours", {"counselling": "office", "sports": "sports",
                                     "authority": "authority"}.get(category, "office"))]
    row["Öffnungszeiten"] = "" if rng.random() < 0.05 else rng.choice(hours)
    row["Termin"] = kind.get("appointment") or rng.choices(
        ["keiner", "empfohlen", "erforderlich", ""], weights=[4, 4, 3, 1])[0]
    row["Barrierefrei"] = rng.choices(["ja", "eingeschränkt", "nein", "unbekannt", ""],
                                      weights=[5, 3, 2, 3, 1])[0]
    row["Kosten"] = kind.get("cost") or rng.choices(["kostenlos", "kostenpflichtig", "unbekannt"],
                                                     weights=[8, 1, 1])[0]
    row["Stand"] = stand_date(rng)
    if virtual:
        row["Art"] = kind["art"]
        row["Name"] = kind["name"]
        return row
    row["Art"] = "vor Ort"
    # Where the offer is: the kind's preferred district, else weighted towards the centre.
    if "district" in kind:
        d = next(d for d in districts if d[1] == kind["district"])
    else:
        d = rng.choices(districts, weights=[spec[5] for spec in DISTRICTS])[0]
    _, dname, poly, centre, plz, streets = d
    lon, lat = pick_point(rng, poly, centre)
    row["Breitengrad"], row["Längengrad"] = f"{lat:.4f}".replace(".", ","), f"{lon:.4f}".replace(".", ",")
    row["Straße"] = rng.choice(streets)
    number = str(rng.randint(1, 140))
    row["Hausnummer"] = number + rng.choice(["", "", "", "", "", "a", "b", f"-{int(number) + 2}"])
    row["PLZ"], row["Ort"] = plz, "Kaiserslautern"
    row["Name"] = kind["name"]
    row["_district"] = dname  # used for unique names, dropped before writing
    return row


def make_offers(rng: random.Random, districts: list) -> list[dict]:
    lookup = [(did, name, poly, spec[2], spec[3], spec[4]) for (did, name, poly), spec in zip(districts, DISTRICTS)]
    groups = {"counselling": COUNSELLING, "language_course": LANGUAGE_COURSES, "meeting_place": MEETING_PLACES,
              "sports": SPORTS, "authority": AUTHORITIES, "other": OTHER, "doctor": doctor_kinds(rng)}
    rows = []
    for category, kinds in groups.items():
        for kind in kinds:
            for _ in range(kind["n"]):
                rows.append(build_offer(rng, kind, category, lookup) | {"_category": category})

    # Same offer type in several places: tell them apart by district, as a coordinator would.
    seen: dict[str, int] = {}
    for row in rows:
        seen[row["Name"]] = seen.get(row["Name"], 0) + 1
    used: set[str] = set()
    for row in rows:
        base = row["Name"]
        candidates = [base] if seen[base] == 1 else []
        if row.get("_district"):
            candidates += [f"{base} – {row['_district']}", f"{base} – {row['Straße']}",
                           f"{base} – {row['Straße']} {row['Hausnummer']}"]
        candidates += [f"{base} ({k})" for k in range(2, 10)]
        row["Name"] = next(c for c in candidates if c not in used)
        used.add(row["Name"])

    for category in NOT_LOCATED_CATEGORIES:
        physical = [r for r in rows if r["_category"] == category and r["Art"] == "vor Ort"]
        victim = rng.choice(physical)
        victim["Breitengrad"] = victim["Längengrad"] = ""

    # A spreadsheet grows in no particular order; ids are given in row order.
    rng.shuffle(rows)
    numbers = rng.sample(range(100, 1000), len(rows))
    for i, (row, number) in enumerate(zip(rows, numbers), start=1):
        row["ID"] = f"kl-{i:04d}"
        slug = row["ID"]
        row["Telefon"] = "" if rng.random() < 0.08 else phone_number(rng, number)
        row["E-Mail"] = "" if rng.random() < 0.15 else rng.choice(
            [f"info-{slug}@example.org", f"kontakt.{slug}@example.org"])
        row["Webseite"] = "" if rng.random() < 0.25 else f"https://example.org/angebote/{slug}"
    return rows


def check_opening_hours(rows: list[dict]) -> None:
    """Fail loudly on invalid opening_hours: the demo must import without errors."""
    bad = [(r["ID"], r["Öffnungszeiten"]) for r in rows
           if r["Öffnungszeiten"] and not opening_hours.validate(r["Öffnungszeiten"])]
    if bad:
        raise SystemExit(f"invalid opening_hours: {bad}")


# --------------------------------------------------------------------------- writers

def write_offers(rows: list[dict], path: Path) -> None:
    # German Excel: UTF-8 with BOM, semicolons, CRLF line ends.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, delimiter=";", lineterminator="\r\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_districts(districts: list, path: Path) -> None:
    features = [{"type": "Feature",
                 "properties": {"id": did, "name": name, "note": DISTRICT_NOTE},
                 "geometry": mapping(poly)} for did, name, poly in districts]
    # One feature per line: small, and still readable in a diff.
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    path.write_text('{"type": "FeatureCollection", "name": "districts_schematic", "features": [\n'
                    f"{lines}\n]}}\n", encoding="utf-8")


def write_population(rng: random.Random, path: Path) -> None:
    """Invented residents per district; origin shares vary a little around a town-wide mix."""
    origins = {"Syrien": 0.14, "Ukraine": 0.12, "Afghanistan": 0.05, "Türkei": 0.10, "Irak": 0.04,
               "Rumänien": 0.07, "Bulgarien": 0.06, "Polen": 0.06, "Eritrea": 0.015, "Somalia": 0.01}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["district", "population", "foreign", *origins])
        for _, name, _, _, _, _, population, share in DISTRICTS:
            foreign = round(population * share)
            writer.writerow([name, population, foreign,
                             *(round(foreign * s * rng.uniform(0.6, 1.4)) for s in origins.values())])


def main() -> None:
    rng = random.Random(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    districts = make_districts()
    rows = make_offers(rng, districts)
    check_opening_hours(rows)
    write_offers(rows, OUT / "offers.csv")
    write_districts(districts, OUT / "districts.geojson")
    write_population(rng, OUT / "population.csv")
    print(f"wrote {len(rows)} offers, {len(districts)} districts to {OUT}")


if __name__ == "__main__":
    main()
