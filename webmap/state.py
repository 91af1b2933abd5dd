"""Per-app data: the store's read model and what every request derives from one snapshot of it.

A request takes the snapshot of the current data version once (:func:`snapshot`,
kept in ``flask.g`` for the rest of the request) and derives everything from
that one object: the index, the features, the search vocabulary, the map's
bounds, the coverage context. A re-import while requests run builds a new
snapshot beside the old one (geo.readmodel); no request ever sees a mix.
"""

from __future__ import annotations

from typing import Any, Callable

from flask import Flask, current_app, g

from geo.readmodel import ReadModel, Snapshot
from geo.settings import Settings
from geo.store import StoreUnavailable, open_store
from geo.vocab import Vocabulary, categories_from_config, target_groups_from_config


class AppData:
    """What the app knows beyond one request: settings, vocabularies, the store and its read model."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = open_store(settings)
        self.categories: Vocabulary = categories_from_config(settings.vocabulary.categories)
        self.target_groups: Vocabulary = target_groups_from_config(settings.vocabulary.target_groups)
        self.read_model = ReadModel(self.store, index_builder=self._build_index)

    def _build_index(self, offers):
        from geo.index import OfferIndex

        area = self.settings.area
        return OfferIndex.from_offers(offers, metric_crs=area.metric_crs or None, bbox=area.bbox,
                                      timezone=area.timezone)

    def snapshot(self) -> Snapshot:
        """The snapshot of the current data version (outside requests; requests use :func:`snapshot`)."""
        return self.read_model.snapshot()

    # Outside requests (the CLI's warm-up before serving) one snapshot is all there is to ask.
    @property
    def offers(self):
        """Deprecated: the current snapshot's offers; request code takes :func:`snapshot` once instead."""
        return self.snapshot().offers

    @property
    def index(self):
        """Deprecated: the current snapshot's index; request code takes :func:`snapshot` once instead."""
        return self.snapshot().index


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["angebotskarte"] = AppData(settings)
    app.register_error_handler(StoreUnavailable, _store_unavailable)


def current_data() -> AppData:
    """The AppData of the app handling the current request."""
    return current_app.extensions["angebotskarte"]


def snapshot() -> Snapshot:
    """The data version this request answers from: taken on first use, then the same for the whole request."""
    if "snapshot" not in g:
        g.snapshot = current_data().snapshot()
    return g.snapshot


def derived(name: str, build: Callable[[Snapshot], Any]) -> Any:
    """``build(snapshot)`` for this request's snapshot, computed once per data version."""
    return snapshot().derived(name, build)


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
    """What webmap.params checks filter values against, for this request's data version.

    One object for the API, the pages, the clusters endpoint and the embed, so a
    value one of them accepts is accepted by all. Districts are those with
    polygons plus any district id the offers carry.
    """
    from webmap.params import SearchVocabulary

    data = current_data()

    def build(snap: Snapshot):
        known = dict(zip(snap.districts["district_id"].astype(str), snap.districts["name"].astype(str)))
        for district in snap.offers["district"].unique():
            if district and str(district) not in known:
                known[str(district)] = ""
        return SearchVocabulary.from_settings(data.settings, data.categories, data.target_groups, known)

    return derived("search_vocabulary", build)


def district_names() -> dict[str, str]:
    """District id -> name, from this request's district polygons (empty without districts)."""
    return derived("district_names", lambda snap: {
        str(i): str(n) for i, n in zip(snap.districts["district_id"], snap.districts["name"])})


def app_cache(name: str, build):
    """A per-app object built once on first use (caches, rate limiters, the address geocoder)."""
    ext = current_app.extensions.setdefault("angebotskarte.cache", {})
    if name not in ext:
        ext[name] = build()
    return ext[name]
