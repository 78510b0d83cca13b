"""Site aggregator and the climate-statistics fidelity tier."""

import polars as pl
import pytest

from gridscout.models import climate_stats, pue
from gridscout.models.designs import ENVELOPE_NAMES, DesignError, get_design, load_designs
from gridscout.models.site import ESTIMATE_COLUMNS, estimate_sites


def _sites():
    return pl.DataFrame({
        "site_id": ["chi-1", "chi-2", "mia", "zone-only", "nothing"],
        "weather_station_key": ["chicago", "chicago", "miami", "stats_only", None],
        "it_load_mw": [100.0, 50.0, 100.0, 20.0, 10.0],
        "carbon_g_per_kwh": [400.0, None, 380.0, 200.0, None],
        "carbon_free_pct": [40.0, 40.0, 10.0, None, None],
        "price_usd_per_mwh": [70.0, 70.0, None, 50.0, None],
        "cap_mw_nuclear": [1000.0, 1000.0, 0.0, None, None],
        "cap_mw_gas": [1000.0, 1000.0, 2000.0, None, None],
        "cap_mw_hydro": [100.0, 100.0, 0.0, None, None],
        "solar_mw": [0.0, 100.0, 0.0, 0.0, 0.0],
        "wind_mw": [0.0, 100.0, 0.0, 0.0, 0.0],
        "latitude": [41.98, 41.98, 25.8, None, None],
        "longitude": [-87.92, -87.92, -80.27, None, None],
    })


@pytest.fixture(scope="module")
def out(weather_all):
    stats = pl.DataFrame({"station_key": ["stats_only"], "ashrae_climate_zone": ["2A - Hot - Humid"],
                          "heating_design_db_c": [5.0], "cooling_design_db_c": [34.0], "hdd18": [800], "cdd10": [4500]})
    return estimate_sites(_sites(), weather_all, stats, "waterside_economizer_tower")


def test_columns_and_evidence(out):
    for c in ESTIMATE_COLUMNS:
        assert c in out.columns and f"{c}__evidence" in out.columns
        bad = out.filter(pl.col(c).is_null() & pl.col(f"{c}__evidence").is_not_null())
        assert bad.height == 0, c
        assert set(out[f"{c}__evidence"].drop_nulls()) <= {"observed", "derived", "modelled"}


def test_station_computed_once_and_scaled(out, weather_all):
    r = {row["site_id"]: row for row in out.iter_rows(named=True)}
    ref = pue.estimate_pue(weather_all.filter(pl.col("station_key") == "chicago"), "waterside_economizer_tower")
    assert r["chi-1"]["pue_annual"] == pytest.approx(ref["pue_annual"][0])
    assert r["chi-1"]["energy_mwh_per_year"] == pytest.approx(100 * 8760 * ref["pue_annual"][0])
    assert r["chi-2"]["energy_mwh_per_year"] == pytest.approx(r["chi-1"]["energy_mwh_per_year"] / 2)
    assert r["chi-1"]["pue_method"] == "hourly" and r["zone-only"]["pue_method"] == "climate_stats"
    # emissions = energy × intensity exactly; cost likewise
    assert r["chi-1"]["emissions_tco2_per_year"] == r["chi-1"]["energy_mwh_per_year"] * 400.0 / 1000.0
    assert r["chi-1"]["energy_cost_usd_per_year"] == r["chi-1"]["energy_mwh_per_year"] * 70.0
    assert r["chi-1"]["carbon_basis"] == "lifecycle"
    # water: on-site + off-site (hydro separate)
    assert r["chi-1"]["water_offsite_hydro_l_per_kwh"] > 0
    assert r["chi-1"]["water_m3_per_year"] == pytest.approx(
        r["chi-1"]["water_onsite_m3_per_year"] + r["chi-1"]["energy_mwh_per_year"] * r["chi-1"]["water_offsite_l_per_kwh"])
    # CFE: local solar+wind raise it above the grid share
    assert r["chi-1"]["cfe_share_24x7"] == pytest.approx(0.40)
    assert r["chi-1"]["cfe_share_24x7__evidence"] == "derived"
    assert 0.40 < r["chi-2"]["cfe_share_24x7"] <= 1.0 and r["chi-2"]["cfe_share_24x7__evidence"] == "modelled"


def test_unknown_inputs_give_null_not_zero(out):
    r = {row["site_id"]: row for row in out.iter_rows(named=True)}
    n = r["nothing"]
    for c in ("pue_annual", "energy_mwh_per_year", "wue_onsite_l_per_kwh", "water_offsite_l_per_kwh",
              "water_m3_per_year", "emissions_tco2_per_year", "cfe_share_24x7", "energy_cost_usd_per_year",
              "water_stress_score", "carbon_basis"):
        assert n[c] is None, c
    assert r["chi-2"]["emissions_tco2_per_year"] is None and r["chi-2"]["carbon_basis"] is None
    assert r["mia"]["energy_cost_usd_per_year"] is None
    assert r["zone-only"]["cfe_share_24x7"] is None and r["zone-only"]["water_offsite_l_per_kwh"] is None


def test_rack_density_error(weather_all):
    with pytest.raises(DesignError, match="kW/rack"):
        estimate_sites(_sites(), weather_all, None, "air_chiller_economizer", rack_kw=80.0)


def test_climate_table_agrees_with_hourly_model(weather_all):
    table = climate_stats.load_table()
    assert table["source"].null_count() == 0 and set(table["evidence"]) == {"modelled"}
    fresh = climate_stats.build_table(pl.concat([pue.estimate_pue(weather_all, get_design(n, e))
                                                 for n in load_designs() for e in ENVELOPE_NAMES]))
    j = table.join(fresh, on=["climate_zone", "cooling_design", "envelope"], suffix="_new")
    assert j.height == table.height
    assert (j["pue_annual"] - j["pue_annual_new"]).abs().max() < 1e-3
    assert (j["wue_onsite_l_per_kwh"] - j["wue_onsite_l_per_kwh_new"]).abs().max() < 1e-3


def test_climate_table_inside_published_ranges():
    t = climate_stats.load_table().filter(pl.col("envelope") == "A1")
    evap = {r["climate_zone"]: r["pue_annual"] for r in t.filter(pl.col("cooling_design") == "air_evaporative").iter_rows(named=True)}
    assert 1.10 <= evap["6A"] <= 1.14 and 1.22 <= evap["1A"] <= 1.28   # Lei & Masanet ≈1.12 cold ... 1.25 hot
    assert t["wue_onsite_l_per_kwh"].max() <= 1.9 and t["wue_onsite_l_per_kwh"].min() >= 0.0
    tower = t.filter(pl.col("cooling_design") == "waterside_economizer_tower")["wue_onsite_l_per_kwh"]
    assert tower.is_between(0.1, 1.9).all()
    est = climate_stats.estimate_from_stats(pl.DataFrame({"station_key": ["a", "b"],
                                                          "ashrae_climate_zone": ["5A - Cool - Humid", "9Z"]}),
                                            "air_evaporative")
    assert est["pue_method"].to_list() == ["climate_stats"] * 2
    assert est["pue_annual"][0] == pytest.approx(
        t.filter((pl.col("climate_zone") == "5A") & (pl.col("cooling_design") == "air_evaporative"))["pue_annual"][0])
    assert est["pue_annual"][1] is None and "9Z" in est["null_reason"][1]


def test_envelope_override_reaches_the_climate_statistics_tier(weather_all):
    """Issue 12 bug: a profile's envelope override was ignored on the climate-statistics tier while
    the ``envelope`` column claimed it. A3 widens the air-side economizer: more free hours, lower PUE."""
    stats = pl.DataFrame({"station_key": ["stats_only"], "ashrae_climate_zone": ["2A - Hot - Humid"],
                          "heating_design_db_c": [5.0], "cooling_design_db_c": [34.0], "hdd18": [800], "cdd10": [4500]})
    sites = _sites().filter(pl.col("site_id") == "zone-only")
    a1, a3 = (estimate_sites(sites, weather_all, stats, "air_chiller_economizer", envelope=e).row(0, named=True)
              for e in ("A1", "A3"))
    assert (a1["envelope"], a3["envelope"]) == ("A1", "A3") and a3["pue_method"] == "climate_stats"
    assert a3["pue_annual"] < a1["pue_annual"]
