"""Serving the app over HTTP: waitress, set up so that slow clients cannot lock everyone out.

waitress keeps one "channel" per open connection and reads a request completely before a
worker thread sees it, so slow clients cost a channel, not a thread. With its defaults
(100 connections, idle ones closed after 120 s, checked every 30 s, ``select()``) about a
hundred connections that send half a request and wait take every channel, and every
other visitor, ``/healthz`` included, waits minutes in the kernel's queue. Here:

- the connection limit is a setting (default 1000) and the open-file limit of the
  process is raised to fit it; ``poll()`` replaces ``select()``, which fails beyond
  1024 file descriptors;
- silent connections are closed after ``channel_timeout`` seconds (default 30), and
  checked for often enough that this is what happens, not up to 30 s later.

A client that sends a byte every few seconds still keeps its channel; that is what a
reverse proxy in front is for (docs/deploy.md). Serving several processes
(``serve --workers N``) would build on :class:`ServerOptions` the same way.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

#: Allowed range and a noun for every number a deployment sets ([server] and ``serve`` options).
LIMITS: dict[str, tuple[int, int, str]] = {
    "port": (1, 65535, "a port number"),
    "threads": (1, 256, "a number of threads"),
    "connection_limit": (1, 100_000, "a connection limit"),
    "channel_timeout": (1, 86_400, "a number of seconds"),
}
# File descriptors the process needs besides one per connection (store, logs, libraries).
_SPARE_FILES = 64


def check_limit(name: str, value: Any) -> int:
    """``value`` as an int inside the range of ``name`` in :data:`LIMITS`.

    Raises
    ------
    ValueError
        Naming the value and the allowed range, e.g. "0 is not a number of threads (1 to 256)".
    """
    low, high, noun = LIMITS[name]
    if isinstance(value, str):
        value = value.strip()
        number = int(value) if value.isdecimal() else None
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        number = None
    if number is None:
        raise ValueError(f"{value!r} is not {noun} ({low} to {high})")
    if not low <= number <= high:
        raise ValueError(f"{number} is not {noun} ({low} to {high})")
    return number


@dataclass(frozen=True)
class ServerOptions:
    """Where and how to serve: the [server] section, with ``serve``'s options over it."""

    host: str = "127.0.0.1"
    port: int = 5000
    threads: int = 8
    connection_limit: int = 1000
    channel_timeout: int = 30

    def __post_init__(self) -> None:
        for name in LIMITS:
            check_limit(name, getattr(self, name))

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> "ServerOptions":
        """The [server] settings, each replaced by an override that is not None.

        Raises
        ------
        ValueError
            Naming the [server] key whose value is out of range.
        """
        values = {}
        for f in dataclasses.fields(cls):
            given = overrides.get(f.name)
            if given is not None:
                values[f.name] = given
                continue
            configured = getattr(settings.server, f.name)
            if f.name in LIMITS:
                try:
                    configured = check_limit(f.name, configured)
                except ValueError as exc:
                    raise ValueError(f"[server] {f.name}: {exc}") from None
            values[f.name] = configured
        return cls(**values)

    def describe(self) -> str:
        """One line for the console: the limits a server runs with."""
        return (f"{self.threads} threads, up to {self.connection_limit} connections, "
                f"silent connections closed after {self.channel_timeout} s")


def create_server(app: Any, *, host: str, port: int, threads: int, connection_limit: int,
                  channel_timeout: int, cleanup_interval: int | None = None, ident: str = "angebotskarte",
                  **waitress_options: Any):
    """A waitress server for ``app`` with the limits above; call ``.run()`` to serve.

    Parameters
    ----------
    connection_limit
        Connections served at once; more wait in the kernel's listen queue. Capped to
        what the open-file limit allows (a warning is logged when it has to be).
    channel_timeout
        Seconds a connection may stay silent before it is closed.
    cleanup_interval
        How often silent connections are looked for; default: a quarter of
        ``channel_timeout`` (at least 1 s, at most waitress's 30 s).
    waitress_options
        Further waitress adjustments (e.g. ``max_request_body_size``), passed as they are.

    Raises
    ------
    ValueError
        When a number is outside its range in :data:`LIMITS`.
    """
    import waitress

    for name, value in (("port", port), ("threads", threads), ("connection_limit", connection_limit),
                        ("channel_timeout", channel_timeout)):
        check_limit(name, value)
    connection_limit = _fit_open_file_limit(connection_limit, threads)
    if cleanup_interval is None:
        cleanup_interval = max(1, min(30, channel_timeout // 4))
    # waitress logs no request lines by default, so user-entered addresses never reach a log.
    return waitress.create_server(
        app, host=host, port=port, threads=threads, connection_limit=connection_limit,
        channel_timeout=channel_timeout, cleanup_interval=cleanup_interval, ident=ident,
        asyncore_use_poll=True,  # select() cannot watch file descriptors above 1024
        **waitress_options)


def _fit_open_file_limit(connection_limit: int, threads: int) -> int:
    """Raise the soft open-file limit to fit ``connection_limit``; the limit that fits."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows has no such limit to raise
        return connection_limit
    needed = connection_limit + threads + _SPARE_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < needed:
        fitting = max(1, soft - threads - _SPARE_FILES)
        log.warning("connection limit lowered from %d to %d: the process may open %d files (ulimit -n)",
                    connection_limit, fitting, soft)
        return fitting
    return connection_limit
