"""The embed's blueprint (views in page.py and code.py). Who may frame it: webmap.http (frame-ancestors)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("embed", __name__)
