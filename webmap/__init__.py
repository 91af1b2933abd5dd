"""The Flask app: ``create_app(settings)`` builds one app per deployment (and per test)."""

from __future__ import annotations

import importlib
import importlib.util
import os

from flask import Flask

from geo.settings import Settings, load_settings

# Blueprints that register themselves with init_app(app), in order.
_PARTS = ("security", "i18n", "health", "vendor", "pages", "api", "clusters", "embed", "planning")


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
    from webmap import state

    state.init_app(app, settings)
    for part in _PARTS:
        if importlib.util.find_spec(f"webmap.{part}") is not None:
            importlib.import_module(f"webmap.{part}").init_app(app)
    return app
