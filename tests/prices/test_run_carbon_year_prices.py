"""The scoring job end to end: --carbon-year picks the zone-year (recorded in run.json, shown in the
report header), European sites get a scored Eurostat price, US sites keep EIA."""

from __future__ import annotations

import json

import polars as pl
import pytest

from gridscout.errors import ProfileError
from gridscout.scoring.profiles import PROFILES_DIR

SOURCES = ("boundaries", "electricitymaps_zones", "carbon_yearly", "gppd", "weather_stations", "koppen", "eia_prices",
           "eurostat_prices")
#: GeoNames coordinates of the cities (cities/ README: GeoNames cities >= 15k)
SITES = [("dublin", "Dublin", 53.34399, -6.26719), ("frankfurt", "Frankfurt am Main", 50.11552, 8.68417),
         ("paris", "Paris", 48.85341, 2.3488), ("madrid", "Madrid", 40.4165, -3.70256),
         ("warsaw", "Warsaw", 52.22977, 21.01178), ("ashburn", "Ashburn", 39.04372, -77.48749),
         ("tokyo", "Tokyo", 35.6895, 139.69171)]
EUROPE = ["dublin", "frankfurt", "paris", "madrid", "warsaw"]


@pytest.fixture(scope="module")
def setup(raw_dir, tmp_path_factory):
    from gridscout.jobs.ingest import ingest_source

    base = tmp_path_factory.mktemp("job")
    db = base / "w.duckdb"
    for s in SOURCES:
        ingest_source(s, db=db, raw=raw_dir)
    cands = base / "sites.csv"
    pl.DataFrame(SITES, schema=["site_id", "name", "latitude", "longitude"], orient="row").write_csv(cands)
    return db, cands, base


def _run(setup, name, **kw):
    from gridscout.jobs.score import score_candidates

    db, cands, base = setup
    r = score_candidates(cands, kw.pop("profile", "balanced"), base / name, db=db, mc_draws=50, **kw)
    return r, json.loads((r.run_dir / "run.json").read_text())


def _site(scores, sid):
    return scores.filter(pl.col("site_id") == sid).row(0, named=True)


@pytest.fixture(scope="module")
def runs(setup):
    return _run(setup, "y2023", carbon_year=2023), _run(setup, "y2025", carbon_year=2025), _run(setup, "default")


def test_carbon_year_changes_carbon_and_is_recorded(runs):
    (r23, m23), (r25, m25), (rd, md) = runs
    fr23, fr25 = _site(r23.scores, "frankfurt"), _site(r25.scores, "frankfurt")
    # electricitymaps_yearly_zone_2021_2025.csv: DE 379 (2023), 342 (2025); PL 726, 565 gCO2eq/kWh
    assert fr23["grid_zone"] == "DE" and fr23["carbon_g_per_kwh"] == 379 and fr25["carbon_g_per_kwh"] == 342
    assert _site(r23.scores, "warsaw")["carbon_g_per_kwh"] == 726 and _site(r25.scores, "warsaw")["carbon_g_per_kwh"] == 565
    assert fr23["carbon_year"] == 2023 and not fr23["carbon_year_fell_back"]
    assert (m23["carbon"]["year"], m23["carbon"]["year_from"]) == (2023, "cli")
    assert (m25["carbon"]["year"], m25["carbon"]["year_from"]) == (2025, "cli")
    assert m23["profile"]["carbon_year"] == 2023
    # default: the latest complete year (2025 in this snapshot), said so
    assert (md["carbon"]["year"], md["carbon"]["year_from"]) == (2025, "default")
    assert md["carbon"]["basis"] == "lifecycle" and md["carbon"]["basis_label"].startswith("consumption-based lifecycle")
    assert md["carbon"]["sites_fell_back"] == 0


def test_year_after_the_data_falls_back_and_says_so(setup):
    r, m = _run(setup, "y2030", carbon_year=2030)
    fr = _site(r.scores, "frankfurt")
    assert fr["carbon_year"] == 2025 and fr["carbon_year_fell_back"] and fr["carbon_year_requested"] == 2030
    assert m["carbon"]["sites_fell_back"] >= 6 and m["carbon"]["fallback_years"] == [2025]


def test_profile_key_carbon_year(setup, tmp_path):
    prof = tmp_path / "y23.toml"
    prof.write_text("carbon_year = 2023\n" + (PROFILES_DIR / "balanced.toml").read_text())
    r, m = _run(setup, "prof23", profile=prof)
    assert _site(r.scores, "frankfurt")["carbon_g_per_kwh"] == 379 and m["carbon"]["year_from"] == "profile"
    bad = tmp_path / "bad.toml"
    bad.write_text('carbon_year = "2023"\n' + (PROFILES_DIR / "balanced.toml").read_text())
    with pytest.raises(ProfileError, match=rf"{bad}: \[carbon_year\] must be a calendar year"):
        _run(setup, "bad", profile=bad)
    with pytest.raises(ProfileError, match=r"\[--carbon-year\] must be a calendar year"):
        _run(setup, "bad2", carbon_year=20230)


def test_europe_gets_a_scored_eurostat_price_and_the_us_keeps_eia(runs):
    (rd, md) = runs[2]
    s = rd.scores
    for sid in EUROPE:
        row = _site(s, sid)
        assert row["price_source"] == "eurostat_prices" and row["price_usd_per_mwh"] > 0, sid
        assert row["price_year"] == 2024 and "band IC" in row["price_basis"]
        assert "price" not in row["unknown_criteria"]
    us = _site(s, "ashburn")
    assert us["price_source"] == "eia_prices" and us["us_state"] == "VA" and "EIA" in us["price_basis"]
    tokyo = _site(s, "tokyo")
    assert tokyo["price_usd_per_mwh"] is None and "price_usd_per_mwh (uncertain)" in tokyo["unknown_factors"]
    assert tokyo["score_rests_on_unknown"]
    assert md["prices"]["sites_by_source"] == {"eia_prices": 1, "eurostat_prices": 5}
    assert md["prices"]["sites_unknown"] == 1 and "band IG" in md["prices"]["band_caveat"]


def test_report_header_shows_year_basis_and_band_caveat(runs):
    from gridscout.report.render import render_report

    (r23, _), _, _ = runs
    html = render_report(r23.run_dir).read_text()
    header = html[html.index("<header>"):html.index("</header>")]
    assert "carbon: year <b>2023</b> (--carbon-year)" in header
    assert "consumption-based lifecycle" in header
    assert "large data center" in html and "band IC" in html
    tokyo = html[html.index('<span class="muted">(tokyo)</span>'):]  # Tokyo's card, up to its end
    tokyo = tokyo[:tokyo.index("</details>")]
    assert "This score rests on UNKNOWN" in tokyo and "price_usd_per_mwh (uncertain)" in tokyo
    assert "its rank could move within" in tokyo
    frankfurt = html[html.index('<span class="muted">(frankfurt)</span>'):]
    assert "price_usd_per_mwh (uncertain)" not in frankfurt[:frankfurt.index("</details>")]


def test_cli_refuses_a_bad_carbon_year_before_any_work(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", "from gridscout.cli import main; main()", "run", "--carbon-year", "1800",
                        "--db", str(tmp_path / "none.duckdb")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "[--carbon-year] must be a calendar year" in r.stdout + r.stderr
    assert not (tmp_path / "none.duckdb").exists()  # refused before ingest touched a warehouse
