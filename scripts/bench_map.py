"""Benchmark: the map page (/) at 50,000 and 300,000 offers, against folium's own cluster pages.

For each size, synthetic offers (geo.index.synthetic, a region the size of
Rhineland-Palatinate) are written to a store and served by waitress on
127.0.0.1; headless chromium (Debian's, through Playwright) loads ``/`` in a
fresh context per run and we record

* the bytes our server sent until the map was ready (compressed, as on the
  wire: CDP's encodedDataLength, headers included; tile images excluded, they
  come from the tile server and are answered by a blank local tile here),
* the time from navigation start to "map ready" (our script sets
  ``body.dataset.mapReadyMs`` when it has drawn the first data from the API).

Side by side: folium's MarkerCluster and FastMarkerCluster pages for the same
50,000 located offers, written the way a folium user would (webmap.maps.
folium_reference_page), served as static files. Their CDN requests are
answered from the local xstatic copies (Leaflet, markercluster), one-line
stand-ins for jQuery (folium only uses ``$(html)[0]``) and
Leaflet.awesome-markers (Leaflet's default icon), or empty bodies (Bootstrap,
fonts), since there is no internet here -- which favours folium slightly. Their "ready" is the load event: folium's inline
script adds every marker before it.

Run: ``.venv/bin/python scripts/bench_map.py --write-docs`` (about 3 minutes).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import platform
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from benchdocs import publish  # noqa: E402 (scripts/ is on sys.path when run)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
TILE_PATTERN = "https://tile.openstreetmap.org/**"
SECTION = "## Map page (scripts/bench_map.py)"
# Leaflet.awesome-markers is not installed here; FastMarkerCluster's default marker asks it for an icon.
# Leaflet's default icon stands in (same number of DOM markers, no icon font).
AWESOME_SHIM = b"L.AwesomeMarkers = {icon: function () { return new L.Icon.Default(); }};"
# jQuery is not installed either; folium's popups only use $(html)[0] to turn their HTML into an element.
JQUERY_SHIM = (b"window.$ = window.jQuery = function (html) { var t = document.createElement('template');"
               b" t.innerHTML = String(html).trim(); return [t.content.firstChild]; };")
SHIMS = {"leaflet.awesome-markers.js": AWESOME_SHIM, "jquery-3.7.1.min.js": JQUERY_SHIM}


def blank_tile() -> bytes:
    sys.path.insert(0, str(ROOT / "tests"))
    from browser.conftest import tile_png

    return tile_png()


def build_store(folder: Path, n: int):
    """Settings of a deployment in ``folder`` with ``n`` synthetic offers."""
    from geo.index.synthetic import REGION_BBOX, synthetic_offers
    from geo.settings import load_settings
    from geo.store import Store

    offers = synthetic_offers(n, seed=0)
    settings = load_settings(None, overrides={"store": {"path": str(folder / "store.gpkg")},
                                              "area": {"name": "Benchmark", "bbox": list(REGION_BBOX)}})
    settings.base_dir = folder
    started = time.perf_counter()
    Store(settings.store_path).write(offers=offers)
    return settings, offers, time.perf_counter() - started


class Server:
    def __init__(self, app):
        import waitress

        self.server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        threading.Thread(target=self.server.run, daemon=True).start()

    def close(self):
        self.server.close()


class StaticServer:
    """A plain file server for folium's HTML files (no compression, as a file would be served by default)."""

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def measure_ours(browser, url: str, tile: bytes, runs: int) -> list[dict]:
    results = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.route(TILE_PATTERN, lambda route: route.fulfill(status=200, body=tile, headers={"Content-Type": "image/png"}))
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        urls: dict[str, str] = {}
        sizes: dict[str, int] = {}
        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        page.goto(url + "/", wait_until="commit")
        page.wait_for_function("() => document.body && document.body.dataset.mapReady === '1'", timeout=60_000)
        ready_ms = float(page.evaluate("Number(document.body.dataset.mapReadyMs)"))
        ours = {rid: size for rid, size in sizes.items() if urls.get(rid, "").startswith(url)}
        data = page.evaluate("({total: Number(document.body.dataset.mapTotal), mode: document.body.dataset.mapMode,"
                             " features: Number(document.body.dataset.mapFeatures)})")
        results.append({"ready_ms": ready_ms, "bytes": sum(ours.values()), "requests": len(ours), **data})
        context.close()
    return results


def measure_folium(browser, url: str, tile: bytes, runs: int) -> list[dict]:
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as markercluster

    local = {
        "leaflet.js": Path(leaflet.BASE_DIR) / "leaflet.js",
        "leaflet.css": Path(leaflet.BASE_DIR) / "leaflet.css",
        "leaflet.markercluster.js": Path(markercluster.BASE_DIR) / "leaflet.markercluster.js",
        "MarkerCluster.css": Path(markercluster.BASE_DIR) / "MarkerCluster.css",
        "MarkerCluster.Default.css": Path(markercluster.BASE_DIR) / "MarkerCluster.Default.css",
    }

    def cdn(route):
        name = route.request.url.rsplit("/", 1)[-1].split("?")[0]
        path = local.get(name)
        kind = "text/css" if name.endswith(".css") else "application/javascript"
        body = path.read_bytes() if path else SHIMS.get(name, b"")
        route.fulfill(status=200, body=body, headers={"Content-Type": kind})

    results = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.route(TILE_PATTERN, lambda route: route.fulfill(status=200, body=tile, headers={"Content-Type": "image/png"}))
        page.route(re.compile(r"^https://(?!tile\.openstreetmap\.org)"), cdn)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url, wait_until="load", timeout=120_000)
        load_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        markers = page.evaluate("document.querySelectorAll('.leaflet-marker-icon').length")
        if errors or not markers:
            raise RuntimeError(f"folium's page did not draw its markers ({markers} icons): {errors}")
        results.append({"ready_ms": float(load_ms)})
        context.close()
    return results


def median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def run(sizes: list[int], folium_size: int, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    from webmap import create_app
    from webmap.maps import folium_reference_page

    tile = blank_tile()
    report: dict = {"ours": [], "folium": []}
    work = Path(tempfile.mkdtemp(prefix="bench_map_"))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=CHROMIUM_ARGS)
            for n in sizes:
                folder = work / f"n{n}"
                folder.mkdir()
                settings, offers, write_s = build_store(folder, n)
                app = create_app(settings)
                server = Server(app)
                started = time.perf_counter()
                import urllib.request

                urllib.request.urlopen(server.url + "/").read()  # first request: builds the index once
                cold_s = time.perf_counter() - started
                rows = measure_ours(browser, server.url, tile, runs)
                server.close()
                entry = {"n": n, "located": int((~offers.geometry.isna()).sum()), "cold_s": cold_s,
                         "write_s": write_s, "ready_ms": median(rows, "ready_ms"),
                         "ready_max_ms": max(r["ready_ms"] for r in rows), "bytes": median(rows, "bytes"),
                         "bytes_max": max(r["bytes"] for r in rows), "requests": rows[0]["requests"],
                         "mode": rows[0]["mode"], "features": rows[0]["features"], "map_total": rows[0]["total"]}
                report["ours"].append(entry)
                print(f"ours n={n:,}: ready {entry['ready_ms']:.0f} ms (max {entry['ready_max_ms']:.0f}), "
                      f"{entry['bytes'] / 1e6:.3f} MB in {entry['requests']} requests; map: {entry['mode']} "
                      f"{entry['features']} features for {entry['map_total']:,} offers; cold first page {cold_s:.2f} s",
                      flush=True)
                if n == folium_size:
                    located = offers[offers.geometry.notna()]
                    points = [(float(g.y), float(g.x), str(name)) for g, name in zip(located.geometry, located["name"])]
                    static = work / "folium"
                    static.mkdir()
                    for fast in (False, True):
                        label = "FastMarkerCluster" if fast else "MarkerCluster"
                        html = folium_reference_page(points, fast=fast).encode()
                        (static / f"{label}.html").write_bytes(html)
                        files = StaticServer(static)
                        rows = measure_folium(browser, f"{files.url}/{label}.html", tile, runs)
                        files.close()
                        entry = {"label": label, "n": len(points), "html_bytes": len(html),
                                 "gzip_bytes": len(gzip.compress(html, 6)), "ready_ms": median(rows, "ready_ms"),
                                 "ready_max_ms": max(r["ready_ms"] for r in rows)}
                        report["folium"].append(entry)
                        print(f"folium {label} n={len(points):,}: HTML {entry['html_bytes'] / 1e6:.1f} MB "
                              f"(gzip {entry['gzip_bytes'] / 1e6:.2f} MB), ready {entry['ready_ms']:.0f} ms", flush=True)
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def markdown(report: dict, command: str, runs: int) -> str:
    lines = [SECTION, "", f"Command: `{command}`", "",
             f"Machine: 2 cores, CPython {platform.python_version()}, headless Debian chromium; median of {runs} page "
             "loads, each in a fresh browser context (empty cache). Synthetic offers (geo.index.synthetic: clustered "
             "around 60 towns in a 170 × 220 km region, 2 % online-only). \"Ready\" for our page is when the map has "
             "drawn the first viewport from /api/v1/clusters; for folium's pages the load event (their inline script "
             "has added every marker by then). Bytes for ours are what our server sent until ready, compressed as on "
             "the wire (brotli), headers included, tiles excluded; folium's are the size of the HTML file it writes "
             "(and gzip of it), CDN assets not counted.", "",
             "| page | offers | transferred until ready | ready (median) | ready (slowest run) |",
             "|---|---:|---:|---:|---:|"]
    for e in report["folium"]:
        lines.append(f"| folium {e['label']} | {e['n']:,} | {e['html_bytes'] / 1e6:.1f} MB HTML "
                     f"({e['gzip_bytes'] / 1e6:.2f} MB gzip) | {e['ready_ms'] / 1000:.2f} s | {e['ready_max_ms'] / 1000:.2f} s |")
    for e in report["ours"]:
        lines.append(f"| ours (/) | {e['n']:,} | {e['bytes'] / 1e6:.3f} MB in {e['requests']} requests "
                     f"| {e['ready_ms'] / 1000:.2f} s | {e['ready_max_ms'] / 1000:.2f} s |")
    lines += ["", "- Targets: at most 1 MB and under 1 s at 50,000 offers; at most 2 MB and under 1.5 s at 300,000."]
    for e in report["ours"]:
        lines.append(f"- {e['n']:,} offers ({e['located']:,} on the map): the first viewport came as {e['features']} "
                     f"{'server-side clusters' if e['mode'] == 'clusters' else 'points'}; the server's first page after "
                     f"start (building the index once per data version) took {e['cold_s']:.2f} s.")
    lines += ["- Why ours stays small: the page inlines no offers. The map asks /api/v1/clusters for its viewport; "
              "beyond 2,000 offers in view (below zoom 16) the server aggregates them on a 60-pixel grid, so a whole "
              "country costs a few hundred features; zoomed in, individual markers come and Leaflet.markercluster "
              "groups them in the browser. The list shows 50 offers per page.", ""]
    return "\n".join(lines)



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 300_000])
    parser.add_argument("--folium-size", type=int, default=50_000, help="offers on folium's reference pages")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write-docs", action="store_true", help="update the 'Map page' section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    report = run(args.sizes, args.folium_size, args.runs)
    command = ".venv/bin/python scripts/bench_map.py" + (" --write-docs" if args.write_docs else "")
    text = markdown(report, command, args.runs)
    publish(SECTION, text, args.write_docs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
