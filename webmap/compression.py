"""gzip/brotli for the parts of the app that ask for it, not app-wide.

flask-compress's ``init_app`` would register itself for every response; each
part of the app (API, pages, planner's view) instead gets its own instance and
calls it from its own ``after_request``, so each keeps its own HTTP manners.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from flask_compress import Compress


def scoped_compress(app: Flask, extra_mimetypes: Iterable[str] = (), prefer_gzip: bool = False) -> Compress:
    """A Compress instance configured from ``app.config`` but not registered for every response.

    ``prefer_gzip`` puts gzip first when a client accepts both (brotli saves ~2 % on
    API-sized bodies but costs more CPU per response; docs/benchmarks.md).
    """
    compress = Compress()
    had_key = "COMPRESS_REGISTER" in app.config
    previous = app.config.get("COMPRESS_REGISTER")
    app.config["COMPRESS_REGISTER"] = False
    try:
        compress.init_app(app)
    finally:
        if had_key:
            app.config["COMPRESS_REGISTER"] = previous
        else:
            del app.config["COMPRESS_REGISTER"]
    compress.compress_mimetypes_set.update(extra_mimetypes)
    if prefer_gzip:
        compress.enabled_algorithms = ("gzip", *(a for a in compress.enabled_algorithms if a != "gzip"))
    return compress
