"""Site aggregator and the per-station climate-model fidelity tier."""

import polars as pl
import pytest

from gridscout.models import pue
from gridscout.models.designs import DesignError
from gridscout.models.site import ESTIMATE_COLUMNS, estimate_sites


def _sites():
    return pl.DataFrame({
        "site_id": ["chi-1", "chi-2", "mia", "zone-only", "nothing"],
        "weather_station_key": ["chicago", "chicago", "miami", "stats_only", None],
        "it_load_mw": [100.0, 50.0, 100.0, 20.0, 10.0],
        "carbon_g_per_kwh": [400.0, None, 380.0, 200.0, None],
        "carbon_free_pct": [40.0, 40.0, 10.0, None, None],
        "price_usd_per_mwh": [70.0, 70.0, None, 50.0, None],
        # off-site water as features.offsite_water gives it (L/kWh), hydro in its own column
        "water_offsite_l_per_kwh": [1.04, 1.04, 0.28, None, None],
        "water_offsite_hydro_l_per_kwh": [0.38, 0.38, 0.0, None, None],
        "water_offsite__evidence": ["modelled", "modelled", "modelled", None, None],
        "solar_mw": [0.0, 100.0, 0.0, 0.0, 0.0],
        "wind_mw": [0.0, 100.0, 0.0, 0.0, 0.0],
        "latitude": [41.98, 41.98, 25.8, None, None],
        "longitude": [-87.92, -87.92, -80.27, None, None],
    })


@pytest.fixture(scope="module")
def out(weather_all):
    stats = pl.DataFrame({"station_key": ["stats_only"], "ashrae_climate_zone": ["2A - Hot - Humid"],
                          "heating_design_db_c": [5.0], "cooling_design_db_c": [34.0], "hdd18": [800], "cdd10": [4500],
                          "elevation_m": [30.0]})
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
    assert r["chi-1"]["pue_method"] == "hourly" and r["zone-only"]["pue_method"] == "climate_model"
    # emissions = energy × intensity; cost likewise (to the last bit but one: Polars divides a column by a
    # scalar as a product with its reciprocal, so x * 400 / 1000 may differ from Python's in the last bit)
    assert r["chi-1"]["emissions_tco2_per_year"] == pytest.approx(r["chi-1"]["energy_mwh_per_year"] * 400.0 / 1000.0,
                                                                  rel=1e-15)
    assert r["chi-1"]["energy_cost_usd_per_year"] == r["chi-1"]["energy_mwh_per_year"] * 70.0
    assert r["chi-1"]["carbon_basis"] == "lifecycle"
    # water: on-site + off-site (hydro separate)
    assert r["chi-1"]["water_offsite_hydro_l_per_kwh"] == 0.38 and r["chi-1"]["water_offsite_l_per_kwh"] == 1.04
    assert r["chi-1"]["water_offsite_hydro_m3_per_year"] == pytest.approx(r["chi-1"]["energy_mwh_per_year"] * 0.38)
    assert r["chi-1"]["water_offsite_l_per_kwh__evidence"] == "modelled"
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


def test_envelope_override_reaches_the_climate_model_tier(weather_all):
    """Issue 12 bug: a profile's envelope override was ignored on the climate-statistics tier while
    the ``envelope`` column claimed it. A3 widens the air-side economizer: more free hours, lower PUE."""
    stats = pl.DataFrame({"station_key": ["stats_only"], "ashrae_climate_zone": ["2A - Hot - Humid"],
                          "heating_design_db_c": [5.0], "cooling_design_db_c": [34.0], "hdd18": [800], "cdd10": [4500],
                          "elevation_m": [30.0]})
    sites = _sites().filter(pl.col("site_id") == "zone-only")
    a1, a3 = (estimate_sites(sites, weather_all, stats, "air_chiller_economizer", envelope=e).row(0, named=True)
              for e in ("A1", "A3"))
    assert (a1["envelope"], a3["envelope"]) == ("A1", "A3") and a3["pue_method"] == "climate_model"
    assert a3["pue_annual"] < a1["pue_annual"]
