"""Benchmark the offline gazetteer: build time, lookup rate and accuracy on real OSM extracts.

    .venv/bin/python scripts/bench_geocoding.py [--sample 2000] [--seed 1] [--write-docs]

For each extract in ../shared/data (Kaiserslautern 2013, Lauf an der Pegnitz 2020) it
builds a gazetteer, then samples real addresses straight from the extract (read here
independently of the gazetteer code: nodes by their position, buildings and areas by their
centroid), writes each one the way people write addresses in spreadsheets ("Str.", ss for
ß, lower case, "12 a", "Nr. 12", "12-14", missing town, postcode after the town, one
address column …) and geocodes them through the same pipeline the importer uses (offline
provider only). It reports the share located within 25 m of the OSM position, the share
located at all, and how many answers fall outside the town's bounding box (must be 0).

With --write-docs the figures replace this script's section in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import osmium
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.geocoding.base import AddressQuery  # noqa: E402
from geo.geocoding.gazetteer import Gazetteer  # noqa: E402
from geo.geocoding.gazetteer_build import build_gazetteer  # noqa: E402
from geo.geocoding.pipeline import AreaCheck, GeocodingPipeline  # noqa: E402
from geo.geocoding.providers import OfflineProvider  # noqa: E402
from benchdocs import publish  # noqa: E402 (scripts/ is on sys.path when run)

DATA = ROOT.parent / "shared" / "data"
EXTRACTS = {
    "Kaiserslautern (2013, OSM XML .gz)": DATA / "osm-kaiserslautern" / "kaiserslautern.osm.gz",
    "Lauf an der Pegnitz (2020, PBF)": DATA / "osm-extracts-de" / "lauf-an-der-pegnitz-200115.osm.pbf",
}
SECTION = "## Geocoding (scripts/bench_geocoding.py)"
WITHIN_M = 25.0


class _Truth(osmium.SimpleHandler):
    """Every addressed node / area with street and number, at its OSM position."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self._wkb = osmium.geom.WKBFactory()

    def _row(self, tags, lon, lat, kind):
        if "addr:street" in tags and "addr:housenumber" in tags:
            self.rows.append({"street": tags["addr:street"], "housenumber": tags["addr:housenumber"],
                              "postcode": tags.get("addr:postcode", ""), "city": tags.get("addr:city", ""),
                              "lon": lon, "lat": lat, "kind": kind})

    def node(self, n):
        if "addr:housenumber" in n.tags:
            self._row(n.tags, n.location.lon, n.location.lat, "node")

    def area(self, a):
        if "addr:housenumber" in a.tags:
            try:
                c = shapely.from_wkb(self._wkb.create_multipolygon(a)).centroid
            except Exception:  # noqa: BLE001 - broken polygons are not a fair test
                return
            self._row(a.tags, c.x, c.y, "area")


def distance_m(lat1, lon1, lat2, lon2) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _abbreviate(street: str) -> str:
    return re.sub(r"(?i)stra(ß|ss)e\b", "str.", street)


def _no_eszett(s: str) -> str:
    return s.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")


def _spaced_number(hn: str) -> str:
    return re.sub(r"^(\d+)([a-zA-Z])$", r"\1 \2", hn)


# Each variant: (name, function(row, rng) -> ("parts", AddressQuery) or ("text", str)).
def _variants():
    def parts(street, hn, pc, city):
        return "parts", AddressQuery(street, hn, pc, city)

    return [
        ("as in OSM", lambda r, g: parts(r["street"], r["housenumber"], r["postcode"], r["city"])),
        ("Str. abbreviation", lambda r, g: parts(_abbreviate(r["street"]), r["housenumber"], r["postcode"], r["city"])),
        ("ss for ß, ae for ä", lambda r, g: parts(_no_eszett(r["street"]), r["housenumber"], r["postcode"], _no_eszett(r["city"]))),
        ("lower case", lambda r, g: parts(r["street"].lower(), r["housenumber"].lower(), r["postcode"], r["city"].lower())),
        ("upper case, extra spaces", lambda r, g: parts("  " + r["street"].upper().replace(" ", "  ") + " ", r["housenumber"].upper(), r["postcode"], r["city"].upper())),
        ("'12 a' suffix spacing", lambda r, g: parts(r["street"], _spaced_number(r["housenumber"]), r["postcode"], r["city"])),
        ("'Nr. 12'", lambda r, g: parts(r["street"], "Nr. " + r["housenumber"], r["postcode"], r["city"])),
        ("range '12-14'", lambda r, g: parts(r["street"], _as_range(r["housenumber"]), r["postcode"], r["city"])),
        ("no town", lambda r, g: parts(r["street"], r["housenumber"], r["postcode"], "")),
        ("no postcode", lambda r, g: parts(r["street"], r["housenumber"], "", r["city"])),
        ("hyphens as spaces", lambda r, g: parts(r["street"].replace("-", " "), r["housenumber"], r["postcode"], r["city"])),
        ("number in street column", lambda r, g: parts(f"{r['street']} {r['housenumber']}", "", r["postcode"], r["city"])),
        ("postcode in town column", lambda r, g: parts(r["street"], r["housenumber"], "", f"{r['postcode']} {r['city']}".strip())),
        ("one column, town then postcode", lambda r, g: ("text", f"{_abbreviate(r['street'])} {r['housenumber']}, {r['city']} {r['postcode']}".strip(", "))),
        ("one column, usual order", lambda r, g: ("text", f"{r['street']} {r['housenumber']}, {r['postcode']} {r['city']}".strip(", "))),
    ]


def _as_range(hn: str) -> str:
    m = re.fullmatch(r"(\d+)", hn)
    return f"{m.group(1)}-{int(m.group(1)) + 2}" if m else hn


def bench_extract(label: str, path: Path, sample: int, seed: int, workdir: Path) -> dict:
    out = workdir / (path.name.split(".")[0] + ".gazetteer.sqlite")
    t0 = time.perf_counter()
    stats = build_gazetteer(path, out)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    gaz = Gazetteer(out)
    load_s = time.perf_counter() - t0

    truth = _Truth()
    truth.apply_file(str(path), locations=True)
    rows = truth.rows
    lons = [r["lon"] for r in rows]
    lats = [r["lat"] for r in rows]
    town_bbox = (min(lons), min(lats), max(lons), max(lats))
    rng = random.Random(seed)
    picked = rng.sample(rows, min(sample, len(rows)))
    variants = _variants()

    pipeline = GeocodingPipeline([OfflineProvider(gaz)], cache=None, area=AreaCheck(town_bbox))
    queries: list[tuple[str, object, dict]] = []
    for i, row in enumerate(picked):
        name, fn = variants[i % len(variants)]
        kind, q = fn(row, rng)
        queries.append((name, (kind, q), row))

    part_queries = [q for _, (kind, q), _ in queries if kind == "parts"]
    t0 = time.perf_counter()
    part_results = pipeline.geocode_many(part_queries)
    text_results = [pipeline.geocode_text(q) for _, (kind, q), _ in queries if kind == "text"]
    geocode_s = time.perf_counter() - t0
    it_parts, it_text = iter(part_results), iter(text_results)
    results = [next(it_parts) if kind == "parts" else next(it_text) for _, (kind, _q), _ in queries]

    # Where OSM holds one address on several objects, the gazetteer answers with one of them;
    # a miss that lands on another object of the same address is a duplicate in the data.
    same_address: dict[tuple, list[tuple[float, float]]] = {}
    for r in rows:
        same_address.setdefault((r["street"], r["housenumber"], r["postcode"]), []).append((r["lat"], r["lon"]))
    duplicates = 0
    within = located = outside = 0
    per_variant: Counter = Counter()
    per_variant_ok: Counter = Counter()
    precision: Counter = Counter()
    misses: list[str] = []
    for (name, (kind, q), row), res in zip(queries, results):
        per_variant[name] += 1
        if res.located:
            located += 1
            precision[res.precision] += 1
            if not (town_bbox[0] <= res.lon <= town_bbox[2] and town_bbox[1] <= res.lat <= town_bbox[3]):
                outside += 1
            d = distance_m(row["lat"], row["lon"], res.lat, res.lon)
            if d <= WITHIN_M:
                within += 1
                per_variant_ok[name] += 1
            else:
                twins = same_address[(row["street"], row["housenumber"], row["postcode"])]
                duplicates += any(distance_m(lat, lon, res.lat, res.lon) <= WITHIN_M for lat, lon in twins)
                if len(misses) < 8:
                    misses.append(f"{name}: {d:.0f} m, {res.precision}, {res.message}")
        elif len(misses) < 8:
            misses.append(f"{name}: {res.status} {res.message}")

    # Raw lookup rate on the clean form, without pipeline overhead.
    clean = [AddressQuery(r["street"], r["housenumber"], r["postcode"], r["city"]) for r in picked]
    t0 = time.perf_counter()
    for q in clean:
        try:
            gaz.lookup(q)
        except Exception:  # noqa: BLE001 - misses count as lookups too
            pass
    lookup_s = time.perf_counter() - t0
    n = len(picked)
    return {
        "label": label, "file": path.name, "addresses": stats.addresses, "interpolated": stats.interpolated,
        "streets": stats.streets, "size_kb": out.stat().st_size / 1024, "build_s": build_s, "load_s": load_s,
        "sample": n, "within": within / n, "located": located / n, "outside": outside,
        "pipeline_rate": n / geocode_s, "lookup_rate": n / lookup_s, "precision": dict(precision),
        "worst_variant": min(per_variant, key=lambda v: per_variant_ok[v] / per_variant[v]),
        "worst_share": min(per_variant_ok[v] / per_variant[v] for v in per_variant),
        "misses": misses, "miss_count": n - within, "duplicates": duplicates,
    }


def render(results: list[dict], sample: int, seed: int) -> str:
    lines = [
        SECTION, "",
        f"Offline gazetteer on the real extracts in ../shared/data; {sample} addresses sampled per "
        f"extract (seed {seed}), each written in one of 15 spreadsheet styles, geocoded through the "
        "pipeline with only the offline provider. Run: `.venv/bin/python scripts/bench_geocoding.py --write-docs`.",
        "",
        "| extract | addresses | build s | file KB | load s | addresses/s (pipeline) | lookups/s (raw) | within 25 m | located | outside town |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['label']} | {r['addresses']:,} (+{r['interpolated']} interpolated) | {r['build_s']:.2f} | "
            f"{r['size_kb']:.0f} | {r['load_s']:.3f} | {r['pipeline_rate']:,.0f} | {r['lookup_rate']:,.0f} | "
            f"{r['within']:.1%} | {r['located']:.1%} | {r['outside']} |")
    lines.append("")
    for r in results:
        lines.append(f"- {r['label']}: precision of located answers {r['precision']}; weakest style "
                     f"\"{r['worst_variant']}\" at {r['worst_share']:.1%} within 25 m; of {r['miss_count']} "
                     f"answers further than 25 m, {r['duplicates']} landed on another OSM object with the same "
                     "address (the data holds it twice, at different places).")
    lines.append("")
    return "\n".join(lines)



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2000, help="addresses sampled per extract")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--show-misses", action="store_true", help="print a few misses per extract")
    args = parser.parse_args(argv)
    missing = [str(p) for p in EXTRACTS.values() if not p.exists()]
    if missing:
        print(f"missing extracts: {', '.join(missing)}", file=sys.stderr)
        return 2
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in EXTRACTS.items():
            r = bench_extract(label, path, args.sample, args.seed, Path(tmp))
            results.append(r)
            if args.show_misses:
                print(label, *r["misses"], sep="\n  ")
    section = render(results, args.sample, args.seed)
    publish(SECTION, section, args.write_docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
