"""Writing whole layers: districts (with the offers' district assignment), population, the grid, …

A layer is replaced whole in one transaction; the web app's processes see a layer
change in the change log and rebuild what they derived from it.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from sqlalchemy import select

from geo.store import codec, layers as attribute
from geo.store.reads import multipolygons
from geo.store.tables import districts as districts_table, offers


class LayerWrites:
    """Layer write methods of :class:`geo.store.Store`."""

    def replace_districts(self, frame: gpd.GeoDataFrame, *, actor: str, assign: bool = True) -> int:
        """Replace the district polygons; with ``assign`` every live offer's district is set again
        in the same transaction (a changed assignment is a new version of that offer).

        Returns the number of offers whose district changed.
        """
        with self._write(actor, "districts") as tx:
            self._put_districts(tx, frame)
            if not assign:
                return 0
            return self._assign_districts(tx, frame)

    def _put_districts(self, tx, frame: gpd.GeoDataFrame) -> None:
        if frame.crs is not None and frame.crs.to_epsg() != 4326:
            frame = frame.to_crs(4326)
        tx.connection.execute(districts_table.delete())
        if len(frame):
            geoms = self.backend.encode_geometries(multipolygons(frame.geometry.values))
            names = frame["name"] if "name" in frame else [""] * len(frame)
            rows = [{"district_id": str(i), "name": "" if n is None else str(n), "geom": g}
                    for i, n, g in zip(frame["district_id"], names, geoms)]
            tx.connection.execute(districts_table.insert(), rows)
        tx.layer_changed("districts")
        if len(frame):
            minx, miny, maxx, maxy = frame.total_bounds
            self.backend.register_layer(tx.connection, "districts", "MULTIPOLYGON",
                                        (float(minx), float(miny), float(maxx), float(maxy)))

    def _assign_districts(self, tx, frame: gpd.GeoDataFrame) -> int:
        from geo.districts import assign_districts
        from geo.store.writes import OfferWrites

        rows = tx.connection.execute(select(offers).where(offers.c.deleted_at.is_(None))).mappings().all()
        if not rows:
            return 0
        records = [codec.row_to_record(r) for r in rows]
        located = gpd.GeoDataFrame({"i": range(len(records))},
                                   geometry=gpd.GeoSeries([codec.point_of(r) for r in records], crs=4326), crs=4326)
        assigned = assign_districts(located, frame if frame.crs is not None else frame.set_crs(4326))
        count = 0
        for row, record, district, status in zip(rows, records, assigned["district"], assigned["district_status"]):
            if record["district"] == district and record["district_status"] == status:
                continue
            merged = {**record, "district": district, "district_status": status}
            if OfferWrites._apply(self, tx, row, record, merged, "districts"):
                count += 1
        return count

    def replace_population(self, frame: pd.DataFrame, *, actor: str) -> None:
        """Residents per district: ``district_id`` plus any numeric columns, kept as given."""
        self.replace_layer("population", frame, actor=actor)

    def replace_layer(self, name: str, frame: pd.DataFrame, *, actor: str) -> None:
        """Keep an attribute layer (e.g. ``population_grid``) under ``name``, replacing an earlier one."""
        attribute.check_layer_name(name)
        with self._write(actor, f"layer {name}") as tx:
            attribute.write_attribute_layer(tx.connection, name, frame, data_version=tx.data_version, at=tx.at,
                                            gpkg=self.backend.dialect == "sqlite")
            tx.layer_changed(name)

    def drop_layer(self, name: str, *, actor: str) -> bool:
        """Remove an attribute layer; False when there was none."""
        with self._write(actor, f"drop layer {name}") as tx:
            dropped = attribute.drop_attribute_layer(tx.connection, name, gpkg=self.backend.dialect == "sqlite")
            if dropped:
                tx.layer_changed(name)
        return dropped

    def write(self, *, offers: gpd.GeoDataFrame | None = None, districts: gpd.GeoDataFrame | None = None,
              population: pd.DataFrame | None = None, import_record: dict | None = None,
              extra_layers: dict[str, pd.DataFrame] | None = None, actor: str = "write") -> str:
        """Replace several layers in one transaction (loading a prepared deployment, tests, benchmarks).

        ``offers`` becomes the set of live offers (each changed offer a new version with
        history); layers not given are kept. Returns the new public data version.
        """
        with self._write(actor, "write") as tx:
            if districts is not None:
                self._put_districts(tx, districts)
            if offers is not None:
                self._replace(tx, codec.frame_to_records(offers), source=None, three_way=False)
            gpkg = self.backend.dialect == "sqlite"
            named = ([("population", population)] if population is not None else []) + list((extra_layers or {}).items())
            for name, frame in named:
                attribute.write_attribute_layer(tx.connection, name, frame, data_version=tx.data_version, at=tx.at,
                                                gpkg=gpkg)
                tx.layer_changed(name)
            if import_record is not None:
                self._log_import(tx, import_record)
        return self.version
