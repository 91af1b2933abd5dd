"""Real lists as they are: what the reader, the validator and the German-hours reader make of them.

    .venv/bin/python scripts/bench_real_lists.py [--data ../shared/data] [--write-docs]

Uses the real data in ../shared/data (see scripts/real_lists.py for how the coordinators'
lists are written from the OSM extracts) and reports, without any configuration:

- Kaiserslautern places (OSM 2013) as an XLSX with title rows and merged headers and as a
  cp1252 CSV with mixed street spellings: rows kept (published + waiting for review),
  rejected, duplicates; addresses located at house level by the offline gazetteer built
  from the same extract, and how many of those lie within 100 m of the OSM object;
- every OSM opening_hours value of the extracts, rewritten in six coordinator styles
  (German and English), read back: converted, and converted to the *same week* as the
  original (state compared every 15 minutes over a week); plus the real malformed
  values and Integreat's JSON weeks;
- the Munich newcomer-app file (Integreat test POIs) and Berlin's facility lists in
  EPSG:25833: rows kept, reviewed (and why), placeholders found, capacity kept.

Figures depend only on the data, not on the machine's load (nothing is timed).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import opening_hours  # noqa: E402

from benchdocs import publish  # noqa: E402
from geo.geocoding.base import AddressQuery  # noqa: E402
from geo.geocoding.gazetteer import Gazetteer  # noqa: E402
from geo.geocoding.gazetteer_build import build_gazetteer  # noqa: E402
from geo.hours_de import AS_IS, CONVERTED, NOT_UNDERSTOOD, read_opening_hours  # noqa: E402
from geo.readers.geojson import read_geojson  # noqa: E402
from geo.readers.tabular import read_table  # noqa: E402
from geo.settings import load_settings  # noqa: E402
from geo.validate import validate_table  # noqa: E402
from real_lists import (  # noqa: E402
    german_hours, osm_opening_hours, osm_places, write_coordinator_csv, write_coordinator_xlsx,
)

SECTION = "## Real lists (scripts/bench_real_lists.py)"
EXTRACTS = ("osm-kaiserslautern/kaiserslautern.osm.gz", "osm-extracts-de/lauf-an-der-pegnitz-200115.osm.pbf",
            "osm-extracts-de/north-bayreuth.osm.gz", "osm-extracts-de/hoyerswerda.osm.pbf",
            "osm-extracts-de/essen-center.osm.gz", "osm-extracts-de/nuernberg-laufamholzstrasse.osm")
KAISERSLAUTERN = {"area": {"name": "Kaiserslautern", "bbox": [7.60, 49.35, 7.95, 49.52]}}
MUNICH = {"area": {"name": "München", "bbox": [11.30, 47.95, 11.85, 48.30]}}
BERLIN = {"area": {"name": "Berlin", "bbox": [13.08, 52.33, 13.77, 52.68]}}
STYLES = ("dots + 'und'", "words 'von … bis'", "en dash + '/'", "'Mo - Fr:' + vertical bar", "'montags bis freitags'",
          "English am/pm")


def week_states(expression: str) -> list[str] | None:
    """The state every 15 minutes over one week without holidays (Mon 2024-06-03 .. Sun)."""
    try:
        parsed = opening_hours.OpeningHours(expression)
    except (opening_hours.ParserError, ValueError, SyntaxError):
        return None
    start = datetime(2024, 6, 3)
    return [str(parsed.state(start + timedelta(minutes=15 * i))[0]) for i in range(7 * 96)]


def hours_figures(data: Path) -> dict:
    values = osm_opening_hours([data / e for e in EXTRACTS if (data / e).exists()])
    distinct = list(dict.fromkeys(values))
    valid = [v for v in distinct if week_states(v) is not None]
    broken = [v for v in distinct if week_states(v) is None]
    per_style = Counter()
    same_style = Counter()
    failures: list[tuple[str, str, str]] = []
    for value in valid:
        target = week_states(value)
        for style in range(len(STYLES)):
            text = german_hours(value, style)
            reading = read_opening_hours(text)
            if reading.status in (CONVERTED, AS_IS):
                per_style[style] += 1
                if week_states(reading.osm) == target:
                    same_style[style] += 1
                elif len(failures) < 5:
                    failures.append((text, reading.osm, value))
            elif len(failures) < 5:
                failures.append((text, reading.message, value))
    broken_read = [(v, read_opening_hours(v)) for v in broken]
    return {"values": len(values), "distinct": len(distinct), "valid": len(valid), "per_style": per_style,
            "same_style": same_style, "broken": broken_read, "failures": failures}


def kaiserslautern_figures(data: Path, work: Path) -> dict:
    extract = data / EXTRACTS[0]
    places = osm_places(extract)
    settings = load_settings(None, overrides={**KAISERSLAUTERN, "store": {"path": str(work / "kl.gpkg")}})
    gazetteer_path = work / "kl-gazetteer.sqlite"
    build_gazetteer(extract, gazetteer_path)
    gazetteer = Gazetteer(gazetteer_path)
    out = {"places": len(places), "with_hours": sum(1 for p in places if p.opening_hours)}
    for label, path in (("XLSX (title rows, merged header)", write_coordinator_xlsx(places, work / "kl.xlsx")),
                        ("CSV cp1252 (street + number in one cell)", write_coordinator_csv(places, work / "kl.csv"))):
        raw = read_table(path)
        result = validate_table(raw, settings, "kl", street_names=gazetteer.street_names(),
                                postcodes=gazetteer.postcode_towns())
        offers = result.offers
        by_id = {p.name: p for p in places}
        exists = located = near = 0
        for _, offer in offers.iterrows():
            place = by_id.get(offer["name"])
            if place is None or not (place.street and place.housenumber):
                continue
            exists += 1
            try:
                match = gazetteer.lookup(AddressQuery(offer["street"], offer["housenumber"], offer["postcode"],
                                                      offer["city"] or "Kaiserslautern"))
            except Exception:  # NotFound and friends: not located
                continue
            if match.precision == "house":
                located += 1
                if _metres(match.lat, match.lon, place.lat, place.lon) <= 100:
                    near += 1
        reasons = Counter(r.split(":")[0] for reasons in result.review for r in reasons)
        out[label] = {"rows": result.rows_read, "kept": len(offers), "published": int(result.publishable.sum()),
                      "review": len(result.review_rows), "rejected": len(result.rejected_rows),
                      "duplicates": len(result.duplicate_rows), "exists": exists, "located": located, "near": near,
                      "reasons": reasons,
                      "extras": sorted({k for e in result.extras for k in e})}
    return out


def _metres(lat1, lon1, lat2, lon2) -> float:
    k = math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon2 - lon1) * 111_320 * k, (lat2 - lat1) * 110_574)


def list_figures(path: Path, settings) -> dict:
    raw = read_geojson(path) if path.suffix == ".geojson" else read_table(path)
    result = validate_table(raw, settings, path.stem)
    kinds = Counter()
    for p in result.problems:
        if p.severity in ("review", "warning"):
            kinds[(p.severity, p.column, p.message.split(";")[0].split(":")[0][:60])] += 1
    hours = [p for p in result.problems if p.column.lower().startswith(("opening", "öffnungs"))]
    return {"rows": result.rows_read, "kept": len(result.offers), "published": int(result.publishable.sum()),
            "review": len(result.review_rows), "rejected": len(result.rejected_rows),
            "duplicates": len(result.duplicate_rows), "kinds": kinds.most_common(8),
            "with_coordinates": int(result.offers["lat"].notna().sum()),
            "capacity": sum(1 for e in result.extras if isinstance(e.get("capacity"), int)),
            "hours_notes": Counter(p.severity for p in hours)}


def render(hours: dict, kl: dict, munich: dict | None, berlin: dict) -> str:
    lines = [SECTION, "",
             "Run: `.venv/bin/python scripts/bench_real_lists.py --write-docs` (no configuration, nothing timed; "
             "the lists are written from the real extracts by scripts/real_lists.py).", "",
             "### Lists: rows kept on the first run", "",
             "| list | rows | kept | published | for review | rejected | duplicates | addresses in the extract "
             "| located at house level | of those within 100 m |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label in [k for k in kl if isinstance(kl[k], dict)]:
        f = kl[label]
        lines.append(f"| Kaiserslautern {kl['places']} places, {label} | {f['rows']} | {f['kept']} | {f['published']} "
                     f"| {f['review']} | {f['rejected']} | {f['duplicates']} | {f['exists']} | "
                     f"{f['located']} ({_pct(f['located'], f['exists'])}) | {f['near']} |")
    if munich:
        lines.append(f"| Munich newcomer app (Integreat test POIs) | {munich['rows']} | {munich['kept']} | "
                     f"{munich['published']} | {munich['review']} | {munich['rejected']} | {munich['duplicates']} "
                     "| – | – | – |")
    for name, f in berlin.items():
        lines.append(f"| Berlin {name} (EPSG:25833) | {f['rows']} | {f['kept']} | {f['published']} | {f['review']} "
                     f"| {f['rejected']} | {f['duplicates']} | – | with coordinates: {f['with_coordinates']} | "
                     f"capacity kept: {f['capacity']} |")
    lines += ["", "Why rows wait for review (Kaiserslautern XLSX): " + ", ".join(
        f"{k} {v}" for k, v in next(f for f in kl.values() if isinstance(f, dict))["reasons"].most_common())]
    if munich:
        lines.append("Munich, most frequent review reasons and warnings: " + "; ".join(
            f"{s} {c}: {m} ({n})" for (s, c, m), n in munich["kinds"]))
    total = sum(hours["per_style"].values())
    same = sum(hours["same_style"].values())
    asked = hours["valid"] * len(STYLES)
    lines += ["", "### Opening hours written as people write them", "",
              f"{hours['values']} opening_hours values in {len(EXTRACTS)} OSM extracts, {hours['distinct']} distinct, "
              f"{hours['valid']} valid OSM; each valid one rewritten in {len(STYLES)} styles = {asked} texts, read "
              "back and compared with the original every 15 minutes over a week.", "",
              "| style | converted | same week as the original |", "|---|---:|---:|"]
    for style, label in enumerate(STYLES):
        lines.append(f"| {label} | {hours['per_style'][style]} / {hours['valid']} | {hours['same_style'][style]} |")
    lines.append(f"| **all** | **{total} / {asked} ({_pct(total, asked)})** | **{same} ({_pct(same, asked)})** |")
    lines += ["", "Malformed values found in the extracts (as mappers wrote them): " + "; ".join(
        f"`{v}` → {r.osm or r.status}" for v, r in hours["broken"])]
    if hours["failures"]:
        lines.append("First texts not read to the same week as OSM's strict reading: " + "; ".join(
            f"`{t}` → {o!r} (was `{v}`)".replace("\n", " ⏎ ") for t, o, v in hours["failures"][:3]))
    return "\n".join(lines) + "\n"


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "–"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"{args.data}: real data folder not found (pass --data)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        hours = hours_figures(args.data)
        kl = kaiserslautern_figures(args.data, work)
        munich_path = args.data / "integreat-muenchen-pois" / "pois_flat.csv"
        munich = list_figures(munich_path, load_settings(None, overrides={**MUNICH, "store": {
            "path": str(work / "m.gpkg")}})) if munich_path.exists() else None
        berlin_settings = load_settings(None, overrides={**BERLIN, "store": {"path": str(work / "b.gpkg")}})
        berlin = {name: list_figures(args.data / "berlin-open-data-facilities" / f"{name}.geojson", berlin_settings)
                  for name in ("kindertagesstaetten", "jugendfreizeiteinrichtungen", "schulen")}
    publish(SECTION, render(hours, kl, munich, berlin), args.write_docs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
