"""The API under load while the data is re-imported, and the cost of the bounded heavy answers.

Starts the real server (`angebotskarte serve`, waitress) on loopback with a synthetic store,
keeps CLIENTS keep-alive clients asking /api/v1/offers, /api/v1/facets and /api/v1/clusters,
and replaces the store's offers IMPORTS times meanwhile (each import of a different size).
Reports every status seen (the point: only 200s, where issue 10 measured 16,195 of 52,325
requests failing with 500 after one import), latency percentiles, how long after each import
the server answered from the new data, and the time and size of the clusters answer that used to
be unbounded (the whole region at zoom 18: a 400 asking to zoom in once there are too many offers).

    .venv/bin/python scripts/bench_reload.py                 # 100,000 offers, 16 clients, 5 imports
    .venv/bin/python scripts/bench_reload.py --size 2000 --clients 4 --imports 2 --seconds 5   # a quick check

Take figures on a quiet machine only: other processes on the same cores distort them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_search import _load, _wait_ready, fmt_s, free_port, pct  # noqa: E402 (scripts/ is on sys.path)

from geo.index.synthetic import REGION_BBOX, synthetic_offers  # noqa: E402
from geo.store import Store  # noqa: E402


def fetch(port: int, path: str) -> tuple[int, bytes, float]:
    """Status, body and seconds of one GET (errors are answers too)."""
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as response:
            return response.status, response.read(), time.perf_counter() - t0
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.perf_counter() - t0


def reimports(store: Store, port: int, sizes: list[int], seed: int, gap_s: float, out: list) -> None:
    """Replace the offers ``len(sizes)`` times; note how long until the API answers with the new count."""
    for i, size in enumerate(sizes):
        time.sleep(gap_s)
        t0 = time.perf_counter()
        store.write(offers=synthetic_offers(size, seed=seed + 100 + i))
        written = time.perf_counter()
        while time.perf_counter() - written < 300:
            status, body, _s = fetch(port, "/api/v1/offers?limit=0&include_virtual=1")
            if status == 200 and json.loads(body)["numberMatched"] == size:
                break
            time.sleep(0.05)
        out.append((size, written - t0, time.perf_counter() - written))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="offers in the first store")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--imports", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the load")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    sizes = [int(args.size * f) for f in rng.uniform(0.5, 1.2, args.imports)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = Store(folder / "store.gpkg")
        store.write(offers=synthetic_offers(args.size, seed=args.seed))
        lon_min, lat_min, lon_max, lat_max = REGION_BBOX
        (folder / "angebotskarte.toml").write_text(
            f'[area]\nname = "Synthetic region"\nbbox = [{lon_min}, {lat_min}, {lon_max}, {lat_max}]\n'
            '[store]\npath = "store.gpkg"\n', encoding="utf-8")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "webmap.cli", "serve", "--config", str(folder / "angebotskarte.toml"),
             "--port", str(port), "--threads", "8"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_ready(port, server, timeout=300)
            centre_lat, centre_lon = (lat_min + lat_max) / 2, (lon_min + lon_max) / 2
            paths = ["/api/v1/offers?limit=50", f"/api/v1/offers?near={centre_lat:.4f},{centre_lon:.4f}&limit=10",
                     "/api/v1/facets?category=counselling", "/api/v1/clusters?zoom=9", "/api/v1/offers?limit=1000"]
            swaps: list = []
            importer = threading.Thread(target=reimports,
                                        args=(store, port, sizes, args.seed, args.seconds / (args.imports + 1), swaps))
            importer.start()
            results, elapsed = asyncio.run(_load(port, paths, args.seconds, args.clients, 10_000_000))
            importer.join()
            heavy = {name: fetch(port, path) for name, path in (
                ("clusters, whole region, zoom 18", "/api/v1/clusters?zoom=18"),
                ("clusters, whole region, zoom 9", "/api/v1/clusters?zoom=9"))}
        finally:
            server.terminate()  # waitress stops at once on SIGTERM; a hang here is worth seeing
            server.communicate(timeout=60)

    statuses: dict[int, int] = {}
    for _seconds, status, _size in results:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = np.array([r[0] for r in results])
    print(f"{len(results)} requests from {args.clients} clients in {elapsed:.1f} s during {len(swaps)} imports: "
          f"statuses {statuses}, p50 {fmt_s(pct(latencies, 50))}, p99 {fmt_s(pct(latencies, 99))}")
    for size, write_s, visible_s in swaps:
        print(f"  import of {size:,} offers: written in {write_s:.1f} s, answered from {visible_s:.2f} s later")
    for name, (status, body, seconds) in heavy.items():
        print(f"  {name}: {status}, {len(body) / 1e6:.2f} MB in {fmt_s(seconds)}")
    return 0 if set(statuses) == {200} else 1


if __name__ == "__main__":
    sys.exit(main())
