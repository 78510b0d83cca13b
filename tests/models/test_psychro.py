"""Psychrometrics held to psychrolib (ASHRAE Handbook formulas) and ASHRAE's worked example."""

import numpy as np
import psychrolib
import pytest

from gridscout.models import psychro

psychrolib.SetUnitSystem(psychrolib.SI)

T = np.linspace(-30.0, 50.0, 33)
RH = np.linspace(0.05, 1.0, 12)
P = (101325.0, 89875.0, 70000.0)  # sea level, ~1000 m, ~3000 m


@pytest.mark.parametrize("p", P)
def test_saturation_and_humidity_ratio_match_psychrolib(p):
    tt, rr = (a.ravel() for a in np.meshgrid(T, RH))
    ref_pws = np.array([psychrolib.GetSatVapPres(t) for t in tt])
    ref_w = np.array([psychrolib.GetHumRatioFromRelHum(t, r, p) for t, r in zip(tt, rr)])
    np.testing.assert_allclose(psychro.saturation_vapor_pressure_pa(tt), ref_pws, rtol=1e-12)
    np.testing.assert_allclose(psychro.humidity_ratio_from_rh(tt, rr, p), ref_w, rtol=1e-10)


@pytest.mark.parametrize("p", P)
def test_wet_bulb_dew_point_enthalpy_match_psychrolib(p):
    tt, rr = (a.ravel() for a in np.meshgrid(T, RH))
    w = psychro.humidity_ratio_from_rh(tt, rr, p)
    ref_twb = np.array([psychrolib.GetTWetBulbFromHumRatio(t, x, p) for t, x in zip(tt, w)])
    ref_dp = np.array([psychrolib.GetTDewPointFromHumRatio(t, x, p) for t, x in zip(tt, w)])
    ref_h = np.array([psychrolib.GetMoistAirEnthalpy(t, x) for t, x in zip(tt, w)])
    # psychrolib bisects wet bulb to 0.001 K; we solve to 1e-6 K
    np.testing.assert_allclose(psychro.wet_bulb_c(tt, w, p), ref_twb, atol=1.5e-3)
    np.testing.assert_allclose(psychro.dew_point_from_humidity_ratio(tt, w, p), ref_dp, atol=1e-3)
    np.testing.assert_allclose(psychro.moist_air_enthalpy_j_per_kg(tt, w), ref_h, rtol=1e-12)
    ref_w_from_dp = np.array([psychrolib.GetHumRatioFromTDewPoint(d, p) for d in ref_dp])
    np.testing.assert_allclose(psychro.humidity_ratio_from_dew_point(ref_dp, p), ref_w_from_dp, rtol=1e-9)


def test_ashrae_handbook_example():
    # ASHRAE Handbook Fundamentals (2017) ch.1 Example 1: t = 40 °C, t* = 20 °C, p = 101.325 kPa
    # -> W = 0.0065, h = 56.7 kJ/kg, RH = 14 %, dew point ≈ 7 °C. Tolerances as psychrolib's own
    # tests (test_AllPsychrometrics: W ±0.0001, h ±100 J/kg, RH ±0.01, t_dp ±0.5 K "not great agreement").
    w = psychro.humidity_ratio_from_wet_bulb(40.0, 20.0, 101325.0)
    assert w == pytest.approx(0.0065, abs=1e-4)
    assert psychro.moist_air_enthalpy_j_per_kg(40.0, w) == pytest.approx(56700, abs=100)
    assert psychro.relative_humidity(40.0, w, 101325.0) == pytest.approx(0.14, abs=0.01)
    dp = psychro.dew_point_from_humidity_ratio(40.0, w, 101325.0)
    assert dp == pytest.approx(7.0, abs=0.5)
    # reverse: wet bulb recovered from the dew point state
    w2 = psychro.humidity_ratio_from_dew_point(dp, 101325.0)
    assert psychro.wet_bulb_c(40.0, w2, 101325.0) == pytest.approx(20.0, abs=0.1)


def test_psychrolib_published_saturation_values():
    # psychrolib test values from ASHRAE Handbook Fundamentals 2017 ch.1 Table 3
    assert psychro.saturation_vapor_pressure_pa(-60.0) == pytest.approx(1.08, rel=3e-3)
    assert psychro.saturation_vapor_pressure_pa(-20.0) == pytest.approx(103.24, rel=3e-3)
    assert psychro.saturation_vapor_pressure_pa(5.0) == pytest.approx(872.6, rel=3e-3)
    assert psychro.saturation_vapor_pressure_pa(25.0) == pytest.approx(3169.7, rel=3e-3)
    assert psychro.saturation_vapor_pressure_pa(50.0) == pytest.approx(12351.3, rel=3e-3)


def test_state_uses_rh_where_dew_point_missing():
    t = np.array([25.0, 25.0])
    st = psychro.state_from_weather(t, np.full(2, 101325.0), dew_point_c=np.array([15.0, np.nan]),
                                    rh_pct=np.array([np.nan, 50.0]))
    assert np.all(np.isfinite(st["wet_bulb_c"]))
    assert st["humidity_ratio"][1] == pytest.approx(psychrolib.GetHumRatioFromRelHum(25.0, 0.5, 101325.0), rel=1e-10)


def test_saturated_air_from_enthalpy_matches_ashrae_table_2():
    """ASHRAE Handbook - Fundamentals (2017) ch. 1, Table 2 (moist air at 101.325 kPa, saturated):
    20 °C: W_s = 0.014758, h_s = 57.544 kJ/kg; 0 °C: W_s = 0.003789, h_s = 9.475 kJ/kg."""
    import numpy as np

    from gridscout.models import psychro

    t, w = psychro.saturated_air_from_enthalpy(np.array([57544.0, 9475.0]), np.full(2, 101325.0))
    # eq. 32 (the enthalpy the model uses) is within 0.04 kJ/kg of the table: ≤ 0.05 K here
    assert t[0] == pytest.approx(20.0, abs=0.05) and w[0] == pytest.approx(0.014758, rel=3e-3)
    assert t[1] == pytest.approx(0.0, abs=0.05) and w[1] == pytest.approx(0.003789, rel=3e-3)


def test_saturated_humidity_ratio_table_matches_the_solver():
    """The tabulated W of saturated air (bilinear in ln W on enthalpy × ln pressure, used per hour
    by the cooling-tower balance) against the float64 Newton solution: ≤ 5e-5 relative, ≤ 3e-4 in
    the cells holding the ice/water switch of ASHRAE eqns 5/6 at 0.01 °C; off the grid it is exact."""
    rng = np.random.default_rng(7)
    h = rng.uniform(-60e3, 200e3, 100_000)
    p = rng.uniform(55_000.0, 108_000.0, 100_000)
    t_ref, w_ref = psychro.saturated_air_from_enthalpy(h, p, n_iter=8)
    got = psychro.saturated_humidity_ratio_from_enthalpy(h.astype(np.float32), p.astype(np.float32))
    assert got.dtype == np.float32
    rel = np.abs(got / w_ref - 1.0)
    switch = np.abs(t_ref) < 0.6
    assert rel[~switch].max() < 5e-5 and rel.max() < 3e-4
    # ASHRAE Handbook - Fundamentals (2017) ch. 1 Table 2: saturated at 20 °C, h_s = 57.544 kJ/kg,
    # W_s = 0.014758; beyond the grid (h > 250 kJ/kg) the solver answers
    far = psychro.saturated_humidity_ratio_from_enthalpy(np.array([57544.0, 300e3]), np.full(2, 101325.0))
    assert far[0] == pytest.approx(0.014758, rel=3e-3)
    assert far[1] == pytest.approx(psychro.saturated_air_from_enthalpy(300e3, 101325.0)[1], rel=1e-9)
    assert psychro.saturated_humidity_ratio_from_enthalpy(57544.0, 101325.0) == pytest.approx(far[0], rel=1e-6)


@pytest.mark.parametrize("p", P)
def test_wet_bulb_of_saturated_air_at_the_freezing_point(p):
    """Saturated air at exactly 0 °C sits where ASHRAE eqns 33 and 35 give the same W (both branches'
    limits coincide up to rounding): its wet bulb is the dry bulb, as psychrolib finds (an hour of real
    Madison TMY3 weather, 0.0 °C dry bulb and dew point, once got an uninitialised value here)."""
    w = psychro.humidity_ratio_from_dew_point(0.0, p)
    ref = psychrolib.GetTWetBulbFromHumRatio(0.0, psychrolib.GetHumRatioFromTDewPoint(0.0, p), p)
    assert psychro.wet_bulb_c(0.0, w, p) == pytest.approx(ref, abs=1.5e-3)
    assert psychro.wet_bulb_c(np.zeros(3), np.full(3, w), np.full(3, p)) == pytest.approx([ref] * 3, abs=1.5e-3)
