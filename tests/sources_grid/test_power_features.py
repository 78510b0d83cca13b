"""Power features (gridscout.features.power) on a warehouse loaded from the real files, checked by brute force."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from gridscout.features import power as pa
from gridscout.features.location import locate
from gridscout.warehouse.readers.reference import read_reference

SOURCES = ("boundaries", "gppd", "gppd_usa", "eia860", "entsoe_gridkit", "gridkit_north_america", "reeds",
           "iso_queue_pjm", "us_counties")
SITES = pl.DataFrame({
    "site_id": ["ashburn_va", "frankfurt_de", "bankhead_al", "tokyo_jp", "mid_atlantic_ocean", "new_albany_oh"],
    "latitude": [39.0438, 50.1109, 33.4587, 35.6762, 40.0, 40.0812],
    "longitude": [-77.4874, 8.6821, -87.3568, 139.6503, -40.0, -82.8088],
    "county": ["Loudoun", None, "Tuscaloosa", None, None, "Franklin"],
})


def haversine_km(lat1, lon1, lat2, lon2):
    """Independent reference: haversine on the IUGG mean radius."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


@pytest.fixture(scope="module")
def db(tmp_path_factory, raw_dir):
    from gridscout.jobs.ingest import ingest_source

    path = tmp_path_factory.mktemp("power") / "w.duckdb"
    for sid in SOURCES:
        ingest_source(sid, db=path, raw=raw_dir)
    return path


def power_only(sites: pl.DataFrame, db) -> pl.DataFrame:
    """The power features (and ``site_id``) of located sites, as site scoring computes them."""
    located = locate(sites, read_reference(db))
    return pa.power_features(located, read_reference(db)).drop([c for c in located.columns if c != "site_id"])


@pytest.fixture(scope="module")
def features(db):
    return power_only(SITES, db)


def _site(features, site_id):
    return features.filter(pl.col("site_id") == site_id).row(0, named=True)


def _brute_capacity(path, lat, lon, radius_km, country=None):
    df = pl.read_csv(path, infer_schema_length=0).with_columns(
        pl.col("capacity_mw", "latitude", "longitude").cast(pl.Float64, strict=False)).drop_nulls(
        ["capacity_mw", "latitude", "longitude"])
    if country:
        df = df.filter(pl.col("country") == country)
    d = haversine_km(lat, lon, df["latitude"].to_numpy(), df["longitude"].to_numpy())
    return df.filter(pl.Series(d <= radius_km))


def test_capacity_within_50km_matches_brute_force_haversine_europe(features, raw_dir):
    s = _site(features, "frankfurt_de")
    gppd = raw_dir / "gppd" / "gppd_v1.2_reduced_global_power_plant_database.csv"
    near = _brute_capacity(gppd, 50.1109, 8.6821, 50)
    assert s["capacity_within_50km_mw"] == pytest.approx(near["capacity_mw"].sum(), abs=1e-6)
    coal = near.filter(pl.col("primary_fuel") == "Coal")["capacity_mw"].sum()
    assert s["capacity_coal_within_50km_mw"] == pytest.approx(coal, abs=1e-6)
    far = _brute_capacity(gppd, 50.1109, 8.6821, 100)
    assert s["capacity_within_100km_mw"] == pytest.approx(far["capacity_mw"].sum(), abs=1e-6)
    assert s["capacity__source"] == "gppd"


def test_capacity_within_50km_matches_brute_force_us_source_database(features, raw_dir):
    s = _site(features, "ashburn_va")
    near = _brute_capacity(raw_dir / "gppd" / "source_databases" / "database_USA.csv", 39.0438, -77.4874, 50)
    assert s["capacity_within_50km_mw"] == pytest.approx(near["capacity_mw"].sum(), abs=1e-6)
    assert s["capacity__source"] == "gppd_usa"  # US plants from gppd_usa only: none counted twice
    fuels = [c for c in features.columns if c.startswith("capacity_") and c.endswith("_within_50km_mw")
             and c != "capacity_within_50km_mw"]
    assert sum(s[c] for c in fuels) == pytest.approx(s["capacity_within_50km_mw"])
    assert s["firm_capacity_within_50km_mw"] + s["variable_capacity_within_50km_mw"] <= s["capacity_within_50km_mw"]


def test_bankhead_capacity_includes_the_dam(features):
    s = _site(features, "bankhead_al")
    assert s["capacity_hydro_within_50km_mw"] >= 53.9  # Bankhead Dam itself, 53.9 MW (EIA 2019)


def test_unknown_is_null_not_zero(features):
    ocean = _site(features, "mid_atlantic_ocean")
    for k, v in ocean.items():
        if k != "site_id":
            assert v is None, k
    tokyo = _site(features, "tokyo_jp")
    assert tokyo["capacity_within_50km_mw"] > 0  # GPPD covers Japan
    assert tokyo["substation_distance_km"] is None and tokyo["transfer_limit_mw"] is None  # no grid map of Japan
    assert tokyo["queue_active_mw_within_50km"] is None and tokyo["queue_median_years"] is None


def test_nearest_substation_europe_brute_force(features, raw_dir):
    s = _site(features, "frankfurt_de")
    buses = pl.read_csv(raw_dir / "entsoe_gridkit" / "buses.csv", quote_char="'").filter(
        pl.col("symbol").is_in(["Substation", "Substations + Power Plants"]) & (pl.col("voltage") >= 110))
    d = haversine_km(50.1109, 8.6821, buses["y"].to_numpy(), buses["x"].to_numpy())
    i = int(np.argmin(d))
    assert s["substation_distance_km"] == pytest.approx(d[i], rel=1e-9)
    same_place = buses.filter(pl.Series(np.abs(d - d[i]) < 1e-9))  # a 380 + 220 kV substation: its top voltage
    assert s["substation_voltage_kv"] == same_place["voltage"].max()
    assert s["substation__source"] == "entsoe_gridkit"


def test_us_substations_come_from_the_osm_map(features):
    """No more EIA-860 plant proxy: US sites get real substations (OpenStreetMap GridKit extract)."""
    s = _site(features, "ashburn_va")
    assert (s["substation_name"], s["substation__source"]) == ("Ashburn Substation", "gridkit_north_america")
    assert s["substation_345kv_voltage_kv"] >= 500 and s["substation_345kv_distance_km"] < 10  # Pleasant View
    assert _site(features, "bankhead_al")["substation__source"] == "gridkit_north_america"


def _brute_weighted(path, lat, lon):
    """Independent reference of the distance-weighted capacity: haversine + the kernel written out."""
    df = _brute_capacity(path, lat, lon, 1000)
    d = haversine_km(lat, lon, df["latitude"].to_numpy(), df["longitude"].to_numpy())
    L = pa.decay_length_km()
    k = np.where(d <= 3 * L, (np.exp(-d / L) - np.exp(-3)) / (1 - np.exp(-3)), 0.0)
    return float((df["capacity_mw"].to_numpy() * k).sum())


def test_decay_length_gives_the_50km_disc_area():
    L = pa.decay_length_km()
    d = np.linspace(0, 3 * L, 300_001)
    area = np.trapezoid(2 * np.pi * d * pa.decay_kernel(d, L), d)
    assert area == pytest.approx(np.pi * 50**2, rel=1e-9) and L == pytest.approx(45.378, abs=1e-3)
    assert pa.decay_kernel(np.array([0.0, 3 * L, 3 * L + 1]), L) == pytest.approx([1.0, 0.0, 0.0], abs=1e-15)  # no step


def test_weighted_capacity_has_no_50km_cliff(features, raw_dir):
    """New Albany OH: 22 MW within 50 km (the 564 MW plant is 51.6 km away) — the weighted figure
    counts it and every other plant by distance, as a brute-force sum over database_USA.csv does."""
    usa = raw_dir / "gppd" / "source_databases" / "database_USA.csv"
    na = _site(features, "new_albany_oh")
    assert na["capacity_within_50km_mw"] == pytest.approx(22.0, abs=0.5)
    assert na["capacity_weighted_mw"] == pytest.approx(_brute_weighted(usa, 40.0812, -82.8088), rel=1e-9)
    assert na["capacity_weighted_mw"] > 400
    ash = _site(features, "ashburn_va")
    assert ash["capacity_weighted_mw"] == pytest.approx(_brute_weighted(usa, 39.0438, -77.4874), rel=1e-9)
    assert ash["firm_capacity_weighted_mw"] + ash["variable_capacity_weighted_mw"] <= ash["capacity_weighted_mw"] + 1e-6
    assert _site(features, "mid_atlantic_ocean")["capacity_weighted_mw"] is None


def test_transfer_limit_is_the_sum_of_the_areas_interfaces(features, raw_dir):
    s = _site(features, "ashburn_va")
    lim = pl.read_csv(raw_dir / "reeds" / "transmission_capacity_init_AC_ba_NARIS2024.csv")
    dc = pl.read_csv(raw_dir / "reeds" / "transmission_capacity_init_nonAC_ba.csv")
    a = s["reeds_area"]
    expected = (lim.filter(pl.col("r") == a)["MW_f0"].sum() + lim.filter(pl.col("rr") == a)["MW_r0"].sum()
                + dc.filter((pl.col("r") == a) | (pl.col("rr") == a))["MW"].sum())
    assert a == "p99"
    assert s["transfer_limit_mw"] == pytest.approx(expected)
    assert s["transfer_limit__source"] == pa.TRANSFER_SOURCE


def test_queue_mw_in_county_is_the_waiting_mw(features, raw_dir):
    """Brute force from PJM's raw export: MW Energy of Loudoun (VA) requests still waiting."""
    import openpyxl

    wb = openpyxl.load_workbook(raw_dir / "iso_queues" / "PJM Queue.xlsx", read_only=True, data_only=True)
    rows = wb["Data"].iter_rows(values_only=True)
    head = next(rows)
    st, co, status, mw = (head.index(c) for c in ("State", "County", "Status", "MW Energy"))
    waiting = sum(r[mw] or 0 for r in rows if r[st] == "VA" and r[co] == "Loudoun" and r[status] in
                  ("Active", "Engineering and Procurement", "Under Construction",
                   "Partially in Service - Under Construction"))
    wb.close()
    s = _site(features, "ashburn_va")
    assert (s["queue_iso"], s["queue_source_id"]) == ("PJM", "iso_queue_pjm")
    assert s["queue_active_mw_county"] == pytest.approx(waiting) and waiting > 0
    assert s["queue_active_mw_within_50km"] >= s["queue_active_mw_county"]
    assert 3 < s["queue_median_years"] < 6
    bankhead = _site(features, "bankhead_al")  # Alabama (Southern Co., SERTP) is in no ISO: unknown
    assert bankhead["queue_iso"] is None and bankhead["queue_active_mw_county"] is None
    assert bankhead["queue_median_years"] is None


def test_features_are_vectorised_for_many_sites(db):
    rng = np.random.default_rng(0)
    many = pl.DataFrame({"site_id": [f"s{i}" for i in range(2000)], "latitude": rng.uniform(30, 48, 2000),
                         "longitude": rng.uniform(-120, -75, 2000)})
    out = power_only(many, db)
    assert out.height == 2000 and out["site_id"].to_list() == many["site_id"].to_list()


@pytest.mark.parametrize("bbox", [(-78.0, 38.7, -77.2, 39.3),   # northern Virginia (OSM map, gppd_usa)
                                  (8.2, 49.8, 9.0, 50.3)])       # Rhine-Main (ENTSO-E map, gppd)
def test_site_and_cell_at_the_same_point_get_the_same_power_features(db, bbox):
    """One implementation: screening cells (grouped by H3 parent) and candidate sites at the cells'
    centres get the same substation, HV-line and distance-weighted capacity values."""
    import shapely

    from gridscout.features.assemble import cell_features, site_features
    from gridscout.geo import hexgrid

    ref = read_reference(db)
    cells, lat, lon = hexgrid.polyfill(shapely.box(*bbox), 7)
    cells_f = cell_features(cells, lat, lon, ref)
    pick = np.linspace(0, cells_f.height - 1, 40).astype(int)
    sample = cells_f[pick]
    sites_f = site_features(sample.select(pl.col("h3").alias("site_id"), "latitude", "longitude"), ref)
    cols = ["substation_distance_km", "substation_voltage_kv", "substation_name", "substation__source",
            "substation_230kv_distance_km", "substation_230kv_voltage_kv", "substation_345kv_distance_km",
            "substation_345kv_voltage_kv", "hv_line_km_within_10km", "capacity_weighted_mw",
            "firm_capacity_weighted_mw", "variable_capacity_weighted_mw", "capacity_within_50km_mw"]
    for c in cols:
        a, b = sample[c], sites_f[c]
        if a.dtype.is_float():
            assert np.allclose(a.fill_null(np.nan).to_numpy(), b.fill_null(np.nan).to_numpy(), equal_nan=True,
                               rtol=1e-12, atol=1e-9), c
        else:
            assert a.to_list() == b.to_list(), c
    assert sample["substation_distance_km"].null_count() == 0 and sample["capacity_weighted_mw"].min() > 0


def test_plant_data_confidence_follows_the_national_inventories(db):
    """A national inventory (EIA-860 in the US) is trusted; GPPD's global compilation is low confidence
    (Lagos: the 1.3 GW Egbin plant is missing from GPPD), and no data is null, not a confidence."""
    lagos = pl.DataFrame({"site_id": ["lagos_ng"], "latitude": [6.5244], "longitude": [3.3792], "county": [None]},
                         schema_overrides={"county": pl.Utf8})
    f = power_only(pl.concat([SITES, lagos]), db)
    conf = dict(zip(f["site_id"], f["capacity__confidence"]))
    assert conf["ashburn_va"] == "high" and conf["new_albany_oh"] == "high"
    assert conf["lagos_ng"] == "low" and conf["frankfurt_de"] == "low" and conf["tokyo_jp"] == "low"
    assert conf["mid_atlantic_ocean"] is None
    inventories = pa.national_inventories()
    assert {"USA", "CAN", "IND", "BRA", "AUS", "MEX"} <= set(inventories["country"])
    assert "NGA" not in set(inventories["country"])


def test_low_confidence_capacity_flags_instead_of_failing():
    """The profile's capacity gate fails a trusted low figure but only flags a low-confidence one."""
    from gridscout.scoring.gates import evaluate_gates
    from gridscout.scoring.profiles import load_profile

    profile = load_profile("balanced")
    gate = next(c for c in profile.constraints if c.column == "capacity_weighted_mw")
    frame = pl.DataFrame({"country": ["USA", "NGA"], "on_land": [True, True],
                          "capacity_weighted_mw": [0.0, 0.0], "capacity__confidence": ["high", "low"]})
    g = evaluate_gates(frame, profile)
    assert g[f"gate_{gate.name}"].to_list() == ["FAIL", "CONDITIONAL"]
    assert g["gate_excluded"].to_list()[0] is True
    assert "low-confidence plant data" in g["gate_flags"][1]
