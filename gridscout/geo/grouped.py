"""Grouped nearest-neighbour helpers for points in compact groups (H3 cells sorted and grouped by
parent, :class:`gridscout.geo.nearest.PointGroups`): one KD-tree query per group, then a compiled
loop per member (numba).

Both answer exactly what the per-point query answers (:meth:`cKDTree.query` with
``distance_upper_bound``, :meth:`SphereIndex.pairs_within_vectors`), with the same chord
arithmetic (``((x0−y0)² + (x1−y1)²) + (x2−y2)²``, then the square root, as scipy's
``sqeuclidean_distance_double``) and the same bound test (squared chord < bound², as scipy's
query); equal distances are ordered by the lower indexed point (the KD-tree leaves that order
unspecified).

(Kept out of :mod:`gridscout.geo.nearest` while its kernel sums are rewritten; to be merged there.)
"""

from __future__ import annotations

import numba
import numpy as np
from scipy.spatial import cKDTree

from gridscout.geo.nearest import EARTH_RADIUS_KM, PointGroups, SphereIndex, chord_from_km, km_from_chord

#: margin [rad] that keeps floating-point ties on the per-member path
_EPS = 1e-12


def group_candidates(index: SphereIndex, pg: PointGroups, k: int, max_km: float | None = None,
                     k_query: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group of ``pg``: the ``k_query`` (default 2k + 2) indexed points nearest its centre within
    ``max_km`` + ρ — ``(cand, found, settled)``: (groups, K) indices, how many were found, and
    whether they hold every member's ``k`` nearest within ``max_km``.

    They do when the farthest of them, at angle θK from the centre, is beyond every member's reach:
    a point outside them is at least θK − ρ from any member, and a member's k-th nearest is within
    θk + ρ (θk: the centre's k-th) and within ``max_km``; so the group is settled when
    θK − ρ > min(θk + ρ, θmax), or when fewer than K points lie within θmax + ρ of the centre (then
    all of them are candidates). Members of other groups need their own query."""
    kq = min(int(k_query or 2 * k + 2), index.n)
    k = min(k, index.n)
    theta_max = max_km / EARTH_RADIUS_KM if max_km is not None else np.inf
    reach = min(theta_max + float(pg.rho.max()) + 1e-9, np.pi)
    dc, ic = index.tree.query(pg.centre, k=kq, distance_upper_bound=2.0 * np.sin(reach / 2.0), workers=-1)
    dc, ic = np.asarray(dc).reshape(len(pg.starts), kq), np.asarray(ic).reshape(len(pg.starts), kq)
    found = np.isfinite(dc).sum(axis=1)

    def angle(chord):
        return np.where(np.isfinite(chord), 2.0 * np.arcsin(np.minimum(chord / 2.0, 1.0)), np.inf)

    settled = (found < kq) | (kq == index.n) | (
        angle(dc[:, kq - 1]) - pg.rho > np.minimum(angle(dc[:, k - 1]) + pg.rho, theta_max) + _EPS)
    return ic, found, settled


def knn_grouped(index: SphereIndex, pg: PointGroups, k: int, max_km: float | None = None,
                k_query: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest indexed points of every member of ``pg`` within ``max_km``: ``(d, i)`` of
    shape (n, k), chord distances (unit sphere) nearest first, padded with ``inf`` and ``index.n``
    — exactly ``index.tree.query(pg.q, k, distance_upper_bound=chord_from_km(max_km))`` (ties: the
    lower index first). Candidates per group from :func:`group_candidates`."""
    n = pg.n
    if index.tree is None or n == 0 or k < 1:
        return np.full((n, k), np.inf), np.full((n, k), index.n, dtype=np.int64)
    k_eff = min(k, index.n)
    ub = chord_from_km(max_km) if max_km is not None else np.inf
    cand, found, settled = group_candidates(index, pg, k_eff, max_km, k_query)
    d = np.full((n, k), np.inf)
    ii = np.full((n, k), index.n, dtype=np.int64)
    _knn_members(pg.qc[0], pg.qc[1], pg.qc[2], pg.starts, pg.sizes, settled, cand, found,
                 index.columns[0], index.columns[1], index.columns[2], ub * ub, d, ii)
    rest = np.flatnonzero(~settled[pg.inv])
    if len(rest):
        dr, ir = index.tree.query(pg.q[rest], k=k_eff, distance_upper_bound=ub, workers=-1)
        dr, ir = np.asarray(dr).reshape(len(rest), k_eff), np.asarray(ir).reshape(len(rest), k_eff)
        order = np.lexsort((ir, dr), axis=1)  # equal distances: the lower index first
        d[rest, :k_eff], ii[rest, :k_eff] = np.take_along_axis(dr, order, 1), np.take_along_axis(ir, order, 1)
    return d, ii


@numba.njit(cache=True)
def member_knn(m, g, q0, q1, q2, cand, found, p0, p1, p2, ub2, bd2, bi):
    """Member ``m`` of group ``g``: its ``len(bd2)`` nearest of the group's candidates with squared
    chord < ``ub2``, by (distance, index), into ``bd2`` (squared chords) and ``bi``; returns how many."""
    k = len(bd2)
    nb = 0
    for c in range(found[g]):
        j = cand[g, c]
        a = q0[m] - p0[j]
        s = a * a
        a = q1[m] - p1[j]
        s += a * a
        a = q2[m] - p2[j]
        s += a * a
        if not s < ub2:
            continue
        pos = nb  # insert (s, j) into the sorted list
        while pos > 0 and (bd2[pos - 1] > s or (bd2[pos - 1] == s and bi[pos - 1] > j)):
            pos -= 1
        if pos >= k:
            continue
        last = nb if nb < k else k - 1
        for t in range(last, pos, -1):
            bd2[t] = bd2[t - 1]
            bi[t] = bi[t - 1]
        bd2[pos] = s
        bi[pos] = j
        if nb < k:
            nb += 1
    return nb


@numba.njit(cache=True)
def _knn_members(q0, q1, q2, starts, sizes, settled, cand, found, p0, p1, p2, ub2, d, ii):
    k = d.shape[1]
    bd2 = np.empty(k)
    bi = np.empty(k, dtype=np.int64)
    for g in range(len(starts)):
        if settled[g]:
            for m in range(starts[g], starts[g] + sizes[g]):
                nb = member_knn(m, g, q0, q1, q2, cand, found, p0, p1, p2, ub2, bd2, bi)
                for t in range(nb):
                    d[m, t] = np.sqrt(bd2[t])
                    ii[m, t] = bi[t]


def pair_candidates(index: SphereIndex, pg: PointGroups, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    """``(group, point)`` arrays of every indexed point within ``radius_km`` + ρ of a group's centre
    (one KD-tree query per group, ``cKDTree.sparse_distance_matrix``; in the tree's order): a superset
    of every member's points within ``radius_km``, for a per-member loop that tests them."""
    if index.tree is None or pg.n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    reach = min(radius_km / EARTH_RADIUS_KM + float(pg.rho.max()) + 1e-9, np.pi)
    sdm = cKDTree(pg.centre, balanced_tree=False, compact_nodes=False).sparse_distance_matrix(
        index.tree, 2.0 * np.sin(reach / 2.0), output_type="coo_matrix")
    return sdm.row.astype(np.int64), sdm.col.astype(np.int64)


def nearest_grouped(index: SphereIndex, pg: PointGroups, max_km: float | None = None,
                    k_query: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """(index, km) of the nearest indexed point of every member of ``pg`` (−1 and NaN beyond
    ``max_km``), as :meth:`SphereIndex.nearest_vectors` (equal distances: the lower index) by
    :func:`knn_grouped` with ``k_query`` candidates per group."""
    d, i = knn_grouped(index, pg, 1, max_km, k_query)
    d, i = d[:, 0], i[:, 0]
    miss = ~np.isfinite(d)
    return np.where(miss, -1, i), np.where(miss, np.nan, km_from_chord(np.where(miss, 0.0, d)))
