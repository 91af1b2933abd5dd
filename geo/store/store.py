"""The Store: one object, one interface, whichever backend holds the data."""

from __future__ import annotations

from geo.store.core import StoreCore
from geo.store.credentials import Credentials
from geo.store.layer_writes import LayerWrites
from geo.store.reads import StoreReads
from geo.store.sources import SourceWrites
from geo.store.writes import OfferWrites


class Store(StoreReads, OfferWrites, SourceWrites, LayerWrites, Credentials, StoreCore):
    """A deployment's data: offers with versions and history, districts, population, layers,
    the import log, API tokens and shared rate limits.

    ``Store(location)`` takes a GeoPackage path or a ``postgresql://`` URL; deployments
    use :func:`geo.store.open_store`. Constructing a Store touches nothing: the schema
    is created by the first write and upgraded by the first read or write, so a web
    app can start before its store exists. Reads return frames in the shapes the
    index, coverage and export use; every write is one transaction (see geo.store.core).
    """
