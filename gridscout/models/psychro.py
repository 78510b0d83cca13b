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

import functools

import numpy as np

#: Ratio of molecular weights of water vapour and dry air [-] (ASHRAE 2017 ch.1 eq. 22).
EPSILON = 0.621945
#: Triple point of water [°C]; the ice/water boundary of eqns 5-6 (as psychrolib).
TRIPLE_POINT_C = 0.01
#: Freezing point [°C]; the ice/water boundary of the wet-bulb equations 33/35.
FREEZING_POINT_C = 0.0
#: Smallest humidity ratio allowed [kg/kg] (as psychrolib).
MIN_HUM_RATIO = 1e-7
#: A wet-bulb Newton step below this [K] leaves an error below 0.05 K^-1 x step^2 < 1e-4 K
#: (|W''/2W'| <= 0.5 d ln p_ws/dT <= 0.05 /K between -60 and 60 °C).
NEWTON_SETTLED_STEP_K = 0.04
#: Standard sea-level atmospheric pressure [Pa].
STANDARD_PRESSURE_PA = 101325.0


def _dtype(*xs):
    """float32 when any argument is a float32 array (the fast path), else float64."""
    return np.float32 if any(getattr(x, "dtype", None) == np.float32 for x in xs) else np.float64


def _arrays(*xs):
    """The arguments as arrays of one float dtype (see :func:`_dtype`)."""
    dt = _dtype(*xs)
    return tuple(np.asarray(x, dtype=dt) for x in xs)


# ASHRAE 2017 ch. 1 eq. 6 (over water) and eq. 5 (over ice) in one form:
# ln p_ws = c0/T + c1 + T (c2 + T (c3 + T (c4 + T c5))) + c6 ln T, T in K, p_ws in Pa.
_WATER = (-5.8002206e03, 1.3914993, -4.8640239e-02, 4.1764768e-05, -1.4452093e-08, 0.0, 6.5459673)
_ICE = (-5.6745359e03, 6.3925247, -9.677843e-03, 6.2215701e-07, 2.0747825e-09, -9.484024e-13, 4.1635019)


def _ln_psat(t_k, c):
    return c[0] / t_k + c[1] + t_k * (c[2] + t_k * (c[3] + t_k * (c[4] + t_k * c[5]))) + c[6] * np.log(t_k)


def _dln_psat(t_k, c):
    """d ln p_ws / dT [1/K] (the analytic derivative psychrolib's ``dLnPws_`` uses)."""
    return -c[0] / (t_k * t_k) + c[2] + t_k * (2.0 * c[3] + t_k * (3.0 * c[4] + t_k * 4.0 * c[5])) + c[6] / t_k


def saturation_vapor_pressure_pa(t_c):
    """Saturation vapour pressure over water (t > 0.01 °C) or ice [Pa].

    Parameters
    ----------
    t_c : array_like
        Temperature. [°C] float32 arrays are computed in float32 (relative error < 1e-5).

    References
    ----------
    ASHRAE Handbook - Fundamentals (2017) ch. 1, eqns 5 and 6 (Hyland & Wexler 1983).
    """
    (t_c,) = _arrays(t_c)
    t = t_c + 273.15
    ln_p = _ln_psat(t, _WATER)
    ice = t_c <= TRIPLE_POINT_C
    if np.any(ice):  # over ice (eq. 5), only where needed
        ln_p = np.array(ln_p, copy=True)
        ln_p[ice] = _ln_psat(np.broadcast_to(t, ln_p.shape)[ice], _ICE)
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
    p_w_pa, p = _arrays(p_w_pa, pressure_pa)
    w = EPSILON * p_w_pa / (p - p_w_pa)
    return np.maximum(w, MIN_HUM_RATIO)


def vapor_pressure_from_humidity_ratio(w, pressure_pa):
    """Partial pressure of water vapour from humidity ratio [Pa] (eq. 20 inverted)."""
    w, p = _arrays(w, pressure_pa)
    w = np.maximum(w, MIN_HUM_RATIO)
    return p * w / (EPSILON + w)


def humidity_ratio_from_dew_point(dew_point_c, pressure_pa):
    """Humidity ratio from dew point [kg/kg]: W = f(p_ws(t_dp), p)."""
    dew_point_c, pressure_pa = _arrays(dew_point_c, pressure_pa)
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
    dry_bulb_c, rh_frac, pressure_pa = _arrays(dry_bulb_c, rh_frac, pressure_pa)
    p_w = rh_frac * saturation_vapor_pressure_pa(dry_bulb_c)
    return humidity_ratio_from_vapor_pressure(p_w, pressure_pa)


def relative_humidity(dry_bulb_c, w, pressure_pa):
    """Relative humidity from humidity ratio [0-1] (may exceed 1 if supersaturated)."""
    dry_bulb_c, w, pressure_pa = _arrays(dry_bulb_c, w, pressure_pa)
    return vapor_pressure_from_humidity_ratio(w, pressure_pa) / saturation_vapor_pressure_pa(dry_bulb_c)


def dew_point_from_humidity_ratio(dry_bulb_c, w, pressure_pa, n_iter: int = 6):
    """Dew-point temperature from humidity ratio [°C].

    Newton iteration on ln p_ws(t) = ln p_w with the analytic derivative (ASHRAE eqns 5-6
    inverted, as psychrolib's ``GetTDewPointFromVapPres``), started from the Magnus
    approximation (Alduchov & Eskridge 1996) and capped at the dry-bulb temperature.
    """
    t_db, w, pressure_pa = _arrays(dry_bulb_c, w, pressure_pa)
    ln_pw = np.log(vapor_pressure_from_humidity_ratio(w, pressure_pa))
    g = ln_pw - np.log(610.94)  # Magnus start, p in hPa
    t = 243.04 * g / (17.625 - g)
    for _ in range(n_iter):
        tk = t + 273.15
        ice = t <= TRIPLE_POINT_C
        f = np.where(ice, _ln_psat(tk, _ICE), _ln_psat(tk, _WATER)) - ln_pw
        df = np.where(ice, _dln_psat(tk, _ICE), _dln_psat(tk, _WATER))
        t = t - f / df
    return np.minimum(t, t_db)


# Coefficients of ASHRAE 2017 ch. 1 eq. 33 (t* >= 0 °C, over water) and eq. 35 (over ice):
# W = ((a - b t*) W_s* - 1.006 (t - t*)) / (a + 1.86 t - c t*).
_EQ33 = (2501.0, 2.326, 4.186)
_EQ35 = (2830.0, 0.24, 2.1)


def _w_from_wet_bulb(t, twb, p, eq, ws=None):
    a, b, c = eq
    if ws is None:
        ws = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure_pa(twb), p)
    return ((a - b * twb) * ws - 1.006 * (t - twb)) / (a + 1.86 * t - c * twb)


def humidity_ratio_from_wet_bulb(dry_bulb_c, wet_bulb_c, pressure_pa, ws=None):
    """Humidity ratio from dry-bulb and (thermodynamic) wet-bulb temperature [kg/kg].

    ``ws``, the humidity ratio of saturated air at the wet bulb, is computed when not given (give
    it to reuse it for many dry bulbs at one wet bulb).

    References
    ----------
    ASHRAE Handbook - Fundamentals (2017) ch. 1, eqns 33 (over water) and 35 (over ice).
    """
    t, twb, p = _arrays(dry_bulb_c, wet_bulb_c, pressure_pa)
    if ws is None:
        ws = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure_pa(twb), p)
    if twb.ndim == 0:  # one wet bulb: one branch
        eq = _EQ33 if twb >= FREEZING_POINT_C else _EQ35
        return np.maximum(_w_from_wet_bulb(t, twb, p, eq, ws), MIN_HUM_RATIO)
    w_water = _w_from_wet_bulb(t, twb, p, _EQ33, ws)
    w_ice = _w_from_wet_bulb(t, twb, p, _EQ35, ws)
    return np.maximum(np.where(twb >= FREEZING_POINT_C, w_water, w_ice), MIN_HUM_RATIO)


def _wet_bulb_bisect(t, w, p, tol_k, max_iter):
    """psychrolib's bisection between dew point and dry bulb (``GetTWetBulbFromHumRatio``)."""
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


def _wet_bulb_newton(t, w, p, x, eq, psat_coef, n_iter):
    """Newton steps on one branch of eq. 33/35, returns (x, |last step|).

    Solves f(t*) = (a - b t*) W_s*(t*) + (1.006 + c W) t* - (1.006 t + W (a + 1.86 t)) = 0, i.e.
    eq. 33/35 multiplied by its denominator, with the analytic derivative of W_s*.
    """
    a, b, c = eq
    c0, c1, c2, c3, c4, c5, c6 = psat_coef
    g = 1.006 + c * w
    h = 1.006 * t + w * (a + 1.86 * t)
    step = np.full(t.shape, np.inf, dtype=t.dtype)
    for _ in range(n_iter):
        tk = x + 273.15
        inv = 1.0 / tk
        c0_inv = c0 * inv
        if c5:
            poly = tk * (c2 + tk * (c3 + tk * (c4 + tk * c5)))
            dpoly = c2 + tk * (2.0 * c3 + tk * (3.0 * c4 + tk * (4.0 * c5)))
        else:
            poly = tk * (c2 + tk * (c3 + tk * c4))
            dpoly = c2 + tk * (2.0 * c3 + tk * (3.0 * c4))
        ps = np.exp(c0_inv + c1 + poly + c6 * np.log(tk))
        r = 1.0 / (p - ps)
        ws = EPSILON * ps * r
        dws = ws * p * r * (dpoly + (c6 - c0_inv) * inv)   # W_s* · p/(p - p_s) · d ln p_s/dT
        m = a - b * x
        step = (m * ws + g * x - h) / (m * dws - b * ws + g)
        x = np.minimum(x - step, t)
    return x, np.abs(step)


def _solve_branch(t, w, p, x0, eq, coef, lo, hi, tol_k):
    """Newton on one branch (two steps, two more where still moving); x, converged flag."""
    x = np.minimum(np.maximum(x0, lo) if lo is not None else x0, hi)
    x, step = _wet_bulb_newton(t, w, p, x, eq, coef, 2)
    slow = step >= NEWTON_SETTLED_STEP_K
    if slow.any():
        idx = np.flatnonzero(slow)
        x[idx], step[idx] = _wet_bulb_newton(t[idx], w[idx], p[idx], x[idx], eq, coef, 2)
        step[idx] = np.where(step[idx] < tol_k, 0.0, np.inf)
    return x, step < NEWTON_SETTLED_STEP_K


def _bisect_two_roots(lo, hi, x_water, x_ice, tol_k):
    """psychrolib's bisection from [dew point, dry bulb] where W(t*) has a root on each branch.

    W(mid) > W holds exactly when mid lies above the root of mid's own branch (W is increasing
    on each branch), so the bisection runs on comparisons with the two known roots.
    """
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        above = np.where(mid >= FREEZING_POINT_C, mid > x_water, mid > x_ice)
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
        if not np.any(hi - lo > tol_k):
            break
    return 0.5 * (lo + hi)


def wet_bulb_c(dry_bulb_c, w, pressure_pa, tol_k: float = 1e-4, max_iter: int = 60):
    """Thermodynamic wet-bulb temperature from humidity ratio [°C].

    Solves ASHRAE eq. 33 (t* >= 0 °C) / eq. 35 (t* < 0 °C) for t*, the root psychrolib
    brackets by bisection between dew point and dry bulb. W(t*) is increasing on each branch
    but jumps *up* from eq. 33 to eq. 35 at 0 °C, so the branch of the root is known
    beforehand: eq. 33 when W > W_eq35(0 °C), eq. 35 when W < W_eq33(0 °C) or t < 0 °C.
    Newton steps with the analytic derivative from Stull's (2011) estimate solve each branch
    (float32 input is solved in float32). Between the two values W has a root on each branch;
    there psychrolib's bisection is replayed on the two roots, so the same root is picked.
    Elements whose Newton steps do not settle fall back to psychrolib's bisection in float64.
    No Python loop over elements.

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
    t, w, p = _arrays(dry_bulb_c, w, pressure_pa)
    scalar = t.ndim == w.ndim == p.ndim == 0
    if not (t.shape == w.shape == p.shape and t.ndim == 1):
        t, w, p = (np.atleast_1d(np.array(a)) for a in np.broadcast_arrays(t, w, p))
    w = np.maximum(w, MIN_HUM_RATIO)
    rh = np.clip(100.0 * (p * w / (EPSILON + w)) / saturation_vapor_pressure_pa(t), 1.0, 100.0)
    x0 = (t * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(t + rh) - np.arctan(rh - 1.676331)
          + 0.00391838 * rh * np.sqrt(rh) * np.arctan(0.023101 * rh) - 4.686035)
    x0 = np.minimum(x0, t)
    # W at t* = 0 °C on both branches (W_s* from eq. 5 at 0 °C, as psychrolib: 0 <= triple point)
    ws0 = humidity_ratio_from_vapor_pressure(saturation_vapor_pressure_pa(np.zeros(1, dtype=t.dtype)), p)
    warm = t >= FREEZING_POINT_C
    water_only = warm & (w > _w_from_wet_bulb(t, 0.0, p, _EQ35, ws0))
    ice_only = ~warm | (w < _w_from_wet_bulb(t, 0.0, p, _EQ33, ws0))
    out = np.empty(t.shape, dtype=t.dtype)
    ok = np.ones(t.shape, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        roots = {}
        for name, sel, eq, coef, lo, hi in (("water", ~ice_only, _EQ33, _WATER, 0.0, t),
                                            ("ice", ~water_only, _EQ35, _ICE, None, np.minimum(t, 0.0))):
            if sel.all():
                x, conv = _solve_branch(t, w, p, x0, eq, coef, lo, hi, tol_k)
                out[:], ok[:] = x, conv
                roots[name] = (slice(None), x)
            elif sel.any():
                idx = np.flatnonzero(sel)
                x, conv = _solve_branch(t[idx], w[idx], p[idx], x0[idx], eq, coef, lo, hi[idx], tol_k)
                out[idx], ok[idx] = x, conv
                roots[name] = (idx, x)
        gap = ~(water_only | ice_only)
        if gap.any():
            xw = np.empty(t.shape, dtype=t.dtype)
            xi = np.empty(t.shape, dtype=t.dtype)
            xw[roots["water"][0]] = roots["water"][1]
            xi[roots["ice"][0]] = roots["ice"][1]
            g = np.flatnonzero(gap)
            dp = np.minimum(dew_point_from_humidity_ratio(t[g], w[g], p[g]), t[g])
            out[g] = _bisect_two_roots(dp, t[g].copy(), xw[g], xi[g], tol_k)
    bad = ~ok & np.isfinite(t) & np.isfinite(w) & np.isfinite(p)
    if bad.any():
        # psychrolib stops its bisection at 1e-3 K; 1e-4 K keeps us inside its final bracket
        t64, w64, p64 = (a[bad].astype(np.float64) for a in (t, w, p))
        out[bad] = _wet_bulb_bisect(t64, w64, p64, max(tol_k, 1e-4), max_iter)
    return out[0] if scalar else out


def moist_air_enthalpy_j_per_kg(dry_bulb_c, w):
    """Moist-air specific enthalpy [J per kg dry air].

    References
    ----------
    ASHRAE Handbook - Fundamentals (2017) ch. 1, eq. 32: h = 1.006 t + W (2501 + 1.86 t) [kJ/kg].
    """
    t, w = _arrays(dry_bulb_c, w)
    return (1.006 * t + w * (2501.0 + 1.86 * t)) * 1000.0


@functools.cache
def _saturation_enthalpy_table() -> tuple[np.ndarray, np.ndarray]:
    """Enthalpy [kJ/kg] of saturated air at standard pressure on a 0.25 K grid from −60 to 60 °C."""
    t = np.arange(-60.0, 60.0001, 0.25)
    w = humidity_ratio_from_dew_point(t, STANDARD_PRESSURE_PA)
    return (1.006 * t + w * (2501.0 + 1.86 * t)), t


def saturated_air_from_enthalpy(h_j_per_kg, pressure_pa, n_iter: int = 3):
    """Temperature [°C] and humidity ratio [kg/kg] of saturated air of enthalpy ``h`` [J/kg dry air].

    Solves h = h(t, W_s(t, p)) (ASHRAE Handbook - Fundamentals 2017 ch. 1, eqs. 32, 20 and 6 / 5)
    by Newton steps with the analytic slope dh/dt = 1.006 + 1.86 W_s + (2501 + 1.86 t) dW_s/dt,
    dW_s/dt = W_s p / (p − p_ws) · d ln p_ws/dT, from the root at standard pressure (interpolated in
    :func:`_saturation_enthalpy_table`; within ~2 K at 2,500 m); three steps settle below 1e-4 K.
    """
    h, p = _arrays(h_j_per_kg, pressure_pa)
    h = h / 1000.0
    h_tab, t_tab = _saturation_enthalpy_table()
    t = np.interp(h, h_tab, t_tab).astype(h.dtype, copy=False)  # exact at standard pressure
    for _ in range(n_iter):
        t_k = t + 273.15
        ln_p, dln = _ln_psat(t_k, _WATER), _dln_psat(t_k, _WATER)
        ice = np.flatnonzero(t <= TRIPLE_POINT_C)
        if ice.size:  # over ice only where needed
            ln_p[ice], dln[ice] = _ln_psat(t_k[ice], _ICE), _dln_psat(t_k[ice], _ICE)
        pws = np.exp(ln_p)
        ws = EPSILON * pws / (p - pws)
        f = 1.006 * t + ws * (2501.0 + 1.86 * t) - h
        slope = 1.006 + 1.86 * ws + (2501.0 + 1.86 * t) * ws * p / (p - pws) * dln
        t = t - f / slope
    return t, humidity_ratio_from_dew_point(t, p)


#: Grid of :func:`saturated_humidity_ratio_from_enthalpy`: enthalpy −70 … 250 kJ/kg in 0.25 kJ/kg
#: steps (saturated air from about −60 to 60 °C) by ln pressure 50 … 110 kPa in 24 steps.
_SAT_TABLE_H = (-70.0, 0.25, 1281)
_SAT_TABLE_LNP = (float(np.log(50000.0)), float((np.log(110000.0) - np.log(50000.0)) / 24), 25)


@functools.cache
def _saturated_ln_w_table() -> np.ndarray:
    """ln W of saturated air on the (enthalpy, ln p) grid, solved in float64 (6 Newton steps), as the
    float32 coefficients (a, b_h, b_p, b_hp) of each cell's bilinear form, one row per cell."""
    h0, dh, nh = _SAT_TABLE_H
    l0, dl, nl = _SAT_TABLE_LNP
    hh, ll = np.meshgrid(h0 + dh * np.arange(nh), l0 + dl * np.arange(nl), indexing="ij")
    _, w = saturated_air_from_enthalpy(hh.ravel() * 1000.0, np.exp(ll.ravel()), n_iter=6)
    v = np.log(w).reshape(nh, nl)
    a, b, c, d = v[:-1, :-1], v[:-1, 1:], v[1:, :-1], v[1:, 1:]  # (h, p), (h, p+), (h+, p), (h+, p+)
    return np.stack([a, c - a, b - a, a - b - c + d], axis=-1).reshape(-1, 4).astype(np.float32)


def saturated_humidity_ratio_from_enthalpy(h_j_per_kg, pressure_pa):
    """Humidity ratio [kg/kg] of saturated air of enthalpy ``h`` [J/kg dry air] at pressure ``p`` [Pa].

    The W of :func:`saturated_air_from_enthalpy`, interpolated bilinearly in ln W over a table on
    (h, ln p) solved once in float64 (:data:`_SAT_TABLE_H`, :data:`_SAT_TABLE_LNP`): uniform grids,
    so the cell is found by arithmetic (no search) and its four coefficients are one row gather
    (``np.take``); one exponential per value. Relative error ≤ 5e-5 except in the cell holding the
    ice/water switch of eqns 5/6 at 0.01 °C (h ≈ 9.5 kJ/kg), where the two equations differ and the
    error reaches 3e-4 (``tests/models/test_psychro.py``). Values off the grid are solved exactly.
    float32 in, float32 out.
    """
    h, p = _arrays(h_j_per_kg, pressure_pa)
    if h.ndim == 0 and p.ndim == 0:
        return saturated_humidity_ratio_from_enthalpy(h[None], p[None])[0]
    h, p = np.broadcast_arrays(h, p)
    dt = h.dtype
    h0, dh, nh = _SAT_TABLE_H
    l0, dl, nl = _SAT_TABLE_LNP
    x = (h * dt.type(1e-3) - dt.type(h0)) * dt.type(1.0 / dh)
    y = (np.log(p) - dt.type(l0)) * dt.type(1.0 / dl)
    # on the grid when the extremes are (a NaN extreme fails these tests too): four reductions
    # instead of a mask in the common case
    any_off = x.size > 0 and not (x.min() >= 0 and x.max() < nh - 1 and y.min() >= 0 and y.max() < nl - 1)
    if any_off:
        off = ~((x >= 0) & (x < nh - 1) & (y >= 0) & (y < nl - 1))  # NaN is off the grid too
        x, y = np.where(off, 0, x), np.where(off, 0, y)
    i, j = x.astype(np.int32), y.astype(np.int32)
    x -= i
    y -= j
    cf = np.take(_saturated_ln_w_table(), i * (nl - 1) + j, axis=0)
    ln_w = cf[:, 0] + x * cf[:, 1] + y * (cf[:, 2] + x * cf[:, 3])
    w = np.exp(ln_w).astype(dt, copy=False)
    if any_off:
        idx = np.flatnonzero(off)
        w[idx] = saturated_air_from_enthalpy(h[idx], p[idx])[1]
    return w


def humidity_ratio_from_weather(dry_bulb_c, pressure_pa, dew_point_c=None, rh_pct=None):
    """Humidity ratio [kg/kg] of an hourly series: from the dew point where present, else from RH [%].

    The dew point is capped at the dry bulb. float32 input is computed in float32.
    """
    t, p = _arrays(dry_bulb_c, pressure_pa)
    w = None
    if dew_point_c is not None:
        (dp,) = _arrays(dew_point_c)
        w = humidity_ratio_from_dew_point(np.minimum(dp.astype(t.dtype, copy=False), t), p)
    if rh_pct is not None:
        (rh,) = _arrays(rh_pct)
        rh = rh.astype(t.dtype, copy=False)
        gap = np.ones(t.shape, dtype=bool) if w is None else np.isnan(w)
        if gap.any():
            if w is None:
                w = np.full(t.shape, np.nan, dtype=t.dtype)
            idx = np.flatnonzero(gap)
            w[idx] = humidity_ratio_from_rh(t[idx], np.clip(rh[idx], 0, 100) / 100.0, p[idx] if p.ndim else p)
    return np.full(t.shape, np.nan, dtype=t.dtype) if w is None else w


def state_from_weather(dry_bulb_c, pressure_pa, dew_point_c=None, rh_pct=None):
    """Humidity ratio [kg/kg], wet bulb [°C] and enthalpy [J/kg] for an hourly series.

    Dew point is used where present, relative humidity [%] where the dew point is NaN.
    float32 input is computed in float32 (see the error bounds in ``tests/models/test_psychro.py``).

    Returns
    -------
    dict of arrays: ``humidity_ratio``, ``wet_bulb_c``, ``dew_point_c``, ``enthalpy_j_per_kg``.
    """
    t, p = _arrays(dry_bulb_c, pressure_pa)
    p = np.broadcast_to(p, t.shape)
    w = humidity_ratio_from_weather(t, p, dew_point_c, rh_pct)
    twb = wet_bulb_c(t, w, p)
    dp_out = np.minimum(np.asarray(dew_point_c, dtype=t.dtype), t) if dew_point_c is not None \
        else np.full(t.shape, np.nan, dtype=t.dtype)
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
