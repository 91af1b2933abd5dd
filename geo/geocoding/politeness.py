"""Being a polite client: spacing between requests, retries with back-off, Retry-After.

Everything that waits takes its ``clock`` and ``sleep`` as arguments, so tests run
instantly and can check the spacing on a fake clock.

geopy ships a RateLimiter, but it waits a fixed time between retries instead of backing
off, ignores Retry-After, and logs the call arguments (the address) on every retry, which
our privacy rule forbids. Hence this small replacement.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Callable, TypeVar

from geo.geocoding.base import ProviderUnavailable, RateLimited

T = TypeVar("T")
log = logging.getLogger(__name__)

# A Retry-After longer than this means "go away for a while": we stop asking that provider
# in this run instead of holding the whole import for it.
MAX_RETRY_AFTER_SECONDS = 300.0


class Politeness:
    """Request spacing and retries for one provider; thread-safe.

    Parameters
    ----------
    min_delay_seconds
        Minimum time between the starts of two requests (public Nominatim: 1.0).
    max_retries
        Retries after a temporary failure (timeout, 5xx, 429); 0 disables retrying.
    clock, sleep
        Monotonic seconds and the matching sleep; tests pass a fake pair.
    name
        The provider's name, for log lines (which never include the address).
    """

    def __init__(self, *, min_delay_seconds: float, max_retries: int,
                 clock: Callable[[], float] | None = None, sleep: Callable[[float], None] | None = None,
                 name: str = ""):
        self.min_delay_seconds = max(0.0, float(min_delay_seconds))
        self.max_retries = max(0, int(max_retries))
        self._clock = clock or time.monotonic
        self._sleep = sleep or time.sleep
        self.name = name
        self._lock = threading.Lock()
        self._next_start: float | None = None
        self.requests = 0  # how many requests were started, for reports and tests

    def backoff_seconds(self, attempt: int) -> float:
        """Wait before retry number ``attempt + 1``: 1 s, 2 s, 4 s … (at least the minimum delay)."""
        return max(self.min_delay_seconds, 1.0) * (2 ** attempt)

    def _acquire_slot(self) -> None:
        # Reserve the next start time under the lock, then sleep outside it, so concurrent
        # callers (web searches) queue up in order instead of all waking at once.
        with self._lock:
            now = self._clock()
            start = now if self._next_start is None else max(now, self._next_start)
            self._next_start = start + self.min_delay_seconds
            self.requests += 1
        if start > now:
            self._sleep(start - now)

    def _push_back(self, seconds: float) -> None:
        with self._lock:
            later = self._clock() + seconds
            if self._next_start is None or later > self._next_start:
                self._next_start = later

    def call(self, request: Callable[[], T], *, retries: bool = True) -> T:
        """Run ``request`` in the next free slot; retry temporary failures.

        ``request`` raises :class:`ProviderUnavailable` for a temporary failure and
        :class:`RateLimited` for a 429; anything else passes through untouched. After the
        last retry the failure is raised.
        """
        limit = self.max_retries if retries else 0
        attempt = 0
        while True:
            self._acquire_slot()
            try:
                return request()
            except RateLimited as exc:
                wait = exc.retry_after if exc.retry_after is not None else self.backoff_seconds(attempt)
                if wait > MAX_RETRY_AFTER_SECONDS:
                    raise RateLimited(
                        f"{self.name} asks to wait {wait:.0f} s (Retry-After), longer than the "
                        f"{MAX_RETRY_AFTER_SECONDS:.0f} s we wait in one run", wait) from None
                # The provider's wish holds for every request, not just this one.
                self._push_back(wait)
                if attempt >= limit:
                    raise
                log.warning("%s: rate limited (429), retry %d of %d after %.1f s",
                            self.name, attempt + 1, limit, wait)
            except ProviderUnavailable as exc:
                if attempt >= limit:
                    raise
                wait = self.backoff_seconds(attempt)
                log.warning("%s: %s, retry %d of %d after %.1f s", self.name, type(exc).__name__,
                            attempt + 1, limit, wait)
                self._push_back(wait)
            attempt += 1


class ClientRateLimit:
    """At most ``per_minute`` calls per client in any sliding minute (the web app's address
    search uses it with ``[geocoding] search_rate_per_minute``).

    Client keys (e.g. IP addresses) live only in memory and are forgotten a minute after
    their last call; at most ``max_clients`` are tracked.
    """

    def __init__(self, per_minute: int, *, clock: Callable[[], float] | None = None, max_clients: int = 10_000):
        self.per_minute = int(per_minute)
        self._clock = clock or time.monotonic
        self._max_clients = max_clients
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Count one call for ``client``; False when it is over its limit (the call is not counted)."""
        if self.per_minute <= 0:
            return True
        with self._lock:
            now = self._clock()
            if len(self._calls) >= self._max_clients:
                self._forget_idle(now)
            calls = self._calls.setdefault(client, deque())
            while calls and calls[0] <= now - 60.0:
                calls.popleft()
            if len(calls) >= self.per_minute:
                return False
            calls.append(now)
            return True

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._calls.items() if not v or v[-1] <= now - 60.0]:
            del self._calls[key]
        if len(self._calls) >= self._max_clients:
            # Still full of active clients: drop the oldest half rather than grow without bound.
            by_age = sorted(self._calls, key=lambda k: self._calls[k][-1])
            for key in by_age[: len(by_age) // 2]:
                del self._calls[key]
