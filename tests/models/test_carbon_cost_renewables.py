"""Carbon arithmetic, 24/7 CFE, modelled solar/wind, cost."""

import numpy as np
import polars as pl
import pytest

from gridscout.models import carbon, cost, renewables


def test_emissions_equal_energy_times_intensity_exactly():
    assert carbon.emissions_tco2(87600.0, 400.0) == 87600.0 * 400.0 / 1000.0
    df = pl.DataFrame({"e": [1000.0, None, 5.0], "ci": [300.0, 200.0, None]})
    out = df.select(carbon.emissions_tco2(pl.col("e"), pl.col("ci")).alias("t"))["t"].to_list()
    assert out == [300.0, None, None]
    load, ci = np.full(8760, 10.0), np.linspace(100, 500, 8760)
    assert carbon.emissions_hourly_tco2(load, ci) == pytest.approx(np.sum(load * ci) / 1000)


def test_ipcc_lifecycle_medians():
    t = carbon.load_ipcc_lifecycle()
    f = dict(zip(t["technology"], t["lifecycle_g_co2eq_per_kwh"]))
    assert (f["coal"], f["gas_cc"], f["biomass"], f["solar_pv_utility"], f["solar_pv_rooftop"], f["csp"],
            f["geothermal"], f["hydro"], f["nuclear"], f["wind_onshore"], f["wind_offshore"]) == \
        (820, 490, 230, 48, 41, 27, 38, 24, 12, 11, 12)
    with pytest.raises(ValueError):
        carbon.check_basis("marginal-ish")


def test_cfe_bounds_and_monotone_in_local_supply(weather_all):
    w = weather_all.filter(pl.col("station_key") == "greensboro").sort("hour_of_year")
    solar = renewables.solar_capacity_factor(w, 36.1, -79.95)
    wind = np.nan_to_num(renewables.wind_capacity_factor(w["wind_speed_m_per_s"].to_numpy()))
    assert 0.10 < solar.mean() < 0.30          # PVWatts-class fixed tilt in North Carolina ≈ 0.17-0.22
    assert 0.0 <= solar.min() and solar.max() <= 1.0
    assert 0.0 < wind.mean() < 0.6
    assert carbon.cfe_share_24x7(0.4) == pytest.approx(0.4)  # annual share applied hourly
    prev = carbon.cfe_share_24x7(0.4, np.zeros(8760))
    for mw in (0.5, 1.0, 2.0, 4.0):
        c = carbon.cfe_share_24x7(0.4, mw * solar + mw * wind)
        assert 0.0 <= c <= 1.0 and c > prev
        prev = c
    assert carbon.cfe_share_24x7(1.0, 10 * solar) == pytest.approx(1.0)
    assert np.isnan(carbon.cfe_share_24x7(np.nan))


def test_wind_power_curve():
    assert renewables.wind_capacity_factor([0.0, 30.0], losses_frac=0.0).tolist() == [0.0, 0.0]
    assert renewables.wind_capacity_factor([12.0], hub_height_m=10.0, losses_frac=0.0)[0] == pytest.approx(1.0)
    cf = renewables.wind_capacity_factor(np.array([3.0, 4.0, 5.0, 6.0]), hub_height_m=10.0, losses_frac=0.0)
    assert np.all(np.diff(cf) > 0)
    # power law: 5 m/s at 10 m -> 5 * 10**(1/7) = 6.95 m/s at 100 m
    assert renewables.wind_capacity_factor([5.0], losses_frac=0.0)[0] == pytest.approx(
        np.interp(5 * 10 ** (1 / 7), *renewables.load_wind_curve()) / 3300)


def test_cost():
    assert cost.energy_cost_usd(1000.0, 65.0) == 65000.0
    df = pl.DataFrame({"energy_mwh_per_year": [10.0, 10.0], "price_usd_per_mwh": [50.0, None]})
    assert df.select(cost.energy_cost_columns())["energy_cost_usd_per_year"].to_list() == [500.0, None]
