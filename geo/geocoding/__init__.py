"""Geocoding: providers behind one interface, a persistent cache, an offline gazetteer.

The importer only knows :class:`geo.geocoding.base.Geocoder`; ``build_geocoder``
(geo/geocoding/pipeline.py) assembles one from the deployment's settings.
"""

from geo.geocoding.base import AddressQuery, GeocodeResult, Geocoder

__all__ = ["AddressQuery", "GeocodeResult", "Geocoder"]
