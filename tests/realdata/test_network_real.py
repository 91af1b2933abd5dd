"""The walking network on real extracts: Kaiserslautern (2013) and Lauf an der Pegnitz (2020).

Needs ../shared/data (skipped with a reason when it is absent). Checks that the build
works on real tagging, that the town is one connected network, that walks between
known streets across a railway or a river are plausible, and that nearest offers on
foot are exact on a real network too.
"""

from __future__ import annotations

from collections import defaultdict

import conftest
import numpy as np
import osmium
import pytest
from shapely.geometry import Point, shape

from geo.index import OfferIndex, OfferQuery
from geo.index.synthetic import offers_frame
from geo.network import Walking, WalkNetwork, build_network
from geo.network.measure import haversine_m
from geo.network.route import walk_to
from geo.network.snap import along_edge_m

pytestmark = pytest.mark.slow

EXTRACTS = {
    "kaiserslautern": "osm-kaiserslautern/kaiserslautern.osm.gz",
    "lauf": "osm-extracts-de/lauf-an-der-pegnitz-200115.osm.pbf",
}
# Streets on either side of Kaiserslautern's main railway line and of the Pegnitz in Lauf.
ACROSS = {
    "kaiserslautern": ("Königstraße", "Trippstadter Straße"),
    "lauf": ("Marktplatz", "Altdorfer Straße"),
}


def extract_path(name):
    path = conftest.SHARED_DATA / EXTRACTS[name]
    if not path.is_file():
        pytest.skip(f"real extract {path} not present (../shared/data)")
    return path


@pytest.fixture(scope="module", params=sorted(EXTRACTS))
def town(request, tmp_path_factory):
    path = extract_path(request.param)
    report = build_network(path, tmp_path_factory.mktemp(request.param) / "walk.npz", progress=False)
    return request.param, path, report, Walking(WalkNetwork.load(report.out))


def street_points(path, names):
    """One vertex per named street: the one nearest to the mean of its vertices."""
    found = defaultdict(list)
    processor = osmium.FileProcessor(str(path)).with_locations().with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
    for way in processor:
        if way.tags.get("name") in names and "highway" in way.tags:
            found[way.tags["name"]].extend((n.lon, n.lat) for n in way.nodes if n.location.valid())
    points = {}
    for name, coords in found.items():
        arr = np.array(coords)
        points[name] = arr[np.argmin(((arr - arr.mean(axis=0)) ** 2).sum(axis=1))]
    return points


def addresses(path, limit=3000):
    lon, lat = [], []
    for node in osmium.FileProcessor(str(path)).with_filter(osmium.filter.KeyFilter("addr:housenumber")):
        if node.is_node() and node.location.valid():
            lon.append(node.location.lon)
            lat.append(node.location.lat)
        if len(lon) >= limit:
            break
    return np.array(lon), np.array(lat)


def test_the_build_gives_one_connected_town(town):
    name, _path, report, walking = town
    assert report.nodes > 2000 and report.edges > report.nodes
    assert report.length_km > 150
    assert report.largest_component_share > 0.95
    assert 0 < report.file_bytes < 5_000_000
    assert walking.network.metric_crs == "EPSG:25832"
    assert walking.network.meta["source"] == EXTRACTS[name].split("/")[-1]


def test_addresses_lie_on_the_network(town):
    _name, path, _report, walking = town
    lon, lat = addresses(path)
    snapped = walking.snapper.snap(lon, lat)
    assert snapped.ok.all()
    assert np.median(snapped.snap_m) < 40  # a house is a few dozen metres from its street
    assert np.all(snapped.to_u_m >= 0) and np.all(snapped.to_v_m >= 0)


def test_a_walk_across_the_railway_or_river_is_longer_than_the_straight_line(town):
    name, path, _report, walking = town
    first, second = ACROSS[name]
    points = street_points(path, {first, second})
    (lon1, lat1), (lon2, lat2) = points[first], points[second]
    index = OfferIndex.from_offers(offers_frame([dict(id="there", name="there", lon=lon2, lat=lat2)]))
    result = walking.search(index).nearest(lat1, lon1, k=1)
    straight = float(haversine_m(lon1, lat1, lon2, lat2))
    assert result.straight_m[0] == pytest.approx(straight, rel=1e-9)
    assert straight + 50 < result.walk_m[0] < 2.5 * straight


def test_nearest_on_foot_is_exact_on_the_real_network(town):
    _name, path, _report, walking = town
    lon, lat = addresses(path, limit=600)
    rng = np.random.default_rng(17)
    records = [dict(id=f"a{i}", name=f"a{i}", lon=x, lat=y, languages=[str(rng.choice(["de", "ar", "uk"]))])
               for i, (x, y) in enumerate(zip(lon, lat))]
    index = OfferIndex.from_offers(offers_frame(records))
    search = walking.search(index)
    arabic = np.flatnonzero([r["languages"] == ["ar"] for r in records])
    for q in rng.choice(len(lon), 12, replace=False):
        qlat, qlon = lat[q] + 0.0004, lon[q] - 0.0003
        result = search.search(OfferQuery(near=(qlat, qlon), languages=("ar",), limit=10))
        source = walking.snapper.snap([qlon], [qlat])
        full = walking.router.from_point(source)  # every node, no limit
        targets = search.offers.take(arabic)
        walk = source.snap_m[0] + walk_to(walking.network, full, targets)
        same = np.flatnonzero(targets.edge == source.edge[0])
        if len(same):
            here = source.take(np.zeros(len(same), dtype=np.intp))
            direct = source.snap_m[0] + along_edge_m(walking.network, here, targets.take(same)) + targets.snap_m[same]
            walk[same] = np.minimum(walk[same], direct)
        order = np.lexsort((arabic, walk))[:10]
        np.testing.assert_allclose(result.walk_m, walk[order], atol=1e-6)


def test_ten_minutes_on_foot_stay_within_reach(town):
    _name, path, _report, walking = town
    lon, lat = addresses(path, limit=1)
    collection = walking.isochrones(lat[0], lon[0], minutes=(10,))
    area = shape(collection["features"][0]["geometry"])
    assert area.contains(Point(lon[0], lat[0]))
    # Everything inside is within 750 m on foot plus the corridor: far less than that circle.
    reach = 750 + 50
    lon_min, lat_min, lon_max, lat_max = area.bounds
    assert haversine_m(lon_min, lat[0], lon_max, lat[0]) <= 2 * reach + 10
    assert haversine_m(lon[0], lat_min, lon[0], lat_max) <= 2 * reach + 10
