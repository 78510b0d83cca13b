"""Vectorised psychrometrics of moist air (SI units), after the ASHRAE Handbook.

All functions take and return NumPy arrays (or scalars, broadcast) and never loop
in Python over elements. They implement the same equations as psychrolib
(Meyer & Thevenard 2019), which is used as the oracle in the tests.

References
----------
ASHRAE (2017). *ASHRAE Handbook - Fundamentals*, chapter 1 "Psychrometrics",
eqns 5-6 (saturation vapour pressure), 20 (humidity ratio), 32 (enthalpy),
33/35 (wet-bulb).
Meyer, D. & Thevenard, D. (2019). PsychroLib: a library of psychrometric functions
to calculate thermodynamic properties of air. *Journal of Open Source Software*
4(33), 1137. https://doi.org/10.21105/joss.01137
"""

from __future__ import annotations

import numpy as np

#: Ratio of molecular weights of water vapour and dry air [-] (ASHRAE 2017 ch.1 eq. 22).
EPSILON = 0.621945
#: Triple point of water [°C]; the ice/water boundary of eqns 5-6 (as psychrolib).
TRIPLE_POINT_C = 0.01
#: Freezing point [°C]; the ice/water boundary of the wet-bulb equations 33/35.
FREEZING_POINT_C = 0.0
#: Smallest humidity ratio allowed [kg/kg] (as psychrolib).
MIN_HUM_RATIO = 1e-7
#: Standard sea-level atmospheric pressure [Pa].
STANDARD_PRESSURE_PA = 101325.0


def saturation_vapor_pressure_pa(t_c):
    """Saturation vapour pressure over water (t > 0.01 °C) or ice [Pa].

    Parameters
    ----------
    t_c : array_like
        Temperature. [°C]

    References
    ----------
    ASHRAE Handbook - Fundamentals (2017) ch. 1, eqns 5 and 6 (Hyland & Wexler 1983).
    """
    t_c = np.asarray(t_c, dtype=np.float64)
    t = t_c + 273.15
    # over water (eq. 6), Horner form
    ln_p = (-5.8002206e03 / t + 1.3914993 + t * (-4.8640239e-02 + t * (4.1764768e-05 + t * -1.4452093e-08))
            + 6.5459673 * np.log(t))
    ice = t_c <= TRIPLE_POINT_C
    if np.any(ice):  # over ice (eq. 5), only where needed
        ln_p = np.array(ln_p, copy=True)
        ti = np.broadcast_to(t, ln_p.shape)[ice]
        ln_p[ice] = (-5.6745359e03 / ti + 6.3925247
                     + ti * (-9.677843e-03 + ti * (6.2215701e-07 + ti * (2.0747825e-09 + ti * -9.484024e-13)))
                     + 4.1635019 * np.log(ti))
    return np.exp(ln_p)


def humidity_ratio_from_vapor_pressure(p_w_pa, pressure_pa):
    """Humidity ratio from partial pressure of water vapour [kg water / kg dry air].

    Parameters
    ----------
    p_w_pa : array_like
        Partial pressure of water vapour. [Pa]
    pressure_pa : array_like
        Atmospheric pressure. [Pa]

    References
    ----------
    ASHRAE Handbook - Fundamentals (2017) ch. 1, eq. 20.
    """
    p_w_pa = np.asarray(p_w_pa, dtype=np.float64)
    w = EPSILON * p_w_pa / (np.asarray(pressure_pa, dtype=np.float64) - p_w_pa)
    return np.maximum(w, MIN_HUM_RATIO)


def vapor_pressure_from_humidity_ratio(w, pressure_pa):
    """Partial pressure of water vapour from humidity ratio [Pa] (eq. 20 inverted)."""
    w = np.maximum(np.asarray(w, dtype=np.float64), MIN_HUM_RATIO)
    return np.asarray(pressure_pa, dtype=np.float64) * w / (EPSILON + w)


def humidity_ratio_from_dew_point(dew_point_c, pressure_pa):
    """Humidity ratio from dew point [kg/kg]: W = f(p_ws(t_dp), p)."""
    return humidity_ratio_from_vapor_pressure(saturation_vapor_pressure_pa(dew_point_c), pressure_pa)


def humidity_ratio_from_rh(dry_bulb_c, rh_frac, pressure_pa):
    """Humidity ratio from relative humidity [kg/kg].

    Parameters
    ----------
    dry_bulb_c : array_like
        Dry-bulb temperature. [°C]
    rh_frac : array_like
        Relative humidity as a fraction. [0-1]
    pressure_pa : array_like
        Atmospheric pressure. [Pa]
    """
    p_w = np.asarray(rh_frac, dtype=np.float64) * saturation_vapor_pressure_pa(dry_bulb_c)
    return humidity_ratio_from_vapor_pressure(p_w, pressure_pa)


def relative_humidity(dry_bulb_c, w, pressure_pa):
    """Relative humidity from humidity ratio [0-1] (may exceed 1 if supersaturated)."""
    return vapor_pressure_from_humidity_ratio(w, pressure_pa) / saturation_vapor_pressure_pa(dry_bulb_c)


def dew_point_from_humidity_ratio(dry_bulb_c, w, pressure_pa, n_iter: int = 8):
    """Dew-point temperature from humidity ratio [°C].

    Newton iteration on ln p_ws(t) = ln p_w (ASHRAE eqns 5-6 inverted, as psychrolib),
    started from the Magnus approximation and capped at the dry-bulb temperature.
    """
    t_db = np.asarray(dry_bulb_c, dtype=np.float64)
    ln_pw = np.log(vapor_pressure_from_humidity_ratio(w, pressure_pa))
    # Magnus start (Alduchov & Eskridge 1996) in hPa.
    g = ln_pw - np.log(610.94)
    t = 243.04 * g / (17.625 - g)
    h = 1e-4
    for _ in range(n_iter):
        f = np.log(saturation_vapor_pressure_pa(t)) - ln_pw
        df = (np.log(saturation_vapor_pressure_pa(t + h)) - np.log(saturation_vapor_pressure_pa(t - h))) / (2 * h)
        t = t - f / df
    return np.minimum(t, t_db)


def humidity_ratio_from_wet_bulb(dry_bulb_c, wet_bulb_c, pressure_pa):
    """Humidity ratio from dry-bulb and (thermodynamic) wet-bulb temperature [kg/kg].

    References
    ----------
    ASHRAE Handbook - Fundamentals (2017) ch. 1, eqns 33 (over water) and 35 (over ice).
    """
    t = np.asarray(dry_bulb_c, dtype=np.float64)
    twb = np.asarray(wet_bulb_c, dtype=np.float64)
    ws = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure_pa(twb), pressure_pa)
    w_water = ((2501.0 - 2.326 * twb) * ws - 1.006 * (t - twb)) / (2501.0 + 1.86 * t - 4.186 * twb)
    w_ice = ((2830.0 - 0.24 * twb) * ws - 1.006 * (t - twb)) / (2830.0 + 1.86 * t - 2.1 * twb)
    return np.maximum(np.where(twb >= FREEZING_POINT_C, w_water, w_ice), MIN_HUM_RATIO)


def _wet_bulb_bisect(t, w, p, tol_k, max_iter):
    lo = np.minimum(dew_point_from_humidity_ratio(t, w, p), t)
    hi = t.copy()
    for _ in range(max_iter):
        mid = 0.5 * (lo + hi)
        above = humidity_ratio_from_wet_bulb(t, mid, p) > w
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
        if np.nanmax(hi - lo, initial=0.0) < tol_k:
            break
    return 0.5 * (lo + hi)


def wet_bulb_c(dry_bulb_c, w, pressure_pa, tol_k: float = 1e-6, max_iter: int = 60):
    """Thermodynamic wet-bulb temperature from humidity ratio [°C].

    Solves ASHRAE eq. 33/35 for t* (the same root psychrolib brackets by bisection):
    vectorised Newton steps from Stull's (2011) estimate, then vectorised bisection
    between the dew point and the dry bulb for any element whose Newton step did not
    settle below ``tol_k`` (e.g. at the 0 °C ice/water switch). No Python loop over
    elements.

    Parameters
    ----------
    dry_bulb_c : array_like
        Dry-bulb temperature. [°C]
    w : array_like
        Humidity ratio. [kg water / kg dry air]
    pressure_pa : array_like
        Atmospheric pressure. [Pa]

    References
    ----------
    Stull, R. (2011). Wet-bulb temperature from relative humidity and air temperature.
    J. Appl. Meteor. Climatol. 50, 2267-2269. https://doi.org/10.1175/JAMC-D-11-0143.1
    """
    t, w, p = np.broadcast_arrays(np.asarray(dry_bulb_c, dtype=np.float64),
                                  np.maximum(np.asarray(w, dtype=np.float64), MIN_HUM_RATIO),
                                  np.asarray(pressure_pa, dtype=np.float64))
    rh = np.clip(100.0 * relative_humidity(t, w, p), 1.0, 100.0)
    x = (t * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(t + rh) - np.arctan(rh - 1.676331)
         + 0.00391838 * rh**1.5 * np.arctan(0.023101 * rh) - 4.686035)
    x = np.minimum(x, t)
    h = 1e-6
    step = np.full(t.shape, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(4):
            f = humidity_ratio_from_wet_bulb(t, x, p) - w
            df = (humidity_ratio_from_wet_bulb(t, x + h, p) - w - f) / h
            step = f / df
            x = np.minimum(x - step, t)
    # Eqns 33/35 switch at 0 °C and are discontinuous there: near it, reproduce the
    # bisection bracket psychrolib uses so both pick the same root.
    bad = ~(np.abs(step) < tol_k) | (np.abs(x) < 2.0)
    bad &= np.isfinite(t) & np.isfinite(w) & np.isfinite(p)
    if bad.any():
        x = x.copy()
        # psychrolib stops its bisection at 1e-3 K; 1e-4 K keeps us inside its final bracket
        x[bad] = _wet_bulb_bisect(t[bad], w[bad], p[bad], max(tol_k, 1e-4), max_iter)
    return x


def moist_air_enthalpy_j_per_kg(dry_bulb_c, w):
    """Moist-air specific enthalpy [J per kg dry air].

    References
    ----------
    ASHRAE Handbook - Fundamentals (2017) ch. 1, eq. 32: h = 1.006 t + W (2501 + 1.86 t) [kJ/kg].
    """
    t = np.asarray(dry_bulb_c, dtype=np.float64)
    return (1.006 * t + np.asarray(w, dtype=np.float64) * (2501.0 + 1.86 * t)) * 1000.0


def state_from_weather(dry_bulb_c, pressure_pa, dew_point_c=None, rh_pct=None):
    """Humidity ratio [kg/kg], wet bulb [°C] and enthalpy [J/kg] for an hourly series.

    Dew point is used where present, relative humidity [%] where the dew point is NaN.

    Returns
    -------
    dict of arrays: ``humidity_ratio``, ``wet_bulb_c``, ``dew_point_c``, ``enthalpy_j_per_kg``.
    """
    t = np.asarray(dry_bulb_c, dtype=np.float64)
    p = np.asarray(pressure_pa, dtype=np.float64)
    w = np.full(t.shape, np.nan)
    if dew_point_c is not None:
        dp = np.minimum(np.asarray(dew_point_c, dtype=np.float64), t)
        w = humidity_ratio_from_dew_point(dp, p)
    if rh_pct is not None:
        w_rh = humidity_ratio_from_rh(t, np.clip(np.asarray(rh_pct, dtype=np.float64), 0, 100) / 100.0, p)
        w = np.where(np.isnan(w), w_rh, w)
    twb = wet_bulb_c(t, w, p)
    dp_out = dp if dew_point_c is not None else np.full(t.shape, np.nan)
    need = np.isnan(dp_out) & np.isfinite(w)
    if need.any():
        dp_out = dp_out.copy()
        dp_out[need] = dew_point_from_humidity_ratio(t[need], w[need], p[need])
    return {
        "humidity_ratio": w,
        "wet_bulb_c": twb,
        "dew_point_c": dp_out,
        "enthalpy_j_per_kg": moist_air_enthalpy_j_per_kg(t, w),
    }
