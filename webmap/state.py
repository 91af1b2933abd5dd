"""Per-app data: the store, vocabularies and the search index of the current data version."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app

from geo.settings import Settings
from geo.store import Store
from geo.vocab import Vocabulary, categories_from_config, target_groups_from_config


class DataState:
    """What request code reads. Frames come from the store, cached per file state;
    the index is built lazily once per data version (never per request)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = Store(settings.store_path)
        self.categories: Vocabulary = categories_from_config(settings.get("vocabulary", "categories"))
        self.target_groups: Vocabulary = target_groups_from_config(settings.get("vocabulary", "target_groups"))
        self._lock = threading.Lock()
        self._index: Any = None
        self._index_version: str | None = None

    @property
    def version(self) -> str:
        return self.store.version

    @property
    def offers(self):
        return self.store.offers()

    @property
    def districts(self):
        return self.store.districts()

    @property
    def population(self):
        return self.store.population()

    @property
    def index(self):
        """The OfferIndex for the current data version."""
        version = self.version
        if self._index is None or self._index_version != version:
            with self._lock:
                if self._index is None or self._index_version != version:
                    from geo.index import OfferIndex

                    self._index = OfferIndex.from_offers(
                        self.offers,
                        metric_crs=self.settings.get("area", "metric_crs") or None,
                        bbox=self.settings.bbox,
                        timezone=self.settings.get("area", "timezone"),
                    )
                    self._index_version = version
        return self._index


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["angebotskarte"] = DataState(settings)


def current_data() -> DataState:
    """The DataState of the app handling the current request."""
    return current_app.extensions["angebotskarte"]


def app_cache(name: str, build):
    """A per-app object built once on first use (caches, rate limiters, the address geocoder)."""
    ext = current_app.extensions.setdefault("angebotskarte.cache", {})
    if name not in ext:
        ext[name] = build()
    return ext[name]
