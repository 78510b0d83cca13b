"""Queue features per point on a warehouse loaded from the real files (ReEDS, EIA-860, 7 ISO queues)."""

from __future__ import annotations

import polars as pl
import pytest

from gridscout.features import queues as fq
from gridscout.sources import iso_queues
from gridscout.warehouse.readers.queues import read_interconnection_queue
from gridscout.warehouse.readers.reference import read_reference

SOURCES = ("reeds", "us_counties", *(s.id for s in iso_queues.SPECS))
SITES = pl.DataFrame({
    "site_id": ["ashburn_va", "ashburn_no_county", "abilene_tx", "des_moines_ia", "oklahoma_city_ok",
                "boston_ma", "albany_ny", "fresno_ca", "phoenix_az", "atlanta_ga", "frankfurt_de", "mid_atlantic"],
    "latitude": [39.0438, 39.0438, 32.4487, 41.5868, 35.4676, 42.3601, 42.6526, 36.7378, 33.4484, 33.7490,
                 50.1109, 40.0],
    "longitude": [-77.4874, -77.4874, -99.7331, -93.6250, -97.5164, -71.0589, -73.7562, -119.7871, -112.0740,
                  -84.3880, 8.6821, -40.0],
    "country": ["USA"] * 10 + ["DEU", None],
    "state": ["VA", "VA", "TX", "IA", "OK", "MA", "NY", "CA", "AZ", "GA", None, None],
    "county": ["Loudoun", None, None, None, None, None, None, None, None, None, None, None],
})


@pytest.fixture(scope="module")
def db(tmp_path_factory, raw_dir):
    from gridscout.jobs.ingest import ingest_source

    path = tmp_path_factory.mktemp("queues") / "w.duckdb"
    for sid in SOURCES:
        ingest_source(sid, db=path, raw=raw_dir)
    return path


@pytest.fixture(scope="module")
def frames(db):
    return read_reference(db)


@pytest.fixture(scope="module")
def features(frames):
    f = fq.queue_features(SITES, frames.queue, frames.reeds_areas, frames.us_counties)
    assert f.columns == list(fq.OUTPUT_COLUMNS) and f.height == SITES.height
    return {r["site_id"]: r for r in pl.concat([SITES.select("site_id"), f], how="horizontal").to_dicts()}


def test_reader_returns_all_seven_isos(db):
    q = read_interconnection_queue(db)
    assert sorted(q["iso"].unique()) == sorted(fq.ISOS)
    assert q.height == 2_279 + 1_898 + 1_569 + 3_273 + 1_840 + 8_190 + 901


def test_points_map_to_their_iso(features):
    expected = {"ashburn_va": "PJM", "abilene_tx": "ERCOT", "des_moines_ia": "MISO", "oklahoma_city_ok": "SPP",
                "boston_ma": "ISO-NE", "albany_ny": "NYISO", "fresno_ca": "CAISO"}
    assert {k: features[k]["queue_iso"] for k in expected} == expected


def test_every_site_in_an_iso_has_queue_mw_and_median_years(features):
    for k, f in features.items():
        if f["queue_iso"] is None:
            continue
        assert f["queue_active_mw_county"] is not None and f["queue_active_mw_state"] is not None, k
        assert f["queue_median_years"] is not None and f["queue_median_years_n"] >= fq.MIN_COMPLETED, k
        assert f["queue__source"].startswith(f["queue_source_id"]) and f["queue_source_id"].startswith("iso_queue_"), k
        assert f["queue_vintage"], k


@pytest.mark.parametrize("site", ["phoenix_az", "atlanta_ga", "frankfurt_de", "mid_atlantic"])
def test_outside_the_isos_is_unknown_never_zero(features, site):
    f = features[site]
    assert f["queue_iso"] is None
    for col in ("queue_active_mw_county", "queue_active_mw_state", "queue_active_mw_within_50km",
                "queue_median_years", "queue_source_id", "queue__source"):
        assert f[col] is None, (site, col)


def test_county_and_state_mw_are_the_active_requests(features, frames):
    q = frames.queue.filter(pl.col("status") == "active")
    loudoun = q.filter((pl.col("state") == "VA") & (pl.col("county") == "Loudoun"))["capacity_mw"].sum()
    va = q.filter(pl.col("state") == "VA")["capacity_mw"].sum()
    f = features["ashburn_va"]
    assert f["queue_active_mw_county"] == pytest.approx(loudoun) and loudoun > 0
    assert f["queue_active_mw_state"] == pytest.approx(va) and va > 10_000
    assert f["queue_county__source"] == "site"
    # without a county, the Census county polygon holding the point
    g = features["ashburn_no_county"]
    assert (g["queue_county"], g["queue_county__source"]) == ("Loudoun", fq.COUNTY_SOURCE)
    assert g["queue_active_mw_county"] == pytest.approx(loudoun)
    taylor = q.filter((pl.col("state") == "TX") & (pl.col("county") == "Taylor"))["capacity_mw"].sum()
    assert features["abilene_tx"]["queue_county"] == "Taylor"
    assert features["abilene_tx"]["queue_active_mw_county"] == pytest.approx(taylor)


def test_median_years_to_service_are_plausible(frames):
    """LBNL, Queued Up: 2024 Edition (Rand et al., April 2024): the typical project built in 2023
    took nearly 5 years from interconnection request to commercial operation (under 2 years for
    projects built in 2008); the 2025 edition: 55 months (4.6 years) for projects built in 2024.
    Per ISO the durations differ (ERCOT shortest), so each must lie within 2..8 years and the
    median over all recent completions within 3.5..5.5 years."""
    med = fq.median_years_to_service(frames.queue)
    years = dict(zip(med["iso"], med["queue_median_years"]))
    assert sorted(years) == sorted(fq.ISOS)
    for iso, y in years.items():
        assert 2.0 <= y <= 8.0, (iso, y)
    assert years["ERCOT"] < years["CAISO"] and years["ERCOT"] < years["NYISO"]
    done = (frames.queue.filter((pl.col("status") == "in_service") & (pl.col("in_service_date") >= fq.COMPLETED_SINCE))
            .with_columns(((pl.col("in_service_date") - pl.col("queue_date")).dt.total_days() / 365.25).alias("y"))
            .filter(pl.col("y") >= 0))
    assert 3.5 <= done["y"].median() <= 5.5


def test_vectorised_for_many_points(frames):
    import numpy as np

    rng = np.random.default_rng(0)
    n = 5_000
    many = pl.DataFrame({"site_id": [f"s{i}" for i in range(n)], "latitude": rng.uniform(30, 48, n),
                         "longitude": rng.uniform(-120, -72, n)})
    out = fq.queue_features(many, frames.queue, frames.reeds_areas, frames.us_counties)
    assert out.height == n
    inside = out.filter(pl.col("queue_iso").is_not_null())
    assert inside.height > n / 3 and inside["queue_median_years"].null_count() == 0
    # no state given and none from ReEDS outside the US: those points have no county figure
    assert out.filter(pl.col("queue_iso").is_null())["queue_active_mw_state"].null_count() == \
        out.filter(pl.col("queue_iso").is_null()).height


@pytest.mark.parametrize("bbox", [(-78.2, 38.6, -76.9, 39.4),     # northern Virginia (PJM)
                                  (-100.5, 32.0, -99.0, 33.0)])   # around Abilene TX (ERCOT, SPP nearby)
def test_site_and_cell_at_the_same_point_get_the_same_queue_features(frames, bbox):
    import numpy as np
    import shapely

    from gridscout.features.assemble import cell_features, site_features
    from gridscout.geo import hexgrid

    cells, lat, lon = hexgrid.polyfill(shapely.box(*bbox), 6)
    cells_f = cell_features(cells, lat, lon, frames)
    sample = cells_f[np.linspace(0, cells_f.height - 1, 25).astype(int)]
    sites_f = site_features(sample.select(pl.col("h3").alias("site_id"), "latitude", "longitude"), frames)
    a, b = sample.sort("h3"), sites_f.rename({"site_id": "h3"}).sort("h3")
    for col in fq.OUTPUT_COLUMNS:
        if a[col].dtype.is_float():
            assert np.allclose(a[col].fill_null(np.nan).to_numpy(), b[col].fill_null(np.nan).to_numpy(),
                               rtol=1e-9, equal_nan=True), col
        else:
            assert a[col].to_list() == b[col].to_list(), col
    assert a["queue_median_years"].null_count() == 0 and a["queue_active_mw_state"].min() > 0  # not vacuous


def test_county_names_compare_across_sources():
    names = pl.Series(["Doña Ana", "DONA ANA COUNTY", "St. Louis", "Saint Louis County", "LaSalle Parish", "La Salle"])
    keys = names.to_frame("c").select(fq.county_key(pl.col("c")))["c"].to_list()
    assert keys == ["donaana", "donaana", "stlouis", "stlouis", "lasalle", "lasalle"]


def test_lookups_computed_beside_the_location_give_the_same_features(frames):
    """Screening computes the coordinate-only part (queue_lookups) before the points are located and
    hands it in: the same features as one call; lookups of other points are refused."""
    from polars.testing import assert_frame_equal

    lat, lon = SITES["latitude"].to_numpy(), SITES["longitude"].to_numpy()
    look = fq.queue_lookups(lat, lon, frames.queue, frames.reeds_areas, frames.us_counties)
    assert look.height == SITES.height and look["iso"].null_count() < SITES.height and look["near_mw"].max() > 0
    assert_frame_equal(fq.queue_features(SITES, frames.queue, frames.reeds_areas, frames.us_counties, lookups=look),
                       fq.queue_features(SITES, frames.queue, frames.reeds_areas, frames.us_counties))
    with pytest.raises(ValueError, match="rows for"):
        fq.queue_features(SITES, frames.queue, frames.reeds_areas, frames.us_counties, lookups=look[:3])
