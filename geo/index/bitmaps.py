"""Packed row bitmaps: one bit per offer, 64 offers per machine word.

Filters are combined as bitmaps (OR within a facet, AND across facets) because
that touches N/64 words instead of N bytes: at 100,000 offers one AND is ~1,600
word operations, a few microseconds, and counting matches is a popcount.

Bit ``i`` lives in word ``i >> 6`` at position ``i & 63`` (little-endian words,
little bit order within bytes, so packing and the bit test agree on every
platform).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

WORD = np.dtype("<u8")

# np.bitwise_count arrived in NumPy 2.0; pyproject still allows 1.26.
_bitwise_count = getattr(np, "bitwise_count", None)


def n_words(n_rows: int) -> int:
    """How many 64-bit words hold ``n_rows`` bits."""
    return (n_rows + 63) // 64


def empty(n_rows: int) -> np.ndarray:
    """A bitmap with no row set."""
    return np.zeros(n_words(n_rows), dtype=WORD)


def full(n_rows: int) -> np.ndarray:
    """A bitmap with every row ``0 .. n_rows-1`` set (and the padding bits clear)."""
    return pack(np.ones(n_rows, dtype=bool))


def pack(mask: np.ndarray) -> np.ndarray:
    """Boolean array of length N -> bitmap."""
    n = len(mask)
    buf = np.zeros(n_words(n) * 8, dtype=np.uint8)
    packed = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    buf[: len(packed)] = packed
    return buf.view(WORD)


def from_rows(rows: np.ndarray, n_rows: int) -> np.ndarray:
    """Bitmap with the given row positions set."""
    mask = np.zeros(n_rows, dtype=bool)
    mask[np.asarray(rows, dtype=np.intp)] = True
    return pack(mask)


def unpack(bitmap: np.ndarray, n_rows: int) -> np.ndarray:
    """Bitmap -> boolean array of length ``n_rows``."""
    return np.unpackbits(bitmap.view(np.uint8), count=n_rows, bitorder="little").view(bool)


def rows(bitmap: np.ndarray, n_rows: int) -> np.ndarray:
    """Row positions whose bit is set, ascending."""
    return np.flatnonzero(unpack(bitmap, n_rows))


def test(bitmap: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Boolean array: is the bit of each row in ``positions`` set?"""
    positions = np.asarray(positions, dtype=np.intp)
    words = bitmap[positions >> 6]
    return ((words >> (positions & 63).astype(WORD)) & np.uint64(1)).astype(bool)


def count(bitmap: np.ndarray) -> int:
    """Number of set bits."""
    if _bitwise_count is not None:
        return int(_bitwise_count(bitmap).sum())
    return int(np.unpackbits(bitmap.view(np.uint8)).sum())


def count_each(bitmaps: np.ndarray, within: np.ndarray | None) -> np.ndarray:
    """Set bits of each row of a (values x words) bitmap matrix, optionally ANDed with ``within``."""
    anded = bitmaps if within is None else bitmaps & within
    if _bitwise_count is not None:
        return _bitwise_count(anded).sum(axis=1, dtype=np.int64)
    return np.unpackbits(anded.view(np.uint8), axis=1).sum(axis=1, dtype=np.int64)


def all_of(bitmaps: Iterable[np.ndarray | None]) -> np.ndarray | None:
    """AND of the given bitmaps; None entries mean "no restriction"; None if all are None."""
    result = None
    for bitmap in bitmaps:
        if bitmap is None:
            continue
        result = bitmap.copy() if result is None else np.bitwise_and(result, bitmap, out=result)
    return result
