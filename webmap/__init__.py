"""The Flask app: ``create_app(settings)`` builds one app per deployment (and per test)."""

from __future__ import annotations

import os

from flask import Flask

from geo.settings import Settings, load_settings
from webmap import api, embed, health, http, i18n, pages, planning, state, vendor


def create_app(settings: Settings | str | os.PathLike | None = None, **config) -> Flask:
    """Build the app for one deployment.

    ``settings`` is a Settings object, a config path, or None (then --config's
    rules apply: $ANGEBOTSKARTE_CONFIG, else ./angebotskarte.toml, else defaults).
    Extra keyword arguments go into ``app.config`` (tests use TESTING=True).
    """
    if not isinstance(settings, Settings):
        settings = load_settings(settings)
    app = Flask(__name__)
    app.config.update(config)
    # No sessions on public pages: without a secret key Flask cannot set a session cookie.
    app.config["SECRET_KEY"] = None
    app.config["ANGEBOTSKARTE"] = settings
    state.init_app(app, settings)
    # Every part, explicitly and in order: a missing one is an ImportError, never silently skipped.
    http.init_app(app)
    i18n.init_app(app)
    health.init_app(app)
    vendor.init_app(app)
    pages.init_app(app)
    api.init_app(app)
    embed.init_app(app)
    planning.init_app(app)
    return app
