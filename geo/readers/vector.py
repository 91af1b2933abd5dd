"""GIS files with offers: GeoPackage, Shapefile, FlatGeobuf (read with pyogrio, any CRS).

The layer's attributes are read like a table's columns (same header rules); its
geometries, in whatever CRS the file declares, are reprojected to WGS84 and give each
row's latitude/longitude (a point inside non-point shapes, with a warning).
"""

from __future__ import annotations

from pathlib import Path

import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geo.readers.tabular import RawTable, build_raw_table
from geo.schema import InputError, Problem

SUFFIXES = (".gpkg", ".shp", ".fgb")


def read_vector(path: str | Path, layer: str | None = None) -> RawTable:
    """Read one layer (the first, or ``layer``) of a GIS file into a :class:`RawTable` (row = feature number).

    Raises
    ------
    InputError
        When the file is missing or unreadable, the layer does not exist, or the layer has
        no coordinate system (its coordinates cannot be placed).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    try:
        layers = [name for name, _ in pyogrio.list_layers(path)]
        if layer is not None and layer not in layers:
            raise InputError(f"{path.name}: no layer {layer!r}; layers: {', '.join(layers)}")
        frame = pyogrio.read_dataframe(path, layer=layer)
    except (DataSourceError, DataLayerError) as exc:
        raise InputError(f"{path.name}: not a readable GIS file ({exc})") from None
    problems: list[Problem] = []
    if frame.crs is None:
        raise InputError(f"{path.name}: the layer has no coordinate system (a Shapefile needs its .prj file)")
    if frame.crs.to_epsg() != 4326:
        problems.append(Problem(path.name, None, "geometry", frame.crs.to_string(),
                                "coordinates converted from this system to latitude/longitude (WGS84)",
                                severity="note"))
        frame = frame.to_crs(4326)
    headers = [str(c) for c in frame.columns if c != frame.geometry.name]
    rows: list[list[str]] = []
    for number, (values, geom) in enumerate(zip(frame[headers].itertuples(index=False), frame.geometry), start=1):
        row = ["" if v is None or v != v else _cell(v) for v in values]
        lat = lon = ""
        if geom is not None and not geom.is_empty:
            if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
                geom = geom.geoms[0]
            if geom.geom_type != "Point":
                problems.append(Problem(path.name, number, "geometry", geom.geom_type,
                                        "not a Point; a point inside the shape is used", severity="warning"))
                geom = geom.representative_point()
            lon, lat = repr(geom.x), repr(geom.y)
        rows.append(row + [lat, lon])
    if not rows:
        raise InputError(f"{path.name}: the layer has no features")
    return build_raw_table(path.name, headers + ["lat", "lon"], rows, problems, first_row_number=1, skip_blank=False)


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
