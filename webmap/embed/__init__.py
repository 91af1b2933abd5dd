"""The map on a town's own website: ``/embed``, ``/embed/angebote/<id>``, ``/embed/code``, ``/embed/resize.js``.

* page.py: the compact map page for iframes, one offer in the frame, resize.js
* code.py: the embed-code generator for web editors
* options.py: the embed's own parameters; presets.py: a preset's words, title and bounds
* export.py: the self-contained HTML file of ``angebotskarte export-html``

Who may frame /embed is decided in webmap.http (``frame-ancestors`` from
``[embed] allowed_origins``).
"""

from __future__ import annotations

from flask import Flask

from webmap.embed import code, page
from webmap.embed.blueprint import bp
from webmap.embed.export import safe_base_url, static_export
from webmap.embed.options import link_attributes

__all__ = ["bp", "code", "init_app", "page", "safe_base_url", "static_export"]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(link_attributes=link_attributes)
