"""Psychrometrics of moist air (SI units), after the ASHRAE Handbook.

Each formula is written once, as a scalar float64 function compiled with numba (``_psat_pa``,
``_wet_bulb``, ...), which the hourly cooling kernel of :mod:`gridscout.models.pue` calls per
station-hour. The public functions apply them element-wise to NumPy arrays or scalars (numba
ufuncs, broadcast); float32 input is computed in float64 and returned as float32. They implement
the same equations as psychrolib (Meyer & Thevenard 2019), which is used as the oracle in the tests.

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
import math

import numba
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

#: numba options of every compiled function: cached on disk, IEEE division (x/0 = inf, not an exception).
JIT = {"cache": True, "error_model": "numpy"}
njit = numba.njit(**JIT)
#: the same, inlined into the caller by numba (small functions called per station-hour)
njit_inline = numba.njit(inline="always", **JIT)


def _dtype(*xs):
    """float32 when any argument is a float32 array (the fast path), else float64."""
    return np.float32 if any(getattr(x, "dtype", None) == np.float32 for x in xs) else np.float64


def _apply(ufunc, *xs):
    """``ufunc`` (float64, element-wise) on the arguments, returned in their dtype (:func:`_dtype`)."""
    dt = _dtype(*xs)
    with np.errstate(invalid="ignore"):  # NaN in, NaN out (e.g. a missing dew point)
        out = ufunc(*(np.asarray(x, dtype=np.float64) for x in xs))
    return out.astype(dt, copy=False) if isinstance(out, np.ndarray) else dt(out)


@njit
def _max(a, b):
    """max(a, b), NaN when a is NaN (as ``np.maximum``)."""
    return a if (a >= b or math.isnan(a)) else b


@njit
def _min(a, b):
    """min(a, b), NaN when a is NaN (as ``np.minimum``)."""
    return a if (a <= b or math.isnan(a)) else b


@njit
def _clip(x, lo, hi):
    return _min(_max(x, lo), hi)


# ASHRAE 2017 ch. 1 eq. 6 (over water) and eq. 5 (over ice) in one form:
# ln p_ws = c0/T + c1 + T (c2 + T (c3 + T (c4 + T c5))) + c6 ln T, T in K, p_ws in Pa.
_WATER = (-5.8002206e03, 1.3914993, -4.8640239e-02, 4.1764768e-05, -1.4452093e-08, 0.0, 6.5459673)
_ICE = (-5.6745359e03, 6.3925247, -9.677843e-03, 6.2215701e-07, 2.0747825e-09, -9.484024e-13, 4.1635019)


@njit
def _ln_psat(t_k, c):
    return c[0] / t_k + c[1] + t_k * (c[2] + t_k * (c[3] + t_k * (c[4] + t_k * c[5]))) + c[6] * math.log(t_k)


@njit
def _dln_psat(t_k, c):
    """d ln p_ws / dT [1/K] (the analytic derivative psychrolib's ``dLnPws_`` uses)."""
    return -c[0] / (t_k * t_k) + c[2] + t_k * (2.0 * c[3] + t_k * (3.0 * c[4] + t_k * 4.0 * c[5])) + c[6] / t_k


@njit_inline
def _psat_pa(t_c):
    """Saturation vapour pressure [Pa] at ``t_c`` [°C], over ice at or below the triple point."""
    return math.exp(_ln_psat(t_c + 273.15, _ICE if t_c <= TRIPLE_POINT_C else _WATER))


@njit
def _w_from_pw(p_w, p):
    return _max(EPSILON * p_w / (p - p_w), MIN_HUM_RATIO)


@njit
def _pw_from_w(w, p):
    w = _max(w, MIN_HUM_RATIO)
    return p * w / (EPSILON + w)


@numba.vectorize(cache=True)
def _psat_u(t_c):
    return _psat_pa(t_c)


@numba.vectorize(cache=True)
def _w_from_pw_u(p_w, p):
    return _w_from_pw(p_w, p)


@numba.vectorize(cache=True)
def _pw_from_w_u(w, p):
    return _pw_from_w(w, p)


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
    return _apply(_psat_u, t_c)


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
    return _apply(_w_from_pw_u, p_w_pa, pressure_pa)


def vapor_pressure_from_humidity_ratio(w, pressure_pa):
    """Partial pressure of water vapour from humidity ratio [Pa] (eq. 20 inverted)."""
    return _apply(_pw_from_w_u, w, pressure_pa)


@numba.vectorize(cache=True)
def _w_from_dew_point_u(dew_point_c, p):
    return _w_from_pw(_psat_pa(dew_point_c), p)


def humidity_ratio_from_dew_point(dew_point_c, pressure_pa):
    """Humidity ratio from dew point [kg/kg]: W = f(p_ws(t_dp), p)."""
    return _apply(_w_from_dew_point_u, dew_point_c, pressure_pa)


@numba.vectorize(cache=True)
def _w_from_rh_u(t, rh_frac, p):
    return _w_from_pw(rh_frac * _psat_pa(t), p)


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
    return _apply(_w_from_rh_u, dry_bulb_c, rh_frac, pressure_pa)


@numba.vectorize(cache=True)
def _rh_u(t, w, p):
    return _pw_from_w(w, p) / _psat_pa(t)


def relative_humidity(dry_bulb_c, w, pressure_pa):
    """Relative humidity from humidity ratio [0-1] (may exceed 1 if supersaturated)."""
    return _apply(_rh_u, dry_bulb_c, w, pressure_pa)


@njit
def _dew_point(t_db, w, p, n_iter):
    ln_pw = math.log(_pw_from_w(w, p))
    g = ln_pw - math.log(610.94)  # Magnus start, p in hPa
    t = 243.04 * g / (17.625 - g)
    for _ in range(n_iter):
        tk = t + 273.15
        c = _ICE if t <= TRIPLE_POINT_C else _WATER
        t = t - (_ln_psat(tk, c) - ln_pw) / _dln_psat(tk, c)
    return _min(t, t_db)


@numba.vectorize(cache=True)
def _dew_point_u(t_db, w, p, n_iter):
    return _dew_point(t_db, w, p, int(n_iter))


def dew_point_from_humidity_ratio(dry_bulb_c, w, pressure_pa, n_iter: int = 6):
    """Dew-point temperature from humidity ratio [°C].

    Newton iteration on ln p_ws(t) = ln p_w with the analytic derivative (ASHRAE eqns 5-6
    inverted, as psychrolib's ``GetTDewPointFromVapPres``), started from the Magnus
    approximation (Alduchov & Eskridge 1996) and capped at the dry-bulb temperature.
    """
    return _apply(_dew_point_u, dry_bulb_c, w, pressure_pa, n_iter)


# Coefficients of ASHRAE 2017 ch. 1 eq. 33 (t* >= 0 °C, over water) and eq. 35 (over ice):
# W = ((a - b t*) W_s* - 1.006 (t - t*)) / (a + 1.86 t - c t*).
_EQ33 = (2501.0, 2.326, 4.186)
_EQ35 = (2830.0, 0.24, 2.1)


@njit
def _w_from_wet_bulb_eq(t, twb, eq, ws):
    a, b, c = eq
    return ((a - b * twb) * ws - 1.006 * (t - twb)) / (a + 1.86 * t - c * twb)


@njit
def _w_from_wet_bulb(t, twb, p, ws):
    """Eq. 33 (t* >= 0 °C) or 35; ``ws`` (W of saturated air at the wet bulb) computed when NaN."""
    if math.isnan(ws):
        ws = _w_from_pw(_psat_pa(twb), p)
    return _max(_w_from_wet_bulb_eq(t, twb, _EQ33 if twb >= FREEZING_POINT_C else _EQ35, ws), MIN_HUM_RATIO)


@numba.vectorize(cache=True)
def _w_from_wet_bulb_u(t, twb, p, ws):
    return _w_from_wet_bulb(t, twb, p, ws)


def humidity_ratio_from_wet_bulb(dry_bulb_c, wet_bulb_c, pressure_pa, ws=None):
    """Humidity ratio from dry-bulb and (thermodynamic) wet-bulb temperature [kg/kg].

    ``ws``, the humidity ratio of saturated air at the wet bulb, is computed when not given (give
    it to reuse it for many dry bulbs at one wet bulb).

    References
    ----------
    ASHRAE Handbook - Fundamentals (2017) ch. 1, eqns 33 (over water) and 35 (over ice).
    """
    return _apply(_w_from_wet_bulb_u, dry_bulb_c, wet_bulb_c, pressure_pa, np.nan if ws is None else ws)


@njit
def _wet_bulb_bisect(t, w, p, tol_k, max_iter):
    """psychrolib's bisection between dew point and dry bulb (``GetTWetBulbFromHumRatio``)."""
    lo = _min(_dew_point(t, w, p, 6), t)
    hi = t
    for _ in range(max_iter):
        mid = 0.5 * (lo + hi)
        if _w_from_wet_bulb(t, mid, p, np.nan) > w:
            hi = mid
        else:
            lo = mid
        if hi - lo < tol_k:
            break
    return 0.5 * (lo + hi)


@njit_inline
def _wet_bulb_newton(t, w, p, x, water, n_iter):
    """Newton steps on one branch of eq. 33/35, returns (x, |last step|).

    Solves f(t*) = (a - b t*) W_s*(t*) + (1.006 + c W) t* - (1.006 t + W (a + 1.86 t)) = 0, i.e.
    eq. 33/35 multiplied by its denominator, with the analytic derivative of W_s*.
    """
    a, b, c = _EQ33 if water else _EQ35
    c0, c1, c2, c3, c4, c5, c6 = _WATER if water else _ICE
    g = 1.006 + c * w
    h = 1.006 * t + w * (a + 1.86 * t)
    step = np.inf
    for _ in range(n_iter):
        tk = x + 273.15
        inv = 1.0 / tk
        c0_inv = c0 * inv
        poly = tk * (c2 + tk * (c3 + tk * (c4 + tk * c5)))
        dpoly = c2 + tk * (2.0 * c3 + tk * (3.0 * c4 + tk * (4.0 * c5)))
        ps = math.exp(c0_inv + c1 + poly + c6 * math.log(tk))
        r = 1.0 / (p - ps)
        ws = EPSILON * ps * r
        dws = ws * p * r * (dpoly + (c6 - c0_inv) * inv)   # W_s* · p/(p - p_s) · d ln p_s/dT
        m = a - b * x
        step = (m * ws + g * x - h) / (m * dws - b * ws + g)
        x = _min(x - step, t)
    return x, abs(step)


@njit
def _solve_branch(t, w, p, x0, water, lo, hi, tol_k):
    """Newton on one branch (two steps, two more where still moving); x, converged flag."""
    x = _min(_max(x0, lo), hi)
    x, step = _wet_bulb_newton(t, w, p, x, water, 2)
    if step >= NEWTON_SETTLED_STEP_K:
        x, step = _wet_bulb_newton(t, w, p, x, water, 2)
        return x, step < tol_k
    return x, step < NEWTON_SETTLED_STEP_K


@njit
def _bisect_two_roots(lo, hi, x_water, x_ice, tol_k):
    """psychrolib's bisection from [dew point, dry bulb] where W(t*) has a root on each branch.

    W(mid) > W holds exactly when mid lies above the root of mid's own branch (W is increasing
    on each branch), so the bisection runs on comparisons with the two known roots.
    """
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        if mid > (x_water if mid >= FREEZING_POINT_C else x_ice):
            hi = mid
        else:
            lo = mid
        if not hi - lo > tol_k:
            break
    return 0.5 * (lo + hi)


#: Grid of the wet-bulb start table (:func:`wet_bulb_start_table`): dry bulb −60 … 60 °C in 0.5 K
#: steps by humidity ratio (scaled to standard pressure) 0 … 0.04 kg/kg in 0.0005 steps.
_WB_TABLE_T = (-60.0, 0.5, 241)
_WB_TABLE_W = (0.0, 0.0005, 81)


@njit
def _wet_bulb_start_loop(t, w, out):
    for i in range(t.size):
        out[i] = _wet_bulb_bisect(t[i], _min(w[i], _w_from_pw(_psat_pa(t[i]), STANDARD_PRESSURE_PA)),
                                  STANDARD_PRESSURE_PA, 1e-9, 100)


@functools.cache
def wet_bulb_start_table() -> np.ndarray:
    """Wet bulb [°C] of air at standard pressure on the (dry bulb, humidity ratio) grid
    :data:`_WB_TABLE_T` × :data:`_WB_TABLE_W` (humidity ratios above saturation taken as saturated),
    solved by bisection to 1e-9 K: the start of the Newton steps of :func:`wet_bulb_c`."""
    t0, dt, nt = _WB_TABLE_T
    w0, dw, nw = _WB_TABLE_W
    tt, ww = np.meshgrid(t0 + dt * np.arange(nt), w0 + dw * np.arange(nw), indexing="ij")
    out = np.empty(tt.size)
    _wet_bulb_start_loop(tt.ravel(), ww.ravel(), out)
    return out.reshape(nt, nw)


@njit
def _wet_bulb_start(t, w, p, table):
    """Start of the Newton steps: the wet bulb of :func:`wet_bulb_start_table` at the dry bulb and the
    humidity ratio scaled to standard pressure (same vapour pressure ratio), bilinear; off the grid
    Stull's (2011) estimate."""
    t0, dt, nt = _WB_TABLE_T
    w0, dw, nw = _WB_TABLE_W
    x = (t - t0) * (1.0 / dt)
    y = (w * (p / STANDARD_PRESSURE_PA) - w0) * (1.0 / dw)
    if x >= 0.0 and x < nt - 1 and y >= 0.0 and y < nw - 1:
        i, j = int(x), int(y)
        x -= i
        y -= j
        a = table[i, j] + y * (table[i, j + 1] - table[i, j])
        b = table[i + 1, j] + y * (table[i + 1, j + 1] - table[i + 1, j])
        return a + x * (b - a)
    rh = _clip(100.0 * (p * w / (EPSILON + w)) / _psat_pa(t), 1.0, 100.0)
    return (t * math.atan(0.151977 * math.sqrt(rh + 8.313659)) + math.atan(t + rh) - math.atan(rh - 1.676331)
            + 0.00391838 * rh * math.sqrt(rh) * math.atan(0.023101 * rh) - 4.686035)


@njit
def _wet_bulb(t, w, p, tol_k, max_iter, start_table):
    """Wet bulb [°C] of one state; see :func:`wet_bulb_c`."""
    if not (math.isfinite(t) and math.isfinite(w) and math.isfinite(p)):
        return np.nan
    w = _max(w, MIN_HUM_RATIO)
    x0 = _min(_wet_bulb_start(t, w, p, start_table), t)
    # W at t* = 0 °C on both branches (W_s* from eq. 5 at 0 °C, as psychrolib: 0 <= triple point)
    ws0 = _w_from_pw(_psat_pa(0.0), p)
    warm = t >= FREEZING_POINT_C
    water_only = warm and w > _w_from_wet_bulb_eq(t, 0.0, _EQ35, ws0)
    # at t = 0 °C the two values are equal up to rounding (saturated air at the freezing point): eq. 33
    ice_only = (not warm) or (not water_only and w < _w_from_wet_bulb_eq(t, 0.0, _EQ33, ws0))
    x_water, x_ice, ok_water, ok_ice = np.nan, np.nan, True, True
    if not ice_only:
        x_water, ok_water = _solve_branch(t, w, p, x0, True, 0.0, t, tol_k)
    if not water_only:
        x_ice, ok_ice = _solve_branch(t, w, p, x0, False, -np.inf, _min(t, 0.0), tol_k)
    if water_only:
        out, ok = x_water, ok_water
    elif ice_only:
        out, ok = x_ice, ok_ice
    else:
        ok = ok_water and ok_ice
        out = _bisect_two_roots(_min(_dew_point(t, w, p, 6), t), t, x_water, x_ice, tol_k)
    if not ok:  # psychrolib stops its bisection at 1e-3 K; 1e-4 K keeps us inside its final bracket
        out = _wet_bulb_bisect(t, w, p, _max(tol_k, 1e-4), max_iter)
    return out


@njit
def _wet_bulb_loop(t, w, p, tol_k, max_iter, start_table, out):
    for i in range(t.size):
        out[i] = _wet_bulb(t[i], w[i], p[i], tol_k, max_iter, start_table)


def wet_bulb_c(dry_bulb_c, w, pressure_pa, tol_k: float = 1e-4, max_iter: int = 60):
    """Thermodynamic wet-bulb temperature from humidity ratio [°C].

    Solves ASHRAE eq. 33 (t* >= 0 °C) / eq. 35 (t* < 0 °C) for t*, the root psychrolib
    brackets by bisection between dew point and dry bulb. W(t*) is increasing on each branch
    but jumps *up* from eq. 33 to eq. 35 at 0 °C, so the branch of the root is known
    beforehand: eq. 33 when W > W_eq35(0 °C), eq. 35 when W < W_eq33(0 °C) or t < 0 °C.
    Newton steps with the analytic derivative solve each branch (two steps, two more where the last
    step exceeds :data:`NEWTON_SETTLED_STEP_K`), started from the wet bulb at standard pressure
    tabulated on (dry bulb, humidity ratio × p / p0) (:func:`wet_bulb_start_table`; Stull's 2011
    estimate off that grid). Between the
    two values W has a root on each branch; there psychrolib's bisection is replayed on the two
    roots, so the same root is picked. States whose Newton steps do not settle fall back to
    psychrolib's bisection.

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
    dt = _dtype(dry_bulb_c, w, pressure_pa)
    t, w, p = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (dry_bulb_c, w, pressure_pa)))
    out = np.empty(t.shape)
    _wet_bulb_loop(t.ravel(), w.ravel(), p.ravel(), float(tol_k), int(max_iter), wet_bulb_start_table(),
                   out.reshape(-1))
    out = out.astype(dt, copy=False)
    return out[()] if out.ndim == 0 else out


@njit
def _enthalpy_j_per_kg(t, w):
    return (1.006 * t + w * (2501.0 + 1.86 * t)) * 1000.0


@numba.vectorize(cache=True)
def _enthalpy_u(t, w):
    return _enthalpy_j_per_kg(t, w)


def moist_air_enthalpy_j_per_kg(dry_bulb_c, w):
    """Moist-air specific enthalpy [J per kg dry air].

    References
    ----------
    ASHRAE Handbook - Fundamentals (2017) ch. 1, eq. 32: h = 1.006 t + W (2501 + 1.86 t) [kJ/kg].
    """
    return _apply(_enthalpy_u, dry_bulb_c, w)


@functools.cache
def _saturation_enthalpy_table() -> tuple[np.ndarray, np.ndarray]:
    """Enthalpy [kJ/kg] of saturated air at standard pressure on a 0.25 K grid from −60 to 60 °C."""
    t = np.arange(-60.0, 60.0001, 0.25)
    w = humidity_ratio_from_dew_point(t, STANDARD_PRESSURE_PA)
    return (1.006 * t + w * (2501.0 + 1.86 * t)), t


@njit
def _saturated_air_t(h_j_per_kg, p, n_iter, h_tab, t_tab):
    """Temperature [°C] of saturated air of enthalpy ``h`` (see :func:`saturated_air_from_enthalpy`)."""
    h = h_j_per_kg / 1000.0
    t = np.interp(h, h_tab, t_tab)  # exact at standard pressure
    for _ in range(n_iter):
        t_k = t + 273.15
        c = _ICE if t <= TRIPLE_POINT_C else _WATER
        pws = math.exp(_ln_psat(t_k, c))
        ws = EPSILON * pws / (p - pws)
        f = 1.006 * t + ws * (2501.0 + 1.86 * t) - h
        slope = 1.006 + 1.86 * ws + (2501.0 + 1.86 * t) * ws * p / (p - pws) * _dln_psat(t_k, c)
        t = t - f / slope
    return t


@njit
def _saturated_air_t_loop(h, p, n_iter, h_tab, t_tab, out):
    for i in range(h.size):
        out[i] = _saturated_air_t(h[i], p[i], n_iter, h_tab, t_tab)


def saturated_air_from_enthalpy(h_j_per_kg, pressure_pa, n_iter: int = 3):
    """Temperature [°C] and humidity ratio [kg/kg] of saturated air of enthalpy ``h`` [J/kg dry air].

    Solves h = h(t, W_s(t, p)) (ASHRAE Handbook - Fundamentals 2017 ch. 1, eqs. 32, 20 and 6 / 5)
    by Newton steps with the analytic slope dh/dt = 1.006 + 1.86 W_s + (2501 + 1.86 t) dW_s/dt,
    dW_s/dt = W_s p / (p − p_ws) · d ln p_ws/dT, from the root at standard pressure (interpolated in
    :func:`_saturation_enthalpy_table`; within ~2 K at 2,500 m); three steps settle below 1e-4 K.
    """
    dt = _dtype(h_j_per_kg, pressure_pa)
    h, p = np.broadcast_arrays(np.asarray(h_j_per_kg, dtype=np.float64), np.asarray(pressure_pa, dtype=np.float64))
    h_tab, t_tab = _saturation_enthalpy_table()
    t = np.empty(h.shape)
    _saturated_air_t_loop(h.ravel(), p.ravel(), n_iter, h_tab, t_tab, t.reshape(-1))
    w = humidity_ratio_from_dew_point(t, p)
    t, w = t.astype(dt, copy=False), w.astype(dt, copy=False)
    return (t[()], w[()]) if t.ndim == 0 else (t, w)


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


def saturation_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The tables :func:`_saturated_w_from_h` takes: bilinear ln W cells, enthalpy and temperature
    of saturated air at standard pressure (built once per process)."""
    return (_saturated_ln_w_table(), *_saturation_enthalpy_table())


@njit_inline
def _saturated_w_from_h(h_j_per_kg, p, cells, h_tab, t_tab):
    """W of saturated air of enthalpy ``h`` at ``p``: bilinear in ln W on the grid, else solved."""
    h0, dh, nh = _SAT_TABLE_H
    l0, dl, nl = _SAT_TABLE_LNP
    x = (h_j_per_kg * 1e-3 - h0) * (1.0 / dh)
    y = (math.log(p) - l0) * (1.0 / dl)
    if x >= 0.0 and x < nh - 1 and y >= 0.0 and y < nl - 1:  # NaN is off the grid too
        i, j = int(x), int(y)
        x -= i
        y -= j
        k = i * (nl - 1) + j
        return math.exp(cells[k, 0] + x * cells[k, 1] + y * (cells[k, 2] + x * cells[k, 3]))
    return _w_from_pw(_psat_pa(_saturated_air_t(h_j_per_kg, p, 3, h_tab, t_tab)), p)


@njit
def _saturated_w_from_h_loop(h, p, cells, h_tab, t_tab, out):
    for i in range(h.size):
        out[i] = _saturated_w_from_h(h[i], p[i], cells, h_tab, t_tab)


def saturated_humidity_ratio_from_enthalpy(h_j_per_kg, pressure_pa):
    """Humidity ratio [kg/kg] of saturated air of enthalpy ``h`` [J/kg dry air] at pressure ``p`` [Pa].

    The W of :func:`saturated_air_from_enthalpy`, interpolated bilinearly in ln W over a table on
    (h, ln p) solved once in float64 (:data:`_SAT_TABLE_H`, :data:`_SAT_TABLE_LNP`; float32
    coefficients): uniform grids, so the cell is found by arithmetic (no search); one exponential
    per value. Relative error ≤ 5e-5 except in the cell holding the ice/water switch of eqns 5/6 at
    0.01 °C (h ≈ 9.5 kJ/kg), where the two equations differ and the error reaches 3e-4
    (``tests/models/test_psychro.py``). Values off the grid are solved exactly.
    """
    dt = _dtype(h_j_per_kg, pressure_pa)
    h, p = np.broadcast_arrays(np.asarray(h_j_per_kg, dtype=np.float64), np.asarray(pressure_pa, dtype=np.float64))
    out = np.empty(h.shape)
    _saturated_w_from_h_loop(h.ravel(), p.ravel(), *saturation_tables(), out.reshape(-1))
    out = out.astype(dt, copy=False)
    return out[()] if out.ndim == 0 else out


@njit_inline
def _w_from_weather(t, p, dew_point_c, rh_pct):
    """Humidity ratio from the dew point (capped at the dry bulb) where it is not NaN, else from RH [%]."""
    w = _w_from_pw(_psat_pa(_min(dew_point_c, t)), p)
    if not math.isnan(w):
        return w
    return _w_from_pw(_clip(rh_pct, 0.0, 100.0) / 100.0 * _psat_pa(t), p)


@numba.vectorize(cache=True)
def _w_from_weather_u(t, p, dew_point_c, rh_pct):
    return _w_from_weather(t, p, dew_point_c, rh_pct)


def humidity_ratio_from_weather(dry_bulb_c, pressure_pa, dew_point_c=None, rh_pct=None):
    """Humidity ratio [kg/kg] of an hourly series: from the dew point where present, else from RH [%].

    The dew point is capped at the dry bulb.
    """
    return _apply(_w_from_weather_u, dry_bulb_c, pressure_pa, np.nan if dew_point_c is None else dew_point_c,
                  np.nan if rh_pct is None else rh_pct)


def state_from_weather(dry_bulb_c, pressure_pa, dew_point_c=None, rh_pct=None):
    """Humidity ratio [kg/kg], wet bulb [°C] and enthalpy [J/kg] for an hourly series.

    Dew point is used where present, relative humidity [%] where the dew point is NaN.

    Returns
    -------
    dict of arrays: ``humidity_ratio``, ``wet_bulb_c``, ``dew_point_c``, ``enthalpy_j_per_kg``.
    """
    dt = _dtype(dry_bulb_c, pressure_pa)
    t, p = (np.asarray(x, dtype=dt) for x in (dry_bulb_c, pressure_pa))
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
