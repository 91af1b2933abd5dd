"""Benchmark the walking network: build, nearest offers on foot, planner's costs, straight vs walking.

    .venv/bin/python scripts/bench_network.py [--extracts kaiserslautern,lauf] [--sizes 1000,100000]
        [--queries 2000] [--alt-queries 200] [--alt-seconds 30] [--exact-sample 200]
        [--grid-m 100] [--addresses 2000] [--repeat 3] [--write-docs]

On the real extracts in ../shared/data (Kaiserslautern 2013, Lauf an der Pegnitz 2020;
``--extracts heidelberg`` adds a region of 25,000 nodes to see how the libraries scale),
measured in one run per extract:

* build: ``build_network`` time (fastest of --repeat), file size, nodes, edges, share in
  the largest component; load time (file + snapping index);
* nearest-10 by walking distance with a language filter (a random one of the 30
  synthetic languages per query, geo.index.synthetic's mix) at each --sizes number of
  offers placed on the network (random points along the edges, up to 25 m beside them),
  from random points beside the network: p50/p99 wall and CPU time, searches per query,
  and exactness on --exact-sample queries against a full single-source search (scipy,
  no limit) over every matching offer;
* the same search with the shortest paths from igraph, pandana and networkx on the same
  graph (scripts/network_routers.py), on --alt-queries queries within --alt-seconds;
* planner: a --grid-m grid over the town (cells within 250 m of a street), E2SFCA
  (2 km, Gaussian) by walking distance against the straight line × 1.3, and the share of
  cells whose "an offer within 1 km on foot" answer changes, for one category and for
  one category in one language;
* how often the straight-line top-3 differs from the walking top-3, from --addresses
  real addresses (addr:housenumber nodes of the extract) to 1,000 placed offers.

Wall-clock percentiles on a shared machine include time the thread waits for a CPU;
the CPU-time p99 (time.thread_time) shows what the query itself costs. Figures are only
worth publishing from a quiet machine. With --write-docs the figures replace this
script's section in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import osmium  # noqa: E402
import shapely  # noqa: E402
from pyproj import Transformer  # noqa: E402

from benchdocs import publish  # noqa: E402 (scripts/ is on sys.path when run)
from geo.coverage.e2sfca import e2sfca  # noqa: E402
from geo.index import OfferIndex, OfferQuery  # noqa: E402
from geo.index.synthetic import LANGUAGES, synthetic_offers  # noqa: E402
from geo.network import Walking, WalkingSearch, WalkNetwork, build_network  # noqa: E402
from geo.network.route import walk_to  # noqa: E402
from geo.network.snap import along_edge_m  # noqa: E402
from network_routers import available_routers  # noqa: E402

SECTION = "## Walking network (scripts/bench_network.py)"
SHARED = ROOT.parent / "shared" / "data"
EXTRACTS = {
    "kaiserslautern": ("Kaiserslautern (2013)", "osm-kaiserslautern/kaiserslautern.osm.gz"),
    "lauf": ("Lauf an der Pegnitz (2020)", "osm-extracts-de/lauf-an-der-pegnitz-200115.osm.pbf"),
    # Not in the default run: a region 100 km wide, to see how the libraries scale with the graph.
    "heidelberg": ("Heidelberg region (2024)", "osm-extracts-de/heidelberg.test.pbf"),
}
K = 10
DETOUR = 1.3          # [map] detour_factor, the straight-line estimate today
CATCHMENT_M = 1000.0  # [planning] catchment_m
E2SFCA_M = 2000.0     # [planning] e2sfca_catchment_m


# ---------------------------------------------------------------------------- measuring

def timed(calls, budget_s: float = float("inf"), min_calls: int = 20):
    """Run each callable; (wall seconds, thread CPU seconds, results). Stops after ``budget_s`` once ``min_calls`` ran."""
    wall, cpu, results = [], [], []
    start = time.perf_counter()
    for i, call in enumerate(calls):
        if i >= min_calls and time.perf_counter() - start > budget_s:
            break
        t0, c0 = time.perf_counter(), time.thread_time()
        results.append(call())
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - t0)
    return np.asarray(wall), np.asarray(cpu), results


def pct(values, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def fmt_s(seconds: float) -> str:
    if seconds != seconds:
        return "–"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


# ---------------------------------------------------------------------------- inputs

def points_on_network(walking: Walking, n: int, rng: np.random.Generator, beside_m: float = 25.0):
    """(lon, lat) of ``n`` random points along the largest component's edges, up to ``beside_m`` beside them."""
    snapper = walking.snapper
    lines = snapper.edge_lines
    length = shapely.length(lines)
    pick = rng.choice(len(lines), n, p=length / length.sum())
    at = shapely.line_interpolate_point(lines[pick], rng.uniform(0, 1, n), normalized=True)
    angle = rng.uniform(0, 2 * np.pi, n)
    offset = rng.uniform(0, beside_m, n)
    x = shapely.get_x(at) + offset * np.cos(angle)
    y = shapely.get_y(at) + offset * np.sin(angle)
    lon, lat = Transformer.from_crs(snapper.crs, "EPSG:4326", always_xy=True).transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def placed_offers(walking: Walking, n: int, seed: int):
    """Synthetic offers (languages, categories as geo.index.synthetic) moved onto the network."""
    offers = synthetic_offers(n, seed=seed)
    placed = offers.geometry.notna() & ~offers.geometry.is_empty
    lon, lat = points_on_network(walking, int(placed.sum()), np.random.default_rng(seed))
    offers.loc[placed, "geometry"] = shapely.points(lon, lat)
    return offers


def addresses(path: Path, limit: int, rng: np.random.Generator):
    """(lon, lat) of up to ``limit`` addressed nodes and buildings (the mean of a building's nodes)."""
    lon, lat = [], []
    processor = osmium.FileProcessor(str(path)).with_locations().with_filter(
        osmium.filter.KeyFilter("addr:housenumber"))
    for obj in processor:
        if obj.is_node() and obj.location.valid():
            lon.append(obj.location.lon)
            lat.append(obj.location.lat)
        elif obj.is_way():
            coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
            if coords:
                lon.append(float(np.mean([c[0] for c in coords])))
                lat.append(float(np.mean([c[1] for c in coords])))
    lon, lat = np.array(lon), np.array(lat)
    keep = rng.choice(len(lon), min(limit, len(lon)), replace=False)
    return lon[keep], lat[keep]


# ---------------------------------------------------------------------------- runs

def bench_build(path: Path, repeat: int, folder: Path) -> tuple[dict, Walking]:
    times = []
    for _ in range(repeat):
        report = build_network(path, folder / "walk.npz", progress=False)
        times.append(report.seconds)
    t0 = time.perf_counter()
    walking = Walking.load(report.out)
    walking.snapper
    load = time.perf_counter() - t0
    return dict(seconds=min(times), mb=report.file_bytes / 1e6, nodes=report.nodes, edges=report.edges,
                km=report.length_km, share=report.largest_component_share, load=load), walking


def full_truth(search: WalkingSearch, lat: float, lon: float, rows: np.ndarray, router=None) -> np.ndarray:
    """Walking metres to ``rows`` from one Dijkstra over the whole network (no limit, no bound)."""
    source = search.snapper.snap([lon], [lat])
    full = (router or search.router).from_point(source)
    targets = search.offers.take(rows)
    walk = source.snap_m[0] + walk_to(search.network, full, targets)
    same = np.flatnonzero(targets.edge == source.edge[0])
    if len(same):
        here = source.take(np.zeros(len(same), dtype=np.intp))
        walk[same] = np.minimum(walk[same], source.snap_m[0] + along_edge_m(search.network, here, targets.take(same))
                                + targets.snap_m[same])
    return walk


def rank_all(search: WalkingSearch, query: OfferQuery, router=None) -> tuple[np.ndarray, np.ndarray]:
    """The first K of every matching offer ranked by a whole-graph search: (walks, rows)."""
    index = search.index
    rows = index.search(OfferQuery(languages=query.languages, limit=len(index))).rows
    rows = rows[index.located[rows]]
    lat, lon = query.near
    walk = full_truth(search, lat, lon, rows, router)
    order = np.lexsort((rows, walk))[:K]
    return walk[order], rows[order]


def bench_nearest(walking: Walking, n: int, args, seed: int) -> dict:
    offers = placed_offers(walking, n, seed)
    t0 = time.perf_counter()
    index = OfferIndex.from_offers(offers)
    index_s = time.perf_counter() - t0
    search = walking.search(index)
    t0 = time.perf_counter()
    search.offers  # the per-version cache: every offer's snap point
    snap_s = time.perf_counter() - t0
    rng = np.random.default_rng(seed + 1)
    qlon, qlat = points_on_network(walking, args.queries, rng)
    langs = rng.choice(LANGUAGES, args.queries)
    queries = [OfferQuery(near=(float(a), float(o)), languages=(str(g),), limit=K)
               for a, o, g in zip(qlat, qlon, langs)]
    wall, cpu, results = timed([lambda q=q: search.search(q) for q in queries])
    # Exactness: every matching offer ranked by a full single-source search.
    exact = 0
    sample = min(args.exact_sample, len(queries))
    for q, result in zip(queries[:sample], results[:sample]):
        walk, rows = rank_all(search, q)
        exact += bool(len(walk) == len(result) and np.allclose(walk, result.walk_m, atol=1e-6))
    row = dict(n=n, index_s=index_s, snap_s=snap_s, p50=pct(wall, 50), p99=pct(wall, 99), cpu99=pct(cpu, 99),
               rounds=float(np.mean([r.rounds for r in results])), exact=f"{exact}/{sample}",
               queries=len(queries), alternatives=[])
    routers, notes = available_routers(walking.network)
    row["notes"] = notes
    alt_queries = queries[:args.alt_queries]
    for router in routers:
        if router.name != "networkx":
            continue
        # What one writes with OSMnx/networkx without the straight-line bound: a whole-graph
        # Dijkstra from the query, then every matching offer ranked.
        a_wall, a_cpu, a_results = timed([lambda q=q: rank_all(search, q, router) for q in alt_queries],
                                         args.alt_seconds)
        agree = sum(np.allclose(walk, ours.walk_m, atol=0.05) for (walk, _rows), ours in zip(a_results, results))
        row["alternatives"].append(dict(name="networkx, whole graph", p50=pct(a_wall, 50), p99=pct(a_wall, 99),
                                        cpu99=pct(a_cpu, 99), queries=len(a_wall),
                                        agree=f"{agree}/{len(a_results)}",
                                        ratio=pct(a_wall, 50) / row["p50"] if row["p50"] else float("nan")))
    for router in routers:
        other = WalkingSearch(index, walking.snapper, router, speed_kmh=walking.speed_kmh)
        other.__dict__["offers"] = search.offers  # same snap points, not re-timed
        a_wall, a_cpu, a_results = timed([lambda q=q: other.search(q) for q in alt_queries], args.alt_seconds)
        agree = sum(np.allclose(r.walk_m, ours.walk_m, atol=0.05) for r, ours in zip(a_results, results))
        row["alternatives"].append(dict(name=router.name, p50=pct(a_wall, 50), p99=pct(a_wall, 99),
                                        cpu99=pct(a_cpu, 99), queries=len(a_wall),
                                        agree=f"{agree}/{len(a_results)}",
                                        ratio=pct(a_wall, 50) / row["p50"] if row["p50"] else float("nan")))
    return row


def grid_cells(walking: Walking, spacing: float, crs_of) -> np.ndarray:
    """Cell centres (metric CRS) of a ``spacing`` grid over the network, kept within 250 m of a street."""
    lon_min, lat_min, lon_max, lat_max = walking.network.bbox
    x0, y0 = crs_of.transform(lon_min, lat_min)
    x1, y1 = crs_of.transform(lon_max, lat_max)
    xs = np.arange(np.floor(x0 / spacing) * spacing + spacing / 2, x1, spacing)
    ys = np.arange(np.floor(y0 / spacing) * spacing + spacing / 2, y1, spacing)
    gx, gy = np.meshgrid(xs, ys)
    xy = np.column_stack((gx.ravel(), gy.ravel()))
    lon, lat = Transformer.from_crs(crs_of.target_crs, "EPSG:4326", always_xy=True).transform(xy[:, 0], xy[:, 1])
    near = walking.snapper.snap(lon, lat).snap_m <= 250
    return xy[near]


def bench_planner(walking: Walking, args, seed: int) -> dict:
    crs = walking.snapper.crs
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    cells = grid_cells(walking, args.grid_m, to_metric)
    rng = np.random.default_rng(seed)
    residents = np.maximum(1.0, rng.lognormal(2.5, 1.0, len(cells))).round()
    offers = placed_offers(walking, 1000, seed)
    located = offers.geometry.notna() & ~offers.geometry.is_empty
    out = dict(cells=len(cells), questions=[])
    for label, mask in (("counselling", offers["category"] == "counselling"),
                        ("counselling in Arabic", (offers["category"] == "counselling")
                         & offers["languages"].map(lambda v: "ar" in list(v)))):
        chosen = offers[located & mask]
        x, y = to_metric.transform(shapely.get_x(chosen.geometry.values), shapely.get_y(chosen.geometry.values))
        supply_xy = np.column_stack((x, y))
        t0 = time.perf_counter()
        straight = e2sfca(cells, residents, supply_xy, catchment_m=E2SFCA_M, distance_factor=DETOUR)
        straight_s = time.perf_counter() - t0
        costs = walking.costs(crs)  # cold: snapping the grid and the offers is part of the time
        t0 = time.perf_counter()
        walked = e2sfca(cells, residents, supply_xy, catchment_m=E2SFCA_M,
                        pair_costs=costs.pair_costs(cells, supply_xy))
        walk_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        nearest_walk = costs.nearest(cells, supply_xy)
        nearest_s = time.perf_counter() - t0
        from geo.coverage.metrics import nearest_cost
        nearest_straight = nearest_cost(cells, supply_xy, DETOUR)
        reach_walk = nearest_walk <= CATCHMENT_M
        reach_straight = nearest_straight <= CATCHMENT_M
        both = (straight.access > 0) | (walked.access > 0)
        rel = np.abs(walked.access - straight.access)[both] / np.maximum(straight.access[both], 1e-12)
        out["questions"].append(dict(
            label=label, offers=len(chosen), straight_s=straight_s, walk_s=walk_s, nearest_s=nearest_s,
            changed=float(np.mean(reach_walk != reach_straight)),
            lost=float(np.mean(reach_straight & ~reach_walk)), gained=float(np.mean(reach_walk & ~reach_straight)),
            median_rel=float(np.median(rel)) if len(rel) else float("nan"),
            median_walk=float(np.median(nearest_walk[np.isfinite(nearest_walk)])),
            median_straight=float(np.median(nearest_straight)),
        ))
    return out


def bench_top3(walking: Walking, path: Path, args, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    lon, lat = addresses(path, args.addresses, rng)
    index = OfferIndex.from_offers(placed_offers(walking, 1000, seed))
    search = walking.search(index)
    out = dict(addresses=len(lon))
    for label, languages in (("any language", ()), ("in Arabic", ("ar",))):
        ordered = as_set = first = 0
        for a, o in zip(lat, lon):
            query = OfferQuery(near=(float(a), float(o)), languages=languages, limit=3)
            straight = index.search(query).ids.tolist()
            walked = search.search(query).ids.tolist()
            ordered += straight != walked
            as_set += set(straight) != set(walked)
            first += straight[:1] != walked[:1]
        out[label] = dict(ordered=ordered / len(lon), as_set=as_set / len(lon), first=first / len(lon))
    return out


# ---------------------------------------------------------------------------- report

def render(results: dict, args, load: tuple[float, float]) -> str:
    command = (f".venv/bin/python scripts/bench_network.py --extracts {args.extracts} --sizes {args.sizes} "
               f"--queries {args.queries} --alt-queries {args.alt_queries} --alt-seconds {args.alt_seconds:g} "
               f"--exact-sample {args.exact_sample} --grid-m {args.grid_m:g} --addresses {args.addresses} "
               f"--repeat {args.repeat} --write-docs")
    lines = [SECTION, "", f"Command: `{command}`", "",
             f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
             f"{_versions()}. Load average (1 min) before / after: {load[0]:.1f} / {load[1]:.1f}.", ""]
    lines += ["### Build", "", "| extract | build | file | nodes | edges | km of ways | largest component | load |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        b = r["build"]
        lines.append(f"| {EXTRACTS[name][0]} | {fmt_s(b['seconds'])} | {b['mb']:.2f} MB | {b['nodes']:,} | "
                     f"{b['edges']:,} | {b['km']:.0f} | {b['share']:.1%} | {fmt_s(b['load'])} |")
    lines += ["", f"### Nearest {K} on foot with a language filter", "",
              "| extract | offers | library | p50 | p99 | CPU p99 | p50 / scipy's | queries | searches/query | exact |",
              "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        for row in r["nearest"]:
            lines.append(f"| {EXTRACTS[name][0]} | {row['n']:,} | scipy (ours) | {fmt_s(row['p50'])} | "
                         f"{fmt_s(row['p99'])} | {fmt_s(row['cpu99'])} | 1.0× | {row['queries']:,} | "
                         f"{row['rounds']:.2f} | {row['exact']} |")
            for alt in row["alternatives"]:
                lines.append(f"| | | {alt['name']} | {fmt_s(alt['p50'])} | {fmt_s(alt['p99'])} | "
                             f"{fmt_s(alt['cpu99'])} | {alt['ratio']:.1f}× | {alt['queries']:,} | | "
                             f"{alt['agree']} same |")
    notes = sorted({n for r in results.values() for row in r["nearest"] for n in row["notes"]})
    first = next(iter(results.values()))["nearest"]
    lines += ["", "- scipy (ours), igraph, pandana, networkx: the same search (straight-line bound, growing "
              "walking budget), only the shortest-path library differs. networkx, whole graph: what one writes "
              "with OSMnx/networkx without the bound, a Dijkstra over the whole graph per query, then every "
              "matching offer ranked.",
              "- exact: queries whose answer equals ranking every matching offer by a full single-source "
              "search (scipy, no limit); same: answers of the other library equal to ours within 5 cm "
              "(pandana rounds lengths to millimetres in its contraction hierarchy). searches/query: mean "
              "Dijkstra runs per query (0 when no offer speaks the language).",
              "- Setting up per data version (not per query): " + "; ".join(
                  f"{row['n']:,} offers: index {fmt_s(row['index_s'])}, snapping {fmt_s(row['snap_s'])}"
                  for row in first) + f" ({EXTRACTS[next(iter(results))][0]})."]
    lines += [f"- {note}" for note in notes]
    lines += ["", f"### Planner: {args.grid_m:g} m grid, E2SFCA and 'within {CATCHMENT_M:g} m on foot'", "",
              "| extract | offers | cells | E2SFCA straight × 1.3 | E2SFCA on foot | nearest on foot | "
              "median change of E2SFCA | cells whose 'within reach' changes | lost / gained | median walk vs "
              "straight × 1.3 |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        p = r["planner"]
        for q in p["questions"]:
            lines.append(f"| {EXTRACTS[name][0]} | {q['label']} ({q['offers']}) | {p['cells']:,} | "
                         f"{fmt_s(q['straight_s'])} | {fmt_s(q['walk_s'])} | {fmt_s(q['nearest_s'])} | "
                         f"{q['median_rel']:.0%} | {q['changed']:.1%} | {q['lost']:.1%} / {q['gained']:.1%} | "
                         f"{q['median_walk']:.0f} m / {q['median_straight']:.0f} m |")
    lines += ["", "### Straight-line top 3 against walking top 3 (1,000 offers, real addresses)", "",
              "| extract | addresses | filter | order differs | set differs | nearest differs |",
              "|---|---:|---|---:|---:|---:|"]
    for name, r in results.items():
        t = r["top3"]
        for label in ("any language", "in Arabic"):
            lines.append(f"| {EXTRACTS[name][0]} | {t['addresses']:,} | {label} | {t[label]['ordered']:.1%} | "
                         f"{t[label]['as_set']:.1%} | {t[label]['first']:.1%} |")
    lines.append("")
    return "\n".join(lines)


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("numpy", "scipy", "shapely", "osmium", "igraph", "pandana", "networkx"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            pass
    return ", ".join(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extracts", default="kaiserslautern,lauf", help=f"any of {', '.join(EXTRACTS)}")
    parser.add_argument("--sizes", default="1000,100000", help="numbers of offers placed on the network")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--alt-queries", type=int, default=200, help="queries for the other libraries")
    parser.add_argument("--alt-seconds", type=float, default=30.0, help="time budget per other library")
    parser.add_argument("--exact-sample", type=int, default=200, help="queries checked against a full search")
    parser.add_argument("--grid-m", type=float, default=100.0)
    parser.add_argument("--addresses", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="builds per extract; the fastest counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.extracts.split(",") if n.strip()]
    unknown = [n for n in names if n not in EXTRACTS]
    if unknown:
        parser.error(f"--extracts: {unknown[0]!r} is not known; allowed: {', '.join(EXTRACTS)}")
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: {args.sizes!r} is not a comma-separated list of whole numbers")
    load_before = os.getloadavg()[0]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            path = SHARED / EXTRACTS[name][1]
            if not path.is_file():
                print(f"{path}: extract not found (../shared/data); skipping {name}", file=sys.stderr)
                continue
            print(f"{name}: build", file=sys.stderr)
            build, walking = bench_build(path, args.repeat, Path(tmp) / name)
            nearest = []
            for n in sizes:
                print(f"{name}: nearest-{K} with {n:,} offers", file=sys.stderr)
                nearest.append(bench_nearest(walking, n, args, args.seed))
            print(f"{name}: planner", file=sys.stderr)
            planner = bench_planner(walking, args, args.seed)
            print(f"{name}: top 3 on real addresses", file=sys.stderr)
            top3 = bench_top3(walking, path, args, args.seed)
            results[name] = dict(build=build, nearest=nearest, planner=planner, top3=top3)
    if not results:
        print("no extract found; nothing measured", file=sys.stderr)
        return 1
    publish(SECTION, render(results, args, (load_before, os.getloadavg()[0])), args.write_docs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
