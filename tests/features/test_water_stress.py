"""One water-stress concept with tiers (gridscout.features.water_stress): class mapping, tier choice,
UNKNOWN handling, confidence, the run-level statement and the stress-weighted water figure."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
import shapely

from gridscout.features import water_stress as ws
from gridscout.sources import water_stress_sdg642 as src

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sdg(raw_dir) -> pl.DataFrame:
    return src.parse({src.FILE: raw_dir / src.SPEC.id / src.FILE}).tables[src.TABLE]


@pytest.fixture(scope="module")
def markets() -> pl.DataFrame:
    with open(REPO / "data" / "candidates" / "markets.csv", newline="", encoding="utf-8") as fh:
        rows = [{k: r[k] for k in ("site_id", "latitude", "longitude", "country")} for r in csv.DictReader(fh)]
    return pl.DataFrame(rows).with_columns(pl.col("latitude", "longitude").cast(pl.Float64))


def test_sdg_class_mapping_onto_score():
    pct = pl.DataFrame({"p": [0.0, 8.05, 24.99, 25.0, 50.0, 75.0, 100.0, 100.01, 150.0, 200.0, 3850.5, None]})
    got = pct.select(ws.sdg_score(pl.col("p")).alias("s"), ws.sdg_class(pl.col("p")).alias("c"))
    assert got["s"][:-1].to_list() == pytest.approx([0.0, 0.322, 0.9996, 1.0, 2.0, 3.0, 4.0, 4.0001, 4.5, 5.0, 5.0])
    assert got["s"][-1] is None
    # FAO classes: no stress < 25, low 25–50, medium 50–75, high 75–100, critical > 100
    assert got["c"].to_list() == ["no stress", "no stress", "no stress", "low", "medium", "high", "high", "critical",
                                  "critical", "critical", "critical", None]


def test_mapping_cites_its_sources():
    doc = ws.__doc__
    md = (REPO / "docs" / "water_stress.md").read_text(encoding="utf-8")
    for text in (doc, md):
        assert "10.4060/cb6241en" in text  # FAO & UN-Water 2021, Progress on Level of Water Stress
        assert "Metadata-06-04-02" in text  # FAO SDG 6.4.2 metadata
        assert "10.46830/writn.23.00061" in text  # Kuzma et al. 2023, Aqueduct 4.0
        assert "< 25 %" in text and "> 80 %" in text


def test_gulf_and_chennai_score_worse_than_nordic_irish_canadian_sites(markets, sdg):
    out = ws.water_stress(markets, sdg).filter(pl.col("site_id").is_in([
        "sa-riyadh", "ae-dubai", "ae-abu-dhabi", "qa-doha", "in-chennai", "ie-dublin", "se-lulea", "no-oslo",
        "ca-montreal"]))
    s = dict(out.select("site_id", "water_stress_score").iter_rows())
    dry = [s[k] for k in ("sa-riyadh", "ae-dubai", "ae-abu-dhabi", "qa-doha", "in-chennai")]
    wet = [s[k] for k in ("ie-dublin", "se-lulea", "no-oslo", "ca-montreal")]
    assert min(dry) > max(wet)
    assert s["sa-riyadh"] == s["ae-dubai"] == s["qa-doha"] == 5.0  # 974 %, 1,510 %, 431 %: critical
    assert s["in-chennai"] == pytest.approx(66.49 / 25)  # India 66.49 % (2022): medium
    assert s["ie-dublin"] == pytest.approx(8.05 / 25) and s["no-oslo"] == pytest.approx(2.01 / 25)
    assert set(out["water_stress_method"]) == {ws.COUNTRY}
    assert set(out["water_stress_source"]) == {"country level (SDG 6.4.2, FAO, 2022)"}


def test_hong_kong_and_taiwan_unknown_never_zero(sdg):
    pts = pl.DataFrame({"latitude": [22.28, 25.03, 0.0], "longitude": [114.17, 121.56, -30.0],
                        "country": ["HK", "TWN", None]})
    out = ws.water_stress(pts, sdg)
    for c in ("water_stress_score", "water_stress_method", "water_stress_pct", "water_stress_year",
              "water_stress_source", "water_stress_confidence", "water_stress_country_score"):
        assert out[c].null_count() == 3, c


def test_confidence_low_in_large_heterogeneous_countries(markets, sdg):
    out = ws.water_stress(markets, sdg)
    conf = dict(out.select("site_id", "water_stress_confidence").iter_rows())
    for site in ("us-az-phoenix", "ca-montreal", "in-chennai", "au-sydney", "br-sao-paulo"):
        assert conf[site] == "low", site
    for site in ("ie-dublin", "sa-riyadh", "de-frankfurt"):
        assert conf[site] == "normal", site
    assert conf["hk-hong-kong"] is None
    covered = out.filter(pl.col("country") != "HK")
    assert covered["water_stress_score"].null_count() == 0 and covered["water_stress_method"].null_count() == 0


def test_basin_tier_wins_over_country_tier(sdg):
    # A tiny hand-made basin frame, NOT real Aqueduct data (none is available offline): two unit squares
    # in Arizona and Iowa with made-up scores, and one unit with no score, to test the tier choice only.
    basins = pl.DataFrame({
        "string_id": ["test-az", "test-ia", "test-nodata"],
        "bws_score": [4.6, 0.7, None],
        "bws_raw": [1.3, 0.05, None],
        "bws_label": ["Extremely High (>80%)", "Low (<10%)", None],
        "geometry_wkb": [shapely.to_wkb(shapely.box(-113, 33, -111, 34)), shapely.to_wkb(shapely.box(-94, 41, -93, 42)),
                         shapely.to_wkb(shapely.box(-85, 33, -84, 34))],
    })
    pts = pl.DataFrame({"site_id": ["phoenix", "des-moines", "atlanta", "chicago"],
                        "latitude": [33.45, 41.60, 33.75, 41.85], "longitude": [-112.07, -93.61, -84.39, -87.65],
                        "country": ["USA", "US", "USA", "USA"]})
    out = ws.water_stress(pts, sdg, basins)
    rows = {r["site_id"]: r for r in out.iter_rows(named=True)}
    assert (rows["phoenix"]["water_stress_method"], rows["phoenix"]["water_stress_score"]) == (ws.BASIN, 4.6)
    assert (rows["des-moines"]["water_stress_method"], rows["des-moines"]["water_stress_score"]) == (ws.BASIN, 0.7)
    assert rows["phoenix"]["water_stress_basin_id"] == "test-az" and rows["phoenix"]["water_stress_basin_ratio"] == 1.3
    assert rows["phoenix"]["water_stress_source"] == "basin level (WRI Aqueduct 4.0, unit test-az)"
    # the country figure stays labelled as the country figure, beside the basin score
    assert rows["phoenix"]["water_stress_pct"] == 28.16 and rows["phoenix"]["water_stress_country_score"] == \
        pytest.approx(28.16 / 25)
    # a basin without a score, or no basin at all: the country tier
    for site in ("atlanta", "chicago"):
        assert rows[site]["water_stress_method"] == ws.COUNTRY
        assert rows[site]["water_stress_score"] == pytest.approx(28.16 / 25)
        assert rows[site]["water_stress_basin_id"] is None
    assert rows["chicago"]["water_stress_confidence"] == "low" and rows["phoenix"]["water_stress_confidence"] == "normal"
    # a basin frame without polygons (what the warehouse's Aqueduct CSV rows look like) cannot be used
    no_geom = ws.water_stress(pts, sdg, basins.drop("geometry_wkb"))
    assert set(no_geom["water_stress_method"]) == {ws.COUNTRY}


def test_run_summary_says_basin_data_was_not_available(markets, sdg):
    out = ws.water_stress(markets, sdg)
    summary = ws.run_summary(out, basins_available=False)
    assert summary["tiers"] == {ws.COUNTRY: 71, "unknown": 1}  # Hong Kong is the one UNKNOWN
    assert summary["country_years"] == [2022] and not summary["basin_available"]
    assert any("not available" in n for n in summary["notes"])


def test_stress_weighted_water_formula():
    df = pl.DataFrame({"water_onsite_m3_per_year": [1000.0, 1000.0, None, 500.0],
                       "water_stress_score": [5.0, 0.0, 2.0, None],
                       "water_offsite_m3_per_year": [2000.0, 2000.0, 100.0, 100.0],
                       "water_stress_country_score": [2.5, 1.0, 2.0, 3.0]})
    w = ws.stress_weighted_water(df)["water_stress_weighted_m3_per_yr"].to_list()
    # W = V_on · s_site/5 + V_off · s_grid/5
    assert w[:2] == [1000.0 * 1.0 + 2000.0 * 0.5, 0.0 + 2000.0 * 0.2]
    assert w[2] is None and w[3] is None  # unknown volume or unknown stress → UNKNOWN, not 0


def test_screening_cells_and_sites_get_the_same_water_stress(raw_dir, tmp_path):
    """One code path: a screening cell and a site at the same point agree on every water-stress column
    (real boundaries + the real SDG file in a small warehouse; Irish border: IRL and GBR)."""
    import numpy as np
    import shapely

    from gridscout.features.assemble import cell_features, site_features
    from gridscout.geo import hexgrid
    from gridscout.jobs.ingest import ingest_source
    from gridscout.warehouse.readers.reference import read_reference

    db = tmp_path / "w.duckdb"
    for sid in ("boundaries", "water_stress_sdg642"):
        ingest_source(sid, db=db, raw=raw_dir)
    ref = read_reference(db)
    cells, lat, lon = hexgrid.polyfill(shapely.box(-8.5, 53.8, -5.5, 55.3), 5)
    cf = cell_features(cells, lat, lon, ref)
    pick = cf[np.linspace(0, cf.height - 1, 40).astype(int)]
    sf = site_features(pick.select(pl.col("h3").alias("site_id"), "latitude", "longitude"), ref)
    cols = [c for c in ws.COLUMNS]
    a = pick.select(["h3", *cols]).sort("h3")
    b = sf.rename({"site_id": "h3"}).select(["h3", *cols]).sort("h3")
    assert a.equals(b)
    scores = dict(cf.filter(pl.col("country").is_not_null()).group_by("country").agg(
        pl.col("water_stress_score").first()).iter_rows())
    assert scores == {"IRL": pytest.approx(8.05 / 25), "GBR": pytest.approx(14.35 / 25)}


def test_country_score_is_derived_evidence_not_observed(markets, sdg):
    """The models layer labels a mapped country score "derived", never "observed" like a basin score."""
    from gridscout.models.site import estimate_sites

    f = ws.water_stress(markets, sdg).filter(pl.col("site_id").is_in(["ie-dublin", "hk-hong-kong"]))
    est = estimate_sites(f.select("site_id", "water_stress_score", "water_stress_method",
                                  pl.lit(None, pl.String).alias("weather_station_key"),
                                  pl.lit(100.0).alias("it_load_mw")), None, None, "air_chiller_economizer")
    ev = dict(est.select("site_id", "water_stress_score__evidence").iter_rows())
    assert ev == {"ie-dublin": "derived", "hk-hong-kong": None}
