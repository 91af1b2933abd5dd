"""Free-text search over name, organisation and description.

Matching is accent-, case- and spacing-insensitive (the same folding the
vocabularies use, so "Behorde" finds "Behörde" and "BERATUNG" finds
"Migrationsberatung"). Every word of the query must occur somewhere in the
offer's text, as a substring, so partial words ("sprach") match too.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from threading import Lock

import numpy as np

from geo.index import bitmaps
from geo.text import fold

TEXT_COLUMNS = ("name", "organisation", "description")


def query_words(text: str) -> list[str]:
    """The folded words of a search text, duplicates dropped, longest first (most selective)."""
    words = list(dict.fromkeys(fold(text or "").split()))
    return sorted(words, key=len, reverse=True)


class TextSearch:
    """The folded text of each offer, with a small cache of per-word answers."""

    def __init__(self, columns: Sequence[Sequence[str]], cache_size: int = 256):
        """``columns``: equally long sequences of strings ("" when empty), e.g. name, organisation."""
        n = len(columns[0]) if columns else 0
        self.n_rows = n
        self.texts = [fold(" ".join(parts)) for parts in zip(*columns)]
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()

    def word(self, word: str) -> np.ndarray:
        """Bitmap of offers whose text contains ``word`` (already folded)."""
        with self._lock:
            hit = self._cache.get(word)
            if hit is not None:
                self._cache.move_to_end(word)
                return hit
        mask = np.fromiter((word in t for t in self.texts), dtype=bool, count=self.n_rows)
        result = bitmaps.pack(mask)
        result.flags.writeable = False  # shared through the cache
        with self._lock:
            self._cache[word] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def match(self, text: str) -> np.ndarray | None:
        """Bitmap of offers containing every word of ``text``; None when it has no words."""
        words = query_words(text)
        if not words:
            return None
        return bitmaps.all_of(self.word(w) for w in words)
