"""Create and upgrade the store's schema with Alembic, programmatically (no alembic.ini).

Every command that opens a store gets here on its first read or write: a current
schema costs one query; an older one (or a GeoPackage from the whole-file store)
is upgraded with a one-line message; a newer one is refused. Two processes doing
this at once do not collide: the upgrade runs inside one transaction that first
takes the schema lock (SQLite: BEGIN IMMEDIATE, the file's write lock; PostgreSQL:
``pg_advisory_xact_lock``), and re-reads the revision after getting it.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from geo.store.errors import StoreError

LEGACY = "whole-file store"


@lru_cache(maxsize=1)
def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "geo.store:migrations")
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    return frozenset(s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions())


def has_schema(connection) -> bool:
    return inspect(connection).has_table("alembic_version")


def current_revision(connection) -> str | None:
    """The schema's revision; LEGACY for a whole-file store; None for an empty file or database."""
    if has_schema(connection):
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    names = set(inspect(connection).get_table_names())
    if connection.dialect.name == "sqlite":
        if {"offers", "meta"} <= names:
            return LEGACY
        foreign = {n for n in names if not n.startswith(("gpkg_", "rtree_", "sqlite_"))}
        if foreign:
            raise StoreError(f"the file holds tables ({', '.join(sorted(foreign)[:5])}) but is not an Angebotskarte "
                             "store; point [store] path at a new file or at a store")
        return None
    if "offers" in names:
        raise StoreError("the database has an 'offers' table but no Angebotskarte schema version; "
                         "use an empty database for the store")
    return None


def _describe(revision: str | None) -> str:
    return "an empty store" if revision is None else f"schema {revision}"


def ensure(backend, *, create: bool, log: logging.Logger) -> bool:
    """Make the schema current; False (nothing done) when there is no store and ``create`` is False."""
    if not create and not backend.file_exists():
        return False
    with backend.engine.connect() as connection:
        backend.prepare(connection)
        revision = current_revision(connection)
    if revision == head_revision():
        return True
    if revision is None and not create:
        return False
    _check_known(backend, revision)
    upgrade(backend, log=log)
    return True


def _check_known(backend, revision: str | None) -> None:
    if revision not in (None, LEGACY) and revision not in known_revisions():
        raise StoreError(f"{backend.label}: the store has schema {revision}, written by a newer Angebotskarte; "
                         f"this one knows up to {head_revision()}; upgrade the program")


def upgrade(backend, *, log: logging.Logger) -> str:
    """Create or upgrade the schema under the schema lock; returns a one-line account."""
    head = head_revision()
    with backend.engine.connect().execution_options(store_write=True) as connection:
        backend.prepare(connection)
        with connection.begin():
            backend.lock_schema(connection)
            revision = current_revision(connection)  # again: another process may have done it meanwhile
            if revision == head:
                return f"{backend.label}: schema {head} is current"
            _check_known(backend, revision)
            if revision is None:
                log.info("%s: creating a new store (schema %s)", backend.label, head)
            else:
                log.warning("%s: upgrading the store from %s to schema %s …", backend.label,
                            _describe(revision), head)
            config = _config()
            config.attributes["connection"] = connection
            try:
                command.upgrade(config, "head")
            finally:
                config.attributes.pop("connection", None)
    done = f"{backend.label}: {'created' if revision is None else 'upgraded from ' + _describe(revision)}, schema {head}"
    if revision is not None:
        log.warning("%s", done)
    return done
