"""The offer store: one GeoPackage file (opens in QGIS) with every layer of a deployment.

Layers: ``offers`` (points; virtual and not-located offers have no geometry),
``districts`` (polygons), ``population`` and ``imports`` (attribute tables),
``meta`` (the data version). Further layers (e.g. a population grid) can be kept
with :meth:`Store.write` under their own name.

Writes are atomic: the whole new file is written beside the old one and renamed
into place (``os.replace``), so a failed or killed import leaves the previous
data intact. A deployment's data is small enough (100,000 offers ≈ 30 MB) that
rewriting the file is cheaper than the complexity of in-place transactions.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.schema import LIST_COLUMNS, OFFER_COLUMNS, TEXT_COLUMNS

OFFERS, DISTRICTS, POPULATION, IMPORTS, META = "offers", "districts", "population", "imports", "meta"
IMPORT_COLUMNS = (
    "imported_at", "source", "file", "rows_read", "imported", "warnings", "rejected",
    "duplicates", "added", "changed", "removed",
)
_JSON_COLUMNS = (*LIST_COLUMNS, "language_notes")


def empty_offers() -> gpd.GeoDataFrame:
    """An offers frame with every column and no rows."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in OFFER_COLUMNS})
    for c in ("lat", "lon", "age_min", "age_max"):
        frame[c] = frame[c].astype(float)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=4326), crs=4326)


def empty_districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"district_id": pd.Series(dtype=object), "name": pd.Series(dtype=object)},
                            geometry=gpd.GeoSeries([], crs=4326), crs=4326)


class StoreError(Exception):
    """The store file exists but cannot be read as an Angebotskarte GeoPackage."""


class Store:
    """Read and write one GeoPackage store.

    Frames are cached per file state and rebuilt when the file changes (another
    process may import while the web app runs).
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._cache: dict[str, Any] = {}
        self._cache_key: tuple | None = None

    # -- reading ---------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.path.exists()

    def _file_key(self) -> tuple | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _cached(self, name: str, loader):
        key = self._file_key()
        if key != self._cache_key:
            self._cache = {}
            self._cache_key = key
        if name not in self._cache:
            self._cache[name] = loader()
        return self._cache[name]

    def layers(self) -> list[str]:
        if not self.exists():
            return []
        try:
            return [str(n) for n, _ in pyogrio.list_layers(self.path)]
        except Exception as exc:  # pyogrio raises DataSourceError subclasses and plain errors
            raise StoreError(f"{self.path}: not a readable GeoPackage ({exc})") from None

    @property
    def version(self) -> str:
        """A string that changes with every write; "" when the store does not exist yet."""
        meta = self._cached(META, self._read_meta)
        return meta.get("version", "")

    def _read_meta(self) -> dict[str, str]:
        if META not in self.layers():
            return {}
        frame = pyogrio.read_dataframe(self.path, layer=META)
        return dict(zip(frame["key"].astype(str), frame["value"].astype(str)))

    def offers(self) -> gpd.GeoDataFrame:
        """All offers (see geo.schema.OFFER_COLUMNS), lists decoded."""
        return self._cached(OFFERS, self._read_offers)

    def _read_offers(self) -> gpd.GeoDataFrame:
        if OFFERS not in self.layers():
            return empty_offers()
        frame = pyogrio.read_dataframe(self.path, layer=OFFERS, fid_as_index=False)
        return decode_offers(frame)

    def districts(self) -> gpd.GeoDataFrame:
        return self._cached(DISTRICTS, self._read_districts)

    def _read_districts(self) -> gpd.GeoDataFrame:
        if DISTRICTS not in self.layers():
            return empty_districts()
        frame = pyogrio.read_dataframe(self.path, layer=DISTRICTS)
        frame["district_id"] = frame["district_id"].astype(str)
        frame["name"] = frame["name"].fillna("").astype(str)
        return frame

    def population(self) -> pd.DataFrame:
        return self._cached(POPULATION, lambda: self.read_table(POPULATION))

    def imports(self) -> pd.DataFrame:
        return self._cached(IMPORTS, lambda: self.read_table(IMPORTS))

    def read_table(self, name: str) -> pd.DataFrame:
        """Any layer by name; an empty frame when it does not exist."""
        if name not in self.layers():
            return pd.DataFrame()
        frame = pyogrio.read_dataframe(self.path, layer=name, read_geometry=True)
        if "district_id" in frame:
            frame["district_id"] = frame["district_id"].astype(str)
        return frame

    # -- writing ---------------------------------------------------------------------------

    def write(self, *, offers: gpd.GeoDataFrame | None = None, districts: gpd.GeoDataFrame | None = None,
              population: pd.DataFrame | None = None, import_record: dict | None = None,
              extra_layers: dict[str, pd.DataFrame] | None = None) -> str:
        """Replace the given layers atomically; layers not given are carried over.

        Returns the new data version.
        """
        current = {name: None for name in self.layers()}
        frames: dict[str, pd.DataFrame] = {}
        frames[OFFERS] = encode_offers(offers if offers is not None else self.offers())
        frames[DISTRICTS] = districts if districts is not None else self.districts()
        pop = population if population is not None else self.population()
        if len(pop.columns):
            frames[POPULATION] = pop
        log = self.imports()
        if import_record is not None:
            row = {c: import_record.get(c, "") for c in IMPORT_COLUMNS}
            log = pd.concat([log, pd.DataFrame([row])], ignore_index=True)
        if len(log.columns):
            frames[IMPORTS] = log
        for name in current:
            if name not in frames and name not in (META,) and name not in (extra_layers or {}):
                frames[name] = self.read_table(name)
        for name, frame in (extra_layers or {}).items():
            frames[name] = frame
        version = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        frames[META] = pd.DataFrame({"key": ["version", "schema"], "value": [version, "1"]})
        self._write_all(frames)
        return version

    def _write_all(self, frames: dict[str, pd.DataFrame]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.path.parent.glob(f".{self.path.stem}.*.tmp.gpkg*"):
            if not _writer_alive(stale):
                _remove_quietly(stale)  # left behind by a killed writer (with SQLite's -journal)
        # GDAL wants the .gpkg extension; the leading dot and .tmp mark it as unfinished.
        tmp = self.path.parent / f".{self.path.stem}.{os.getpid()}-{uuid.uuid4().hex[:6]}.tmp.gpkg"
        try:
            for name, frame in frames.items():
                _write_layer(tmp, name, frame)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        finally:
            _remove_quietly(tmp)
        self._cache_key = None


def _write_layer(path: Path, name: str, frame: pd.DataFrame) -> None:
    kwargs: dict[str, Any] = dict(layer=name, driver="GPKG")
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
        gdf = frame
        if gdf.crs is None:
            gdf = gdf.set_crs(4326)
        geom_types = {t for t in gdf.geometry.geom_type.dropna().unique()}
        if name == DISTRICTS or geom_types & {"Polygon", "MultiPolygon"}:
            kwargs["geometry_type"] = "MultiPolygon"
            kwargs["promote_to_multi"] = True
        elif geom_types <= {"Point"}:
            kwargs["geometry_type"] = "Point"
        pyogrio.write_dataframe(gdf, path, **kwargs)
    else:
        plain = pd.DataFrame(frame).copy()
        if "geometry" in plain:
            plain = plain.drop(columns="geometry")
        pyogrio.write_dataframe(plain, path, **kwargs)


def _writer_alive(tmp: Path) -> bool:
    """Whether the process named in a temporary file's name (".store.PID-xxxxxx.tmp.gpkg") still runs.

    Another import writing at the same moment must not lose its half-written file.
    """
    try:
        pid = int(tmp.name.rsplit(".tmp.gpkg", 1)[0].rsplit(".", 1)[1].split("-")[0])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return True  # another thread of this process; our own leftovers are removed in _write_all
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def encode_offers(offers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Offers as stored: list and dict columns as JSON text (GeoPackage has no arrays)."""
    out = offers[[c for c in OFFER_COLUMNS] + [offers.geometry.name]].copy()
    for col in _JSON_COLUMNS:
        out[col] = _json_texts(out[col].tolist(), [] if col in LIST_COLUMNS else {})
    for col in TEXT_COLUMNS:
        out[col] = out[col].fillna("").astype(str)
    for col in ("lat", "lon", "age_min", "age_max"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return gpd.GeoDataFrame(out, geometry=offers.geometry.name, crs=4326)


def decode_offers(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The inverse of :func:`encode_offers`."""
    for col in OFFER_COLUMNS:
        if col not in frame:
            frame[col] = "" if col in TEXT_COLUMNS else np.nan
    for col in _JSON_COLUMNS:
        frame[col] = _json_values(frame[col].tolist(), list if col in LIST_COLUMNS else dict)
    for col in TEXT_COLUMNS:
        frame[col] = frame[col].fillna("").astype(str)
    for col in ("lat", "lon", "age_min", "age_max"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame = frame[list(OFFER_COLUMNS) + [frame.geometry.name]]
    if frame.crs is None:
        frame = frame.set_crs(4326)
    return frame.reset_index(drop=True)


def _json_texts(values: list, empty) -> list[str]:
    """json.dumps of each list/dict cell; the few hundred distinct language and target-group
    combinations of a large import are encoded once each."""
    memo: dict = {}
    texts = []
    for v in values:
        if not isinstance(v, (list, dict)):
            v = empty
        key = tuple(v.items()) if isinstance(v, dict) else tuple(v)
        try:
            text = memo.get(key)
        except TypeError:  # unhashable items: encode without the memo
            text = json.dumps(v, ensure_ascii=False)
        else:
            if text is None:
                text = memo[key] = json.dumps(v, ensure_ascii=False)
        texts.append(text)
    return texts


def _json_values(texts: list, kind: type) -> list:
    """The inverse of _json_texts; every row gets its own list/dict (callers may change them)."""
    memo: dict = {}
    values = []
    for text in texts:
        if not isinstance(text, str) or not text:
            values.append(kind())
            continue
        decoded = memo.get(text)
        if decoded is None:
            decoded = memo[text] = json.loads(text)
        values.append(kind(decoded) if isinstance(decoded, kind) else decoded)
    return values
