"""Opening hours: "open now?", "opens at …" and a fast open-now mask for many offers.

Offers carry their hours in OpenStreetMap ``opening_hours`` syntax
("Mo-Fr 09:00-12:00; Th 14:00-18:00; PH off"). We parse them with
opening-hours-py and evaluate them in the town's local time ([area] timezone).

Three answers are possible for one moment: "open", "closed" and "unknown". An
empty or unparsable expression is "unknown", as is an OSM rule marked
``unknown``; "open now" filters keep only offers that are known to be open, so
nobody walks to a door that may be shut.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from threading import Lock
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import opening_hours

DEFAULT_TIMEZONE = "Europe/Berlin"
# Public holidays ("PH off") need a country calendar; the project serves German towns.
DEFAULT_COUNTRY = "DE"

OPEN, CLOSED, UNKNOWN = "open", "closed", "unknown"


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (e.g. "Europe/Berlin"), with a clear error when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (from [area] timezone); use an IANA name such as \"Europe/Berlin\""
        ) from None


def local_time(at: datetime | None = None, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """``at`` as a naive local wall-clock time in ``timezone``.

    An aware ``at`` is converted; a naive one is taken to be local time already;
    None means now. opening-hours-py compares wall-clock times, and it rejects
    aware datetimes whose tzinfo is not a ZoneInfo, so we hand it naive ones.
    """
    tz = zone(timezone)
    if at is None:
        return datetime.now(tz).replace(tzinfo=None, second=0, microsecond=0)
    if at.tzinfo is not None:
        return at.astimezone(tz).replace(tzinfo=None)
    return at


@lru_cache(maxsize=8192)
def parse(expression: str, country: str = DEFAULT_COUNTRY) -> opening_hours.OpeningHours | None:
    """The parsed expression, or None when it is empty or not valid OSM syntax.

    Cached per distinct string: a town has a few hundred distinct expressions at
    most, and parsing costs ~10 µs while evaluating costs ~1 µs.
    """
    text = (expression or "").strip()
    if not text:
        return None
    try:
        return opening_hours.OpeningHours(text, country=country or None)
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return None
    except opening_hours.UnknownCountryError:
        raise ValueError(f"unknown country code {country!r} for public holidays") from None


def is_valid(expression: str) -> bool:
    """Whether ``expression`` is valid OSM opening_hours syntax (empty counts as invalid)."""
    return parse(expression) is not None


def state(expression: str, at: datetime | None = None, timezone: str = DEFAULT_TIMEZONE,
          country: str = DEFAULT_COUNTRY) -> str:
    """"open", "closed" or "unknown" for ``expression`` at ``at`` (default: now).

    Empty and unparsable expressions are "unknown".
    """
    parsed = parse(expression, country)
    if parsed is None:
        return UNKNOWN
    current, _comment = parsed.state(local_time(at, timezone))
    return str(current)


def is_open(expression: str, at: datetime | None = None, timezone: str = DEFAULT_TIMEZONE,
            country: str = DEFAULT_COUNTRY) -> bool | None:
    """True when open, False when closed, None when unknown (empty, invalid or "unknown" rule)."""
    current = state(expression, at, timezone, country)
    return None if current == UNKNOWN else current == OPEN


def next_change(expression: str, at: datetime | None = None, timezone: str = DEFAULT_TIMEZONE,
                country: str = DEFAULT_COUNTRY) -> datetime | None:
    """When the state next changes (aware, in ``timezone``), for "opens at …" / "closes at …".

    None when the expression is empty or invalid, or when the state never changes
    (e.g. "24/7").
    """
    parsed = parse(expression, country)
    if parsed is None:
        return None
    change = parsed.next_change(local_time(at, timezone))
    if change is None:
        return None
    if change.tzinfo is None:
        change = change.replace(tzinfo=zone(timezone))
    return change


class OpenNowMask:
    """Open-now flags for a whole column of expressions, cheap to ask again and again.

    Built once per data version: the distinct expressions are parsed once, and
    each offer keeps only the code of its expression. Asking for a moment
    evaluates each distinct expression once (a few hundred µs for a town) and
    the answer for the minute is cached, since OSM hours have minute resolution.
    """

    def __init__(self, expressions: Sequence[str], timezone: str = DEFAULT_TIMEZONE,
                 country: str = DEFAULT_COUNTRY, cache_size: int = 4):
        zone(timezone)  # fail early on a bad [area] timezone
        self.timezone = timezone
        self.country = country
        texts = np.asarray([(e or "").strip() for e in expressions], dtype=object)
        if len(texts):
            self.distinct, self.codes = np.unique(texts, return_inverse=True)
        else:
            self.distinct, self.codes = np.array([], dtype=object), np.array([], dtype=np.intp)
        self.codes = self.codes.astype(np.intp, copy=False)
        self._parsed = [parse(str(e), country) for e in self.distinct]
        self._cache: OrderedDict[datetime, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self.codes)

    def states(self, at: datetime | None = None) -> np.ndarray:
        """Per offer: 1 open, 0 closed, -1 unknown (int8), at ``at`` (default: now)."""
        minute = local_time(at, self.timezone).replace(second=0, microsecond=0)
        with self._lock:
            cached = self._cache.get(minute)
            if cached is not None:
                self._cache.move_to_end(minute)
                return cached
        per_expression = np.full(len(self._parsed), -1, dtype=np.int8)
        for i, parsed in enumerate(self._parsed):
            if parsed is None:
                continue
            current, _comment = parsed.state(minute)
            if current == opening_hours.State.OPEN:
                per_expression[i] = 1
            elif current == opening_hours.State.CLOSED:
                per_expression[i] = 0
        result = per_expression[self.codes]
        result.flags.writeable = False
        with self._lock:
            self._cache[minute] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def open_at(self, at: datetime | None = None) -> np.ndarray:
        """Boolean array: which offers are known to be open at ``at`` (default: now)."""
        return self.states(at) == 1
