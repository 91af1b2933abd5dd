"""API tokens (only their hashes are stored) and rate limits shared by every app process.

Tokens: 256 random bits, shown once; the store keeps SHA-256 of the token (a
random token needs no slow password hash) and checks it by looking the hash up.

Rate limits: fixed windows per bucket (address search per client) and spacing
slots (Nominatim's one request per second), updated by one atomic statement so
any number of processes share them. Bucket keys are HMAC-SHA-256 digests under a
random per-store secret: no IP address or other key is stored in clear.
On PostgreSQL they live in the database; a GeoPackage keeps them in a small
SQLite file beside it (``<store>.limits.sqlite``), because a limit is checked on
every address search and must not queue behind a long import holding the
GeoPackage's write lock (nor grow its history of WAL pages).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import case, create_engine, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from geo.store.errors import NotFound, StoreError
from geo.store.tables import api_tokens, meta, rate_limits

ROLES = ("editor", "provider")


@dataclass(frozen=True)
class Token:
    """A valid token's identity (never the token itself)."""

    name: str
    role: str
    source: str


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Credentials:
    """Token and rate-limit methods of :class:`geo.store.Store`."""

    # -- tokens -------------------------------------------------------------------------------------

    def create_token(self, name: str, role: str, *, source: str = "", actor: str = "cli") -> str:
        """A new token for ``name``; returns the secret (shown once, stored only as a hash).

        A provider token may change only offers of ``source`` (required for providers).
        """
        name = (name or "").strip()
        if not name:
            raise StoreError("a token needs a name")
        if role not in ROLES:
            raise StoreError(f"token role {role!r}: allowed are {', '.join(ROLES)}")
        if role == "provider" and not source:
            raise StoreError("a provider token needs the source whose offers it may change")
        secret = secrets.token_urlsafe(32)
        with self._write(actor, "token", data=False) as tx:
            existing = tx.connection.execute(select(api_tokens.c.revoked_at).where(api_tokens.c.name == name)).first()
            if existing is not None and existing[0] is None:
                raise StoreError(f"a token named {name!r} exists; revoke it first")
            if existing is not None:
                tx.connection.execute(api_tokens.delete().where(api_tokens.c.name == name))
            tx.connection.execute(api_tokens.insert().values(
                name=name, role=role, source=source or "", token_hash=token_hash(secret), created_at=tx.at,
                created_by=actor))
            tx.logged = True  # commit (a token is no data change: no new data version)
        return secret

    def verify_token(self, secret: str) -> Token | None:
        """The token's identity when ``secret`` is a valid, unrevoked token; else None."""
        if not secret:
            return None
        with self._read() as connection:
            if connection is None:
                return None
            row = connection.execute(select(api_tokens.c.name, api_tokens.c.role, api_tokens.c.source,
                                            api_tokens.c.token_hash).where(
                (api_tokens.c.token_hash == token_hash(secret)) & api_tokens.c.revoked_at.is_(None))).first()
        if row is None or not hmac.compare_digest(row.token_hash, token_hash(secret)):
            return None
        return Token(row.name, row.role, row.source)

    def revoke_token(self, name: str, *, actor: str = "cli") -> None:
        """Revoke a token by name (it stops working at once in every process)."""
        with self._write(actor, "token", data=False) as tx:
            result = tx.connection.execute(api_tokens.update().where(
                (api_tokens.c.name == name) & api_tokens.c.revoked_at.is_(None)).values(revoked_at=tx.at))
            if result.rowcount == 0:
                raise NotFound(f"no active token named {name!r}")
            tx.logged = True

    def tokens(self) -> list[dict]:
        """Every token's name, role, source, created and revoked time (no hashes)."""
        with self._read() as connection:
            if connection is None:
                return []
            rows = connection.execute(select(api_tokens.c.name, api_tokens.c.role, api_tokens.c.source,
                                             api_tokens.c.created_at, api_tokens.c.revoked_at)
                                      .order_by(api_tokens.c.name)).mappings().all()
        return [dict(r) for r in rows]

    # -- rate limits ----------------------------------------------------------------------------

    def hit(self, bucket: str, limit: int, window_s: float, *, now: float | None = None) -> bool:
        """Count one hit on ``bucket``; True while at most ``limit`` hits fall in the current window."""
        now = time.time() if now is None else now
        table = rate_limits
        key = self._bucket_key(bucket)
        expired = table.c.window_start <= now - window_s
        statement = self._limits_insert().values(bucket=key, window_start=now, hits=1)
        statement = statement.on_conflict_do_update(index_elements=["bucket"], set_={
            "window_start": case((expired, now), else_=table.c.window_start),
            "hits": case((expired, 1), else_=table.c.hits + 1),
        }).returning(table.c.hits)
        with self._limits_connection() as connection:
            hits = connection.execute(statement).scalar_one()
        return hits <= limit

    def reserve(self, bucket: str, spacing_s: float, *, now: float | None = None) -> float:
        """Reserve the next slot of a spaced bucket; returns the seconds to wait before using it.

        Every process asking at the same moment gets its own slot, ``spacing_s`` apart.
        """
        now = time.time() if now is None else now
        table = rate_limits
        statement = self._limits_insert().values(bucket=self._bucket_key(bucket), window_start=now + spacing_s, hits=1)
        statement = statement.on_conflict_do_update(index_elements=["bucket"], set_={
            "window_start": case((table.c.window_start < now, now), else_=table.c.window_start) + spacing_s,
            "hits": table.c.hits + 1,
        }).returning(table.c.window_start)
        with self._limits_connection() as connection:
            next_free = connection.execute(statement).scalar_one()
        return max(0.0, next_free - spacing_s - now)

    def prune_rate_limits(self, older_than_s: float = 86400.0, *, now: float | None = None) -> int:
        """Forget buckets idle for ``older_than_s``; returns how many."""
        now = time.time() if now is None else now
        with self._limits_connection() as connection:
            return connection.execute(rate_limits.delete().where(
                rate_limits.c.window_start < now - older_than_s)).rowcount

    def _limits_insert(self):
        return pg_insert(rate_limits) if self.backend.dialect == "postgresql" else sqlite_insert(rate_limits)

    def _bucket_key(self, bucket: str) -> str:
        secret = getattr(self, "_limit_secret", None)
        if secret is None:
            secret = self._limit_secret = self._read_or_make_secret()
        return hmac.new(secret.encode("ascii"), bucket.encode("utf-8"), hashlib.sha256).hexdigest()

    def _read_or_make_secret(self) -> str:
        with self._read() as connection:
            found = None if connection is None else connection.execute(
                select(meta.c.value).where(meta.c.key == "rate_limit_secret")).scalar()
        if found:
            return found
        with self._write("store", "secret", data=False) as tx:
            found = tx.connection.execute(select(meta.c.value).where(meta.c.key == "rate_limit_secret")).scalar()
            if not found:
                found = secrets.token_hex(32)
                tx.connection.execute(meta.insert().values(key="rate_limit_secret", value=found))
                tx.logged = True
        return found

    @contextmanager
    def _limits_connection(self):
        """A connection in a transaction for one rate-limit statement (committed on exit)."""
        if self.backend.dialect == "postgresql":
            self._ensure_schema(create=True)
            engine = self.backend.engine
        else:
            engine = getattr(self, "_limits_engine", None)
            if engine is None:
                engine = self._limits_engine = _limits_engine(Path(f"{self.backend.path}.limits.sqlite"))
        try:
            with engine.connect().execution_options(store_write=True) as connection, connection.begin():
                yield connection
        except SQLAlchemyError as exc:
            raise self._translate(exc) from None


def _limits_engine(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool, connect_args={"timeout": 10})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode = WAL")

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    rate_limits.create(engine, checkfirst=True)
    return engine
