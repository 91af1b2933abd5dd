"""Benchmark the store: one-offer updates, a 100,000-row import, and our index against PostGIS KNN.

    .venv/bin/python scripts/bench_store.py [--offers 200000] [--import-rows 100000] [--updates 200]
        [--wholefile-updates 3] [--knn-queries 500] [--postgis-url URL] [--backends gpkg,postgis,wholefile]
        [--seed 7] [--write-docs]

Side by side in one run, on the same synthetic offers (geo.index.synthetic):

- one-offer update at --offers offers, p50/p99 over --updates updates of random offers
  (``Store.update_offer``: one transaction with the row, its history row and the data
  version), on the GeoPackage file and on PostGIS, and the same change with the
  whole-file store this package replaced (the previous geo/store.py, read from git: the
  whole GeoPackage rewritten and renamed into place; --wholefile-updates repetitions);
- ``import_file`` of a --import-rows row CSV into an empty store on each backend (the
  whole import: read, validate, districts, one replace_source transaction);
- nearest-10 with a language filter, p50/p99 over --knn-queries random points, through
  our in-memory OfferIndex and through PostGIS's own KNN (``ORDER BY geom <-> point``,
  GiST index) on the same offers.

Without --postgis-url a throwaway PostgreSQL + PostGIS cluster is started from the
installed binaries (tests/pg_cluster.py; as the postgres user when run as root).
The HTTP parts of issue 11's list (PATCH through the API, visibility in a second
process, start-up, throughput with 1 and 2 processes) need the write API; their hooks
are at the end of this file and print "not measured yet".

Figures depend on the machine: take them on a quiet one (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from benchdocs import publish  # noqa: E402 (scripts/ is on sys.path when run)

SECTION = "## Store (scripts/bench_store.py)"
LANGUAGES = ("ar", "uk", "ru", "tr", "fa", "prs", "ti", "so")


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ms = np.asarray(seconds) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def synthetic(n: int, seed: int):
    from geo.index.synthetic import synthetic_offers

    offers = synthetic_offers(n, seed=seed)
    offers["source"] = "bench"
    return offers


# -- one-offer update ------------------------------------------------------------------------------

def bench_updates(store, offers, updates: int, seed: int) -> dict:
    """Fill ``store`` with ``offers`` (one replace_source), then time single updates."""
    started = time.perf_counter()
    store.replace_source("bench", offers, actor="bench")
    fill_s = time.perf_counter() - started
    rng = random.Random(seed)
    ids = offers["id"].tolist()
    times = []
    for i in range(updates):
        offer_id = rng.choice(ids)
        version = store.offer(offer_id)["version"]
        started = time.perf_counter()
        store.update_offer(offer_id, {"phone": f"0631 {i:06d}"}, expected_version=version, actor="bench")
        times.append(time.perf_counter() - started)
    p50, p99 = percentiles(times)
    return {"fill_s": fill_s, "p50_ms": p50, "p99_ms": p99, "n": updates}


def wholefile_module(rev: str | None):
    """The whole-file geo/store.py as it was before the store package (from git)."""
    if rev is None:
        rev = subprocess.run(["git", "log", "-1", "--format=%H", "--diff-filter=D", "--", "geo/store.py"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip() + "^"
    source = subprocess.run(["git", "show", f"{rev}:geo/store.py"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    path = Path(tempfile.mkdtemp(prefix="bench-store-")) / "wholefile_store.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("wholefile_store", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_wholefile(folder: Path, offers, repetitions: int, seed: int, rev: str | None) -> dict:
    """Today's one-offer change before this package: read all offers, change one, rewrite the file."""
    old = wholefile_module(rev)
    store = old.Store(folder / "wholefile.gpkg")
    started = time.perf_counter()
    store.write(offers=offers)
    fill_s = time.perf_counter() - started
    rng = random.Random(seed)
    times = []
    for i in range(repetitions):
        started = time.perf_counter()
        frame = store.offers().copy()
        frame.loc[rng.randrange(len(frame)), "phone"] = f"0631 {i:06d}"
        store.write(offers=frame)
        times.append(time.perf_counter() - started)
    p50, p99 = percentiles(times)
    return {"fill_s": fill_s, "p50_ms": p50, "p99_ms": p99, "n": repetitions}


# -- import of N rows -------------------------------------------------------------------------------

def write_csv(offers, path: Path) -> None:
    from geo.export import offers_as_table

    table = offers_as_table(offers)
    table.to_csv(path, index=False, sep=";", encoding="utf-8")


def bench_import(settings, csv_path: Path) -> dict:
    from geo.importer import import_file

    started = time.perf_counter()
    summary = import_file(csv_path, settings, source="bench")
    return {"seconds": time.perf_counter() - started, "imported": summary.imported, "rejected": summary.rejected}


# -- nearest-10 with a language filter: our index vs PostGIS KNN ------------------------------------

def bench_knn(store, offers, queries: int, seed: int) -> dict:
    from sqlalchemy import text

    from geo.index import OfferIndex
    from geo.index.query import OfferQuery
    from geo.index.synthetic import REGION_BBOX

    rng = random.Random(seed)
    points = [(rng.uniform(REGION_BBOX[1], REGION_BBOX[3]), rng.uniform(REGION_BBOX[0], REGION_BBOX[2]),
               rng.choice(LANGUAGES)) for _ in range(queries)]
    started = time.perf_counter()
    index = OfferIndex.from_offers(offers)
    build_s = time.perf_counter() - started
    ours = []
    for lat, lon, language in points:
        started = time.perf_counter()
        index.search(OfferQuery(near=(lat, lon), languages=(language,), limit=10))
        ours.append(time.perf_counter() - started)
    # PostGIS: the GiST index orders by distance; the language (JSON text) is checked row by row.
    sql = text("SELECT id FROM offers WHERE deleted_at IS NULL AND languages LIKE :pattern "
               "ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 10")
    theirs = []
    with store.backend.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE offers")
        for lat, lon, language in points:
            started = time.perf_counter()
            connection.execute(sql, {"pattern": f'%"{language}"%', "lat": lat, "lon": lon}).all()
            theirs.append(time.perf_counter() - started)
    ours_p50, ours_p99 = percentiles(ours)
    pg_p50, pg_p99 = percentiles(theirs)
    return {"index_build_s": build_s, "ours_p50_ms": ours_p50, "ours_p99_ms": ours_p99, "postgis_p50_ms": pg_p50,
            "postgis_p99_ms": pg_p99, "n": queries}


# -- hooks for the HTTP parts (they come with the write API) ----------------------------------------

def bench_http_patch(*_args) -> dict | None:
    """HOOK (write API): one-offer PATCH /api/v1/offers/<id> with If-Match, p50/p99 at 200,000 offers."""
    return None


def bench_visibility_second_process(*_args) -> dict | None:
    """HOOK (write API + many processes): time until a PATCH through one process shows in another (< 1 s)."""
    return None


def bench_startup(*_args) -> dict | None:
    """HOOK (read model): start-up to the first answered page at 300,000 offers (goal < 2 s)."""
    return None


def bench_http_throughput(*_args) -> dict | None:
    """HOOK (serve --workers): HTTP nearest-10 throughput with 1 and 2 processes."""
    return None


# -- the run ------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offers", type=int, default=200_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--wholefile-updates", type=int, default=3)
    parser.add_argument("--wholefile-rev", default=None, help="git revision of the whole-file geo/store.py")
    parser.add_argument("--knn-queries", type=int, default=500)
    parser.add_argument("--postgis-url", default=os.environ.get("BENCH_POSTGIS_URL", ""))
    parser.add_argument("--backends", default="gpkg,postgis,wholefile")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    from conftest import make_settings
    from geo.store import Store

    cluster = None
    urls: list[str] = []

    def new_database() -> str:
        nonlocal cluster
        if args.postgis_url:
            return args.postgis_url
        if cluster is None:
            from pg_cluster import Cluster

            cluster = Cluster().start()
        url = cluster.create_database()
        urls.append(url)
        return url

    results: dict = {"update": {}, "import": {}}
    offers = synthetic(args.offers, args.seed)
    import_offers = synthetic(args.import_rows, args.seed + 1)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
            folder = Path(tmp)
            csv_path = folder / "import.csv"
            write_csv(import_offers, csv_path)
            for backend in backends:
                if backend == "wholefile":
                    results["update"]["whole-file rewrite (before)"] = bench_wholefile(
                        folder, offers, args.wholefile_updates, args.seed, args.wholefile_rev)
                    print("whole-file", results["update"]["whole-file rewrite (before)"], flush=True)
                    continue
                location = folder / f"{backend}.gpkg" if backend == "gpkg" else new_database()
                with Store(location) as store:
                    results["update"][backend] = bench_updates(store, offers, args.updates, args.seed)
                    print(backend, "update", results["update"][backend], flush=True)
                    if backend == "postgis":
                        results["knn"] = bench_knn(store, offers, args.knn_queries, args.seed)
                        print("knn", results["knn"], flush=True)
                target = {"path": str(folder / f"import-{backend}.gpkg")}
                if backend == "postgis":
                    target["url"] = new_database()
                results["import"][backend] = bench_import(make_settings(folder, store=target), csv_path)
                print(backend, "import", results["import"][backend], flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    publish(SECTION, section(results, args), args.write_docs)


def section(results: dict, args) -> str:
    lines = [SECTION, "",
             f"`python scripts/bench_store.py --offers {args.offers} --import-rows {args.import_rows} "
             f"--updates {args.updates}` on {platform.processor() or platform.machine()}, "
             f"{os.cpu_count()} cores, Python {platform.python_version()}.", "",
             f"One-offer update at {args.offers:,} offers (goal: p50 under 50 ms):", "",
             "| store | fill | p50 | p99 | updates |", "|---|---|---|---|---|"]
    for name, r in results["update"].items():
        lines.append(f"| {name} | {r['fill_s']:.1f} s | {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms | {r['n']} |")
    lines += ["", f"Import of {args.import_rows:,} rows with `import_file` into an empty store (goal: under 60 s):", "",
              "| store | seconds | imported |", "|---|---|---|"]
    for name, r in results["import"].items():
        lines.append(f"| {name} | {r['seconds']:.1f} | {r['imported']:,} |")
    if "knn" in results:
        k = results["knn"]
        lines += ["", f"Nearest-10 with a language filter, {k['n']} random points, {args.offers:,} offers:", "",
                  "| how | p50 | p99 |", "|---|---|---|",
                  f"| OfferIndex in memory (built in {k['index_build_s']:.1f} s) | {k['ours_p50_ms']:.2f} ms | "
                  f"{k['ours_p99_ms']:.2f} ms |",
                  f"| PostGIS `ORDER BY geom <-> point` (GiST) | {k['postgis_p50_ms']:.2f} ms | {k['postgis_p99_ms']:.2f} ms |"]
    lines += ["", "Not measured yet (they need the write API; hooks in the script): PATCH through HTTP, visibility "
                  "in a second process, start-up at 300,000 offers, HTTP throughput with 1 and 2 processes."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
