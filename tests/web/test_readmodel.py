"""geo.readmodel and its use by the app: every request answers from one data version, even while imports run.

Defect 1 of issue 10: with concurrent clients and a re-import, /api/v1/offers answered 500
(IndexError in geojson) and kept failing until a restart, because features built from the
index a request held were cached under the new data version.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pandas as pd
import pytest
from conftest import make_settings
from test_api import districts_frame

from geo.index.synthetic import offers_frame
from geo.readmodel import ReadModel, Snapshot, StoreChangedWhileReading, read_snapshot
from geo.store import Store
from webmap import create_app


class FakeStore:
    """A store whose version and frames the test controls; ``on_read`` runs between reads."""

    def __init__(self, version="v1", offers=None):
        self.version = version
        self.frame = offers if offers is not None else pd.DataFrame({"id": ["a"]})
        self.on_read = None
        self.reads = 0

    def offers(self):
        self.reads += 1
        frame = self.frame
        if self.on_read:
            self.on_read(self)
        return frame

    def districts(self):
        return pd.DataFrame()

    def population(self):
        return pd.DataFrame()

    def layers(self):
        return []

    def read_table(self, name):
        return pd.DataFrame()


def test_derived_values_belong_to_their_snapshot():
    old = Snapshot("v1", pd.DataFrame({"id": ["a"]}), None, pd.DataFrame())
    new = Snapshot("v2", pd.DataFrame({"id": ["a", "b"]}), None, pd.DataFrame())
    assert old.derived("count", lambda s: len(s.offers)) == 1
    assert new.derived("count", lambda s: len(s.offers)) == 2
    assert old.derived("count", lambda s: 99) == 1  # built once, kept with its snapshot


def test_a_read_that_spans_an_import_is_read_again():
    store = FakeStore()

    def import_once(s):
        s.on_read = None
        s.version, s.frame = "v2", pd.DataFrame({"id": ["x", "y"]})

    store.on_read = import_once
    snap = read_snapshot(store)
    assert snap.version == "v2" and list(snap.offers["id"]) == ["x", "y"] and store.reads == 2


def test_a_store_that_never_holds_still_is_an_error_not_a_mixed_snapshot():
    store = FakeStore()
    counter = iter(range(1000))
    store.on_read = lambda s: setattr(s, "version", f"v{next(counter)}")
    with pytest.raises(StoreChangedWhileReading):
        read_snapshot(store)


def test_the_read_model_swaps_only_when_the_version_changes():
    store = FakeStore()
    model = ReadModel(store, index_builder=lambda offers: len(offers))
    first = model.snapshot()
    assert model.snapshot() is first and store.reads == 1
    store.version, store.frame = "v2", pd.DataFrame({"id": ["a", "b", "c"]})
    second = model.snapshot()
    assert second is not first and second.index == 3 and first.index == 1


def test_while_one_thread_builds_the_others_answer_from_the_old_snapshot():
    store = FakeStore()
    building = threading.Event()
    release = threading.Event()

    def slow_index(offers):
        if len(offers) == 2:
            building.set()
            release.wait(5)
        return len(offers)

    model = ReadModel(store, index_builder=slow_index)
    old = model.snapshot()
    store.version, store.frame = "v2", pd.DataFrame({"id": ["a", "b"]})
    builder = threading.Thread(target=model.snapshot)
    builder.start()
    assert building.wait(5)
    assert model.snapshot() is old  # not blocked behind the build
    release.set()
    builder.join(5)
    assert model.snapshot().version == "v2"


# -- the race, end to end: concurrent requests while the data is re-imported ---------------------------


def version_offers(generation: int, size: int) -> pd.DataFrame:
    """``size`` offers whose ids and names say which import they came from."""
    records = [dict(id=f"g{generation}-{i}", name=f"Angebot {generation}/{i}", category="counselling",
                    lat=49.40 + (i % 50) * 0.002, lon=7.70 + (i // 50) * 0.003, languages=["de"],
                    target_groups=["all"], district="d1") for i in range(size)]
    return offers_frame(records)


def test_requests_during_reimports_never_fail_and_never_mix_versions(tmp_path):
    settings = make_settings(tmp_path)
    store = Store(settings.store_path)
    sizes = [400, 60, 700, 30, 550, 120, 800, 10, 650, 45, 300, 5]
    store.write(offers=version_offers(0, sizes[0]), districts=districts_frame())
    app = create_app(settings, TESTING=True)
    size_of = {0: sizes[0]}
    failures: list[str] = []
    answered: Counter = Counter()
    stop = threading.Event()
    urls = ["/api/v1/offers?limit=1000", "/api/v1/offers?limit=1000&near=49.41,7.71", "/api/v1/facets",
            "/api/v1/clusters?zoom=12", "/?partial=results", "/embed"]

    def client_loop(number: int) -> None:
        client = app.test_client()
        i = number
        while not stop.is_set():
            url = urls[i % len(urls)]
            i += 1
            response = client.get(url)
            answered[url] += 1
            if response.status_code != 200:
                failures.append(f"{url}: {response.status_code} {response.data[:200]!r}")
                continue
            if url.startswith("/api/v1/offers"):
                body = response.get_json()
                generations = {f["id"].split("-")[0] for f in body["features"]}
                if len(generations) != 1:
                    failures.append(f"{url}: offers of several imports in one answer: {sorted(generations)}")
                    continue
                generation = int(generations.pop()[1:])
                if body["numberMatched"] != size_of.get(generation):
                    failures.append(f"{url}: numberMatched {body['numberMatched']} is not the size "
                                    f"{size_of.get(generation)} of import {generation}")

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    try:
        for generation, size in enumerate(sizes[1:], start=1):
            time.sleep(0.1)
            size_of[generation] = size
            store.write(offers=version_offers(generation, size))
    finally:
        time.sleep(0.3)
        stop.set()
        for thread in threads:
            thread.join(30)
    assert not failures, failures[:5]
    assert sum(answered.values()) > 50 and all(answered[url] for url in urls)
    # After the last import every answer is of the last version.
    last = app.test_client().get("/api/v1/offers?limit=1000").get_json()
    assert last["numberMatched"] == sizes[-1]
    assert {f["id"].split("-")[0] for f in last["features"]} == {f"g{len(sizes) - 1}"}


def test_memos_are_bounded_by_count_and_by_size():
    from geo.readmodel import LruMemo

    memo = LruMemo(3, max_chars=10)
    for key in "abc":
        memo.get(key, lambda: "xxx")
    memo.get("d", lambda: "xxx")  # the fourth answer pushes out the oldest
    assert memo.get("a", lambda: "new") == "new"
    memo.get("big", lambda: "y" * 11)  # larger than the whole budget: answered, not kept
    assert memo.get("big", lambda: "again") == "again"
    calls = []
    memo.get("e", lambda: calls.append(1) or "zzzzzzzzz")  # 9 characters: the others must go
    memo.get("e", lambda: calls.append(1) or "zzzzzzzzz")
    assert calls == [1]
