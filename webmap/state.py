"""Per-app data: the store, vocabularies and the search index of the current data version."""

from __future__ import annotations

import threading
from typing import Any, Callable

from flask import Flask, current_app

from geo.settings import Settings
from geo.store import StoreUnavailable, open_store
from geo.vocab import Vocabulary, categories_from_config, target_groups_from_config


class DataState:
    """What request code reads. Frames come from the store, cached per file state;
    everything derived from them (the index, lookup tables) is built lazily once per
    data version with :meth:`derived`, never per request."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = open_store(settings)
        self.categories: Vocabulary = categories_from_config(settings.get("vocabulary", "categories"))
        self.target_groups: Vocabulary = target_groups_from_config(settings.get("vocabulary", "target_groups"))
        # Reentrant: one derived value may be built from another (a vocabulary from district names).
        self._lock = threading.RLock()
        self._derived: dict[str, tuple[str, Any]] = {}

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

    def derived(self, name: str, build: Callable[[], Any]) -> Any:
        """``build()``'s value for the current data version, built once (thread-safe) and kept until the store changes."""
        version = self.version
        cached = self._derived.get(name)
        if cached is None or cached[0] != version:
            with self._lock:
                cached = self._derived.get(name)
                if cached is None or cached[0] != version:
                    cached = self._derived[name] = (version, build())
        return cached[1]

    @property
    def index(self):
        """The OfferIndex for the current data version."""
        from geo.index import OfferIndex

        return self.derived("index", lambda: OfferIndex.from_offers(
            self.offers,
            metric_crs=self.settings.get("area", "metric_crs") or None,
            bbox=self.settings.bbox,
            timezone=self.settings.get("area", "timezone"),
        ))


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["angebotskarte"] = DataState(settings)
    app.register_error_handler(StoreUnavailable, _store_unavailable)


def _store_unavailable(error: StoreUnavailable):
    """The database cannot be reached: 503 (retry later), not a 500; service resumes by itself."""
    from flask import jsonify, request

    body = {"error": "the data store is unreachable; please try again in a moment", "parameter": None,
            "value": None, "allowed": None}
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        response = jsonify(body)
    else:
        response = current_app.response_class(
            "<!doctype html><title>503</title><p>Die Daten sind gerade nicht erreichbar. Bitte versuchen Sie es "
            "gleich noch einmal. / The data store is unreachable; please try again in a moment.</p>",
            mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


def search_vocabulary():
    """What webmap.params checks filter values against, for the current data version.

    One object for the API, the pages, the clusters endpoint and the embed, so a
    value one of them accepts is accepted by all. Districts are those with
    polygons plus any district id the offers carry.
    """
    from webmap.params import SearchVocabulary

    data = current_data()

    def build():
        districts = data.districts
        known = dict(zip(districts["district_id"].astype(str), districts["name"].astype(str)))
        for district in data.offers["district"].unique():
            if district and str(district) not in known:
                known[str(district)] = ""
        return SearchVocabulary.from_settings(data.settings, data.categories, data.target_groups, known)

    return data.derived("search_vocabulary", build)


def current_data() -> DataState:
    """The DataState of the app handling the current request."""
    return current_app.extensions["angebotskarte"]


def app_cache(name: str, build):
    """A per-app object built once on first use (caches, rate limiters, the address geocoder)."""
    ext = current_app.extensions.setdefault("angebotskarte.cache", {})
    if name not in ext:
        ext[name] = build()
    return ext[name]
