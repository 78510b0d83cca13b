"""Nearest neighbours and within-radius sums on the sphere with a KD-tree on 3-D unit vectors.

Points on a sphere of radius R map to unit vectors; the chord between two unit vectors,
c = 2 sin(θ/2), is monotonic in the great-circle angle θ, so a Euclidean KD-tree
(scipy.spatial.cKDTree) finds exact great-circle nearest neighbours and radius queries
(measured here: 1,000,000 nearest of 70,000 points in 0.37 s). Distances are great-circle
distances on the mean Earth radius 6,371.0088 km (IUGG).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

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

    def __init__(self, q: np.ndarray, starts: np.ndarray):
        self.q = q
        self.n = len(q)
        self.qc = [np.ascontiguousarray(q[:, j]) for j in range(3)]  # 1-D gathers are much faster than 2-D
        self.starts = starts
        self.sizes = np.diff(np.append(starts, self.n))
        self.inv = np.repeat(np.arange(len(starts)), self.sizes)
        centre = np.add.reduceat(q, starts, axis=0)
        self.centre = centre / np.linalg.norm(centre, axis=1, keepdims=True)
        dot = sum(self.qc[j] * self.centre[:, j][self.inv] for j in range(3))
        self.rho = np.maximum.reduceat(np.arccos(np.clip(dot, -1.0, 1.0)), starts) + 1e-9  # + arccos rounding

    @classmethod
    def singletons(cls, lat_deg, lon_deg) -> PointGroups:
        """Every point its own group (e.g. candidate sites), so grouped queries serve them too."""
        return cls(unit_vectors(lat_deg, lon_deg), np.arange(len(np.asarray(lat_deg)), dtype=np.int64))

    @classmethod
    def build(cls, lat_deg, lon_deg, groups) -> "PointGroups | None":
        """Groups for the points, or None when ``groups`` is not sorted (or there are no points)."""
        starts = run_starts(groups) if len(groups) == len(lat_deg) else None
        return None if starts is None else cls(unit_vectors(lat_deg, lon_deg), starts)


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

    #: query points per chunk of the sparse distance matrix (bounds the pair arrays' memory)
    SUM_CHUNK = 400_000

    def sum_within(self, lat_deg, lon_deg, radius_km: float, weights: np.ndarray, workers: int = 2) -> np.ndarray:
        """For each query point, the sum of ``weights`` (shape (n,) or (n, k)) of indexed points within
        ``radius_km`` (great-circle).

        Vectorised: the query points are cut into chunks, each chunk's KD-tree yields its sparse
        distance matrix against the indexed points (``cKDTree.sparse_distance_matrix``, which partly
        releases the GIL, so ``workers`` chunks run side by side), and the pairs are summed per query
        point with ``np.bincount`` (one pass per weight column)."""
        from concurrent.futures import ThreadPoolExecutor

        q = unit_vectors(lat_deg, lon_deg)
        w = np.asarray(weights, dtype=np.float64)
        shape = (len(q),) + w.shape[1:]
        if self.tree is None or len(q) == 0:
            return np.zeros(shape)
        cols_w = [np.ascontiguousarray(c) for c in w.reshape(self.n, -1).T]
        chord = chord_from_km(radius_km)
        out = np.zeros((len(cols_w), len(q)))

        def chunk(lo: int, hi: int) -> None:
            if hi - lo < 2000:
                pairs = cKDTree(q[lo:hi]).query_ball_tree(self.tree, chord)
                rows = np.repeat(np.arange(hi - lo), [len(p) for p in pairs])
                cols = np.fromiter((j for p in pairs for j in p), dtype=np.int64, count=len(rows))
            else:
                sdm = cKDTree(q[lo:hi], balanced_tree=False, compact_nodes=False).sparse_distance_matrix(
                    self.tree, chord, output_type="coo_matrix")
                rows, cols = sdm.row, sdm.col
            for k, wk in enumerate(cols_w):
                out[k, lo:hi] = np.bincount(rows, weights=wk[cols], minlength=hi - lo)

        bounds = list(range(0, len(q), self.SUM_CHUNK)) + [len(q)]
        spans = list(zip(bounds[:-1], bounds[1:]))
        if workers > 1 and len(spans) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(lambda s: chunk(*s), spans))
        else:
            for s in spans:
                chunk(*s)
        return out.T.reshape(shape) if len(shape) > 1 else out[0]

    def sum_within_grouped(self, pg: PointGroups, radius_km: float, weights: np.ndarray,
                           chunk_pairs: int = 4_000_000) -> np.ndarray:
        """Exactly :meth:`sum_within` for the points of ``pg``, faster for dense points in compact groups.

        An indexed point at angle θ from a group's centre is within the radius angle θr of every
        member when θ + ρ < θr (its weight is added to the whole group at once) and of none when
        θ − ρ > θr; only the points in between are tested member by member, with the same chord
        criterion as :meth:`sum_within`. A margin of 1e-12 rad keeps floating-point ties on the
        per-member path. For res-7 H3 cells grouped by res-6 parent and a 50 km radius, about a
        sixth of the pairs are tested member by member."""
        w = np.asarray(weights, dtype=np.float64)
        shape = (pg.n,) + w.shape[1:]
        if self.tree is None or pg.n == 0:
            return np.zeros(shape)
        cols_w = [np.ascontiguousarray(c) for c in w.reshape(self.n, -1).T]
        theta_r = radius_km / EARTH_RADIUS_KM
        eps = 1e-12
        reach = min(theta_r + float(pg.rho.max()) + 1e-9, np.pi)
        sdm = cKDTree(pg.centre, balanced_tree=False, compact_nodes=False).sparse_distance_matrix(
            self.tree, 2.0 * np.sin(reach / 2.0), output_type="coo_matrix")
        gi, pi = sdm.row, sdm.col
        theta = 2.0 * np.arcsin(np.clip(sdm.data / 2.0, 0.0, 1.0))
        inner = theta + pg.rho[gi] < theta_r - eps
        ring = ~inner & (theta - pg.rho[gi] <= theta_r + eps)
        out = np.zeros((len(cols_w), pg.n))
        for k, wk in enumerate(cols_w):
            out[k] = np.bincount(gi[inner], weights=wk[pi[inner]], minlength=len(pg.starts))[pg.inv]
        gr, pr = gi[ring], pi[ring]
        chord_r = chord_from_km(radius_km)
        # expand ring pairs to (member, point) pairs, in blocks that bound memory
        n_exp = pg.sizes[gr]
        ends = np.cumsum(n_exp)
        lo = 0
        while lo < len(gr):
            hi = max(int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + chunk_pairs, side="right")), lo + 1)
            ns = n_exp[lo:hi]
            rep = np.repeat(np.arange(lo, hi), ns)
            member = pg.starts[gr[rep]] + (np.arange(int(ns.sum())) - np.repeat(np.cumsum(ns) - ns, ns))
            point = pr[rep]
            d2 = sum((pg.qc[j][member] - self.columns[j][point]) ** 2 for j in range(3))
            keep = np.sqrt(d2) <= chord_r
            for k, wk in enumerate(cols_w):
                out[k] += np.bincount(member[keep], weights=wk[point[keep]], minlength=pg.n)
            lo = hi
        return out.T.reshape(shape) if len(shape) > 1 else out[0]

    def nearest_grouped(self, pg: PointGroups, max_km: float | None = None):
        """Exactly :meth:`nearest` for the points of ``pg`` (up to ties between equidistant indexed
        points), faster for dense points in compact groups.

        The two indexed points nearest a group's centre lie at angles θ1 ≤ θ2. Every member is
        within θ1 + ρ of the first and at least θ2 − ρ from any other, so when θ1 + ρ < θ2 − ρ the
        first is every member's nearest (settled when also θ1 + ρ is within ``max_km``); when
        θ1 − ρ exceeds ``max_km`` no member has one. Other groups' members are queried one by one.
        Distances are computed member by member."""
        if self.tree is None or self.n < 2 or pg.n == 0:
            return self.nearest_vectors(pg.q, max_km)
        d, i = self.tree.query(pg.centre, k=2, workers=-1)
        theta = 2.0 * np.arcsin(np.clip(d / 2.0, 0.0, 1.0))
        theta_max = np.inf if max_km is None else max_km / EARTH_RADIUS_KM
        rho, eps = pg.rho, 1e-12
        settled = (theta[:, 0] + rho < theta[:, 1] - rho - eps) & (theta[:, 0] + rho < theta_max - eps)
        beyond = theta[:, 0] - rho > theta_max + eps
        idx = np.where(beyond, -1, i[:, 0])[pg.inv]
        rest = np.flatnonzero(~(settled | beyond)[pg.inv])
        if len(rest):
            idx[rest], _ = self.nearest_vectors(pg.q[rest], max_km)
        hit = np.flatnonzero(idx >= 0)
        km = np.full(pg.n, np.nan)
        pj = idx[hit]
        d2 = sum((pg.qc[j][hit] - self.columns[j][pj]) ** 2 for j in range(3))
        km[hit] = km_from_chord(np.sqrt(d2))
        return idx.astype(np.int64), km

    def pairs_within_vectors(self, q: np.ndarray, radius_km: float, chunk: int = SUM_CHUNK):
        """Yield ``(query_index, point_index)`` arrays of every pair of a query point (unit vectors,
        see :func:`unit_vectors`) and an indexed point within ``radius_km`` (great-circle), chunk by
        chunk of query points (bounds memory), for per-pair computations that a weighted sum
        (:meth:`sum_within`) cannot express."""
        if self.tree is None or len(q) == 0:
            return
        chord = chord_from_km(radius_km)
        for lo in range(0, len(q), chunk):
            sdm = cKDTree(q[lo:lo + chunk], balanced_tree=False, compact_nodes=False).sparse_distance_matrix(
                self.tree, chord, output_type="coo_matrix")
            yield sdm.row.astype(np.int64) + lo, sdm.col.astype(np.int64)

    def kernel_sum_grouped(self, pg: PointGroups, radius_km: float, weights: np.ndarray,
                           kernel, chunk_pairs: int = 4_000_000) -> np.ndarray:
        """For each point of ``pg``, the sum over indexed points within ``radius_km`` (great-circle) of
        ``weights`` (shape (n,) or (n, k)) times ``kernel(distance_km)`` (a vectorised function, e.g. a
        distance decay). Exact: candidate pairs come from one KD-tree query per group (centre, radius
        + ρ), then every member's great-circle distance to each candidate is computed and those beyond
        ``radius_km`` dropped. Candidate sites use :meth:`PointGroups.singletons`, screening cells
        their H3 groups: the same code, the same values (up to the order of floating-point sums)."""
        w = np.asarray(weights, dtype=np.float64)
        shape = (pg.n,) + w.shape[1:]
        if self.tree is None or pg.n == 0:
            return np.zeros(shape)
        cols_w = [np.ascontiguousarray(c) for c in w.reshape(self.n, -1).T]
        reach = min(radius_km / EARTH_RADIUS_KM + float(pg.rho.max()) + 1e-9, np.pi)
        sdm = cKDTree(pg.centre, balanced_tree=False, compact_nodes=False).sparse_distance_matrix(
            self.tree, 2.0 * np.sin(reach / 2.0), output_type="coo_matrix")
        gi, pi = sdm.row, sdm.col
        out = np.zeros((len(cols_w), pg.n))
        # members laid out per group in a (groups, width) table (NaN-padded; H3 children: width 7), so a
        # block of (group, point) pairs is one row gather per coordinate and a broadcast, in the same
        # (pair, member) order and with the same arithmetic as an explicit member-by-member expansion
        width = int(pg.sizes.max())
        slot = np.arange(width)
        valid = slot[None, :] < pg.sizes[:, None]
        rows = pg.starts[:, None] + np.where(valid, slot[None, :], 0)
        table = [np.where(valid, pg.qc[j][rows], np.nan) for j in range(3)]
        chord_bound2 = (chord_from_km(radius_km) * (1.0 + 1e-6)) ** 2
        n_exp = pg.sizes[gi]
        ends = np.cumsum(n_exp)
        lo = 0
        while lo < len(gi):
            hi = max(int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + chunk_pairs, side="right")), lo + 1)
            g, pt = gi[lo:hi], pi[lo:hi]
            d2 = (table[0][g] - self.columns[0][pt][:, None]) ** 2
            d2 += (table[1][g] - self.columns[1][pt][:, None]) ** 2
            d2 += (table[2][g] - self.columns[2][pt][:, None]) ** 2
            # distances only for pairs near the radius (a generous chord bound; NaN padding fails it),
            # then the exact great-circle test on those
            near = d2 <= chord_bound2
            km = km_from_chord(np.sqrt(d2[near]))
            keep = km <= radius_km
            member = (pg.starts[g][:, None] + slot[None, :])[near][keep]
            point = np.broadcast_to(pt[:, None], near.shape)[near][keep]
            k = kernel(km[keep])
            for c, wk in enumerate(cols_w):
                out[c] += np.bincount(member, weights=wk[point] * k, minlength=pg.n)
            lo = hi
        return out.T.reshape(shape) if len(shape) > 1 else out[0]
