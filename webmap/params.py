"""Query parameters of the search (API and map pages): parse, check, explain what is wrong.

Every filter the search understands has one parameter name, the same in the
API and on the HTML pages, so a map URL and an API URL with the same query
string show the same offers. Problems are collected for all parameters at once,
each naming the parameter, the value as given, what is wrong and what is
allowed, so a caller can fix everything in one go.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from geo.index import OfferQuery
from geo.languages import resolve_language
from geo.schema import WHEELCHAIR_VALUES
from geo.vocab import Vocabulary, fold
from webmap.parameter_table import (  # noqa: F401 - the table's names are part of this module's interface
    FACET_PARAMETERS, FILTER_PARAMETERS, FLAG_FALSE, FLAG_TRUE, MAP_FILTER_PARAMETERS, MAX_OFFSET, MAX_PARAMETER_LENGTH,
    MAX_TEXT_LENGTH, MAX_VALUE_LENGTH, MAX_VALUES_PER_PARAMETER, OFFERS_PARAMETERS, PAGE_PARAMETERS, PARAMETERS,
    QueryParameter, escaped, has_control_character, parameter_schema,
)

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def oversized_parameter(pairs: Iterable[tuple[str, str]]) -> ParameterError | None:
    """The first (name, value) longer than :data:`MAX_PARAMETER_LENGTH` (name or value), or None."""
    for name, value in pairs:
        if len(name) > MAX_PARAMETER_LENGTH or len(value) > MAX_PARAMETER_LENGTH:
            return ParameterError(name[:50], escaped(value), f"{name[:50]} is too long ({len(value)} characters)",
                                  f"at most {MAX_PARAMETER_LENGTH} characters")
    return None


@dataclass(frozen=True)
class ParameterError:
    """One problem with one query parameter."""

    parameter: str
    value: str | None
    error: str
    allowed: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.error, "parameter": self.parameter, "value": self.value, "allowed": self.allowed}


class ParameterErrors(ValueError):
    """Raised with every problem found in one request's parameters."""

    def __init__(self, problems: list[ParameterError]):
        self.problems = problems
        super().__init__("; ".join(f"{p.parameter}: {p.error}" for p in problems))


@dataclass(frozen=True)
class SearchVocabulary:
    """What the parameters are checked against: vocabularies, districts and limits of one deployment."""

    categories: Vocabulary
    target_groups: Vocabulary
    districts: Mapping[str, str] = field(default_factory=dict)  # district id -> name
    default_limit: int = 50
    max_limit: int = 1000
    max_radius_m: float = 200_000.0

    @classmethod
    def from_settings(cls, settings: Any, categories: Vocabulary, target_groups: Vocabulary,
                      districts: Mapping[str, str]) -> "SearchVocabulary":
        """Limits come from the [api] section of the deployment's settings."""
        return cls(
            categories=categories, target_groups=target_groups, districts=dict(districts),
            default_limit=settings.api.default_limit,
            max_limit=settings.api.max_limit,
            max_radius_m=settings.api.max_radius_m,
        )


def parse_offer_query(args: Any, vocab: SearchVocabulary, *, accepted: Collection[str] = OFFERS_PARAMETERS,
                      at: datetime | None = None) -> OfferQuery:
    """An OfferQuery from request arguments (a werkzeug MultiDict or a dict of lists/strings).

    ``accepted`` lists the parameter names the caller understands; any other
    name is reported as unknown (a typo like "categroy" must not silently
    return everything). ``at`` is the moment "open now" refers to.

    Raises
    ------
    ParameterErrors
        With one entry per problem.
    """
    problems: list[ParameterError] = []
    raw_getlist = _getlist(args)
    names = list(args.keys()) if hasattr(args, "keys") else []
    unusable: set[str] = set()
    for name in names:
        if name not in accepted:
            problems.append(_unknown_parameter(name, raw_getlist(name), accepted))
        elif (too_long := oversized_parameter((name, v) for v in raw_getlist(name))) is not None:
            unusable.add(name)
            problems.append(too_long)
        elif any(has_control_character(v) for v in raw_getlist(name)):
            unusable.add(name)
            problems.append(ParameterError(name, ",".join(raw_getlist(name)).encode("unicode_escape").decode(),
                                           f"{name} contains control characters", "printable text"))

    def getlist(name: str) -> list[str]:
        return [] if name in unusable else raw_getlist(name)

    def scalar(name: str) -> str | None:
        values = getlist(name)
        if not values or name not in accepted:
            return None
        if len(values) > 1:
            problems.append(ParameterError(name, ",".join(values), f"{name} was given {len(values)} times",
                                           "give it once"))
            return None
        return values[0]

    facets = {name: _facet_values(name, getlist(name), vocab, problems) if name in accepted else ()
              for name in FACET_PARAMETERS}
    near = _near(scalar("near"), problems)
    radius = _radius(scalar("radius"), vocab.max_radius_m, problems)
    parsed = {"near": near, "radius": radius}
    for name, value in parsed.items():
        missing = [needed for needed in PARAMETERS[name].requires if parsed.get(needed) is None]
        if value is not None and missing:
            other = PARAMETERS[missing[0]]
            problems.append(ParameterError(name, getlist(name)[0], f"{name} needs {other.role}: give "
                                           f"{missing[0]}={other.form} too", f"{name} together with {missing[0]}"))
    bbox = _bbox(scalar("bbox"), problems)
    text = _text(scalar("q"), problems)
    open_now = parse_flag("open_now", scalar("open_now"), problems)
    include_virtual = parse_flag("include_virtual", scalar("include_virtual"), problems)
    limit = _integer("limit", scalar("limit"), vocab.default_limit, 0, vocab.max_limit, problems)
    offset = _integer("offset", scalar("offset"), 0, 0, MAX_OFFSET, problems)
    if "facets" in accepted:
        parse_flag("facets", scalar("facets"), problems)
    if problems:
        raise ParameterErrors(problems)
    return OfferQuery(
        categories=facets["category"], languages=facets["language"], target_groups=facets["target_group"],
        districts=facets["district"], wheelchair=facets["wheelchair"], near=near, radius_m=radius, bbox=bbox,
        text=text, open_now=open_now, at=at, include_virtual=include_virtual, limit=limit, offset=offset,
    )


def parse_flag(name: str, raw: str | None, problems: list[ParameterError] | None = None) -> bool:
    """A yes/no parameter: 1/true/yes/on or 0/false/no/off (absent: no)."""
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in FLAG_TRUE:
        return True
    if value not in FLAG_FALSE:
        problem = ParameterError(name, raw, f"{name} must be 1 or 0", ["1", "0", "true", "false"])
        if problems is None:
            raise ParameterErrors([problem])
        problems.append(problem)
    return False


def query_echo(query: OfferQuery) -> dict[str, Any]:
    """The query as canonical parameter values (what the filters were understood to mean)."""
    echo: dict[str, Any] = {
        "category": list(query.categories), "language": list(query.languages),
        "target_group": list(query.target_groups), "district": list(query.districts),
        "wheelchair": list(query.wheelchair),
    }
    echo = {k: v for k, v in echo.items() if v}
    if query.near is not None:
        echo["near"] = list(query.near)
    if query.radius_m is not None:
        echo["radius"] = query.radius_m
    if query.bbox is not None:
        echo["bbox"] = list(query.bbox)
    if query.text:
        echo["q"] = query.text
    if query.open_now:
        echo["open_now"] = True
    if query.include_virtual:
        echo["include_virtual"] = True
    return echo


def query_string_values(query: OfferQuery) -> dict[str, str]:
    """The filters of ``query`` as query-string values (for next/previous links)."""
    values: dict[str, str] = {}
    for name, chosen in (("category", query.categories), ("language", query.languages),
                         ("target_group", query.target_groups), ("district", query.districts),
                         ("wheelchair", query.wheelchair)):
        if chosen:
            values[name] = ",".join(chosen)
    if query.near is not None:
        values["near"] = f"{query.near[0]!r},{query.near[1]!r}"
    if query.radius_m is not None:
        values["radius"] = repr(query.radius_m)
    if query.bbox is not None:
        values["bbox"] = ",".join(repr(v) for v in query.bbox)
    if query.text:
        values["q"] = query.text
    if query.open_now:
        values["open_now"] = "1"
    if query.include_virtual:
        values["include_virtual"] = "1"
    return values


# ---------------------------------------------------------------------------- pieces


def _getlist(args: Any):
    if hasattr(args, "getlist"):
        return args.getlist

    def getlist(name: str) -> list[str]:
        value = args.get(name)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]

    return getlist


def _unknown_parameter(name: str, values: list[str], accepted: Collection[str]) -> ParameterError:
    close = difflib.get_close_matches(name.lower(), list(accepted), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return ParameterError(name, ",".join(values), f"unknown parameter {name!r}{hint}", sorted(accepted))


def _split(values: Iterable[str]) -> list[str]:
    return [part.strip() for raw in values for part in raw.split(",") if part.strip()]


def _facet_values(name: str, raw: list[str], vocab: SearchVocabulary,
                  problems: list[ParameterError]) -> tuple[str, ...]:
    values = _split(raw)
    if len(values) > MAX_VALUES_PER_PARAMETER:
        problems.append(ParameterError(name, ",".join(raw)[:200], f"{len(values)} values given for {name}",
                                       f"at most {MAX_VALUES_PER_PARAMETER}"))
        return ()
    chosen: list[str] = []
    for value in values:
        if len(value) > MAX_VALUE_LENGTH:
            problems.append(ParameterError(name, value[:MAX_VALUE_LENGTH] + "…", f"{name} value is too long",
                                           f"at most {MAX_VALUE_LENGTH} characters"))
            continue
        key = _facet_key(name, value, vocab, problems)
        if key is not None and key not in chosen:
            chosen.append(key)
    return tuple(chosen)


def _facet_key(name: str, value: str, vocab: SearchVocabulary, problems: list[ParameterError]) -> str | None:
    if name == "category":
        return _vocabulary_key(name, value, vocab.categories, problems)
    if name == "target_group":
        return _vocabulary_key(name, value, vocab.target_groups, problems)
    if name == "language":
        try:
            return resolve_language(value)
        except (ValueError, LookupError) as exc:  # UnknownLanguage is a ValueError
            suggestions = getattr(exc, "suggestions", [])
            hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
            problems.append(ParameterError(name, value, f"unknown language {value!r}{hint}",
                                           "an ISO 639 code (ar, uk, prs, kmr, ...) or a language name"))
            return None
    if name == "district":
        if value in vocab.districts:
            return value
        by_name = {fold(n): i for i, n in vocab.districts.items() if n}
        if fold(value) in by_name:
            return by_name[fold(value)]
        close = difflib.get_close_matches(fold(value), list(by_name), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(by_name[c] for c in close)}?" if close else ""
        problems.append(ParameterError(name, value, f"unknown district {value!r}{hint}",
                                       sorted(vocab.districts)[:200]))
        return None
    if name == "wheelchair":
        if value.lower() in WHEELCHAIR_VALUES:
            return value.lower()
        problems.append(ParameterError(name, value, f"unknown wheelchair value {value!r}", list(WHEELCHAIR_VALUES)))
        return None
    raise AssertionError(f"no rule for facet parameter {name}")


def _vocabulary_key(name: str, value: str, vocabulary: Vocabulary, problems: list[ParameterError]) -> str | None:
    key = vocabulary.normalise(value)
    if key is not None:
        return key
    suggestions = vocabulary.suggest(value)
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    label = name.replace("_", " ")
    problems.append(ParameterError(name, value, f"unknown {label} {value!r}{hint}", vocabulary.keys))
    return None


def _numbers(raw: str, count: int) -> list[float] | None:
    parts = raw.split(",")
    if len(parts) != count:
        return None
    try:
        numbers = [float(p.strip()) for p in parts]
    except ValueError:
        return None
    return numbers if all(math.isfinite(n) for n in numbers) else None


def _near(raw: str | None, problems: list[ParameterError]) -> tuple[float, float] | None:
    if raw is None:
        return None
    numbers = _numbers(raw, 2)
    allowed = "lat,lon in decimal degrees, e.g. 49.4447,7.7690"
    if numbers is None:
        problems.append(ParameterError("near", raw, "near must be two numbers lat,lon", allowed))
        return None
    lat, lon = numbers  # note: lat first here, as people say it; bbox is lon first, as GeoJSON has it
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        swapped = " (lat and lon swapped?)" if -90 <= lon <= 90 and -180 <= lat <= 180 else ""
        problems.append(ParameterError("near", raw, f"near is out of range{swapped}: lat must be within ±90, "
                                                    "lon within ±180", allowed))
        return None
    return lat, lon


def _radius(raw: str | None, max_radius: float, problems: list[ParameterError]) -> float | None:
    if raw is None:
        return None
    allowed = f"metres, more than 0 and at most {max_radius:g}"
    numbers = _numbers(raw, 1)
    if numbers is None:
        problems.append(ParameterError("radius", raw, "radius must be a number of metres", allowed))
        return None
    radius = numbers[0]
    if not (0 < radius <= max_radius):
        problems.append(ParameterError("radius", raw, f"radius {radius:g} m is out of range", allowed))
        return None
    return radius


def _bbox(raw: str | None, problems: list[ParameterError]) -> tuple[float, float, float, float] | None:
    if raw is None:
        return None
    allowed = "lon_min,lat_min,lon_max,lat_max in decimal degrees, e.g. 7.70,49.40,7.85,49.48"
    numbers = _numbers(raw, 4)
    if numbers is None:
        problems.append(ParameterError("bbox", raw, "bbox must be four numbers lon_min,lat_min,lon_max,lat_max",
                                       allowed))
        return None
    lon_min, lat_min, lon_max, lat_max = numbers
    if not all(-180 <= v <= 180 for v in (lon_min, lon_max)) or not all(-90 <= v <= 90 for v in (lat_min, lat_max)):
        problems.append(ParameterError("bbox", raw, "bbox is out of range: lon within ±180, lat within ±90 "
                                                    "(order lon_min,lat_min,lon_max,lat_max)", allowed))
        return None
    if lon_min > lon_max or lat_min > lat_max:
        problems.append(ParameterError("bbox", raw, "bbox minimum is larger than its maximum", allowed))
        return None
    return lon_min, lat_min, lon_max, lat_max


def _text(raw: str | None, problems: list[ParameterError]) -> str:
    if raw is None:
        return ""
    if len(raw) > MAX_TEXT_LENGTH:
        problems.append(ParameterError("q", raw[:50] + "…", "search text is too long",
                                       f"at most {MAX_TEXT_LENGTH} characters"))
        return ""
    return " ".join(raw.split())


def _integer(name: str, raw: str | None, default: int, lowest: int, highest: int,
             problems: list[ParameterError]) -> int:
    if raw is None:
        return default
    allowed = f"a whole number from {lowest} to {highest}"
    text = raw.strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        problems.append(ParameterError(name, raw, f"{name} must be a whole number", allowed))
        return default
    # Python refuses int() of very long digit strings; anything that long is out of range anyway.
    value = int(text) if len(text) <= 18 else highest + 1
    if not lowest <= value <= highest:
        problems.append(ParameterError(name, raw, f"{name} {value} is out of range", allowed))
        return default
    return value
