"""Transmission substations and lines: the North American GridKit source, the one GridKit parser, the
grid reader and the substation features, all on the real files (README spot values)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyproj
import pytest
import shapely

from gridscout.errors import SourceFormatError
from gridscout.features.substations import COVERAGE_KM, GridIndex, substation_features
from gridscout.sources import entsoe_gridkit
from gridscout.sources import gridkit_north_america as na

HV = "hv_line_km_within_10km"


def _row(df: pl.DataFrame, **eq) -> dict:
    rows = df.filter(pl.all_horizontal(pl.col(k) == v for k, v in eq.items())).to_dicts()
    assert len(rows) == 1, f"expected one row for {eq}, got {len(rows)}"
    return rows[0]


@pytest.fixture(scope="module")
def parsed_na(raw_dir):
    d = raw_dir / "gridkit_north_america"
    return na.parse({na.VERTICES: d / na.VERTICES, na.LINKS: d / na.LINKS})


@pytest.fixture(scope="module")
def grid(raw_dir, tmp_path_factory):
    """Both GridKit extracts ingested into one warehouse, read back through the grid reader."""
    from gridscout.jobs.ingest import ingest_source
    from gridscout.warehouse.readers.grid import read_grid

    db = tmp_path_factory.mktemp("grid") / "grid.duckdb"
    for sid in ("entsoe_gridkit", "gridkit_north_america"):
        assert ingest_source(sid, db=db, raw=raw_dir).status == "loaded"
    return read_grid(db)


@pytest.fixture(scope="module")
def index(grid):
    return GridIndex.build(grid.buses, grid.lines)


def _at(index, **points) -> dict[str, dict]:
    pts = pl.DataFrame({"name": list(points), "latitude": [p[0] for p in points.values()],
                        "longitude": [p[1] for p in points.values()]})
    out = pl.concat([pts, substation_features(pts, grid=index)], how="horizontal")
    return {r["name"]: r for r in out.to_dicts()}


# --- source ---------------------------------------------------------------------------------

def test_na_counts_and_total_length_match_readme(parsed_na):
    buses, lines = parsed_na.tables["grid_buses"], parsed_na.tables["grid_lines"]
    assert (buses.height, lines.height) == (16_174, 22_459)
    assert lines["length_km"].sum() == pytest.approx(387_178, abs=1)  # README: sum of length_m 387,178 km
    # README: typ joint 6,013 / substation 3,920 / sub_station 2,959 / station 2,194 / merge 1,033 / plant 55
    assert buses["is_substation"].sum() == 3_920 + 2_959 + 2_194 + 1_033
    assert parsed_na.vintage == "2016"


def test_na_loudoun_and_pleasant_view(parsed_na):
    buses = parsed_na.tables["grid_buses"]
    loudoun = _row(buses, name="Loudoun Substation")  # README spot check: Dominion, 500000 V, 38.8949 −77.5682
    assert (loudoun["voltage_kv"], loudoun["voltage_origin"], loudoun["operator"]) == (500.0, "published", "Dominion")
    assert (round(loudoun["latitude"], 4), round(loudoun["longitude"], 4)) == (38.8949, -77.5682)
    # Pleasant View (Dominion, a GridKit "merge" station) has no voltage tag: the highest of its links
    pv = _row(buses, name="Pleasant View Substation")
    assert (pv["voltage_kv"], pv["voltage_origin"], pv["symbol"], pv["is_substation"]) == (500.0, "lines", "merge", True)


def test_na_voltage_lists_volts_and_electrode_lines(parsed_na):
    lines = parsed_na.tables["grid_lines"]
    assert _row(lines, line_id="1906")["voltage_kv"] == 230.0     # "230000;230000;115000;115000"
    assert _row(lines, line_id="36040")["voltage_kv"] == 230.0    # "230000"; length 8088.92 m
    assert _row(lines, line_id="36040")["length_km"] == pytest.approx(8.08892196971931)
    assert _row(lines, line_id="7795")["voltage_kv"] is None      # "0": HVDC electrode line, not 0 kV
    assert _row(lines, line_id="5320")["voltage_kv"] == 1333.0    # BPA experimental line, as tagged
    geom = shapely.from_wkb(_row(lines, line_id="36040")["geometry_wkb"])  # EWKT "SRID=4326;" prefix stripped
    assert shapely.get_coordinates(geom)[0] == pytest.approx([-99.24352997596, 19.2906424386843])
    assert lines["circuits"].null_count() == lines.height  # cables lists do not count circuits


def test_na_schema_drift_names_file_and_header(raw_dir, tmp_path):
    src = raw_dir / "gridkit_north_america"
    bad = tmp_path / na.VERTICES
    bad.write_text((src / na.VERTICES).read_text().replace("v_id,lon,lat,typ,", "v_id,lon,lat,kind,", 1))
    with pytest.raises(SourceFormatError, match=r"highvoltage-vertices\.csv.*'typ'"):
        na.parse({na.VERTICES: bad, na.LINKS: src / na.LINKS})


def test_entsoe_goes_through_the_same_parser(raw_dir):
    d = raw_dir / "entsoe_gridkit"
    tables = entsoe_gridkit.parse({n: d / n for n in (entsoe_gridkit.BUSES, entsoe_gridkit.LINES)}).tables
    b = _row(tables["grid_buses"], bus_id="3371")
    assert (b["voltage_kv"], b["voltage_origin"], b["country"]) == (380.0, "published", "DEU")
    # the 82 ENTSO-E buses without a voltage (DC terminals) have no AC line to take one from
    assert tables["grid_buses"]["voltage_origin"].null_count() == 82


def test_reader_returns_both_extracts(grid):
    counts = dict(grid.buses.group_by("source_id").len().iter_rows())
    assert counts == {"entsoe_gridkit": 8_807, "gridkit_north_america": 16_174}
    assert dict(grid.lines.group_by("source_id").len().iter_rows()) == {"entsoe_gridkit": 11_151,
                                                                       "gridkit_north_america": 22_459}


# --- features -------------------------------------------------------------------------------

def test_issue_sites(index):
    f = _at(index, ashburn=(39.0438, -77.4874), lulea=(65.5848, 22.1547), frankfurt=(50.1109, 8.6821),
            sahara=(23.0, 12.0))
    a = f["ashburn"]
    # Ashburn VA: Ashburn Substation (Dominion, 230 kV) 1.3 km; Pleasant View 500 kV 5.1 km
    assert (a["substation_name"], a["substation_voltage_kv"], a["substation__source"]) == (
        "Ashburn Substation", 230.0, "gridkit_north_america")
    assert a["substation_distance_km"] == pytest.approx(1.26, abs=0.01)
    assert a["substation_345kv_voltage_kv"] >= 500 and a["substation_345kv_distance_km"] < 10
    assert a["substation_345kv_distance_km"] == pytest.approx(5.11, abs=0.01)
    # Luleå: the 380 kV substation at 65.827 N 21.657 E (ENTSO-E bus 6931, Sweden), 35 km
    lu = f["lulea"]
    assert (lu["substation__source"], lu["substation_voltage_kv"]) == ("entsoe_gridkit", 380.0)
    assert lu["substation_distance_km"] == pytest.approx(35.27, abs=0.01)
    fr = f["frankfurt"]
    assert (fr["substation__source"], fr["substation_voltage_kv"]) == ("entsoe_gridkit", 380.0)
    assert fr["substation_distance_km"] < 10 and fr[HV] > 0
    # open Sahara: no grid bus within 300 km → UNKNOWN everywhere, never 0 km
    s = f["sahara"]
    assert all(v is None for k, v in s.items() if k not in ("name", "latitude", "longitude")), s


def test_unknown_only_outside_coverage(index, grid):
    """Null exactly where no bus of either map is within COVERAGE_KM (300 km); the farthest mainland
    points measured (N. Montana 198 km, Shetland 238 km from a bus) are covered."""
    assert COVERAGE_KM == 300.0
    lat = np.array([40.0, 6.45, 64.1466, 48.7552, 60.3573])   # mid-Atlantic, Lagos, Reykjavik, N. Montana, Shetland
    lon = np.array([-40.0, 3.39, -21.9426, -108.8480, -1.1565])
    f = substation_features(pl.DataFrame({"latitude": lat, "longitude": lon}), grid=index)
    assert f["substation_distance_km"].is_null().to_list() == [True, True, False, False, False]
    assert f[HV].is_null().to_list() == [True, True, False, False, False]
    assert (f["substation_distance_km"].drop_nulls() > 0).all()
    # Reykjavik: Iceland's 220 kV grid is mapped; the nearest 330 kV+ is in Norway — far, never 0
    assert f["substation_230kv_distance_km"][2] == pytest.approx(12.55, abs=0.01)
    assert f["substation_345kv_distance_km"][2] > 1000


def _geodesic_clip_km(lines: pl.DataFrame, lat: float, lon: float, radius_km: float) -> float:
    """Independent reference: lines densified along great circles (pyproj.Geod, 200 m), projected to
    an azimuthal equidistant plane centred on the point, clipped to a 10 km disc with shapely."""
    geod = pyproj.Geod(a=6_371_008.8, b=6_371_008.8)
    aeqd = pyproj.Transformer.from_crs(
        "EPSG:4326", pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +R=6371008.8"), always_xy=True)
    disc = shapely.Point(0, 0).buffer(radius_km * 1000, quad_segs=1024)
    total = 0.0
    for geom in shapely.from_wkb(lines["geometry_wkb"].to_numpy()):
        xy = shapely.get_coordinates(geom)
        if np.hypot(*aeqd.transform(xy[:, 0], xy[:, 1])).min() > 1_000_000:  # links are < 1,000 km
            continue
        pts = [xy[0]]
        for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
            n = int(geod.inv(x0, y0, x1, y1)[2] // 200)
            pts += (list(map(np.array, geod.npts(x0, y0, x1, y1, n))) if n else []) + [np.array((x1, y1))]
        p = np.array(pts)
        total += shapely.length(shapely.intersection(
            shapely.LineString(np.column_stack(aeqd.transform(p[:, 0], p[:, 1]))), disc))
    return total / 1000


@pytest.mark.parametrize("lat,lon", [(39.0438, -77.4874), (40.0812, -82.8088), (50.1109, 8.6821)])
def test_hv_line_km_is_an_exact_clip(grid, index, lat, lon):
    """Ashburn, New Albany OH, Frankfurt: the closed-form chord clip equals a shapely clip (to 0.01 %)."""
    hv = grid.lines.filter(pl.col("voltage_kv") >= 110)
    got = substation_features(pl.DataFrame({"latitude": [lat], "longitude": [lon]}), grid=index)[HV][0]
    assert got > 20  # all three have several HV lines within 10 km
    assert got == pytest.approx(_geodesic_clip_km(hv, lat, lon, 10.0), rel=1e-4)


def test_levels_are_nested_and_voltages_meet_them(index):
    lat = np.linspace(30, 48, 60)
    lon = np.linspace(-120, -75, 60)
    f = substation_features(pl.DataFrame({"latitude": lat, "longitude": lon}), grid=index).drop_nulls(
        "substation_distance_km")
    assert f.height > 40
    # IEC 60038 classes: 110 kV is the 115 kV class, 220 kV the 230 kV class, 330 kV the 345 kV class
    assert (f["substation_voltage_kv"] >= 110).all() and (f["substation_230kv_voltage_kv"] >= 220).all()
    assert (f["substation_345kv_voltage_kv"] >= 330).all()
    assert (f["substation_distance_km"] <= f["substation_230kv_distance_km"]).all()
    assert (f["substation_230kv_distance_km"] <= f["substation_345kv_distance_km"]).all()



def test_grouped_query_gives_identical_values(index):
    """Screening cells (H3 res 7 around Ashburn, grouped by res-6 parent) get exactly the values of the
    plain per-point query."""
    import h3

    from gridscout.geo.nearest import PointGroups

    cells = sorted(h3.grid_disk(h3.latlng_to_cell(39.0438, -77.4874, 7), 25))
    ll = np.array([h3.cell_to_latlng(c) for c in cells])
    pts = pl.DataFrame({"latitude": ll[:, 0], "longitude": ll[:, 1]})
    pg = PointGroups.build(ll[:, 0], ll[:, 1], np.array([h3.str_to_int(h3.cell_to_parent(c, 6)) for c in cells]))
    plain = substation_features(pts, grid=index)
    assert plain.equals(substation_features(pts, grid=index, groups=pg))
    assert plain["substation_345kv_voltage_kv"].max() >= 500 and plain[HV].null_count() == 0


@pytest.mark.parametrize("box", [(-60.0, 75.0, -180.0, 180.0), (24.0, 50.0, -125.0, -66.0)])
def test_coverage_shortcut_equals_the_bus_query(index, box):
    """A point with a first-class substation inside COVERAGE_KM skips the bus query; the answer is the
    bus query's for every point, whether most points need it (the globe: grouped query) or few
    (the contiguous US: point by point), with and without groups."""
    from gridscout.features.substations import LEVELS_KV, _uncovered
    from gridscout.geo.nearest import PointGroups, unit_vectors

    lat0, lat1, lon0, lon1 = box
    lat, lon = (a.ravel() for a in np.meshgrid(np.arange(lat0, lat1, 0.7), np.arange(lon0, lon1, 0.7)))
    q = unit_vectors(lat, lon)
    truth = index.coverage.nearest_vectors(q, COVERAGE_KM)[0] < 0
    km = index.levels[next(iter(LEVELS_KV))].index.nearest_vectors(q)[1]
    pg = PointGroups.build(lat, lon, np.repeat(np.arange(len(lat) // 7 + 1, dtype=np.uint64), 7)[:len(lat)])
    assert np.array_equal(_uncovered(index, q, km, None), truth)
    assert np.array_equal(_uncovered(index, pg.q, km, pg), truth)
    doubt = ~(km < COVERAGE_KM * (1.0 - 1e-9))  # the points that take the bus query
    assert 0 < truth.sum() <= doubt.sum()
    assert (doubt.mean() > 0.25) == (lat0 < 0)  # both ways of asking are exercised
