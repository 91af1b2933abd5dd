"""Building the walking network: which ways count, how the graph is folded, the file."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from osm_world import at, path_m, river_town, write_osm

from geo.network import NetworkBuildError, NetworkFileError, WalkNetwork, build_network
from geo.network.graph import FORMAT_VERSION
from geo.network.osm import read_walkable_ways
from geo.network.tags import is_area, is_walkable, node_blocks


@pytest.mark.parametrize("tags, walkable", [
    ({"highway": "footway"}, True),
    ({"highway": "residential"}, True),
    ({"highway": "steps"}, True),
    ({"highway": "primary_link"}, True),
    ({"highway": "cycleway"}, True),
    ({"highway": "cycleway", "foot": "no"}, False),
    ({"highway": "motorway"}, False),
    ({"highway": "trunk"}, False),
    ({"highway": "trunk", "foot": "yes"}, True),
    ({"highway": "bridleway"}, False),
    ({"highway": "bridleway", "foot": "designated"}, True),
    ({"highway": "footway", "foot": "no"}, False),
    ({"highway": "secondary", "foot": "use_sidepath"}, False),
    ({"highway": "service", "access": "private"}, False),
    ({"highway": "service", "access": "no"}, False),
    ({"highway": "service", "access": "private", "foot": "yes"}, True),
    ({"highway": "track", "access": "agricultural"}, True),
    ({"highway": "service", "access": "destination"}, True),
    ({"highway": "construction", "construction": "footway"}, False),
    ({"highway": "footway", "construction": "yes"}, False),
    ({"highway": "proposed"}, False),
    ({"railway": "platform"}, True),
    ({"public_transport": "platform"}, True),
    ({"man_made": "pier"}, True),
    ({"railway": "rail"}, False),
    ({"waterway": "river"}, False),
    ({"building": "yes"}, False),
    ({"highway": "FOOTWAY;path"}, True),
])
def test_walkable_ways_follow_the_access_rules(tags, walkable):
    assert is_walkable(tags) is walkable


@pytest.mark.parametrize("tags, blocks", [
    ({"barrier": "gate"}, False),
    ({"barrier": "bollard"}, False),
    ({"barrier": "gate", "access": "private"}, True),
    ({"barrier": "gate", "access": "private", "foot": "yes"}, False),
    ({"barrier": "lift_gate", "foot": "no"}, True),
    ({"barrier": "fence"}, True),
    ({"barrier": "fence", "foot": "permissive"}, False),
    ({"highway": "crossing"}, False),
    ({"barrier": "no", "access": "no"}, False),
])
def test_barrier_nodes_block_as_their_tags_say(tags, blocks):
    assert node_blocks(tags) is blocks


@pytest.mark.parametrize("tags, closed, area", [
    ({"highway": "pedestrian", "area": "yes"}, True, True),
    ({"highway": "pedestrian"}, True, False),            # a street round a block
    ({"highway": "pedestrian", "area": "yes"}, False, False),
    ({"railway": "platform"}, True, True),               # platforms are areas by convention
    ({"highway": "residential", "area": "yes"}, True, False),
    ({"highway": "platform", "area": "no"}, True, False),
])
def test_areas_are_squares_and_platforms(tags, closed, area):
    assert is_area(tags, closed) is area


@pytest.fixture
def town(tmp_path):
    nodes, ways = river_town()
    return nodes, ways, write_osm(tmp_path / "town.osm", nodes, ways)


def test_build_reports_and_writes_a_loadable_file(town, tmp_path):
    _nodes, _ways, extract = town
    report = build_network(extract, tmp_path / "out" / "walk.npz", progress=False)
    assert report.out.is_file() and report.file_bytes == report.out.stat().st_size
    network = WalkNetwork.load(report.out)
    assert (report.nodes, report.edges) == (network.n_nodes, network.n_edges)
    assert network.meta["source"] == "town.osm"
    assert network.meta["metric_crs"] == "EPSG:25832"
    assert network.meta["built_at"].endswith("+00:00")
    lon_min, lat_min, lon_max, lat_max = network.meta["bbox"]
    assert lon_min < at(0, 0)[0] < lon_max and lat_min < at(0, 0)[1] < lat_max
    assert report.seconds > 0 and report.components == 3  # the town, the island, the road bridge
    assert not list(tmp_path.glob("out/*.tmp"))


def test_forbidden_ways_are_left_out_and_chains_folded(town, tmp_path):
    nodes, _ways, extract = town
    network = WalkNetwork.load(build_network(extract, tmp_path / "walk.npz", progress=False).out)
    osm = {int(i) for i in network.node_osm_id}
    # foot=no, access=private, motorway, railway, river: none of their own nodes are in the graph.
    assert not osm & {31, 32, 81, 82, 21, 22, 61, 62}
    # Intersections (4, 14, 71) and dead ends stay; nodes with two neighbours are folded away,
    # also where one way ends and the next begins (11: street and tunnel, 15: street and steps).
    assert osm == {1, 4, 5, 14, 42, 71, 91, 92, 51, 93, 94}
    # 1-4, 4-5, 4-14 (footbridge), 14-42, 14-71, 71-91, 71-92, the island ring, the road bridge
    assert network.n_edges == 9
    # The south street from its west end to the bridge is one edge, as long as its polyline.
    west = int(np.flatnonzero(network.node_osm_id == 1)[0])
    bridge = int(np.flatnonzero(network.node_osm_id == 4)[0])
    edge = [e for e in range(network.n_edges) if {network.edge_u[e], network.edge_v[e]} == {west, bridge}]
    assert len(edge) == 1
    assert network.edge_length_m[edge[0]] == pytest.approx(path_m(nodes, [1, 2, 3, 4]), abs=1e-6)
    assert len(network.edge_coords(edge[0])) == 4


def test_lengths_are_the_sum_of_the_polylines(town, tmp_path):
    nodes, ways, extract = town
    network = WalkNetwork.load(build_network(extract, tmp_path / "walk.npz", progress=False).out)
    walkable = [w for w in ways if is_walkable(w[2])]
    expected = sum(path_m(nodes, refs) for _id, refs, _tags in walkable)
    assert network.edge_length_m.sum() == pytest.approx(expected, abs=1e-6)


def test_routing_arrays_are_symmetric_and_keep_the_shortest_parallel_edge(tmp_path):
    # Two ways between the same two intersections: a straight and a curved one.
    nodes = {1: (0, 0), 2: (100, 0), 3: (50, 40), 4: (-50, 0), 5: (150, 0)}
    ways = [(1, [1, 2], {"highway": "footway"}), (2, [1, 3, 2], {"highway": "footway"}),
            (3, [4, 1], {"highway": "footway"}), (4, [2, 5], {"highway": "footway"})]
    network = WalkNetwork.load(build_network(write_osm(tmp_path / "p.osm", nodes, ways), tmp_path / "p.npz",
                                             progress=False).out)
    graph = network.csgraph
    assert (graph != graph.T).nnz == 0
    a = int(np.flatnonzero(network.node_osm_id == 1)[0])
    b = int(np.flatnonzero(network.node_osm_id == 2)[0])
    assert graph[a, b] == pytest.approx(path_m(nodes, [1, 2]), abs=1e-6)
    assert network.n_edges == 4  # both ways stay edges, for snapping


def test_a_ring_meeting_nothing_keeps_one_node(tmp_path):
    nodes = {1: (0, 0), 2: (100, 0), 3: (100, 100), 4: (0, 100)}
    network = WalkNetwork.load(build_network(
        write_osm(tmp_path / "r.osm", nodes, [(1, [1, 2, 3, 4, 1], {"highway": "footway"})]),
        tmp_path / "r.npz", progress=False).out)
    assert (network.n_nodes, network.n_edges) == (1, 1)
    assert network.edge_u[0] == network.edge_v[0]
    assert network.edge_length_m[0] == pytest.approx(path_m(nodes, [1, 2, 3, 4, 1]), abs=1e-6)


def test_a_square_is_crossed_between_the_ways_that_meet_it(tmp_path):
    # An L-shaped pedestrian square; paths arrive at three corners. The line from the
    # south-east corner (2) to the top of the L (5) would leave it: no crossing there.
    nodes = {1: (0, 0), 2: (200, 0), 3: (200, 100), 4: (100, 100), 5: (100, 200), 6: (0, 200),
             11: (-100, 0), 12: (300, 0), 13: (100, 300)}
    ways = [(1, [1, 2, 3, 4, 5, 6, 1], {"highway": "pedestrian", "area": "yes"}),
            (2, [11, 1], {"highway": "footway"}), (3, [2, 12], {"highway": "footway"}),
            (4, [5, 13], {"highway": "footway"})]
    report = build_network(write_osm(tmp_path / "sq.osm", nodes, ways), tmp_path / "sq.npz", progress=False)
    network = WalkNetwork.load(report.out)
    node = {int(osm): i for i, osm in enumerate(network.node_osm_id)}
    graph = network.csgraph
    assert graph[node[1], node[2]] == pytest.approx(path_m(nodes, [1, 2]), abs=1e-6)
    assert graph[node[1], node[5]] == pytest.approx(path_m(nodes, [1, 5]), abs=1e-6)  # across
    assert graph[node[2], node[5]] == pytest.approx(path_m(nodes, [2, 3, 4, 5]), abs=1e-6)  # round the edge
    assert report.area_crossings == 2


def test_a_locked_gate_cuts_the_way_an_open_one_does_not(tmp_path):
    # Two footways between the same streets, each through a gate: one locked, one open.
    nodes = {1: (0, 0), 2: (0, 100), 3: (100, 0), 4: (100, 100), 5: (0, 50), 6: (100, 50), 7: (200, 0), 8: (200, 100)}
    ways = [(1, [1, 3, 7], {"highway": "residential"}), (2, [2, 4, 8], {"highway": "residential"}),
            (3, [1, 5, 2], {"highway": "footway"}), (4, [3, 6, 4], {"highway": "footway"})]
    gates = {5: {"barrier": "gate", "access": "private"}, 6: {"barrier": "gate"}}
    network = WalkNetwork.load(build_network(write_osm(tmp_path / "g.osm", nodes, ways, gates), tmp_path / "g.npz",
                                             progress=False).out)
    node = {int(osm): i for i, osm in enumerate(network.node_osm_id)}
    assert 5 not in node and network.n_nodes == 6  # 1, 3, 7 / 2, 4, 8 stay; 6 is folded into 3-4
    assert network.in_largest.all()  # still one town: through the open gate
    graph = network.csgraph
    assert graph[node[3], node[4]] == pytest.approx(path_m(nodes, [3, 6, 4]), abs=1e-6)
    assert graph[node[1], node[2]] == 0  # no edge through the locked gate
    assert network.edge_length_m.sum() == pytest.approx(
        path_m(nodes, [1, 3, 7]) + path_m(nodes, [2, 4, 8]) + path_m(nodes, [3, 6, 4]), abs=1e-6)


def test_ways_cut_by_the_extract_edge_are_split_at_the_gap(tmp_path):
    # Node 3 is referenced but missing, as in a bbox cut.
    nodes = {1: (0, 0), 2: (100, 0), 4: (300, 0), 5: (400, 0)}
    path = write_osm(tmp_path / "cut.osm", nodes, [(1, [1, 2, 3, 4, 5], {"highway": "residential"})])
    raw = read_walkable_ways(path, progress=False)
    assert raw.n_ways == 2
    assert raw.refs.tolist() == [1, 2, 4, 5]


@pytest.mark.parametrize("name", ["town.osm.gz", "town.osm"])
def test_compressed_and_plain_xml_give_the_same_network(tmp_path, name):
    nodes, ways = river_town()
    network = WalkNetwork.load(build_network(write_osm(tmp_path / name, nodes, ways), tmp_path / "w.npz",
                                             progress=False).out)
    reference = WalkNetwork.load(build_network(write_osm(tmp_path / "ref.osm", nodes, ways), tmp_path / "r.npz",
                                               progress=False).out)
    assert network.n_nodes == reference.n_nodes and network.n_edges == reference.n_edges
    np.testing.assert_array_equal(network.edge_length_m, reference.edge_length_m)


def test_bad_extracts_are_named_in_the_error(tmp_path):
    with pytest.raises(NetworkBuildError, match="missing.osm.pbf: OSM extract not found"):
        build_network(tmp_path / "missing.osm.pbf", tmp_path / "w.npz")
    (tmp_path / "list.csv").write_text("a,b\n")
    with pytest.raises(NetworkBuildError, match=r"list.csv: not an OSM extract; allowed endings: \.osm\.pbf"):
        build_network(tmp_path / "list.csv", tmp_path / "w.npz")
    (tmp_path / "broken.osm").write_text("<osm><way id='1'>")
    with pytest.raises(NetworkBuildError, match="broken.osm: cannot read as OSM data"):
        build_network(tmp_path / "broken.osm", tmp_path / "w.npz")
    with gzip.open(tmp_path / "empty.osm.gz", "wt") as handle:
        handle.write('<?xml version="1.0"?><osm version="0.6"><node id="1" lat="49" lon="7"/></osm>')
    with pytest.raises(NetworkBuildError, match="empty.osm.gz: no walkable way found"):
        build_network(tmp_path / "empty.osm.gz", tmp_path / "w.npz")
    assert not (tmp_path / "w.npz").exists()


def test_unusable_network_files_say_what_to_do(town, tmp_path):
    _nodes, _ways, extract = town
    with pytest.raises(NetworkFileError, match="nowhere.npz: network file not found; build it with"):
        WalkNetwork.load(tmp_path / "nowhere.npz")
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(NetworkFileError, match="text.npz: cannot read as a walking network file"):
        WalkNetwork.load(tmp_path / "text.npz")
    np.savez(tmp_path / "other.npz", meta_keys=np.array(["format"]), meta_values=np.array(["something"]))
    with pytest.raises(NetworkFileError, match="other.npz: not an Angebotskarte walking network file"):
        WalkNetwork.load(tmp_path / "other.npz")
    network = WalkNetwork.load(build_network(extract, tmp_path / "w.npz", progress=False).out)
    with np.load(tmp_path / "w.npz") as data:
        arrays = dict(data)
    arrays["meta_values"] = np.array([str(FORMAT_VERSION + 1) if k == "format_version" else v
                                      for k, v in zip(arrays["meta_keys"], arrays["meta_values"])])
    np.savez(tmp_path / "future.npz", **arrays)
    with pytest.raises(NetworkFileError, match=f"format version {FORMAT_VERSION + 1}, this version reads "
                                               f"{FORMAT_VERSION}; rebuild it"):
        WalkNetwork.load(tmp_path / "future.npz")
    with np.load(tmp_path / "w.npz") as data:
        arrays = dict(data)
    arrays["edge_u"] = arrays["edge_u"][:-1]
    np.savez(tmp_path / "damaged.npz", **arrays)
    with pytest.raises(NetworkFileError, match="edge arrays differ in length"):
        WalkNetwork.load(tmp_path / "damaged.npz")
    assert network.n_edges > 0


def test_the_docs_list_every_walkable_kind():
    from pathlib import Path

    from geo.network import tags

    text = (Path(__file__).resolve().parents[2] / "docs" / "network.md").read_text(encoding="utf-8")
    table = text[text.index("| kind | walkable |"):text.index("A gate or other barrier")]
    words = set(table.replace(",", " ").replace("`", " ").replace("/", " ").split())
    for value in tags.WALKABLE_HIGHWAYS | tags.FOOT_TAG_REQUIRED:
        # "_link" roads are listed once, as "tertiary/secondary/primary and their _link".
        assert value.removesuffix("_link") in words, f"highway={value} is missing from docs/network.md"
    for value in tags.FOOT_FORBIDDEN | tags.ACCESS_FORBIDDEN:
        assert f"`{value}`" in table or f"={value}`" in table, f"{value} is missing from docs/network.md"
