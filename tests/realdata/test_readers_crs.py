"""Offers with geometry in any CRS: GeoJSON with a legacy crs member, GeoPackage, Shapefile; Berlin's real lists."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

from geo.importer import read_input
from geo.readers.geojson import read_geojson
from geo.readers.vector import read_vector
from geo.schema import InputError

# Kaiserslautern, Stiftsplatz: WGS84 and the same place in UTM 32N (EPSG:25832)
LON, LAT = 7.7689, 49.4447
X, Y = Transformer.from_crs(4326, 25832, always_xy=True).transform(LON, LAT)


def test_geojson_with_a_legacy_crs_member_is_reprojected(tmp_path):
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
           "features": [{"type": "Feature", "properties": {"Name": "Treff", "Plätze": "12"},
                         "geometry": {"type": "MultiPoint", "coordinates": [[X, Y]]}}]}
    path = tmp_path / "o.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    table = read_geojson(path)
    assert float(table.frame["lat"][0]) == pytest.approx(LAT, abs=1e-6)
    assert float(table.frame["lon"][0]) == pytest.approx(LON, abs=1e-6)
    assert table.extras["capacity"].tolist() == ["12"]
    assert any("EPSG:25832" in p.value and p.severity == "note" for p in table.problems)
    # a one-point MultiPoint is that point: no warning
    assert not [p for p in table.problems if p.severity == "warning"]


@pytest.mark.parametrize("suffix, driver", [(".gpkg", "GPKG"), (".shp", "ESRI Shapefile")])
def test_geopackage_and_shapefile_in_a_metric_crs(tmp_path, suffix, driver):
    # (Shapefile column names have at most 10 characters)
    frame = gpd.GeoDataFrame({"Angebot": ["Treff", "Beratung"], "Plaetze": [12, 30]},
                             geometry=[Point(X, Y), Point(X + 100, Y)], crs=25832)
    path = tmp_path / f"angebote{suffix}"
    frame.to_file(path, driver=driver)
    table = read_input(path)
    assert table.frame["name"].tolist() == ["Treff", "Beratung"]
    assert float(table.frame["lat"][0]) == pytest.approx(LAT, abs=1e-6)
    assert float(table.frame["lon"][1]) > LON
    assert table.extras["capacity"].tolist() == ["12", "30"]


def test_a_layer_without_crs_is_refused(tmp_path):
    frame = gpd.GeoDataFrame({"Name": ["A"]}, geometry=[Point(X, Y)])
    path = tmp_path / "ohne.shp"
    with pytest.warns(UserWarning, match="crs"):
        frame.to_file(path)
    with pytest.raises(InputError, match="no coordinate system"):
        read_vector(path)


def test_a_missing_layer_lists_the_layers(tmp_path):
    path = tmp_path / "a.gpkg"
    gpd.GeoDataFrame({"Name": ["A"]}, geometry=[Point(LON, LAT)], crs=4326).to_file(path, layer="angebote")
    with pytest.raises(InputError, match="no layer 'x'; layers: angebote"):
        read_vector(path, layer="x")


@pytest.mark.slow
@pytest.mark.parametrize("name, rows, fields", [
    ("kindertagesstaetten.geojson", 2880, ("name", "street", "housenumber", "postcode", "organisation")),
    ("apothekenstandorte.geojson", 732, ("name", "street", "housenumber", "postcode")),
    ("jugendfreizeiteinrichtungen.geojson", 407, ("name", "street", "postcode", "organisation")),
])
def test_berlin_facility_lists_in_epsg_25833(shared_data, name, rows, fields):
    path = shared_data / "berlin-open-data-facilities" / name
    table = read_geojson(path)
    assert len(table.frame) == rows
    for field in fields:
        assert (table.frame[field] != "").mean() > 0.95, field
    lat, lon = table.frame["lat"].astype(float), table.frame["lon"].astype(float)
    # every point inside Berlin (52.33-52.68 N, 13.08-13.77 E)
    assert lat.between(52.33, 52.68).all() and lon.between(13.08, 13.77).all()
    if name.startswith("kinder"):
        # the places column (capacity) is kept: the planner's supply weight
        assert table.extras["capacity"].str.isdigit().mean() > 0.99
