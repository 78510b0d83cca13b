"""The fast annual path (the compiled per-hour kernel summed per station on numba's threads, wet bulb
only where a design needs it) held to psychrolib and to the all-hours path on real weather years;
float32 input to the psychrometric functions is computed in float64 and returned as float32.

Stated tolerances (the annual path vs the hourly path with the wet bulb in every hour +
:func:`annual_summary`): PUE 2e-5, peak PUE 1e-5, WUE 1e-4 L/kWh, free-cooling and mechanical hours
0.05 % of the year (4 h). Observed on these years: below 1e-12 PUE and no hour changing mode.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import psychrolib
import pytest

from gridscout.models import psychro, pue
from gridscout.models.designs import get_design, load_designs
from gridscout.sources import weather_epw_tmy3

psychrolib.SetUnitSystem(psychrolib.SI)
DESIGNS = list(load_designs())
#: hot-dry (El Paso, Las Vegas), hot-humid island (Honolulu), high (Addis Ababa 2,355 m), cold (Fargo)
EXTRA = ("El Paso Intl AP 722700 (TMY3).zip", "Las Vegas-McCarran Intl AP 723860 (TMY3).zip",
         "Honolulu Intl AP 911820 (TMY3).zip", "Addis Ababa-Bole 634500 (SWERA).zip",
         "Fargo-Hector Intl AP 727530 (TMY3).zip")
TOL = {"pue_annual": 2e-5, "pue_peak": 1e-5, "wue_onsite_l_per_kwh": 1e-4, "free_cooling_hours": 4.38,
       "mechanical_hours": 4.38}


@pytest.fixture(scope="module")
def weather(weather_all, raw_dir):
    folder = raw_dir / "weather_epw_tmy3"
    extra = weather_epw_tmy3.parse({n: folder / n for n in EXTRA}).tables["weather_hourly"]
    return pl.concat([weather_all, extra.select(weather_all.columns)])


def _f32(*xs):
    return tuple(np.asarray(x, dtype=np.float32) for x in xs)


@pytest.mark.parametrize("p", (101325.0, 89875.0, 70000.0))
def test_float32_psychrometrics_match_psychrolib(p):
    tt, rr = (a.ravel() for a in np.meshgrid(np.linspace(-30.0, 50.0, 41), np.linspace(0.02, 1.0, 25)))
    w64 = np.array([psychrolib.GetHumRatioFromRelHum(t, r, p) for t, r in zip(tt, rr)])
    t32, r32, p32 = _f32(tt, rr, np.full(tt.shape, p))
    w32 = psychro.humidity_ratio_from_rh(t32, r32, p32)
    assert w32.dtype == np.float32
    np.testing.assert_allclose(w32, w64, rtol=2e-5)
    ref = np.array([psychrolib.GetTWetBulbFromHumRatio(t, w, p) for t, w in zip(tt, w64)])
    twb = psychro.wet_bulb_c(t32, w64.astype(np.float32), p32)
    assert twb.dtype == np.float32
    # psychrolib bisects to a 1e-3 K bracket and returns its midpoint
    assert np.abs(twb - ref).max() < 1.5e-3
    pws = np.array([psychrolib.GetSatVapPres(t) for t in tt])
    np.testing.assert_allclose(psychro.saturation_vapor_pressure_pa(t32), pws, rtol=2e-5)


def test_float32_wet_bulb_on_real_hours(weather):
    w = weather.drop_nulls(["dry_bulb_c", "dew_point_c", "pressure_pa"])
    pick = w.gather(np.random.default_rng(12).choice(w.height, 4000, replace=False))
    t, dp, p = (pick[c].to_numpy() for c in ("dry_bulb_c", "dew_point_c", "pressure_pa"))
    hr = np.array([psychrolib.GetHumRatioFromTDewPoint(min(d, x), q) for d, x, q in zip(dp, t, p)])
    ref = np.array([psychrolib.GetTWetBulbFromHumRatio(x, h, q) for x, h, q in zip(t, hr, p)])
    t32, dp32, p32 = _f32(t, dp, p)
    w32 = psychro.humidity_ratio_from_weather(t32, p32, dew_point_c=dp32)
    np.testing.assert_allclose(w32, hr, rtol=2e-5)
    assert np.abs(psychro.wet_bulb_c(t32, w32, p32) - ref).max() < 1.5e-3
    # the hours near 0 °C where eq. 33 and 35 both have a root are part of the sample
    assert ((ref > -1.0) & (ref < 1.0)).sum() > 20


@pytest.mark.parametrize("name", DESIGNS)
@pytest.mark.parametrize("env", (None, "A3"))
def test_annual_fast_path_equals_float64_hourly_path(weather, name, env):
    d = get_design(name, env)
    ref = pue.annual_summary(pue.hourly_pue(weather, d)).sort("station_key")
    new = pue.estimate_pue(weather, d).sort("station_key")
    assert new["station_key"].to_list() == ref["station_key"].to_list() and new.height == 14
    for col, tol in TOL.items():
        diff = (new[col] - ref[col]).abs().max()
        assert diff <= tol, f"{name} {env}: {col} differs by {diff}"


def test_blocks_threads_and_row_order_do_not_change_results(weather):
    d = get_design("waterside_economizer_tower")
    one = pue.estimate_pue(weather, d, workers=1)
    two = pue.estimate_pue(weather, d, workers=2)
    shuffled = pue.estimate_pue(weather.sample(fraction=1.0, shuffle=True, seed=3), d, workers=2)
    assert one.equals(two) and one.equals(shuffled)
    many = pue.estimate_pue_designs(weather, DESIGNS)
    for name, frame in zip(DESIGNS, many):
        assert frame.equals(pue.estimate_pue(weather, name)), name


def test_wet_bulb_needed_only_where_a_design_uses_it(weather):
    w = weather.drop_nulls(["dry_bulb_c", "dew_point_c"])
    t, dp = (w[c].to_numpy().astype(np.float32) for c in ("dry_bulb_c", "dew_point_c"))
    p = w["pressure_pa"].fill_null(101325.0).to_numpy().astype(np.float32)
    hum = psychro.humidity_ratio_from_weather(t, p, dew_point_c=dp)
    assert not pue.wet_bulb_hours(get_design("air_chiller_economizer"), t, hum, p).any()
    d = get_design("waterside_economizer_tower")
    tower = pue.wet_bulb_hours(d, t, hum, p)
    evap = pue.wet_bulb_hours(get_design("air_evaporative"), t, hum, p)
    assert 0 < tower.mean() < 1 and 0 < evap.mean() < 1
    # the tower needs the wet bulb exactly where it is above its free limit (chilled-water supply
    # less tower and HX approaches): the hours of a warm dry bulb but a low wet bulb are skipped
    twb = psychro.wet_bulb_c(t, hum, p)
    lim = d.chilled_water_supply_c - d.tower_approach_k - d.hx_approach_k
    assert np.array_equal(tower, twb > lim) or np.sum(tower != (twb > lim)) <= 2  # float32 ties at the limit
    assert tower.sum() < (t > lim).sum()


def test_empty_and_unusable_inputs(weather):
    chicago = weather.filter(pl.col("station_key") == "chicago")
    assert pue.estimate_pue(chicago.head(0), "air_evaporative").height == 0
    assert pue.hourly_pue(chicago.head(0), "air_evaporative").height == 0
    only_bad = pue.estimate_pue(chicago.head(100), "air_evaporative").row(0, named=True)
    assert only_bad["pue_annual"] is None and only_bad["null_reason"] == "only 100 hourly rows (< 8000)"
