"""The app's shared HTTP habits, in one place for every blueprint.

* JSON bodies and the one error shape (``{"error", "parameter", "value",
  "allowed", "problems"}``), also for routing errors under /api (404, 405 with
  ``Allow``);
* weak ETags per data version with 304 on If-None-Match, checked before any
  work, and Cache-Control;
* CORS for /api from [api] cors_origins and [embed] allowed_origins;
* security and privacy headers on every response: Content-Security-Policy
  (scripts only from our own origin, images from us and the tile server;
  framing forbidden except on /embed, where [embed] allowed_origins decides),
  no cookies on public pages;
* one app-wide flask-compress instance;
* the public address ([site] base_url) instead of the Host header a client
  sends, werkzeug's ProxyFix for [site] trusted_proxies, and the request body
  limit [site] max_request_bytes.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, has_request_context, request, url_for
from flask_compress import Compress
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from geo.geojson import json_value
from webmap.params import ParameterError, oversized_parameter

GEOJSON = "application/geo+json"
# Part of every ETag: bump it when the shape of the responses changes, so a
# client's cached copy from before an upgrade is not confirmed with a 304.
FORMAT_VERSION = "1"
API_PREFIX = "/api/"
_CSP = "angebotskarte.csp"


# --------------------------------------------------------------------------- bodies and errors


def json_text(body: Any) -> str:
    """Compact JSON without NaN (numpy values, dates and missing values made JSON-safe)."""
    return json.dumps(json_value(body), ensure_ascii=False, separators=(",", ":"))


def json_response(body: Any, status: int = 200, mimetype: str = "application/json") -> Response:
    return Response(json_text(body), status=status, mimetype=mimetype)


def error_response(status: int, *problems: ParameterError) -> Response:
    """{"error", "parameter", "value", "allowed"} of the first problem, and all of them in "problems"."""
    body = dict(problems[0].as_dict())
    body["problems"] = [p.as_dict() for p in problems]
    response = json_response(body, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def http_error_response(exc: HTTPException) -> Response:
    """A werkzeug HTTP error (404, 405, 413 ...) in the one JSON error shape, keeping its headers (Allow)."""
    response = error_response(exc.code or 500, ParameterError(None, None, exc.description or exc.name, None))
    for name, value in exc.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


# --------------------------------------------------------------------------- caching


def local_now() -> datetime:
    """Now as the town's wall-clock time ([area] timezone): what "open now" means."""
    from geo.hours import local_time

    return local_time(None, current_app.config["ANGEBOTSKARTE"].area.timezone)


def etag_for(version: str, minute: datetime | None = None) -> str:
    """The weak ETag of this request's answer for data ``version``.

    ``minute``: answers that change with the clock ("open now") also change
    every minute even when the data does not.
    """
    parts = [FORMAT_VERSION, version, request.path, request.query_string.decode("latin-1")]
    if minute is not None:
        parts.append(minute.strftime("%Y%m%d%H%M"))
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:24]


def not_modified(version: str, minute: datetime | None = None) -> Response | None:
    """A 304 when the client already holds this answer (check it before any searching)."""
    etag = etag_for(version, minute)
    if not request.if_none_match.contains_weak(etag):
        return None
    return cacheable(Response(status=304), version, minute, etag=etag)


def cacheable(response: Response, version: str, minute: datetime | None = None, etag: str | None = None) -> Response:
    """Weak ETag and Cache-Control ([api] cache_max_age_seconds; at most to the next minute for clock answers)."""
    response.set_etag(etag or etag_for(version, minute), weak=True)
    max_age = current_app.config["ANGEBOTSKARTE"].api.cache_max_age_seconds
    if minute is not None:
        max_age = min(max_age, 60 - minute.second)
    response.headers["Cache-Control"] = f"public, max-age={max(max_age, 0)}"
    return response


# --------------------------------------------------------------------------- CORS


def cors(response: Response) -> Response:
    """Access-Control-* headers for allowed origins ([api] cors_origins and [embed] allowed_origins)."""
    allowed = current_app.extensions["angebotskarte.cors"]
    if not allowed:
        return response
    origin = request.headers.get("Origin", "").rstrip("/")
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        response.vary.add("Origin")  # the answer differs by Origin: caches must keep them apart
        if not origin or origin not in allowed:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


# --------------------------------------------------------------------------- security headers


def tile_origin(tile_url: str) -> str:
    """scheme://host[:port] of a tile URL template ("https://{s}.tile.example.org/..." -> "https://*.tile.example.org")."""
    parts = urlsplit(tile_url.replace("{s}", "SUBDOMAIN"))
    host = parts.netloc.replace("SUBDOMAIN", "*")
    return f"{parts.scheme}://{host}" if parts.scheme and host else ""


def frame_ancestors(allowed_origins) -> str:
    """The CSP frame-ancestors source list for /embed: 'self' plus the configured origins."""
    if "*" in allowed_origins:
        return "*"
    return " ".join(["'self'", *[o.rstrip("/") for o in allowed_origins]])


def content_security_policy(settings, embed: bool) -> str:
    """The CSP of a page (``embed``: framable by [embed] allowed_origins) for these settings."""
    tiles = tile_origin(settings.map.tile_url)
    ancestors = frame_ancestors(settings.embed.allowed_origins) if embed else "'none'"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        # Leaflet positions tiles and markers with inline style attributes.
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: {tiles}".strip(),
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ])


def is_embed_request() -> bool:
    return (request.blueprint or "").split(".")[0] == "embed" and not request.path.startswith("/embed/code")


def security_headers(response: Response) -> Response:
    embed = is_embed_request()
    # Both policies depend on the settings only, so they are composed once per app.
    response.headers.setdefault("Content-Security-Policy", current_app.extensions[_CSP][embed])
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=(), interest-cohort=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if not embed:
        response.headers.setdefault("X-Frame-Options", "DENY")
    # Public pages never set cookies; strip any a library might add.
    response.headers.remove("Set-Cookie")
    return response


# --------------------------------------------------------------------------- compression


class Compression(Compress):
    """The app's one flask-compress instance (brotli/gzip for text, JSON, GeoJSON and SVG).

    API answers prefer gzip when a client takes both: on API-sized bodies
    brotli saved about 2 % of bytes for clearly more CPU per response
    (docs/benchmarks.md), and a 2-core server answering many small searches
    is CPU-bound. Pages keep flask-compress's order (brotli first).
    """

    @property
    def enabled_algorithms(self) -> tuple[str, ...]:
        algorithms = self._algorithms
        if has_request_context() and request.path.startswith(API_PREFIX) and "gzip" in algorithms:
            return ("gzip", *(a for a in algorithms if a != "gzip"))
        return algorithms

    @enabled_algorithms.setter
    def enabled_algorithms(self, value: tuple[str, ...]) -> None:
        self._algorithms = value


# --------------------------------------------------------------------------- the public address


def _is_loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class PublicAddress:
    """WSGI middleware: with [site] base_url, every request is seen at that address.

    Scheme, host and path prefix come from the configured base URL, so
    absolute links, ``url_for(_external=True)`` and redirects never echo a
    Host header a client made up.
    """

    def __init__(self, app, base_url: str):
        self.app = app
        parts = urlsplit(base_url)
        self.scheme, self.host, self.prefix = parts.scheme, parts.netloc, parts.path.rstrip("/")

    def __call__(self, environ, start_response):
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        if self.prefix:
            path = environ.get("PATH_INFO", "")
            if path.startswith(self.prefix + "/") or path == self.prefix:
                # A proxy that passes the prefix on: strip it here (werkzeug sees it as SCRIPT_NAME).
                environ["PATH_INFO"] = path[len(self.prefix):]
            environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)


def public_url(endpoint: str, **values) -> str | None:
    """An absolute URL of ``endpoint`` as the world reaches it, or None when that is not known.

    With [site] base_url the address comes from it (see :class:`PublicAddress`);
    without, only a request to this machine itself (development) is trusted to
    name its own address; anything else gives None and the caller falls back
    to a root-relative URL.
    """
    settings = current_app.config["ANGEBOTSKARTE"]
    if settings.site.base_url or _is_loopback(request.host):
        return url_for(endpoint, _external=True, **values)
    return None


# --------------------------------------------------------------------------- wiring


def _refuse_large_bodies() -> None:
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"request bodies may hold at most {limit} bytes ([site] max_request_bytes)")


def _refuse_oversized_parameters():
    """One bound for every query parameter of every page and endpoint (webmap.params.MAX_PARAMETER_LENGTH).

    A page echoes its parameters into links (language switch, paging, the map's
    query), so without it ``near=`` with 200,000 spaces made a 12 MB page.
    """
    problem = oversized_parameter(request.args.items(multi=True))
    if problem is None:
        return None
    if request.path.startswith(API_PREFIX):
        return cors(error_response(400, problem))
    raise BadRequest(f"The parameter {problem.parameter!r} is too long: {problem.allowed}.")


def api_http_error(exc: HTTPException):
    """Routing errors (no route, wrong method, too large) happen before a blueprint is chosen:
    JSON for /api paths, werkzeug's own answer elsewhere (it carries ``Allow`` on 405)."""
    if not request.path.startswith(API_PREFIX):
        return exc
    return cors(http_error_response(exc))


def init_app(app: Flask) -> None:
    """Headers, compression, proxies and limits for every response of ``app``."""
    settings = app.config["ANGEBOTSKARTE"]
    app.extensions[_CSP] = {embed: content_security_policy(settings, embed) for embed in (False, True)}
    app.extensions["angebotskarte.cors"] = {
        str(o).rstrip("/") for o in [*settings.api.cors_origins, *settings.embed.allowed_origins]}
    app.config["MAX_CONTENT_LENGTH"] = settings.site.max_request_bytes
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/plain", "text/javascript", "application/javascript", "application/json",
        GEOJSON, "image/svg+xml", "text/csv"])
    Compression(app)
    app.before_request(_refuse_large_bodies)
    app.before_request(_refuse_oversized_parameters)
    app.after_request(security_headers)
    # 404 is the pages' (an HTML page in the visitor's language), which hands /api paths back here.
    for code in (405, 413):
        app.register_error_handler(code, api_http_error)
    if settings.site.base_url:
        # Inside ProxyFix: the configured address wins over anything a proxy or client sent.
        app.wsgi_app = PublicAddress(app.wsgi_app, settings.site.base_url)
    if settings.site.trusted_proxies:
        n = settings.site.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)
