"""Balancing-authority headroom as a power feature: sites and screening cells, one code path.

Real warehouse: boundaries + Electricity Maps zones (where a point is) + eia930 (demand). Sites at
real data-center markets map through their Electricity Maps zone to the EIA-930 BA
(data/reference/electricitymaps_zone_to_eia930_ba.csv). Non-US points are UNKNOWN, never 0.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from gridscout.features import power
from gridscout.features.assemble import cell_features, site_features
from gridscout.geo import hexgrid
from gridscout.jobs.ingest import ingest_source
from gridscout.models import headroom as hr
from gridscout.scoring.profiles import load_profile

SITES = pl.DataFrame({
    "site_id": ["ashburn", "dallas", "atlanta", "phoenix", "lulea", "frankfurt", "sahara"],
    "latitude": [39.0438, 32.7767, 33.7490, 33.4484, 65.5848, 50.1109, 23.4162],
    "longitude": [-77.4874, -96.7970, -84.3880, -112.0740, 22.1547, 8.6821, 25.6628],
})
EXPECTED_BA = {"ashburn": "PJM", "dallas": "ERCO", "atlanta": "SOCO", "phoenix": "SRP",
               "lulea": None, "frankfurt": None, "sahara": None}
BA_COLUMNS = ["ba_code", "ba_name", *power.HEADROOM_COLUMNS, "ba_headroom__source"]


@pytest.fixture(scope="module")
def ref(raw_dir, tmp_path_factory):
    from gridscout.warehouse.readers.reference import read_reference

    db = tmp_path_factory.mktemp("ba_headroom") / "w.duckdb"
    for sid in ("boundaries", "electricitymaps_zones", "eia930"):
        ingest_source(sid, db=db, raw=raw_dir)
    return read_reference(db)


@pytest.fixture(scope="module")
def sites(ref):
    return site_features(SITES, ref)


def test_sites_get_their_balancing_authority_and_its_headroom(sites, ref):
    got = dict(sites.select("site_id", "ba_code").iter_rows())
    assert got == EXPECTED_BA
    per_ba = hr.headroom(ref.ba_demand)
    for site, ba in EXPECTED_BA.items():
        row = sites.filter(pl.col("site_id") == site).row(0, named=True)
        if ba is None:  # outside the US: UNKNOWN, never 0
            assert all(row[c] is None for c in BA_COLUMNS), row
            continue
        want = per_ba.filter(pl.col("ba_code") == ba).row(0, named=True)
        for col in power.HEADROOM_COLUMNS:
            assert row[col] == pytest.approx(want[col.removeprefix("ba_")])
        assert row["ba_headroom_mw_0p25pct"] < row["ba_headroom_mw_0p5pct"] < row["ba_headroom_mw_1pct"]
        assert row["ba_headroom__source"].startswith("eia930")
    ashburn = sites.filter(pl.col("site_id") == "ashburn").row(0, named=True)
    assert ashburn["ba_name"] == "PJM Interconnection, LLC"
    # PJM at 0.5 %: the paper reads 17.8 GW (Figure 8, p. 19); 2020–2024 data give 17.7 GW
    assert 16_000 < ashburn["ba_headroom_mw_0p5pct"] < 19_000


def test_site_and_cell_at_the_same_point_agree(ref, sites):
    """The same function serves sites and screening cells: identical BA columns at identical points."""
    import h3

    cells = hexgrid.str_to_cells([h3.latlng_to_cell(lat, lon, 7) for lat, lon in
                                  SITES.select("latitude", "longitude").rows()])
    order = np.argsort(cells)
    cells = cells[order]
    lat, lon = hexgrid.cell_centers(cells)
    cf = cell_features(cells, lat, lon, ref)
    sf = site_features(cf.select(pl.col("h3").alias("site_id"), "latitude", "longitude"), ref)
    a = cf.rename({"h3": "site_id"}).select("site_id", *BA_COLUMNS).sort("site_id")
    b = sf.select("site_id", *BA_COLUMNS).sort("site_id")
    assert a.equals(b)
    assert a["ba_code"].drop_nulls().to_list() != []  # not vacuous


def test_curtailment_hours_for_the_facility_load(sites, ref):
    prof = load_profile("ai-training-campus")
    fac = prof.facility
    pts = sites.with_columns(pl.lit(1.25).alias("pue_annual"), pl.lit(None, dtype=pl.Float64).alias("it_load_mw"))
    out = power.with_ba_curtailment(pts, ref, fac)
    row = {r["site_id"]: r for r in out.iter_rows(named=True)}
    load = fac.it_load_mw * fac.utilisation * 1.25
    assert row["ashburn"]["ba_curtailment_load_mw"] == pytest.approx(load)
    direct = hr.curtailment_for_loads(ref.ba_demand, pl.DataFrame({"ba_code": ["PJM"], "load_mw": [load]}))
    assert row["ashburn"]["ba_curtailment_hours"] == pytest.approx(direct["curtailment_hours_per_year"][0])
    # a campus is curtailed in few hours a year in a big BA, more in a small one (Phoenix: SRP, peak ≈ 8.7 GW)
    assert 0 < row["ashburn"]["ba_curtailment_hours"] < row["phoenix"]["ba_curtailment_hours"]
    for site in ("lulea", "frankfurt", "sahara"):
        assert row[site]["ba_curtailment_hours"] is None
    unknown_pue = power.with_ba_curtailment(sites.with_columns(pl.lit(None, dtype=pl.Float64).alias("pue_annual")),
                                            ref, fac)
    assert unknown_pue["ba_curtailment_hours"].null_count() == unknown_pue.height  # UNKNOWN load → UNKNOWN hours


def test_every_us_market_has_its_headroom(ref):
    """Issue 13 'done means': ba_headroom_mw_0p5pct for every US site in a covered area (all 29 US markets)."""
    from gridscout.candidates import load_candidates
    from gridscout.config import CANDIDATES_DIR

    feats = site_features(load_candidates(CANDIDATES_DIR / "markets.csv").sites, ref)
    us = feats.filter(pl.col("country") == "USA")
    assert us.height >= 25
    assert us.filter(pl.col("ba_headroom_mw_0p5pct").is_null()).select("site_id", "grid_zone").rows() == []
    assert feats.filter(pl.col("country") != "USA")["ba_headroom_mw_0p5pct"].null_count() == feats.height - us.height


def test_curtailment_columns_keep_the_frame_height(ref):
    """An empty partition, or points without PUE or IT load columns, keep one row per point."""
    fac = load_profile("balanced").facility
    empty = power.with_ba_curtailment(SITES.clear().with_columns(pl.lit(None, pl.Utf8).alias("ba_code")), ref, fac)
    assert empty.height == 0 and "ba_curtailment_hours" in empty.columns
    bare = power.with_ba_curtailment(SITES.with_columns(pl.lit("PJM").alias("ba_code")), ref, fac)
    assert bare.height == SITES.height and bare["ba_curtailment_hours"].null_count() == SITES.height


def test_ba_models_computed_once_whoever_asks_first(ref, monkeypatch):
    """A prefetch and the callers that need the models while it runs share one computation (the same
    objects); a failed computation reaches every caller and the next call computes afresh."""
    import threading

    want = hr.headroom(ref.ba_demand)
    calls = []
    real = hr.seasonal_thresholds

    def counted(demand):
        calls.append(threading.current_thread().name)
        return real(demand)

    monkeypatch.setattr(power.headroom_model, "seasonal_thresholds", counted)
    demand = ref.ba_demand.clone()  # a table object no earlier test cached
    power.prefetch_ba_models(demand)
    got = [None] * 4
    threads = [threading.Thread(target=lambda i=i: got.__setitem__(i, power.ba_models(demand))) for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(calls) == 1
    assert all(g[0] is got[0][0] and g[1] is got[0][1] for g in got)
    assert got[0][0].equals(want)

    def broken(demand):
        raise RuntimeError("no thresholds")

    monkeypatch.setattr(power.headroom_model, "seasonal_thresholds", broken)
    other = ref.ba_demand.clone()
    with pytest.raises(RuntimeError, match="no thresholds"):
        power.ba_models(other)
    monkeypatch.setattr(power.headroom_model, "seasonal_thresholds", counted)
    assert power.ba_models(other)[0].equals(got[0][0]) and len(calls) == 2
