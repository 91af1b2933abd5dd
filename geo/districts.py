"""Districts (Ortsbezirke, Stadtteile, Planungsräume): loading polygons and assigning offers.

Any format GDAL reads (GeoJSON, GeoPackage, Shapefile with its .prj), in any CRS;
stored in EPSG:4326 with invalid rings repaired.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from shapely import make_valid

from geo.schema import InputError, Problem


def load_districts(path: str | Path, name_field: str = "name", id_field: str = "id",
                   layer: str | None = None) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read district polygons into the store's shape: district_id, name, geometry (EPSG:4326).

    Raises
    ------
    InputError
        File unreadable, no polygons, no CRS, or the named fields missing (the
        message lists the fields the file has).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    try:
        if layer is None:
            layer = _polygon_layer(path)
        frame = pyogrio.read_dataframe(path, layer=layer)
    except InputError:
        raise
    except Exception as exc:  # GDAL's errors come in several classes
        raise InputError(f"{path.name}: not a readable vector file ({exc})") from None
    problems: list[Problem] = []
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        raise InputError(f"{path.name}: a table without geometries; districts need polygons "
                         "(GeoJSON, GeoPackage or Shapefile)")
    if frame.empty:
        raise InputError(f"{path.name}: no features")
    fields = [c for c in frame.columns if c != frame.geometry.name]
    for wanted, option in ((name_field, "--name-field"), (id_field, "--id-field")):
        if wanted not in frame.columns:
            raise InputError(f"{path.name}: no field {wanted!r} ({option}); fields in the file: {', '.join(fields)}")
    if frame.crs is None:
        raise InputError(f"{path.name}: the file declares no coordinate reference system (a Shapefile needs its .prj)")
    poly = frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    for pos in np.flatnonzero(~poly.values):
        problems.append(Problem(path.name, pos + 1, "geometry", str(frame.geometry.iloc[pos].geom_type if
                                frame.geometry.iloc[pos] is not None else "empty"),
                                "not a polygon; feature skipped", severity="error"))
    frame = frame[poly.values]
    if frame.empty:
        raise InputError(f"{path.name}: no polygon features")
    frame = frame.to_crs(4326)
    invalid = ~frame.geometry.is_valid
    for pos in np.flatnonzero(invalid.values):
        problems.append(Problem(path.name, int(frame.index[pos]) + 1, "geometry", str(frame[name_field].iloc[pos]),
                                "invalid polygon (e.g. self-intersecting); repaired", severity="warning"))
    geometry = frame.geometry.where(~invalid, make_valid(frame.geometry.values))
    # make_valid can yield collections with stray lines; keep only the areal part.
    geometry = gpd.GeoSeries([_polygonal(g) for g in geometry], crs=4326)
    ids = frame[id_field].astype(str).str.strip().tolist()
    dup = pd.Series(ids).duplicated(keep=False)
    if dup.any():
        raise InputError(f"{path.name}: field {id_field!r} is not unique (e.g. {pd.Series(ids)[dup].iloc[0]!r}); "
                         "choose another --id-field")
    result = gpd.GeoDataFrame({
        "district_id": ids,
        "name": frame[name_field].fillna("").astype(str).str.strip().tolist(),
    }, geometry=geometry.values, crs=4326)
    return result, problems


def _polygon_layer(path: Path) -> str | None:
    """The layer to read when none is named: the only layer, or the only polygon layer.

    A GeoPackage often holds several layers; guessing among several polygon layers
    would silently load the wrong ones, so that asks for --layer.
    """
    layers = [(str(name), str(kind or "")) for name, kind in pyogrio.list_layers(path)]
    if len(layers) <= 1:
        return None
    polygons = [name for name, kind in layers if "polygon" in kind.lower()]
    if len(polygons) == 1:
        return polygons[0]
    raise InputError(f"{path.name}: {len(layers)} layers ({', '.join(name for name, _ in layers)}); "
                     "name the districts layer with --layer")


def _polygonal(geom):
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    from shapely.geometry import MultiPolygon
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    flat = []
    for p in parts:
        flat.extend(p.geoms if p.geom_type == "MultiPolygon" else [p])
    return MultiPolygon(flat) if flat else geom


def assign_districts(offers: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Set ``district`` and ``district_status`` for every located offer.

    An offer on a shared border goes to the first district touching it; an offer
    outside every district keeps its place and gets status "outside" (flagged, not dropped).
    """
    offers = offers.copy()
    offers["district"] = ""
    offers["district_status"] = ""
    if districts.empty or offers.empty:
        return offers
    located = offers.geometry.notna() & ~offers.geometry.is_empty
    if not located.any():
        return offers
    if offers.crs != districts.crs:
        districts = districts.to_crs(offers.crs)
    points = offers.loc[located, [offers.geometry.name]]
    joined = gpd.sjoin(points, districts[["district_id", "geometry"]], how="left", predicate="intersects")
    first = joined[~joined.index.duplicated(keep="first")]
    ids = first["district_id"].reindex(points.index)
    offers.loc[located, "district"] = ids.fillna("").astype(str).values
    offers.loc[located, "district_status"] = np.where(ids.notna(), "inside", "outside")
    return offers


def load_population(path: str | Path, districts: gpd.GeoDataFrame, district_field: str,
                    total_field: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a population table (CSV/XLSX) keyed by district id or name.

    Numbers may use German thousands separators ("12.345"). Further numeric
    columns (foreign residents, origin groups, age bands) are kept as given.
    """
    from geo.readers.tabular import read_rows  # the same tolerant decoding as offer lists

    path = Path(path)
    headers, rows, _ = read_rows(path)
    headers = [str(h).strip() for h in headers]
    for wanted, option in ((district_field, "--district-field"), (total_field, "--total-field")):
        if wanted not in headers:
            raise InputError(f"{path.name}: no column {wanted!r} ({option}); columns: {', '.join(headers)}")
    frame = pd.DataFrame([r + [""] * (len(headers) - len(r)) for r in rows], columns=headers, dtype=object)
    problems: list[Problem] = []
    by_id = {str(i): str(i) for i in districts["district_id"]}
    by_name = {str(n).casefold(): str(i) for i, n in zip(districts["district_id"], districts["name"])}
    ids = []
    for pos, key in enumerate(frame[district_field].astype(str).str.strip()):
        did = by_id.get(key) or by_name.get(key.casefold())
        if did is None and not districts.empty:
            problems.append(Problem(path.name, pos + 2, district_field, key, "no district with this id or name",
                                    "load the districts first (angebotskarte districts) and use their ids or names"))
        did = did or (key if districts.empty else None)
        if did is not None and did in ids:
            first = ids.index(did) + 2
            problems.append(Problem(path.name, pos + 2, district_field, key,
                                    f"district already given in row {first}; each district needs one row"))
        ids.append(did)
    out = pd.DataFrame({"district_id": ids})
    for column in headers:
        if column == district_field:
            continue
        values = frame[column].astype(str).str.strip()
        numeric = _german_numbers(values)
        if column == total_field:
            for pos in np.flatnonzero((numeric.isna() | (numeric < 0)).values):
                problems.append(Problem(path.name, pos + 2, column, values.iat[pos], "not a non-negative number"))
            out["population"] = numeric.values
        elif numeric.notna().sum() >= max(1, values.str.len().gt(0).sum()):
            out[column] = numeric.values
        else:
            out[column] = values.values
    bad_rows = {p.row - 2 for p in problems if p.severity == "error"}
    out = out.drop(index=[r for r in bad_rows if r in out.index]).reset_index(drop=True)
    return out, problems


def _german_numbers(values: pd.Series) -> pd.Series:
    """'12.345' (German thousands), '12 345', '1234,5' and '1234.5' -> float."""
    def one(v: str):
        v = v.replace("\u00a0", "").replace(" ", "")
        if not v:
            return np.nan
        if "," in v:
            v = v.replace(".", "").replace(",", ".")
        elif v.count(".") >= 1 and all(len(part) == 3 for part in v.split(".")[1:]):
            v = v.replace(".", "")
        try:
            return float(v)
        except ValueError:
            return np.nan
    return values.map(one).astype(float)
