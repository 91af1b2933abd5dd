"""Reading the store: frames in the shapes index, coverage, export and the web app use.

Frames are read in one snapshot together with the data version and kept per data
version, so a process asks the database once per version, not once per request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import func, select

from geo.schema import OFFER_COLUMNS
from geo.store import codec, layers as attribute
from geo.store.codec import empty_districts, empty_offers
from geo.store.core import _read_state
from geo.store.errors import NotFound
from geo.store.tables import IMPORT_COLUMNS, changes, districts, imports, offer_history, offers

FIXED_LAYERS = ("offers", "districts", "imports", "meta")
# Offer fields the store adds to a record (offer(), history, the write API's ETag).
OFFER_META = ("version", "created_at", "updated_at", "updated_by", "deleted_at", "deleted_by")


@dataclass(frozen=True)
class HistoryEntry:
    """One change of one offer: which version it made, when, who, what, and the fields before and after."""

    offer_id: str
    offer_version: int
    data_version: int
    at: str
    actor: str
    action: str
    before: dict
    after: dict


@dataclass(frozen=True)
class Changes:
    """What changed after a data version: the offers (None: too many, reload) and the layers rewritten."""

    since: int
    data_version: int
    offer_ids: frozenset[str] | None
    layers: frozenset[str]

    @property
    def reload(self) -> bool:
        """Whether a reader should rebuild everything rather than apply the offer changes."""
        return self.offer_ids is None or bool(self.layers - {"imports"})


class StoreReads:
    """Read methods of :class:`geo.store.Store`."""

    # -- whole frames -------------------------------------------------------------------------

    def offers(self, *, include_deleted: bool = False) -> gpd.GeoDataFrame:
        """Every live offer (exactly OFFER_COLUMNS + geometry, lists decoded), in storage order."""
        with self._read() as connection:
            if connection is None:
                return empty_offers()
            if include_deleted:
                return self._offers_frame(connection, True)
            return self._cached(connection, "offers", lambda c: self._offers_frame(c, False))

    def _offers_frame(self, connection, include_deleted: bool) -> gpd.GeoDataFrame:
        statement = select(*[offers.c[name] for name in OFFER_COLUMNS], offers.c.geom).order_by(offers.c.fid)
        if not include_deleted:
            statement = statement.where(offers.c.deleted_at.is_(None))
        rows = connection.execute(statement).all()
        if not rows:
            return empty_offers()
        columns = list(zip(*rows))
        by_name = dict(zip(OFFER_COLUMNS, columns[:-1]))
        return codec.columns_to_frame(by_name, self.backend.decode_geometries(columns[-1]))

    def offers_by_id(self, ids) -> tuple[gpd.GeoDataFrame, frozenset[str]]:
        """The live offers among ``ids`` (a frame like :meth:`offers`) and the ids that are
        deleted or unknown: what a reader needs to apply :meth:`changes_since` to its index."""
        ids = list(dict.fromkeys(ids))
        with self._read() as connection:
            if connection is None or not ids:
                return empty_offers(), frozenset(ids)
            rows = []
            for start in range(0, len(ids), 500):
                statement = (select(*[offers.c[name] for name in OFFER_COLUMNS], offers.c.geom)
                             .where(offers.c.id.in_(ids[start:start + 500]) & offers.c.deleted_at.is_(None))
                             .order_by(offers.c.fid))
                rows += connection.execute(statement).all()
        if not rows:
            return empty_offers(), frozenset(ids)
        columns = list(zip(*rows))
        frame = codec.columns_to_frame(dict(zip(OFFER_COLUMNS, columns[:-1])),
                                       self.backend.decode_geometries(columns[-1]))
        return frame, frozenset(ids) - set(frame["id"])

    def offer_versions(self) -> dict[str, int]:
        """Offer id -> version of every live offer (for ETags without reading whole records)."""
        with self._read() as connection:
            if connection is None:
                return {}
            return self._cached(connection, "offer_versions", lambda c: dict(c.execute(
                select(offers.c.id, offers.c.version).where(offers.c.deleted_at.is_(None))).all()))

    def districts(self) -> gpd.GeoDataFrame:
        """District polygons: district_id, name, geometry (MultiPolygon, EPSG:4326)."""
        with self._read() as connection:
            if connection is None:
                return empty_districts()
            return self._cached(connection, "districts", self._districts_frame)

    def _districts_frame(self, connection) -> gpd.GeoDataFrame:
        rows = connection.execute(select(districts.c.district_id, districts.c.name, districts.c.geom)
                                  .order_by(districts.c.fid)).all()
        if not rows:
            return empty_districts()
        ids, names, geoms = zip(*rows)
        return gpd.GeoDataFrame({"district_id": [str(i) for i in ids], "name": [n or "" for n in names]},
                                geometry=gpd.GeoSeries(self.backend.decode_geometries(list(geoms)), crs=4326),
                                crs=4326)

    def population(self) -> pd.DataFrame:
        """Residents per district (district_id and the table's numeric columns); empty without one."""
        return self.read_table("population")

    def imports(self) -> pd.DataFrame:
        """The import log, oldest first."""
        with self._read() as connection:
            if connection is None:
                return pd.DataFrame()
            return self._cached(connection, "imports", self._imports_frame)

    def _imports_frame(self, connection) -> pd.DataFrame:
        rows = connection.execute(select(*[imports.c[c] for c in IMPORT_COLUMNS], imports.c.actor)
                                  .order_by(imports.c.fid)).all()
        if not rows:
            return pd.DataFrame()
        return pd.DataFrame([tuple(r) for r in rows], columns=[*IMPORT_COLUMNS, "actor"])

    def layers(self) -> list[str]:
        """Names of the layers the store holds ([] before it exists)."""
        with self._read() as connection:
            if connection is None:
                return []
            return [*FIXED_LAYERS, *attribute.layer_names(connection)]

    def read_table(self, name: str) -> pd.DataFrame:
        """Any layer by name; an empty frame when there is none."""
        if name == "offers":
            return self.offers()
        if name == "districts":
            return self.districts()
        if name == "imports":
            return self.imports()
        with self._read() as connection:
            if connection is None:
                return pd.DataFrame()
            frame = self._cached(connection, f"layer:{name}", lambda c: attribute.read_attribute_layer(c, name))
        if frame is None:
            return pd.DataFrame()
        frame = frame.copy()
        if "district_id" in frame:
            frame["district_id"] = frame["district_id"].astype(str)
        return frame

    # -- one offer ------------------------------------------------------------------------------

    def offer(self, offer_id: str, *, include_deleted: bool = False) -> dict | None:
        """One offer as a record plus version, created/updated at and by; None when unknown (or deleted)."""
        with self._read() as connection:
            if connection is None:
                return None
            row = _offer_row(connection, offer_id)
        if row is None or (row["deleted_at"] is not None and not include_deleted):
            return None
        return _offer_dict(row)

    def history(self, offer_id: str) -> list[HistoryEntry]:
        """Every change of one offer, oldest first ([] when it never existed).

        A create's ``after`` holds every field the offer was created with. The store
        keeps only the changes (a create row stores no fields: version 1 follows from the
        offer and the ``before`` of every later change), so an import of 100,000 offers
        does not store them twice.
        """
        with self._read() as connection:
            if connection is None:
                return []
            rows = connection.execute(select(offer_history).where(offer_history.c.offer_id == offer_id)
                                      .order_by(offer_history.c.offer_version, offer_history.c.fid)).mappings().all()
            current = _offer_row(connection, offer_id)
        entries = [_history_entry(r) for r in rows]
        if current is not None and any(e.action == "create" and not e.after for e in entries):
            state = _offer_dict(current)
            for entry in reversed(entries):
                if entry.offer_version > 1:
                    state.update(entry.before)
            created = codec.non_empty({name: state[name] for name in OFFER_COLUMNS})
            entries = [HistoryEntry(e.offer_id, e.offer_version, e.data_version, e.at, e.actor, e.action, e.before,
                                    created) if e.action == "create" and not e.after else e for e in entries]
        return entries

    def offer_at(self, offer_id: str, version: int) -> dict:
        """The offer as it was at ``version`` (fields and ``deleted``), reconstructed from its history.

        Raises NotFound for an unknown offer or a version it never had.
        """
        with self._read() as connection:
            row = _offer_row(connection, offer_id) if connection is not None else None
            if row is None:
                raise NotFound(f"no offer {offer_id!r}")
            if not 1 <= version <= row["version"]:
                raise NotFound(f"offer {offer_id!r} has versions 1 to {row['version']}, not {version}")
            later = connection.execute(select(offer_history.c.before).where(
                (offer_history.c.offer_id == offer_id) & (offer_history.c.offer_version > version))
                .order_by(offer_history.c.offer_version.desc(), offer_history.c.fid.desc())).scalars().all()
        state = _offer_dict(row)
        for before in later:  # undo the later changes, newest first
            state.update(json.loads(before))
        state["version"] = version
        return state

    def changes_since(self, data_version: int, *, limit: int = 5000) -> Changes:
        """What changed after ``data_version``: offer ids (None when more than ``limit``) and layers.

        The web app's processes poll this to apply a single change to their index
        instead of rebuilding it.
        """
        with self._read() as connection:
            if connection is None:
                return Changes(data_version, 0, frozenset(), frozenset())
            current = _read_state(connection)[1]
            layer_rows = connection.execute(select(changes.c.layer).distinct().where(
                (changes.c.data_version > data_version) & changes.c.layer.is_not(None))).scalars().all()
            count = connection.execute(select(func.count(func.distinct(offer_history.c.offer_id))).where(
                offer_history.c.data_version > data_version)).scalar_one()
            ids = None
            if count <= limit:
                ids = frozenset(connection.execute(select(offer_history.c.offer_id).distinct().where(
                    offer_history.c.data_version > data_version)).scalars().all())
        layers_changed = frozenset(layer_rows)
        if data_version > current:  # a version from another store (or a restored backup)
            return Changes(data_version, current, None, frozenset({"*"}))
        return Changes(data_version, current, ids, layers_changed)


def _offer_row(connection, offer_id: str):
    return connection.execute(select(offers).where(offers.c.id == offer_id)).mappings().first()


def _offer_dict(row) -> dict:
    record = codec.row_to_record(row)
    for name in OFFER_META:
        record[name] = row[name]
    return record


def _history_entry(row) -> HistoryEntry:
    return HistoryEntry(row["offer_id"], row["offer_version"], row["data_version"], row["at"], row["actor"],
                        row["action"], json.loads(row["before"]), json.loads(row["after"]))


def point_geometries(records: list[dict]) -> list:
    """The points of records (None without lat/lon), for encoding."""
    return [codec.point_of(r) for r in records]


def multipolygons(geometries) -> list:
    """Polygons promoted to MultiPolygons (the districts layer is declared MULTIPOLYGON)."""
    out = []
    for g in geometries:
        if g is not None and g.geom_type == "Polygon":
            g = shapely.MultiPolygon([g])
        out.append(g)
    return out
