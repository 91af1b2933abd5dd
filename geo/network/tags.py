"""Which OpenStreetMap ways a person may walk on, decided from the way's tags alone.

The rules follow the OSM wiki's access conventions for Germany, applied the way
pedestrian routers (OSRM's foot profile, GraphHopper's foot vehicle) apply them:

* a way is a candidate by its kind: ``highway`` values people walk on (footways, paths,
  steps, pedestrian and living streets, residential, service and unclassified roads,
  tracks, tertiary/secondary/primary roads and their links, cycleways, corridors,
  platforms), railway and public transport platforms, and piers;
* motorways and trunk roads (Kraftfahrstraßen) and bridleways count only with an
  explicit ``foot=yes|designated|permissive``;
* ``foot=no|private|use_sidepath`` removes a way (``use_sidepath``: the sidewalk is mapped
  as a way of its own, and that way is the one to walk on);
* ``access=no|private`` removes a way unless ``foot`` allows walking explicitly;
* ways under construction, proposed, abandoned or disused are not walkable (their
  ``highway`` value says so, or a ``construction``/``proposed`` tag is set on them).

A node can close a way too: a gate or other barrier whose tags forbid walking
(``foot=no``, ``access=private`` ... as for ways), and a wall, fence or hedge drawn
through a way's node without ``foot=yes`` (:func:`node_blocks`). Gates, bollards,
stiles and turnstiles without such tags are passable, as on the ground.

Whether a closed way is an *area* (a square people cross in any direction) is decided by
:func:`is_area`; :mod:`geo.network.build` connects the ways that end on its outline
through it.
"""

from __future__ import annotations

from collections.abc import Mapping

#: highway=* values that are walkable unless the tags forbid it.
WALKABLE_HIGHWAYS = frozenset({
    "footway", "path", "steps", "pedestrian", "living_street", "residential", "service", "track",
    "unclassified", "road", "tertiary", "tertiary_link", "secondary", "secondary_link", "primary",
    "primary_link", "cycleway", "corridor", "platform",
})
#: highway=* values that are walkable only with an explicit foot=yes|designated|permissive.
FOOT_TAG_REQUIRED = frozenset({"motorway", "motorway_link", "trunk", "trunk_link", "bridleway"})
#: foot=* values that allow walking whatever ``access`` says.
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive", "destination", "customers"})
#: foot=* values that forbid walking.
FOOT_FORBIDDEN = frozenset({"no", "private", "use_sidepath"})
#: access=* values that forbid walking unless foot=* allows it.
ACCESS_FORBIDDEN = frozenset({"no", "private"})
#: Values of railway=* / public_transport=* for platforms people stand and walk on.
PLATFORMS = frozenset({"platform"})
#: highway=* values of areas people cross in any direction when tagged area=yes.
AREA_HIGHWAYS = frozenset({"pedestrian", "footway", "path", "living_street", "service", "platform", "track"})

#: barrier=* values on a node that nobody walks through unless foot=* allows it.
BLOCKING_BARRIERS = frozenset({"wall", "fence", "hedge", "retaining_wall", "city_wall", "ditch"})

# Keys whose presence marks a way as not (yet / any longer) in use.
_NOT_IN_USE = ("construction", "proposed", "abandoned", "disused")


def _first(value: str | None) -> str:
    """The first of ``a;b`` multi-values, lower-cased ("yes;no" -> "yes")."""
    return (value or "").split(";", 1)[0].strip().lower()


def is_walkable(tags: Mapping[str, str]) -> bool:
    """True when a way with these tags may be walked on (see the module docstring)."""
    highway = _first(tags.get("highway"))
    foot = _first(tags.get("foot"))
    if foot in FOOT_FORBIDDEN:
        return False
    if any(_first(tags.get(key)) not in ("", "no") for key in _NOT_IN_USE):
        return False
    if highway in WALKABLE_HIGHWAYS:
        kind_ok = True
    elif highway in FOOT_TAG_REQUIRED:
        kind_ok = foot in ("yes", "designated", "permissive")
    elif not highway:
        kind_ok = (_first(tags.get("railway")) in PLATFORMS or _first(tags.get("public_transport")) in PLATFORMS
                   or _first(tags.get("man_made")) == "pier")
    else:
        kind_ok = False
    if not kind_ok:
        return False
    if foot in FOOT_ALLOWED:
        return True
    return _first(tags.get("access")) not in ACCESS_FORBIDDEN


def is_area(tags: Mapping[str, str], closed: bool) -> bool:
    """True when a walkable closed way is a square or platform crossed in any direction.

    ``area=yes`` on a pedestrian street, footway, path, service way or platform makes
    one; closed platforms and piers are areas by OSM convention even without it. A closed ``highway=pedestrian`` without ``area=yes`` is a street
    going round a block, walked along its line only.
    """
    if not closed or _first(tags.get("area")) == "no":
        return False
    highway = _first(tags.get("highway"))
    if _first(tags.get("area")) == "yes":
        return highway in AREA_HIGHWAYS or not highway
    return highway == "platform" or (not highway and (
        _first(tags.get("railway")) in PLATFORMS or _first(tags.get("public_transport")) in PLATFORMS
        or _first(tags.get("man_made")) == "pier"))


def node_blocks(tags: Mapping[str, str]) -> bool:
    """True when a node with these tags (a barrier) cuts the ways through it for people on foot."""
    barrier = _first(tags.get("barrier"))
    if not barrier or barrier == "no":
        return False
    foot = _first(tags.get("foot"))
    if foot in FOOT_ALLOWED:
        return False
    if foot in FOOT_FORBIDDEN or _first(tags.get("access")) in ACCESS_FORBIDDEN:
        return True
    return barrier in BLOCKING_BARRIERS
