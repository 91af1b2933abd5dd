"""Property test: nearest offers on foot equal a full single-source search on random networks.

Random towns: nodes on a 10 m lattice, ways through random nodes (some not walkable),
offers and a query point anywhere nearby. The truth is computed independently of our
graph: networkx's Dijkstra over every segment of the walkable ways as written, with the
snap points spliced into their segments, from the query to *every* offer. Our search
must return the same walking distances, and no offer left out may be nearer on foot.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from osm_world import at, write_osm

from geo.index import OfferIndex, OfferQuery
from geo.index.synthetic import offers_frame
from geo.network import Walking, WalkNetwork, build_network
from geo.network.measure import haversine_m
from geo.network.tags import is_walkable

LANGS = ("de", "ar", "uk")
TAGS = ({"highway": "footway"}, {"highway": "residential"}, {"highway": "steps"}, {"highway": "path", "foot": "no"})


@st.composite
def towns(draw):
    n = draw(st.integers(2, 16))
    cells = draw(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=n, max_size=n, unique=True))
    nodes = {i + 1: (x * 10.0, y * 10.0) for i, (x, y) in enumerate(cells)}
    ways = []
    for w in range(draw(st.integers(1, 18))):
        refs = draw(st.lists(st.integers(1, n), min_size=2, max_size=5))
        refs = [r for i, r in enumerate(refs) if i == 0 or r != refs[i - 1]]
        if len(refs) >= 2:
            ways.append((100 + w, refs, draw(st.sampled_from(TAGS))))
    assume(any(is_walkable(tags) for _id, _refs, tags in ways))
    place = st.tuples(st.floats(-60, 560), st.floats(-60, 560))
    pool = draw(st.lists(place, min_size=1, max_size=6))
    offers = []
    for i in range(draw(st.integers(1, 25))):
        if draw(st.integers(0, 9)) == 0:
            offers.append(dict(id=f"v{i}", name=f"v{i}", location_type="virtual", languages=["ar"]))
            continue
        x, y = draw(st.sampled_from(pool)) if draw(st.booleans()) else draw(place)  # shared addresses tie
        lon, lat = at(x, y)
        offers.append(dict(id=f"o{i}", name=f"o{i}", lon=lon, lat=lat,
                           languages=draw(st.lists(st.sampled_from(LANGS), max_size=2, unique=True))))
    query = draw(place)
    chosen = tuple(draw(st.lists(st.sampled_from(LANGS), max_size=1)))
    return nodes, ways, offers, query, chosen


def _key(lon, lat):
    return int(round(float(lon) * 1e7)), int(round(float(lat) * 1e7))


def truth_walks(nodes, ways, walking, points):
    """Walking metres from point 0 to every point, by networkx over the raw segments."""
    graph = nx.Graph()
    vertex = {_key(*at(*xy)): node_id for node_id, xy in nodes.items()}
    for _id, refs, tags in ways:
        if not is_walkable(tags):
            continue
        for a, b in zip(refs, refs[1:]):
            (lon1, lat1), (lon2, lat2) = at(*nodes[a]), at(*nodes[b])
            w = float(haversine_m(lon1, lat1, lon2, lat2))
            if not graph.has_edge(a, b) or graph[a][b]["weight"] > w:
                graph.add_edge(a, b, weight=w)
    network = walking.network
    on_segment: dict[tuple[int, int], list[int]] = {}
    for i in range(len(points)):
        s = int(points.seg[i])
        a = vertex[_key(network.geom_lon[s], network.geom_lat[s])]
        b = vertex[_key(network.geom_lon[s + 1], network.geom_lat[s + 1])]
        graph.add_edge(("p", i), a, weight=float(points.before_m[i]))
        graph.add_edge(("p", i), b, weight=float(points.after_m[i]))
        for j in on_segment.setdefault((int(points.edge[i]), s), []):
            d = float(haversine_m(points.lon[i], points.lat[i], points.lon[j], points.lat[j]))
            graph.add_edge(("p", i), ("p", j), weight=d)
        on_segment[(int(points.edge[i]), s)].append(i)
    lengths = nx.single_source_dijkstra_path_length(graph, ("p", 0))
    return np.array([points.snap_m[0] + lengths.get(("p", i), np.inf) + points.snap_m[i]
                     for i in range(len(points))])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(town=towns(), k=st.integers(1, 8), use_radius=st.booleans())
def test_nearest_on_foot_equals_a_full_search(tmp_path_factory, town, k, use_radius):
    nodes, ways, records, (qx, qy), chosen = town
    folder = tmp_path_factory.mktemp("random")
    report = build_network(write_osm(folder / "t.osm", nodes, ways), folder / "t.npz", progress=False)
    walking = Walking(WalkNetwork.load(report.out))
    index = OfferIndex.from_offers(offers_frame(records))
    search = walking.search(index)
    qlon, qlat = at(qx, qy)
    located = np.flatnonzero(index.located)
    matching = [int(r) for r in located if not chosen or set(chosen) & set(records[r]["languages"])]
    points = walking.snapper.snap(np.r_[qlon, index.lon[matching]], np.r_[qlat, index.lat[matching]])
    truth = dict(zip(matching, truth_walks(nodes, ways, walking, points)[1:]))
    assert all(np.isfinite(w) for w in truth.values())  # every offer snaps to the largest component

    radius = None
    if use_radius and truth:
        # Just above an offer's walk: floating-point noise must not decide who is on the boundary.
        radius = float(np.median(list(truth.values()))) + 1e-6
    result = search.search(OfferQuery(near=(qlat, qlon), languages=chosen, limit=k, radius_m=radius))
    expected = sorted((w, row) for row, w in truth.items() if radius is None or w <= radius)
    assert len(result) == min(k, len(expected))
    assert result.total == len(expected)
    for row, walk in zip(result.rows.tolist(), result.walk_m):
        assert abs(truth[row] - walk) < 1e-6
    assert np.all(np.diff(result.walk_m) >= 0)
    if len(result):
        left_out = [w for row, w in truth.items() if row not in set(result.rows.tolist())
                    and (radius is None or w <= radius)]
        assert all(w >= result.walk_m[-1] - 1e-6 for w in left_out)
        assert np.all(result.walk_m >= result.straight_m - 1e-6)  # the lower bound the search relies on
