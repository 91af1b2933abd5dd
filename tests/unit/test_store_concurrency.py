"""Many writers and readers at once, in real processes, on both backends.

Each test starts child processes that run the real CLI or store code, with a pause
patched into the store at the moment that matters (inside a write transaction), so
the overlap is certain rather than a matter of timing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyogrio
import pytest
from conftest import write_csv

from geo.importer import import_file
from geo.store import VersionConflict

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    import sys, time
    import geo.store.sources as sources
    import geo.store.writes as writes
    import geo.store.migrate as migrate

    PAUSE = float(sys.argv[1])
    MODE = sys.argv[2]
    args = sys.argv[3:]

    def pause(label):
        print(label, flush=True)
        time.sleep(PAUSE)

    if MODE == "import-slow":  # hold the import's transaction open after its merge
        original = sources.SourceWrites._replace
        def slow(self, tx, *a, **k):
            result = original(self, tx, *a, **k)
            pause("IN TRANSACTION")
            return result
        sources.SourceWrites._replace = slow
    elif MODE == "update":  # read the offer inside the transaction, pause, then write
        original_live = writes._live
        def slow_live(connection, offer_id):
            row = original_live(connection, offer_id)
            pause("READ")
            return row
        writes._live = slow_live
    elif MODE == "migrate-slow":
        original_upgrade = migrate.command.upgrade
        def slow_upgrade(config, revision):
            pause("MIGRATING")
            return original_upgrade(config, revision)
        migrate.command.upgrade = slow_upgrade

    if MODE == "update":
        from geo.settings import load_settings
        from geo.store import VersionConflict, open_store
        store = open_store(load_settings(args[0]))
        try:
            store.update_offer(args[1], {"name": args[2]}, expected_version=1, actor=args[2])
            print("UPDATED", flush=True)
        except VersionConflict as exc:
            print("CONFLICT", exc.current["name"], flush=True)
        sys.exit(0)
    from webmap.cli import main
    code = main(args)
    print("DONE", code, flush=True)
    sys.exit(code)
""")


def child(tmp_path: Path, pause: float, mode: str, *args) -> subprocess.Popen:
    script = tmp_path / "child.py"
    if not script.exists():
        script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANGEBOTSKARTE_TEST_CWD": "0"}
    return subprocess.Popen([sys.executable, str(script), str(pause), mode, *map(str, args)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return out, err


def offer_list(path: Path, prefix: str, n: int) -> Path:
    rows = "".join(f"{prefix}-{i};Angebot {prefix} {i};49,44;7,75\n" for i in range(n))
    return write_csv(path, "ID;Name;Breitengrad;Längengrad\n" + rows)


@pytest.fixture
def deployment(store_backend):
    config = store_backend.folder / "angebotskarte.toml"
    config.write_text(store_backend.toml(), encoding="utf-8")
    return store_backend, config


def test_two_imports_of_different_sources_at_once_both_land_with_their_history(deployment, tmp_path):
    backend, config = deployment
    offer_list(tmp_path / "stadt.csv", "s", 300)
    offer_list(tmp_path / "kreis.csv", "k", 200)
    first = child(tmp_path, 1.5, "import-slow", "import", tmp_path / "stadt.csv", "--source", "stadt", "--config", config)
    assert first.stdout.readline().strip() == "IN TRANSACTION", first.stderr.read()
    second = child(tmp_path, 0, "import-slow", "import", tmp_path / "kreis.csv", "--source", "kreis", "--config", config)
    out1, err1 = finish(first)
    out2, err2 = finish(second)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    with backend.open() as store:
        offers = store.offers()
        assert offers["source"].value_counts().to_dict() == {"stadt": 300, "kreis": 200}
        assert sorted(store.imports()["source"]) == ["kreis", "stadt"]
        assert store.changes_since(0).offer_ids == frozenset(offers["id"])
        assert {e.actor for oid in ("s-7", "k-7") for e in store.history(oid)} == {"import stadt.csv", "import kreis.csv"}


def test_two_updates_with_the_same_expected_version_one_wins_one_conflicts(deployment, tmp_path):
    backend, config = deployment
    import_file(offer_list(tmp_path / "l.csv", "x", 3), backend.settings(), source="l")
    procs = [child(tmp_path, 1.0, "update", config, "x-1", name) for name in ("Erster", "Zweiter")]
    outs = [finish(p)[0].split("\n") for p in procs]
    results = sorted(line for out in outs for line in out if line.startswith(("UPDATED", "CONFLICT")))
    assert len(results) == 2 and results[1] == "UPDATED" and results[0].startswith("CONFLICT"), outs
    with backend.open() as store:
        winner = store.offer("x-1")
        assert winner["version"] == 2 and results[0] == f"CONFLICT {winner['name']}"
        assert [e.action for e in store.history("x-1")] == ["create", "update"]
        with pytest.raises(VersionConflict):
            store.update_offer("x-1", {"name": "Dritter"}, expected_version=1, actor="late")


def test_kill_9_in_the_middle_of_a_big_write_leaves_the_last_committed_state(deployment, tmp_path):
    backend, config = deployment
    import_file(offer_list(tmp_path / "v1.csv", "alt", 2), backend.settings(), source="stadt")
    with backend.open() as store:
        before_version, before_offers = store.version, store.offers().drop(columns="geometry")
    offer_list(tmp_path / "v2.csv", "neu", 5000)
    proc = child(tmp_path, 120, "import-slow", "import", tmp_path / "v2.csv", "--source", "stadt", "--config", config)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "IN TRANSACTION", line + proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        finish(proc, timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with backend.open() as store:
        assert store.version == before_version
        assert store.offers().drop(columns="geometry").equals(before_offers)
        assert store.imports()["source"].tolist() == ["stadt"]
    if backend.name == "gpkg":
        path = backend.folder / "store.gpkg"
        assert pyogrio.read_info(path, layer="offers")["features"] == 2  # GDAL opens it as it was
        assert sorted(pyogrio.read_dataframe(path, layer="offers")["id"]) == ["alt-0", "alt-1"]
    again = import_file(tmp_path / "v2.csv", backend.settings(), source="stadt")
    assert again.stored and (again.added, again.removed) == (5000, 2)


def test_readers_are_not_blocked_by_a_long_write_and_a_second_writer_waits(deployment, tmp_path):
    backend, config = deployment
    import_file(offer_list(tmp_path / "v1.csv", "alt", 2), backend.settings(), source="stadt")
    offer_list(tmp_path / "v2.csv", "neu", 50)
    proc = child(tmp_path, 3, "import-slow", "import", tmp_path / "v2.csv", "--source", "stadt", "--config", config)
    try:
        assert proc.stdout.readline().strip() == "IN TRANSACTION"
        # A reader that would give up after 0.5 s of waiting: it does not wait at all.
        from geo.store import open_store

        reader = open_store(backend.settings(store={"busy_timeout_seconds": 0.5}))
        with reader:
            assert sorted(reader.offers()["id"]) == ["alt-0", "alt-1"]  # the last committed state
            assert proc.poll() is None  # the writer still holds its transaction
        # A second writer queues behind the import and then succeeds.
        with backend.open() as writer:
            writer.create_offer({"id": "web-1", "name": "Vom Web"}, actor="editor")
            assert "DONE 0" in proc.stdout.read()  # the import had committed before the create went through
            assert len(writer.offers()) == 51 and writer.offer("web-1")["name"] == "Vom Web"
            assert writer.history("web-1")[0].data_version > writer.history("neu-1")[0].data_version
    finally:
        finish(proc)


def test_two_processes_creating_the_schema_at_once_do_not_collide(deployment, tmp_path):
    backend, config = deployment
    procs = [child(tmp_path, 1.0, "migrate-slow", "db", "upgrade", "--config", config) for _ in range(2)]
    results = [finish(p) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert sum("created" in out for out, _ in results) == 1 and sum("current" in out for out, _ in results) == 1
    with backend.open() as store:
        assert store.exists() and store.data_version() == 0
        from sqlalchemy import text

        with store.backend.engine.connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM meta WHERE key = 'store_id'")).scalar() == 1


def test_a_writer_that_waits_longer_than_the_busy_timeout_gives_up_with_a_message(deployment, tmp_path):
    backend, config = deployment
    import_file(offer_list(tmp_path / "v1.csv", "alt", 2), backend.settings(), source="stadt")
    proc = child(tmp_path, 4, "import-slow", "import", offer_list(tmp_path / "v2.csv", "neu", 5), "--source", "stadt",
                 "--config", config)
    try:
        assert proc.stdout.readline().strip() == "IN TRANSACTION"
        from geo.store import StoreError, open_store

        with open_store(backend.settings(store={"busy_timeout_seconds": 0.5})) as impatient:
            with pytest.raises(StoreError, match="locked for more than 0.5 s"):
                impatient.update_offer("alt-0", {"name": "x"}, expected_version=1, actor="editor")
    finally:
        finish(proc)
    assert proc.returncode == 0


def test_two_imports_in_threads_of_one_process_both_land(deployment, tmp_path):
    import threading

    backend, _config = deployment
    settings = backend.settings()
    offer_list(tmp_path / "a.csv", "a", 200)
    offer_list(tmp_path / "b.csv", "b", 200)
    results, errors = {}, []

    def run(name: str) -> None:
        try:
            results[name] = import_file(tmp_path / f"{name}.csv", settings, source=name)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and results["a"].added == results["b"].added == 200
    with backend.open() as store:
        assert store.offers()["source"].value_counts().to_dict() == {"a": 200, "b": 200}
        assert len(store.changes_since(0).offer_ids) == 400
