"""Security and privacy headers on every response.

Content-Security-Policy: scripts only from our own origin (no 'unsafe-inline'),
images from us and the configured tile server, nothing from anywhere else.
Framing is forbidden except on /embed, where ``[embed] allowed_origins`` decides.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request



def tile_origin(tile_url: str) -> str:
    """scheme://host[:port] of a tile URL template ("https://{s}.tile.example.org/..." -> "https://*.tile.example.org")."""
    parts = urlsplit(tile_url.replace("{s}", "SUBDOMAIN"))
    host = parts.netloc.replace("SUBDOMAIN", "*")
    return f"{parts.scheme}://{host}" if parts.scheme and host else ""


def frame_ancestors(allowed_origins: list[str]) -> str:
    """The CSP frame-ancestors source list for /embed: 'self' plus the configured origins."""
    if "*" in allowed_origins:
        return "*"
    return " ".join(["'self'", *[o.rstrip("/") for o in allowed_origins]])


def is_embed_request() -> bool:
    return (request.blueprint or "").split(".")[0] == "embed" and not request.path.startswith("/embed/code")


def content_security_policy(settings, embed: bool) -> str:
    """The CSP of a page (``embed``: framable by [embed] allowed_origins) for these settings."""
    tiles = tile_origin(settings.get("map", "tile_url"))
    ancestors = frame_ancestors(settings.get("embed", "allowed_origins")) if embed else "'none'"
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


def add_headers(response):
    embed = is_embed_request()
    # Both policies depend on the settings only, so they are composed once per app.
    policies = current_app.extensions["angebotskarte.csp"]
    response.headers.setdefault("Content-Security-Policy", policies[embed])
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=(), interest-cohort=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if not embed:
        response.headers.setdefault("X-Frame-Options", "DENY")
    # Public pages never set cookies; strip any a library might add.
    response.headers.remove("Set-Cookie")
    return response


def init_app(app: Flask) -> None:
    settings = app.extensions["angebotskarte"].settings
    app.extensions["angebotskarte.csp"] = {embed: content_security_policy(settings, embed) for embed in (False, True)}
    app.after_request(add_headers)
