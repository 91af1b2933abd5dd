"""Exact nearest-k among the offers that match a filter: the strategies of :class:`OfferIndex`.

Filtered nearest-k ("the 10 nearest offers in Dari") has to be exact even
when few offers match, where the plain k nearest are mostly non-matching:

* a language filter: each language has its own small tree, so "nearest
  Dari-speaking offers" asks the Dari tree, not the whole town -- with no
  other filter directly, else widening as below or scanning that
  language's offers when other filters leave few of them;
* few matches (at most :attr:`BRUTE_FORCE_MAX`): distances to exactly the
  matching offers, then a partial sort -- a few µs per hundred matches;
* otherwise: ask the tree for more neighbours than needed, sized by the
  share of matching offers, keep the matching ones and widen the request
  until k of them are found. The tree returns neighbours in distance order,
  so the first k matching ones are the k nearest matching ones.

The class attributes of :class:`NearestStrategies` are the thresholds between these
strategies; docs/benchmarks.md has the measurements they come from.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from geo.index import bitmaps
from geo.index.query import FACET_FIELDS, OfferQuery
from geo.index.sphere import chord_distances

EMPTY_ROWS = np.array([], dtype=np.intp)
EMPTY_DIST = np.array([], dtype=float)


class NearestStrategies:
    """The nearest-k part of :class:`geo.index.core.OfferIndex`, which it is mixed into.

    Uses the index's ``tree`` and ``tree_rows`` (located offers), ``_subtrees`` (one tree
    per value of the facets in :attr:`SUBTREE_FACETS`), ``xyz``, ``n_rows`` and ``facets``.
    The class attributes are the thresholds between the strategies; a subclass may change
    them (the property tests force each strategy that way).
    """

    #: Up to this many matching located offers, scanning them beats asking the tree.
    BRUTE_FORCE_MAX = 2048
    #: Ask the tree for this many times the neighbours the share of matches suggests.
    OVERSAMPLE = 2.0
    #: Scan instead once the tree would have to return more than this share of its offers.
    SCAN_FRACTION = 0.25
    #: Facets with one tree per value (language filters are the selective ones people use).
    SUBTREE_FACETS: tuple[str, ...] = ("language",)
    #: Use the per-value trees when the chosen values hold less than this share of located offers.
    SUBTREE_SHARE = 0.5

    def _nearest(self, centre: np.ndarray, bits: np.ndarray, k: int, matches: int,
                 query: OfferQuery) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest rows of ``bits`` (which holds ``matches`` located rows), exactly."""
        if k <= 0 or self.tree is None:
            return EMPTY_ROWS, EMPTY_DIST
        driver = self._subtree_driver(query)
        if driver is None:
            if matches <= self.BRUTE_FORCE_MAX:
                return self._nearest_by_scan(centre, bits, k)
            return self._nearest_in(self.tree, self.tree_rows, centre, bits, k, matches)
        # One small tree per chosen value (e.g. per language): the k nearest matching offers of
        # each tree together contain the k nearest matching offers overall.
        facet = self.facets[driver]
        found_rows, found_chords = [], []
        for position in self._chosen_positions(driver, query):
            tree, rows_of_tree = self._subtrees[driver][position]
            # This tree's share of the matches: the scan path reads rows from the bitmap, so the
            # bitmap itself must be limited to the tree, or another value's rows crowd out its own.
            tree_bits = bits & facet.bitmaps[position]
            in_tree = bitmaps.count(tree_bits)
            if tree is None or not in_tree:
                continue
            rows, chords = self._nearest_in(tree, rows_of_tree, centre, tree_bits, min(k, in_tree), in_tree)
            found_rows.append(rows)
            found_chords.append(chords)
        if not found_rows:
            return EMPTY_ROWS, EMPTY_DIST
        if len(found_rows) == 1:
            return found_rows[0], found_chords[0]
        rows, first = np.unique(np.concatenate(found_rows), return_index=True)  # an offer may speak ar and fa
        return first_by_distance(rows, np.concatenate(found_chords)[first], k)

    def _single_tree(self, query: OfferQuery) -> tuple[cKDTree | None, np.ndarray] | None:
        """(tree, rows) when ``query`` is "nearest with one value of a per-value-tree facet", else None."""
        if (query.near is None or query.radius_m is not None or query.bbox is not None or query.open_now
                or query.include_virtual or query.text.strip()):
            return None
        chosen = [name for name in FACET_FIELDS if query.facet_values(name)]
        if len(chosen) != 1 or chosen[0] not in self._subtrees or len(query.facet_values(chosen[0])) != 1:
            return None
        position = self.facets[chosen[0]].position(query.facet_values(chosen[0])[0])
        if position is None:
            return None
        return self._subtrees[chosen[0]][position]

    def _chosen_positions(self, facet_name: str, query: OfferQuery) -> list[int]:
        facet = self.facets[facet_name]
        positions = (facet.position(v) for v in query.facet_values(facet_name))
        return [p for p in positions if p is not None]

    def _subtree_driver(self, query: OfferQuery) -> str | None:
        """The facet whose per-value trees hold the fewest offers for this query, if that helps."""
        best, best_size = None, len(self.tree_rows) * self.SUBTREE_SHARE
        for name in self._subtrees:
            if not query.facet_values(name):
                continue
            size = sum(len(self._subtrees[name][p][1]) for p in self._chosen_positions(name, query))
            if size < best_size:
                best, best_size = name, size
        return best

    def _nearest_in(self, tree: cKDTree, tree_rows: np.ndarray, centre: np.ndarray, bits: np.ndarray | None,
                    k: int, matches: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest rows of ``bits`` among the points of ``tree`` (``matches`` of which are in ``bits``).

        ``bits`` None means every point of the tree matches.
        """
        n_tree = len(tree_rows)
        if bits is None:
            return self._nearest_all_match(tree, tree_rows, centre, k)
        want = int(k * n_tree / matches * self.OVERSAMPLE) + 16
        if want > n_tree * self.SCAN_FRACTION:
            return self._nearest_by_scan(centre, bits, k, tree_rows)
        while True:
            want = min(want, n_tree)
            chords, positions = tree.query(centre, k=want)
            chords, positions = np.atleast_1d(chords), np.atleast_1d(positions)
            rows = tree_rows[positions]
            ok = bitmaps.test(bits, rows)
            if int(ok.sum()) >= k or want == n_tree:
                break
            want *= 4
            if want > n_tree * self.SCAN_FRACTION:
                return self._nearest_by_scan(centre, bits, k, tree_rows)
        # Order by chords computed here, not by the tree's: the two may differ in the last bit,
        # and the scan path (and other pages) must agree on every tie.
        kept_rows = rows[ok]
        kept_chords = chord_distances(self.xyz[kept_rows], centre)
        boundary = np.partition(kept_chords, k - 1)[k - 1]
        if want < n_tree and chords[-1] <= widen(boundary):
            # Offers tied at the k-th distance may lie beyond what we asked for
            # (several offers at one address are common); fetch all of them so
            # the order (distance, row) is the same on every page.
            positions = np.asarray(tree.query_ball_point(centre, widen(boundary)), dtype=np.intp)
            kept_rows = tree_rows[positions]
            kept_rows = kept_rows[bitmaps.test(bits, kept_rows)]
            kept_chords = chord_distances(self.xyz[kept_rows], centre)
        return first_by_distance(kept_rows, kept_chords, k)

    def _nearest_all_match(self, tree: cKDTree, tree_rows: np.ndarray, centre: np.ndarray,
                           k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest points of ``tree`` (all of which match): the fast path of a plain filter."""
        n_tree = len(tree_rows)
        want = min(k + 1, n_tree)  # one more than needed shows whether the k-th is tied with the next
        tree_chords, positions = tree.query(centre, k=want)
        rows = tree_rows[np.atleast_1d(positions)]
        chords = chord_distances(self.xyz[rows], centre)
        order = np.lexsort((rows, chords))
        boundary = chords[order[k - 1]]
        if want < n_tree and np.atleast_1d(tree_chords)[-1] <= widen(boundary):
            # Tied with the next one: fetch every point at that distance (see _nearest_in).
            positions = np.asarray(tree.query_ball_point(centre, widen(boundary)), dtype=np.intp)
            rows = tree_rows[positions]
            chords = chord_distances(self.xyz[rows], centre)
            order = np.lexsort((rows, chords))
        order = order[:k]
        return rows[order], chords[order]

    def _nearest_by_scan(self, centre: np.ndarray, bits: np.ndarray, k: int,
                         candidates: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Distances to every row of ``bits``, then a partial sort.

        ``candidates`` is a speed hint: where the rows of ``bits`` lie. ``bits`` must hold no row
        outside it, because a large candidate set is skipped for a plain scan of ``bits``.
        """
        if candidates is None or len(candidates) * 4 > self.n_rows:
            rows = bitmaps.rows(bits, self.n_rows)
        else:
            rows = candidates[bitmaps.test(bits, candidates)]
        return first_by_distance(rows, chord_distances(self.xyz[rows], centre), k)


def widen(chord: float) -> float:
    """A little more than ``chord``: the tree's rounding must not lose an offer our own rounding keeps."""
    return chord * (1.0 + 1e-9) + 1e-6


def first_by_distance(rows: np.ndarray, chords: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` first of ``rows`` by (distance, row): ties broken by row so pages never overlap."""
    if k <= 0 or not len(rows):
        return EMPTY_ROWS, EMPTY_DIST
    if k < len(rows):
        part = np.argpartition(chords, k - 1)[:k]
        boundary = chords[part].max()
        keep = chords <= boundary  # every row tied at the boundary competes on row number
        rows, chords = rows[keep], chords[keep]
    order = np.lexsort((rows, chords))[:k]
    return rows[order], chords[order]
