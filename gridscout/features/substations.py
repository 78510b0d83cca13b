"""Transmission access per point: the nearest substation at 115 / 230 / 345 kV and HV line length nearby.

Pure and vectorised (frames in, frames out; no warehouse). Inputs are the ``grid_buses`` and
``grid_lines`` of every GridKit extract loaded (``entsoe_gridkit`` for Europe, North Africa and the
Middle East, ``gridkit_north_america`` for the US, Canada and Mexico; see
:mod:`gridscout.sources.gridkit`), read by :mod:`gridscout.warehouse.readers.grid`. Sites and screening
cells go through the same function, so the same point gets the same values.

Columns, one row per input point, in input order:

* ``substation_distance_km``, ``substation_voltage_kv``, ``substation_name``, ``substation__source``:
  the nearest substation of the 115 kV class or above; ``substation_230kv_distance_km`` /
  ``…_voltage_kv`` and ``substation_345kv_…`` the same for the 230 and 345 kV classes and above.
  Classes follow IEC 60038 (:data:`LEVELS_KV`): "≥ 115 kV" takes 110 kV and up, "≥ 230 kV" 220 kV
  and up (Europe's 220 kV grid is the 230 kV class), "≥ 345 kV" 330 kV and up. A substation is a
  bus the map calls one (ENTSO-E symbol "Substation"/"Substations + Power Plants"; OSM ``typ``
  substation, sub_station, station or merge), never a line joint or a plant's own terminal. Its
  voltage is the highest of the buses at its location (a station is several buses, 380 + 220 kV);
  a bus published without voltage takes the highest voltage of its lines, and one with neither is
  not counted at any level (unknown is not ≥ 115 kV). Distances are great-circle, exact (KD-tree on
  unit vectors, :class:`gridscout.geo.nearest.SphereIndex`).
* ``hv_line_km_within_10km``: route length [km] of lines of the 115 kV class and above inside the
  10 km great-circle disc around the point, by an exact clip, not by segment midpoints: each line
  is cut into pieces of at most :data:`MAX_PIECE_KM` along its great circles, each piece is a chord
  between unit vectors, and the length of the chord inside the ball of the disc's chord radius is
  solved in closed form (a quadratic), so a line crossing the disc edge counts only its inside
  part. The chord of a 5 km piece departs from its arc by under 0.5 m; against shapely clipping
  lines densified along geodesics in a local azimuthal equidistant projection the two agree to
  1e-6 (Ashburn 53.6334 km both; tested to 1e-4). Lines with no published voltage are not counted.
  Parallel circuits on one line count once (route km, not circuit km). North American GridKit links
  are straight between their end vertices, so their routes are simplified.

Coverage (UNKNOWN is not 0 km): a point with no bus of any kind within :data:`COVERAGE_KM` (300 km)
is outside the mapped grids and gets null in every column. The grids mapped are Europe (+ N.
Africa, Middle East, from the ENTSO-E map) and North America (OSM, 2016). 300 km is above the
largest gap measured inside the mapped mainlands (H3 res-4 cell centres, nearest bus of any kind:
198 km in the contiguous US, northern Montana; 238 km in 35 European countries, Shetland), so no
mainland point is UNKNOWN, while Lagos or the central Sahara (23 N 12 E), farther than 300 km from
any mapped bus, are. A covered point gets the distance to the nearest substation of each class
however far it is (Reykjavik: 220 kV at 12.6 km, and 1,201 km to the nearest 330 kV+ substation,
in Norway: Iceland's grid tops out at 220 kV), and 0 km of lines when none is within 10 km.
Near the edge of a map (Russia next to Finland) the nearest mapped substation can be farther than
the real one: a far value, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import polars as pl
import shapely

from gridscout.geo.nearest import EARTH_RADIUS_KM, PointGroups, SphereIndex, take, unit_vectors
from gridscout.kernel_types import F1, F2, F8, I1

#: voltage classes of the nearest-substation columns: column label [kV] → lowest nominal voltage in
#: the class [kV]. IEC 60038 (2009) puts nominal 110 and 115 kV in one class (highest voltage for
#: equipment Um 123 kV, Table 4), 220 and 230 kV in one (Um 245 kV, Table 4) and 330 and 345 kV in one
#: (Um 362 kV, Table 5): Europe's 220 kV is North America's 230 kV. The first is the plain ``substation_…``.
LEVELS_KV = {115: 110.0, 230: 220.0, 345: 330.0}
#: a point with no grid bus within this distance [km] is outside the mapped grids (all columns null)
COVERAGE_KM = 300.0
#: lines counted in ``hv_line_km_within_<r>km``: voltage ≥ this [kV], within this radius [km]
HV_LINE_MIN_KV = LEVELS_KV[115]
HV_LINE_RADIUS_KM = 10.0
#: longest piece [km] lines are cut into before clipping (bounds the pair search and the chord error)
MAX_PIECE_KM = 5.0

BUS_COLUMNS = ("source_id", "bus_id", "latitude", "longitude", "voltage_kv", "is_substation", "name")
LINE_COLUMNS = ("source_id", "line_id", "voltage_kv", "geometry_wkb")


def _level_prefix(label: int) -> str:
    return "substation" if label == next(iter(LEVELS_KV)) else f"substation_{label}kv"


def output_schema() -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {}
    for label in LEVELS_KV:
        p = _level_prefix(label)
        schema[f"{p}_distance_km"] = pl.Float64
        schema[f"{p}_voltage_kv"] = pl.Float64
        if p == "substation":
            schema["substation_name"] = pl.Utf8
            schema["substation__source"] = pl.Utf8
    schema[f"hv_line_km_within_{HV_LINE_RADIUS_KM:g}km"] = pl.Float64
    return schema


@dataclass
class _Level:
    index: SphereIndex
    stations: pl.DataFrame  # latitude, longitude, voltage_kv, name, source_id (one row per location)


@dataclass
class GridIndex:
    """The spatial indexes built from one set of buses and lines; build once, query many points."""

    coverage: SphereIndex
    levels: dict[int, _Level]
    piece_a: np.ndarray      # (m, 3) unit vectors: start of each line piece
    piece_b: np.ndarray      # (m, 3) end
    pieces: SphereIndex      # midpoints of the pieces
    half_piece_km: float     # largest half chord of a piece

    @classmethod
    def build(cls, buses: pl.DataFrame, lines: pl.DataFrame) -> GridIndex:
        _require(buses, BUS_COLUMNS, "buses")
        _require(lines, LINE_COLUMNS, "lines")
        coverage = SphereIndex(buses["latitude"].to_numpy(), buses["longitude"].to_numpy())
        stations = (buses.filter(pl.col("is_substation") & pl.col("voltage_kv").is_not_null())
                    .sort("voltage_kv", "source_id", "bus_id", descending=[True, False, False])
                    .group_by("latitude", "longitude", maintain_order=True)
                    .agg(pl.col("voltage_kv").first(), pl.col("name").drop_nulls().first(),
                         pl.col("source_id").first())
                    .sort("latitude", "longitude"))
        levels = {}
        for label, min_kv in LEVELS_KV.items():
            s = stations.filter(pl.col("voltage_kv") >= min_kv)
            levels[label] = _Level(SphereIndex(s["latitude"].to_numpy(), s["longitude"].to_numpy()), s)
        a, b = _line_pieces(lines.filter(pl.col("voltage_kv") >= HV_LINE_MIN_KV)["geometry_wkb"])
        mid = a + b
        norm = np.linalg.norm(mid, axis=1)
        mid = mid / np.where(norm > 0, norm, 1.0)[:, None]
        mid_lat = np.degrees(np.arcsin(np.clip(mid[:, 2], -1, 1)))
        mid_lon = np.degrees(np.arctan2(mid[:, 1], mid[:, 0]))
        half = float(np.linalg.norm(b - a, axis=1).max() / 2 * EARTH_RADIUS_KM) if len(a) else 0.0
        return cls(coverage, levels, a, b, SphereIndex(mid_lat, mid_lon), half)


def _require(df: pl.DataFrame, cols: tuple[str, ...], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what} frame lacks column(s) {missing}; it needs {cols}")


def _line_pieces(wkb: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Start and end unit vectors of every piece of every line, each piece ≤ :data:`MAX_PIECE_KM`
    (a vertex-to-vertex segment longer than that is cut into equal chords along its great circle)."""
    if wkb.len() == 0:
        return np.zeros((0, 3)), np.zeros((0, 3))
    geoms = shapely.from_wkb(wkb.to_numpy())
    xy, which = shapely.get_coordinates(geoms, return_index=True)
    v = unit_vectors(xy[:, 1], xy[:, 0])
    same = which[1:] == which[:-1]
    a, b = v[:-1][same], v[1:][same]
    chord_km = np.linalg.norm(b - a, axis=1) * EARTH_RADIUS_KM
    n = np.maximum(1, np.ceil(chord_km / MAX_PIECE_KM).astype(np.int64))
    seg = np.repeat(np.arange(len(a)), n)
    k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    t0, t1 = (k / n[seg])[:, None], ((k + 1) / n[seg])[:, None]
    p0 = a[seg] + t0 * (b[seg] - a[seg])
    p1 = a[seg] + t1 * (b[seg] - a[seg])
    p0 /= np.linalg.norm(p0, axis=1, keepdims=True)
    p1 /= np.linalg.norm(p1, axis=1, keepdims=True)
    return p0, p1


def _hv_line_km(grid: GridIndex, pg: PointGroups, radius_km: float) -> np.ndarray:
    """Route km of HV line pieces inside the ``radius_km`` disc of every member of ``pg`` (sites:
    :meth:`PointGroups.singletons`; screening cells: their H3 groups). The pieces whose midpoint lies
    within reach of a group's centre (+ ρ) are candidates (one KD-tree query per group); each is
    clipped against each member's ball in a compiled loop (:func:`_clip_pairs`). A piece outside a
    member's ball adds exactly 0, and each member sums its pieces in piece order, so a point gets
    the same value however it is grouped."""
    out = np.zeros(pg.n)
    if len(grid.piece_a) == 0:
        return out
    ball = 2.0 * np.sin(radius_km / EARTH_RADIUS_KM / 2.0)  # chord radius of the disc (unit sphere)
    reach = radius_km + grid.half_piece_km + 0.01  # every piece touching the disc has its midpoint within
    indptr, pi = grid.pieces.candidates_within(pg, reach)  # per group, pieces in index order
    gi = np.repeat(np.arange(len(pg.starts), dtype=np.int64), np.diff(indptr))
    _clip_pairs(gi, pi, pg.starts, pg.sizes, pg.qc[0], pg.qc[1], pg.qc[2], grid.piece_a,
                grid.piece_b, ball, out)
    return out * EARTH_RADIUS_KM


@numba.njit(cache=True, nogil=True)
def _clip_pairs(gi, pi, starts, sizes, q0, q1, q2, pa, pb, radius, out):
    """For each (group, piece) pair and each member q of the group: add to ``out`` the length of the
    piece's chord pa→pb inside the ball of ``radius`` around q (unit vectors): solve
    |pa + t (pb − pa) − q| = radius for t, clip the roots to [0, 1]."""
    for t in range(len(gi)):
        g, p = gi[t], pi[t]
        d0, d1, d2 = pb[p, 0] - pa[p, 0], pb[p, 1] - pa[p, 1], pb[p, 2] - pa[p, 2]
        a = d0 * d0 + d1 * d1 + d2 * d2
        if not a > 0:
            continue
        for m in range(starts[g], starts[g] + sizes[g]):
            w0, w1, w2 = pa[p, 0] - q0[m], pa[p, 1] - q1[m], pa[p, 2] - q2[m]
            b = 2.0 * (d0 * w0 + d1 * w1 + d2 * w2)
            c = (w0 * w0 + w1 * w1 + w2 * w2) - radius * radius
            disc = b * b - 4.0 * a * c
            if disc > 0:
                root = np.sqrt(disc)
                lo = min(max((-b - root) / (2.0 * a), 0.0), 1.0)
                hi = min(max((-b + root) / (2.0 * a), 0.0), 1.0)
                out[m] += (hi - lo) * np.sqrt(a)


def _uncovered(grid: GridIndex, q: np.ndarray, station_km: np.ndarray, groups: PointGroups | None) -> np.ndarray:
    """Per point (unit vectors ``q``): no bus of any kind within :data:`COVERAGE_KM`. A substation of the
    first class (``station_km``: its distance, NaN when none) is a bus, so a point with one well inside
    the radius is covered; only the others are looked up in the bus index (by ``groups`` when most
    points need it, else point by point) — the answer of one query for every point, without it
    (CONUS r7: 0.08 CPU-s per 262 k cells, none of them needing the bus query)."""
    doubt = ~(station_km < COVERAGE_KM * (1.0 - 1e-9))  # NaN (none) included; equality left to the index
    if doubt.sum() * 4 > len(q) and groups is not None:
        return grid.coverage.nearest_grouped(groups, COVERAGE_KM)[0] < 0
    out = np.zeros(len(q), dtype=bool)
    rows = np.flatnonzero(doubt)
    if len(rows):
        out[rows] = grid.coverage.nearest_vectors(q[rows], COVERAGE_KM)[0] < 0
    return out


def substation_features(points: pl.DataFrame, buses: pl.DataFrame | None = None,
                        lines: pl.DataFrame | None = None, *, grid: GridIndex | None = None,
                        groups: PointGroups | None = None, line_groups: PointGroups | None = None) -> pl.DataFrame:
    """The columns of the module docstring for each row of ``points`` (``latitude``, ``longitude`` in
    degrees), row-aligned with ``points``. Give ``buses`` and ``lines`` (frames of
    :mod:`gridscout.warehouse.readers.grid`) or a prebuilt ``grid``. ``groups`` (the points grouped,
    e.g. H3 cells sorted and labelled by parent: :meth:`PointGroups.build`) gives the same values
    faster: the grouped exact nearest-neighbour query (:meth:`gridscout.geo.nearest.SphereIndex.nearest_grouped`;
    equal distances: the lower row) and the line clip per group (:func:`_hv_line_km`); ``line_groups``
    (the same points grouped more coarsely, e.g. H3 parents two levels up: fewer candidate queries
    for the 10 km line clip, half the time at CONUS r7) groups the line clip instead, when given."""
    _require(points, ("latitude", "longitude"), "points")
    if grid is None:
        if buses is None or lines is None:
            raise ValueError("give buses and lines, or a prebuilt GridIndex")
        grid = GridIndex.build(buses, lines)
    if groups is not None and groups.n != points.height:
        raise ValueError(f"groups cover {groups.n} points, the frame has {points.height}")
    q = groups.q if groups is not None else unit_vectors(points["latitude"].to_numpy(), points["longitude"].to_numpy())

    def nearest(index: SphereIndex, max_km: float | None = None):
        return index.nearest_grouped(groups, max_km) if groups is not None else index.nearest_vectors(q, max_km)

    found = {label: nearest(grid.levels[label].index) for label in LEVELS_KV}
    uncovered = _uncovered(grid, q, found[next(iter(LEVELS_KV))][1], groups)
    schema = output_schema()
    cols: dict[str, pl.Series] = {}

    def masked(values: np.ndarray, name: str) -> pl.Series:
        return pl.Series(name, np.where(uncovered, np.nan, values)).fill_nan(None)

    for label in LEVELS_KV:
        p = _level_prefix(label)
        level = grid.levels[label]
        i, km = found[label]
        i = np.where(uncovered, -1, i)
        hit = take(level.stations, i)
        cols[f"{p}_distance_km"] = masked(km, f"{p}_distance_km")
        cols[f"{p}_voltage_kv"] = hit["voltage_kv"].alias(f"{p}_voltage_kv")
        if p == "substation":
            cols["substation_name"] = hit["name"].alias("substation_name")
            cols["substation__source"] = hit["source_id"].alias("substation__source")
    name = f"hv_line_km_within_{HV_LINE_RADIUS_KM:g}km"
    pg = line_groups or groups
    if pg is None and points.height:
        pg = PointGroups.singletons(points["latitude"].to_numpy(), points["longitude"].to_numpy())
    km = _hv_line_km(grid, pg, HV_LINE_RADIUS_KM) if points.height else np.zeros(0)  # uncovered: masked
    cols[name] = masked(km, name)
    return pl.DataFrame([cols[c].cast(schema[c]) for c in schema])


#: the signatures screening calls the kernels with (:mod:`gridscout.kernels` loads them ahead)
KERNEL_SIGNATURES = [(_clip_pairs, (I1, I1, I1, I1, F1, F1, F1, F2, F2, F8, F1))]
