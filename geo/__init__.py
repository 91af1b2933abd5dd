"""Angebotskarte's library: offers, import, geocoding, store, index and coverage.

No Flask, no folium and no HTML live here; the web app in ``webmap`` builds on it.
"""

__version__ = "0.1.0"
