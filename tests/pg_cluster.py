"""A throwaway PostgreSQL + PostGIS cluster for the tests, started from the installed binaries.

PostgreSQL refuses to run as root, so when the tests run as root (CI on a fresh
Debian machine does) initdb and pg_ctl run as the ``postgres`` user, in a folder
that user owns. The cluster listens on 127.0.0.1 on a free port with trust
authentication, durability switched off (it is thrown away), and keeps a template
database with PostGIS so each test gets a fresh database in a few tens of ms.
(pytest-postgresql runs the binaries as the current user and so cannot start a
cluster as root; this is the small part of it we need.)
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

PG_BIN = Path(os.environ.get("ANGEBOTSKARTE_PG_BIN", "/usr/lib/postgresql/15/bin"))
TEMPLATE = "angebotskarte_template"


class ClusterUnavailable(Exception):
    """PostgreSQL or PostGIS is not installed here (the message says what is missing)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
            raise ClusterUnavailable(f"PostgreSQL binaries not found in {PG_BIN} "
                                     "(Debian: apt install postgresql postgresql-15-postgis-3)")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                self.postgres_user = pwd.getpwnam("postgres")
            except KeyError:
                raise ClusterUnavailable("running as root but there is no 'postgres' user to run PostgreSQL") from None
        self.folder = Path(tempfile.mkdtemp(prefix="angebotskarte-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        if self.as_root:
            os.chown(self.folder, self.postgres_user.pw_uid, self.postgres_user.pw_gid)
        self.started = False

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(a) for a in args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def start(self) -> "Cluster":
        done = self._run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                         "--locale=C.UTF-8")
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        done = self._run(PG_BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.folder / "server.log",
                         "-w", "-t", "60", "start")
        if done.returncode:
            log = (self.folder / "server.log").read_text(errors="replace") if (self.folder / "server.log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {log[-2000:]}")
        self.started = True
        self._make_template()
        return self

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname={database}", autocommit=True)

    def _make_template(self) -> None:
        import psycopg

        with self.admin() as connection:
            connection.execute(f"CREATE DATABASE {TEMPLATE}")
        try:
            with self.admin(TEMPLATE) as connection:
                connection.execute("CREATE EXTENSION postgis")
        except psycopg.Error as exc:
            raise ClusterUnavailable(f"PostGIS is not installed for PostgreSQL in {PG_BIN} "
                                     f"(Debian: apt install postgresql-15-postgis-3): {exc}".strip()) from None

    def create_database(self, *, postgis: bool = True) -> str:
        """A fresh database (with PostGIS unless told otherwise); returns its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin() as connection:
            connection.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE if postgis else 'template0'}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self.admin() as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        if self.started:
            self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)
