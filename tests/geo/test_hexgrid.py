"""The vectorised H3 helpers give what h3-py gives one cell at a time (pentagons included; centres and areas to floating-point noise)."""

from __future__ import annotations

import h3
import numpy as np
import pytest
import shapely

from gridscout.geo import hexgrid


def _sample_cells() -> np.ndarray:
    """Res-6 cells: the children of a res-3 cell over Virginia, and a pentagon with its two rings."""
    va = h3.cell_to_children("832a80fffffffff", 6)
    near_pent = h3.grid_disk(h3.get_pentagons(6)[3], 2)
    return np.unique(np.array([h3.str_to_int(c) for c in [*va, *near_pent]], dtype=np.uint64))


def test_neighbour_pairs_equal_h3_grid_disk():
    cells = _sample_cells()
    i, j = hexgrid.neighbour_pairs(cells)
    members = set(cells.tolist())
    expected = {(a, b) for a in cells.tolist() for b in (h3.str_to_int(n) for n in h3.grid_disk(h3.int_to_str(a), 1))
                if b != a and b in members}
    got = set(zip(cells[i].tolist(), cells[j].tolist(), strict=True))
    assert got == expected
    assert len(got) == len(i)  # no pair twice
    pent = h3.str_to_int(h3.get_pentagons(6)[3])
    assert sum(a == pent for a, _ in got) == 5  # a pentagon has five neighbours
    assert hexgrid.neighbour_pairs(np.zeros(0, dtype=np.uint64))[0].size == 0


def test_cell_areas_equal_h3_cell_area():
    cells = _sample_cells()
    expected = [h3.cell_area(h3.int_to_str(c), "km^2") for c in cells.tolist()]
    assert hexgrid.cell_areas_km2(cells) == pytest.approx(expected, rel=1e-10)
    assert hexgrid.cell_areas_km2(np.zeros(0, dtype=np.uint64)).size == 0
    # H3's published average hexagon area at res 6 (h3geo.org, "Tables of cell statistics"): 36.129 km²
    va = np.array([h3.str_to_int(c) for c in h3.cell_to_children("832a80fffffffff", 6)], dtype=np.uint64)
    assert 0.8 * 36.129 < hexgrid.cell_areas_km2(va).mean() < 1.2 * 36.129


def test_cell_polygons_equal_h3_boundaries():
    # res 7 (class III): cells around a pentagon cross icosahedron edges and have 7 or 10 vertices
    around = [h3.str_to_int(c) for c in h3.grid_disk(h3.get_pentagons(7)[3], 3)]
    cells = np.concatenate([_sample_cells(), np.array(around, dtype=np.uint64)])
    polys = hexgrid.cell_polygons(cells)
    expected = np.array([shapely.Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(h3.int_to_str(c))])
                         for c in cells.tolist()])
    # polars-h3 (h3o) vertices: h3-py's to floating-point noise (1e-12° ≈ 0.1 µm), same count and order
    assert (shapely.get_num_coordinates(polys) == shapely.get_num_coordinates(expected)).all()
    assert shapely.equals_exact(polys, expected, tolerance=1e-12).all()
    assert hexgrid.cell_polygons(np.zeros(0, dtype=np.uint64)).size == 0
    assert {len(h3.cell_to_boundary(h3.int_to_str(c))) for c in cells.tolist()} == {5, 6, 7, 10}


def test_cell_centres_equal_h3_cell_to_latlng():
    """polars-h3 (h3o) centres agree with h3-py's to floating-point noise, pentagons included."""
    cells = _sample_cells()
    got = np.column_stack(hexgrid.cell_centers(cells))
    expected = np.array([h3.cell_to_latlng(h3.int_to_str(c)) for c in cells.tolist()])
    assert np.abs(got - expected).max() < 1e-9
    lat, lon = hexgrid.cell_centers(np.zeros(0, dtype=np.uint64))
    assert lat.size == lon.size == 0
