"""Shared fixtures: small worlds built by hand, a fresh app per test, the real data folder."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from geo.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
# ANGEBOTSKARTE_SHARED_DATA points elsewhere (a git worktree has no ../shared beside it).
SHARED_DATA = Path(os.environ.get("ANGEBOTSKARTE_SHARED_DATA") or ROOT.parent / "shared" / "data")
DEMO_DIR = ROOT / "data" / "demo"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data (real third-party data); skips with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} not present")
    return SHARED_DATA


def make_settings(tmp_path: Path, **sections) -> Settings:
    """Settings for a deployment living in tmp_path (store tmp_path/store.gpkg) with overrides."""
    overrides = {"store": {"path": str(tmp_path / "store.gpkg")}}
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    settings = load_settings(None, overrides=overrides)
    settings.base_dir = tmp_path
    return settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


_PRISTINE_DEMO: Path | None = None


def build_demo(folder: Path) -> Path:
    """The demo deployment in folder/demo with its store built by `angebotskarte demo`; its config file.

    The demo is built once per test session into a folder no test touches and copied from
    there (a copy of a few files instead of an import per test).
    """
    global _PRISTINE_DEMO
    if _PRISTINE_DEMO is None:
        from webmap.cli import main

        pristine = Path(tempfile.mkdtemp(prefix="angebotskarte-demo-")) / "demo"
        atexit.register(shutil.rmtree, pristine.parent, True)
        shutil.copytree(DEMO_DIR, pristine, ignore=shutil.ignore_patterns("build"))
        assert main(["demo", "--config", str(pristine / "angebotskarte.toml")]) == 0
        _PRISTINE_DEMO = pristine
    work = folder / "demo"
    shutil.copytree(_PRISTINE_DEMO, work)
    return work / "angebotskarte.toml"


@pytest.fixture
def demo_settings(tmp_path) -> Settings:
    """The demo config with its own copy of the demo store in tmp_path (built once per session)."""
    return load_settings(build_demo(tmp_path))


@pytest.fixture
def demo_app(demo_settings):
    from webmap import create_app

    return create_app(demo_settings, TESTING=True)


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a CSV exactly as given (tests control encoding and delimiters)."""
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(autouse=True)
def _no_config_from_environment(monkeypatch, tmp_path):
    # A developer's own ANGEBOTSKARTE_CONFIG must not leak into tests.
    monkeypatch.delenv("ANGEBOTSKARTE_CONFIG", raising=False)
    if os.environ.get("ANGEBOTSKARTE_TEST_CWD", "1") == "1":
        monkeypatch.chdir(tmp_path)


# -- the store's two backends: one parametrised fixture ----------------------------------------------

REQUIRE_POSTGIS = os.environ.get("ANGEBOTSKARTE_REQUIRE_POSTGIS") == "1"


@pytest.fixture(scope="session")
def postgis_cluster():
    """A throwaway PostgreSQL + PostGIS cluster for the whole session (see tests/pg_cluster.py).

    Skips with the reason when PostgreSQL or PostGIS is not installed; with
    ANGEBOTSKARTE_REQUIRE_POSTGIS=1 (CI) that is a failure instead.
    """
    from pg_cluster import Cluster, ClusterUnavailable

    cluster = None
    try:
        cluster = Cluster().start()
    except ClusterUnavailable as exc:
        if cluster is not None:
            cluster.stop()
        if REQUIRE_POSTGIS:
            pytest.fail(f"ANGEBOTSKARTE_REQUIRE_POSTGIS=1 but {exc}")
        pytest.skip(str(exc))
    yield cluster
    cluster.stop()


@pytest.fixture
def postgis_url(postgis_cluster):
    """A fresh, empty PostGIS database for one test."""
    url = postgis_cluster.create_database()
    yield url
    postgis_cluster.drop_database(url)


class StoreBackend:
    """Where a test's store lives: the GeoPackage tmp_path/store.gpkg or a fresh PostGIS database."""

    def __init__(self, name: str, folder: Path, url: str = ""):
        self.name = name
        self.folder = folder
        self.url = url

    @property
    def store_section(self) -> dict:
        return self.store_section_for(self.folder)

    def store_section_for(self, folder: Path) -> dict:
        section = {"path": str(folder / "store.gpkg")}
        if self.url:
            section["url"] = self.url
        return section

    def toml(self) -> str:
        """The [store] section of a config file in ``folder``."""
        return '[store]\npath = "store.gpkg"\n' + (f'url = "{self.url}"\n' if self.url else "")

    def settings(self, **sections) -> Settings:
        store = {**self.store_section, **sections.pop("store", {})}
        return make_settings(self.folder, store=store, **sections)

    def open(self):
        from geo.store import open_store

        return open_store(self.settings())

    def snapshot(self):
        """What a failed command must leave as it was: the file's bytes; on PostGIS the data version
        and the offers, districts and population."""
        if self.name == "gpkg":
            return (self.folder / "store.gpkg").read_bytes()
        with self.open() as store:
            return (store.version, store.offers().to_json(), store.districts().to_json(),
                    store.population().to_json())

    def __repr__(self) -> str:
        return self.name


@pytest.fixture(params=["gpkg", "postgis"])
def store_backend(request, tmp_path) -> StoreBackend:
    """Runs a test once on the GeoPackage file and once on PostGIS."""
    if request.param == "gpkg":
        return StoreBackend("gpkg", tmp_path)
    return StoreBackend("postgis", tmp_path, request.getfixturevalue("postgis_url"))


GROUPS = ("unit", "web", "cli", "browser", "realdata")


def pytest_collection_modifyitems(config, items):
    """Each test carries the marker of its folder (tests/unit, tests/web, ...), so one group can
    be run alone: ``pytest -m unit`` for the quick loop, ``-m "not browser"`` without chromium."""
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        if parts and parts[0] in GROUPS:
            item.add_marker(parts[0])
