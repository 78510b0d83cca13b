"""Nearest neighbours and within-radius sums on the sphere with a KD-tree on 3-D unit vectors.

Points on a sphere of radius R map to unit vectors; the chord between two unit vectors,
c = 2 sin(θ/2), is monotonic in the great-circle angle θ, so a Euclidean KD-tree
(scipy.spatial.cKDTree) finds exact great-circle nearest neighbours and radius queries
(measured here: 1,000,000 nearest of 70,000 points in 0.37 s). Distances are great-circle
distances on the mean Earth radius 6,371.0088 km (IUGG).

Points in compact groups (H3 cells sorted and grouped by parent, :class:`PointGroups`) are answered
with one KD-tree query per group and a compiled loop per member (numba): nearest and k-nearest
(:meth:`SphereIndex.nearest_grouped`, :func:`knn_grouped`) exactly as the per-point query — the same
chord arithmetic (``((x0−y0)² + (x1−y1)²) + (x2−y2)²``, then the square root, as scipy's
``sqeuclidean_distance_double``) and bound test, equal distances ordered by the lower indexed point
(the KD-tree leaves that order unspecified) — and weighted sums within a radius
(:meth:`SphereIndex.kernel_sum_grouped`).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from scipy.spatial import cKDTree

from gridscout.kernel_types import B1, F1, F2, F8, I1, I2, I8

EARTH_RADIUS_KM = 6371.0088


def unit_vectors(lat_deg, lon_deg) -> np.ndarray:
    """(n, 3) unit vectors for latitudes/longitudes in degrees."""
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    cl = np.cos(lat)
    return np.column_stack((cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)))


def chord_from_km(km: float) -> float:
    return 2.0 * np.sin(km / EARTH_RADIUS_KM / 2.0)


def km_from_chord(chord) -> np.ndarray:
    # minimum/maximum, not np.clip: the same values (NaN stays NaN), without clip's per-call overhead
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(np.maximum(np.asarray(chord) / 2.0, 0.0), 1.0))


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance [km] by the haversine formula (reference implementation)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def run_starts(groups) -> np.ndarray | None:
    """First index of each run of equal labels in ``groups`` when the labels are sorted (e.g. H3
    parents of sorted H3 cells); None when they are not sorted or there are none."""
    g = np.asarray(groups)
    if len(g) == 0 or not bool(np.all(g[1:] >= g[:-1])):
        return None
    return np.concatenate(([0], np.flatnonzero(g[1:] != g[:-1]) + 1))


def take(values, index: np.ndarray):
    """``values`` (a Polars Series or DataFrame) at ``index``, null where the index is −1 (the "none"
    of :meth:`SphereIndex.nearest` and :class:`~gridscout.geo.polygons.PolygonIndex`)."""
    import polars as pl

    idx = pl.Series(np.asarray(index, dtype=np.int64))
    idx = pl.select(pl.when(idx >= 0).then(idx)).to_series()
    return values.gather(idx) if isinstance(values, pl.Series) else values.select(pl.all().gather(idx))


class PointGroups:
    """Query points (lat/lon in degrees) labelled by compact groups and given in group order, e.g.
    H3 cells sorted by index and labelled by their parent cell.

    Per group: ``centre`` (normalised mean unit vector) and ``rho``, the largest angle [rad] from
    the centre to a member. Used by :meth:`SphereIndex.sum_within_grouped` and
    :meth:`SphereIndex.nearest_grouped` to settle whole groups at once by the triangle inequality
    on the sphere. Build once per set of points with :meth:`build` and reuse it."""

    def __init__(self, q: np.ndarray, starts: np.ndarray, qc: list[np.ndarray] | None = None):
        self.q = q
        self.n = len(q)
        # 1-D gathers are much faster than 2-D; ``qc``: these columns when already made (several groupings)
        self.qc = qc if qc is not None else [np.ascontiguousarray(q[:, j]) for j in range(3)]
        self.starts = np.asarray(starts, dtype=np.int64)
        self.sizes = np.diff(np.append(self.starts, self.n))
        self.inv = np.repeat(np.arange(len(starts)), self.sizes)
        self.centre, self.rho = _group_caps(self.qc[0], self.qc[1], self.qc[2], self.starts, self.sizes)

    @classmethod
    def singletons(cls, lat_deg, lon_deg) -> PointGroups:
        """Every point its own group (e.g. candidate sites), so grouped queries serve them too."""
        return cls(unit_vectors(lat_deg, lon_deg), np.arange(len(np.asarray(lat_deg)), dtype=np.int64))

    @classmethod
    def build(cls, lat_deg, lon_deg, groups, vectors: np.ndarray | None = None,
              columns: list[np.ndarray] | None = None) -> "PointGroups | None":
        """Groups for the points, or None when ``groups`` is not sorted (or there are no points);
        ``vectors``: the points' :func:`unit_vectors` when already computed, ``columns`` its three
        columns as contiguous arrays (several groupings of the same points)."""
        starts = run_starts(groups) if len(groups) == len(lat_deg) else None
        if starts is None:
            return None
        return cls(unit_vectors(lat_deg, lon_deg) if vectors is None else vectors, starts, columns)


@numba.njit(cache=True, nogil=True)
def _group_caps(x, y, z, starts, sizes):
    """Per group of unit vectors (columns ``x, y, z``; groups ``starts``/``sizes``): the normalised mean
    vector and the largest angle [rad] from it to a member, + 1e-9 for arccos rounding (the angle of
    the smallest dot product: arccos decreases)."""
    ng = len(starts)
    centre = np.empty((ng, 3))
    rho = np.empty(ng)
    for g in range(ng):
        sx = sy = sz = 0.0
        for i in range(starts[g], starts[g] + sizes[g]):
            sx += x[i]
            sy += y[i]
            sz += z[i]
        norm = math.sqrt(sx * sx + sy * sy + sz * sz)
        cx, cy, cz = sx / norm, sy / norm, sz / norm
        centre[g, 0], centre[g, 1], centre[g, 2] = cx, cy, cz
        lo = 1.0
        for i in range(starts[g], starts[g] + sizes[g]):
            dot = x[i] * cx + y[i] * cy + z[i] * cz
            if dot < lo:
                lo = dot
        rho[g] = math.acos(min(max(lo, -1.0), 1.0)) + 1e-9
    return centre, rho


class SphereIndex:
    """A KD-tree over points given in degrees."""

    def __init__(self, lat_deg, lon_deg):
        self.n = len(lat_deg)
        self.vectors = unit_vectors(lat_deg, lon_deg)
        self.columns = [np.ascontiguousarray(self.vectors[:, j]) for j in range(3)]  # for fast 1-D gathers
        self.tree = cKDTree(self.vectors) if self.n else None

    def nearest(self, lat_deg, lon_deg, max_km: float | None = None, workers: int = -1):
        """(index, distance_km) of the nearest indexed point; index −1 and NaN km beyond ``max_km``."""
        return self.nearest_vectors(unit_vectors(lat_deg, lon_deg), max_km, workers)

    def nearest_vectors(self, q: np.ndarray, max_km: float | None = None, workers: int = -1):
        """:meth:`nearest` for query points already given as unit vectors (see :func:`unit_vectors`)."""
        if self.tree is None:
            return np.full(len(q), -1), np.full(len(q), np.nan)
        ub = chord_from_km(max_km) if max_km is not None else np.inf
        d, i = self.tree.query(q, k=1, distance_upper_bound=ub, workers=workers)
        miss = ~np.isfinite(d)
        i = np.where(miss, -1, i)
        km = np.where(miss, np.nan, km_from_chord(np.where(miss, 0.0, d)))
        return i.astype(np.int64), km

    def sum_within(self, lat_deg, lon_deg, radius_km: float, weights: np.ndarray, workers: int = 2) -> np.ndarray:
        """For each query point, the sum of ``weights`` (shape (n,) or (n, k)) of indexed points within
        ``radius_km`` (great-circle): :meth:`sum_within_grouped` with every point its own group."""
        return self.sum_within_grouped(PointGroups.singletons(lat_deg, lon_deg), radius_km, weights, workers)

    def sum_within_grouped(self, pg: PointGroups, radius_km: float, weights: np.ndarray,
                           workers: int = 2) -> np.ndarray:
        """Exactly :meth:`sum_within` (the same chord criterion) for the points of ``pg``, by
        :meth:`kernel_sum_grouped` with the kernel 1: faster for dense points in compact groups."""
        return self.kernel_sum_grouped(pg, radius_km, weights, workers=workers)

    def nearest_grouped(self, pg: PointGroups, max_km: float | None = None, k_query: int | None = None):
        """Exactly :meth:`nearest_vectors` for the points of ``pg`` (equal distances: the lower index),
        faster for dense points in compact groups: :func:`knn_grouped` with k = 1 and ``k_query``
        candidates per group (default :func:`nearest_k_query`)."""
        d, i = knn_grouped(self, pg, 1, max_km, nearest_k_query(pg) if k_query is None else k_query)
        d, i = d[:, 0], i[:, 0]
        miss = ~np.isfinite(d)
        return np.where(miss, -1, i).astype(np.int64), np.where(miss, np.nan, km_from_chord(np.where(miss, 0.0, d)))

    def candidates_within(self, pg: PointGroups, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
        """Per group of ``pg``, every indexed point within ``radius_km`` + the group's ρ of its centre
        (what a KD-tree ball query per group gives), in index order: ``(indptr, cand)``, a CSR list (group g's
        candidates are ``cand[indptr[g]:indptr[g + 1]]``) — a superset of every member's points within
        ``radius_km``, for a per-member loop that tests them."""
        ng = len(pg.starts)
        if self.tree is None or pg.n == 0:
            return np.zeros(ng + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
        reach = np.minimum(radius_km / EARTH_RADIUS_KM + pg.rho + 1e-9, np.pi)
        chord = 2.0 * np.sin(reach / 2.0)
        # one dual-tree search of the group centres against the index at the largest reach, as NumPy
        # arrays (no Python list per group), then each group's own reach: the ball query's sets
        pairs = cKDTree(pg.centre).sparse_distance_matrix(self.tree, float(chord.max()), output_type="ndarray")
        keep = pairs["v"] <= chord[pairs["i"]]
        g, p = pairs["i"][keep].astype(np.int64), pairs["j"][keep].astype(np.int64)
        order = np.lexsort((p, g))
        indptr = np.concatenate(([0], np.cumsum(np.bincount(g, minlength=ng))))
        return indptr, p[order]

    def kernel_sum_grouped(self, pg: PointGroups, radius_km: float, weights: np.ndarray,
                           kernel=None, params=(), workers: int = 2) -> np.ndarray:
        """For each point of ``pg``, the sum over indexed points within ``radius_km`` (great-circle) of
        ``weights`` (shape (n,) or (n, k)) times ``kernel(distance_km, params)``: a function of an
        array of distances [km] and a tuple of parameters returning the kernel at each (e.g. a
        distance decay, :func:`gridscout.features.power.decay_weight`), 1 when None (a plain
        within-radius sum, :meth:`sum_within_grouped`).

        Exact: one KD-tree ball query per group (:meth:`candidates_within`) gives every indexed point
        that can be within reach of a member; then a compiled loop
        (:func:`_grouped_pair_sums`) takes each member against each of its group's candidates, keeps
        the pairs whose chord is within the radius's chord (the criterion of :meth:`sum_within`) and
        adds weight × kernel. Work is members × candidates, with no pair arrays in memory, so coarse
        groups (e.g. H3 cells under their parent three levels up: 343 per group, candidates within
        ~1.45× the disc's area) cost fewer queries than fine ones. Candidate sites use
        :meth:`PointGroups.singletons`, screening cells their H3 groups: the same code, the same
        values (up to the order of floating-point sums). Groups run on ``workers`` threads (the
        loop releases the GIL), split into spans of equal pair counts.

        The kernel is tabulated once per (kernel, params, radius) over the chord length, at
        :data:`KERNEL_TABLE_STEPS` equal steps from 0 to the radius's chord (≈ 0.5 m apart at
        136 km), and interpolated linearly in the loop: no arcsine or exponential per pair (3× faster
        for the capacity decay), within 1e-10 relative of the kernel evaluated at each distance
        (``tests/geo/test_nearest.py``)."""
        w = np.asarray(weights, dtype=np.float64)
        shape = (pg.n,) + w.shape[1:]
        if self.tree is None or pg.n == 0:
            return np.zeros(shape)
        w2 = np.ascontiguousarray(w.reshape(self.n, -1))
        indptr, cand = self.candidates_within(pg, radius_km)
        counts = np.diff(indptr)
        out = np.zeros((pg.n, w2.shape[1]))
        chord2 = chord_from_km(radius_km) ** 2
        table = np.zeros(0) if kernel is None else kernel_table(kernel, params, radius_km)
        inv_step = (len(table) - 1) / math.sqrt(chord2) if len(table) else 0.0
        starts, sizes = pg.starts.astype(np.int64), pg.sizes.astype(np.int64)
        def span(lo: int, hi: int) -> None:
            _grouped_pair_sums(lo, hi, starts, sizes, pg.qc[0], pg.qc[1], pg.qc[2], indptr, cand,
                               self.columns[0], self.columns[1], self.columns[2], w2, chord2, table, inv_step, out)

        # spans of groups with equal numbers of (member, candidate) tests, one per thread
        in_spans(span, counts * sizes, workers)
        return out.reshape(shape)


def nearest_k_query(pg: PointGroups) -> int:
    """Candidates per group of a grouped nearest search (:meth:`SphereIndex.nearest_grouped`): 6 for
    groups of at most 8 points on average (sites, H3 parents one level up), 12 for larger ones (H3
    parents two levels up, 49 cells). Fewest CPU-s measured for the three substation searches of
    CONUS r7 (11,350 / 10,569 / 4,211 substations, fastest of 3): 7-cell groups with 4 / 6 / 10
    candidates 0.95 / 0.84 / 1.14 CPU-s; 49-cell groups with 6 / 8 / 12 / 16 / 24 candidates
    0.67 / 0.61 / 0.52 / 0.60 / 0.85 CPU-s; 343-cell groups with 24 / 48: 0.72 / 0.93. Any value gives
    the same answer (members of an unsettled group get their own query)."""
    return 6 if pg.n <= 8 * len(pg.starts) else 12


def in_spans(span, load: np.ndarray, workers: int = 2) -> None:
    """Run ``span(lo, hi)`` over consecutive ranges of groups that cover them all, one range per thread
    (at most ``workers``), cut so each range carries about the same total ``load`` (per group) — for a
    compiled loop over groups that releases the GIL and writes only its own groups' outputs."""
    total = np.cumsum(load)
    if not len(total):
        return
    cuts = np.searchsorted(total, total[-1] * np.arange(1, workers) / workers) if workers > 1 else []
    bounds = [0, *sorted(set(int(c) for c in cuts)), len(total)]
    spans = [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    if len(spans) > 1:
        with ThreadPoolExecutor(max_workers=len(spans) - 1) as pool:
            others = [pool.submit(span, *s) for s in spans[1:]]
            span(*spans[0])
            for f in others:
                f.result()
    else:
        for s in spans:
            span(*s)


#: steps of a tabulated kernel between chord 0 and the radius's chord (:func:`kernel_table`)
KERNEL_TABLE_STEPS = 1 << 18

_KERNEL_TABLES: dict[tuple, np.ndarray] = {}


def kernel_table(kernel, params, radius_km: float) -> np.ndarray:
    """``kernel(km, params)`` (an array function, see :meth:`SphereIndex.kernel_sum_grouped`) at
    :data:`KERNEL_TABLE_STEPS` + 1 chord lengths equally spaced from 0 to
    the chord of ``radius_km`` (km of each: :func:`km_from_chord`), built once per (kernel, params,
    radius) — what :meth:`SphereIndex.kernel_sum_grouped` interpolates."""
    key = (kernel, tuple(np.asarray(params, dtype=np.float64).reshape(-1).tolist()), float(radius_km))
    if key not in _KERNEL_TABLES:
        chords = np.linspace(0.0, chord_from_km(radius_km), KERNEL_TABLE_STEPS + 1)
        _KERNEL_TABLES[key] = np.asarray(kernel(km_from_chord(chords), params), dtype=np.float64)
    return _KERNEL_TABLES[key]


@numba.njit(cache=True, nogil=True)
def _grouped_pair_sums(lo, hi, starts, sizes, qx, qy, qz, indptr, cand, px, py, pz, w, chord2, table, inv_step, out):
    """For groups ``lo``…``hi``: every member × every candidate of its group; a pair whose squared
    chord is ≤ ``chord2`` adds ``w[point] * k`` to ``out[member]``, where k is 1 when ``table`` is
    empty, else ``table`` (a kernel at equal chord steps, ``inv_step`` steps per unit chord,
    :func:`kernel_table`) interpolated linearly at the pair's chord."""
    ncol = w.shape[1]
    nt = table.shape[0] - 1
    for g in range(lo, hi):
        s = starts[g]
        e = s + sizes[g]
        for a in range(indptr[g], indptr[g + 1]):
            p = cand[a]
            x, y, z = px[p], py[p], pz[p]
            for i in range(s, e):
                dx, dy, dz = qx[i] - x, qy[i] - y, qz[i] - z
                d2 = dx * dx + dy * dy + dz * dz
                if d2 <= chord2:
                    k = 1.0
                    if nt > 0:
                        u = math.sqrt(d2) * inv_step
                        j = min(int(u), nt - 1)
                        k = table[j] + (u - j) * (table[j + 1] - table[j])
                    for c in range(ncol):
                        out[i, c] += w[p, c] * k


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
        d[rest, :k_eff], ii[rest, :k_eff] = knn_query(index, pg.q[rest], k_eff, ub)
    return d, ii


def knn_query(index: SphereIndex, q: np.ndarray, k: int, ub: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` (≤ ``index.n``) nearest indexed points of each unit vector of ``q`` with chord below
    ``ub`` by one KD-tree query: (m, k) chords and indices, ``inf``/``index.n`` padded, equal distances
    ordered by the lower index (as :func:`member_knn`)."""
    dr, ir = index.tree.query(q, k=k, distance_upper_bound=ub, workers=-1)
    dr, ir = np.asarray(dr).reshape(len(q), k), np.asarray(ir).reshape(len(q), k)
    order = np.lexsort((ir, dr), axis=1)  # equal distances: the lower index first
    return np.take_along_axis(dr, order, 1), np.take_along_axis(ir, order, 1)


@numba.njit(cache=True, nogil=True)
def group_points(g, cand, found, p0, p1, p2, cx, cy, cz, cj):
    """Group ``g``'s candidates of a :func:`group_candidates` answer (``cand[g, :found[g]]``) gathered into
    contiguous scratch — coordinates ``cx``, ``cy``, ``cz`` and indices ``cj`` — once for all the group's
    members (read from the index's columns once per group, not once per member); returns how many."""
    n = found[g]
    for c in range(n):
        j = cand[g, c]
        cx[c] = p0[j]
        cy[c] = p1[j]
        cz[c] = p2[j]
        cj[c] = j
    return n


@numba.njit(cache=True, nogil=True)
def member_knn(x, y, z, cx, cy, cz, cj, n, ub2, bd2, bi):
    """The point (``x``, ``y``, ``z``): its ``len(bd2)`` nearest of the ``n`` candidates gathered by
    :func:`group_points` with squared chord < ``ub2``, by (distance, index), into ``bd2`` (squared chords)
    and ``bi`` (indices); returns how many."""
    k = len(bd2)
    nb = 0
    for c in range(n):
        a = x - cx[c]
        s = a * a
        a = y - cy[c]
        s += a * a
        a = z - cz[c]
        s += a * a
        if not s < ub2:
            continue
        j = cj[c]
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


@numba.njit(cache=True, nogil=True)
def _knn_members(q0, q1, q2, starts, sizes, settled, cand, found, p0, p1, p2, ub2, d, ii):
    k = d.shape[1]
    bd2 = np.empty(k)
    bi = np.empty(k, dtype=np.int64)
    kq = cand.shape[1]
    cx, cy, cz, cj = np.empty(kq), np.empty(kq), np.empty(kq), np.empty(kq, dtype=np.int64)
    for g in range(len(starts)):
        if settled[g]:
            n = group_points(g, cand, found, p0, p1, p2, cx, cy, cz, cj)
            for m in range(starts[g], starts[g] + sizes[g]):
                nb = member_knn(q0[m], q1[m], q2[m], cx, cy, cz, cj, n, ub2, bd2, bi)
                for t in range(nb):
                    d[m, t] = np.sqrt(bd2[t])
                    ii[m, t] = bi[t]


#: the signatures screening calls the kernels with (:mod:`gridscout.kernels` loads them ahead)
KERNEL_SIGNATURES = [
    (_group_caps, (F1, F1, F1, I1, I1)),
    (_grouped_pair_sums, (I8, I8, I1, I1, F1, F1, F1, I1, I1, F1, F1, F1, F2, F8, F1, F8, F2)),
    (_knn_members, (F1, F1, F1, I1, I1, B1, I2, I1, F1, F1, F1, F8, F2, I2)),
]
