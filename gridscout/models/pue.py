"""Hourly PUE from weather for a cooling design, and its annual summary per station.

Per hour and per kW of IT load, a steady-state energy balance gives the operating mode, the
power of fans, pumps, heat-rejection fans and the trim chiller, the power-conversion (UPS +
distribution) losses and lighting, hence PUE_h = P_facility / P_IT. The hour is one compiled
scalar function (:func:`_hour`, numba, float64) over the psychrometric functions of
:mod:`~gridscout.models.psychro`; the annual path runs it over stations in parallel and sums as it
goes, the hourly path and :func:`cooling_kernel` apply it to arrays.

Modes (``mode``): ``free`` (no compressor: outdoor air / towers / dry coolers carry the load),
``evaporative`` (direct evaporative assist, no compressor), ``partial`` (economizer plus trim
chiller), ``mechanical`` (chiller carries the whole load). ``free_cooling_hours`` counts the
compressor-free hours (``free`` + ``evaporative``).

Physics
-------
* Air-side economizer: outdoor air (+ fan heat ``fan_temperature_rise_k``) is usable when it
  is at or below the supply set point (envelope maximum − ``supply_margin_k``) and its dew
  point and RH at the supply temperature are within the envelope; cold air is tempered with
  return air, dry air humidified adiabatically (lower humidity limits are not charged). Between
  supply and return temperature the chiller trims the rest: mechanical share =
  (t_out + rise − t_supply) / ΔT_IT.
* Direct evaporative assist: supply reachable at t_out − ε (t_out − t_wb); evaporation is
  modulated to just reach the set point, the added moisture must stay in the envelope; sensible
  heat removed = m_air c_p Δt = q Δt / ΔT_IT is the heat rejected by evaporation.
* Water-side economizer: free while t_wb + tower approach + HX approach ≤ chilled-water
  supply; integrated (partial) economizer across the chilled-water range.
* Liquid (DLC / immersion): the captured share goes to dry coolers while t_db + approach ≤
  facility-water supply (ASHRAE W-class); the residual air share uses dry-cooled chilled water.
* Chiller COP = f_Carnot · T_evap / (T_cond − T_evap), capped; T_cond follows the dry bulb
  (air-cooled) or wet bulb (water-cooled), so COP falls as the condenser warms.

Part-load effects (fixed fan/pump fractions) and server-fan power changes at high inlet
temperatures are not modelled; IT load is flat over the year.

References
----------
Lei, N. & Masanet, E. (2020). Statistical analysis for predicting location-specific data center
PUE and its improvement potential. *Energy* 201, 117556. https://doi.org/10.1016/j.energy.2020.117556
Lei, N. & Masanet, E. (2022). Climate- and technology-specific PUE and WUE estimations for U.S.
data centers using a hybrid statistical and thermodynamics-based approach. *Resources,
Conservation & Recycling* 182, 106323. https://doi.org/10.1016/j.resconrec.2022.106323
ASHRAE TC9.9 (2021). *Thermal Guidelines for Data Processing Environments*, 5th ed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np
import polars as pl

from gridscout.models import psychro, water
from gridscout.models.designs import Design, Envelope, get_design
from gridscout.models.psychro import njit, njit_inline

MODES = ("free", "evaporative", "partial", "mechanical")
MODE_DTYPE = pl.Enum(list(MODES))
_FREE, _EVAP, _PARTIAL, _MECH = range(4)

#: Specific heat of moist air used for air-side balances [kJ/(kg K)].
CP_AIR_KJ = 1.02
#: Weather columns the model needs (humidity from dew point, else RH).
REQUIRED_COLUMNS = ("station_key", "hour_of_year", "dry_bulb_c", "dew_point_c", "rh_pct", "pressure_pa")
#: Relative slack on vapour-pressure limits [-]: 1e-4 of p_w is 0.0015 K of dew point, far below
#: the 0.1 °C resolution of weather files but above float32 rounding (~1e-6).
LIMIT_REL_TOL = 1e-4


# --------------------------------------------------------------------------------------------
# weather preparation
# --------------------------------------------------------------------------------------------
def prepare_weather(weather: pl.DataFrame, max_missing_frac: float = 0.10,
                    min_hours: int = 8000) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Sort by station and hour, flag unusable stations; missing hours are filled per block later.

    An hour is missing when its dry bulb is null or both dew point and RH are null. Stations
    with more than ``max_missing_frac`` missing hours, or fewer than ``min_hours`` rows, are
    dropped from the returned frame and reported with a reason. Missing values are interpolated
    linearly within each station (:func:`fill_gaps`, applied later to the stations that have gaps);
    where a station has no pressure at all it is set to standard pressure (101 325 Pa); null
    pressures are counted.

    Returns
    -------
    (usable, quality)
        ``usable``: the model columns of the usable stations' hours, sorted by station_key,
        hour_of_year (gaps still null). ``quality``: one row per station, sorted by station_key,
        with ``n_hours``, ``n_missing_hours``, ``n_pressure_defaulted``, ``is_usable``,
        ``null_reason``.
    """
    w, quality, _ = _prepare(weather, max_missing_frac, min_hours)
    return w, quality


def _prepare(weather: pl.DataFrame, max_missing_frac: float = 0.10,
             min_hours: int = 8000) -> tuple[pl.DataFrame, pl.DataFrame, np.ndarray]:
    """:func:`prepare_weather` plus the row where each usable station starts."""
    missing = [c for c in REQUIRED_COLUMNS if c not in weather.columns]
    if missing:
        raise ValueError(f"weather frame lacks columns {missing}; expected the canonical hourly frame "
                         f"(station_key, hour_of_year, dry_bulb_c, dew_point_c, rh_pct, pressure_pa, ...)")
    w = weather.select(REQUIRED_COLUMNS)
    keys, starts = _runs(w["station_key"])
    if not _is_sorted(w, keys, starts):
        w = w.sort("station_key", "hour_of_year")
        keys, starts = _runs(w["station_key"])
    n_hours = np.diff(np.append(starts, w.height))

    def per_station(expr: pl.Expr) -> np.ndarray:
        return np.add.reduceat(w.select(expr).to_series().to_numpy(), starts, dtype=np.int64)

    nulls = {c: w[c].null_count() for c in ("dry_bulb_c", "dew_point_c", "rh_pct", "pressure_pa")}
    zero = np.zeros(len(starts), dtype=np.int64)
    hum_missing = pl.col("dew_point_c").is_null() & pl.col("rh_pct").is_null()
    n_missing = per_station(pl.col("dry_bulb_c").is_null() | hum_missing) \
        if nulls["dry_bulb_c"] or (nulls["dew_point_c"] and nulls["rh_pct"]) else zero
    n_p_null = per_station(pl.col("pressure_pa").is_null()) if nulls["pressure_pa"] else zero
    quality = pl.DataFrame({"station_key": keys, "n_hours": n_hours.astype(np.uint32),
                            "n_missing_hours": n_missing.astype(np.uint32)}).with_columns(
        pl.when(pl.col("n_hours") < min_hours)
        .then(pl.format("only {} hourly rows (< {})", pl.col("n_hours"), pl.lit(min_hours)))
        .when(pl.col("n_missing_hours") > max_missing_frac * pl.col("n_hours"))
        .then(pl.format("{} of {} hours missing (> {} %)", pl.col("n_missing_hours"), pl.col("n_hours"),
                        pl.lit(round(100 * max_missing_frac, 1))))
        .otherwise(None).alias("null_reason"),
    ).with_columns(pl.col("null_reason").is_null().alias("is_usable"))
    usable = quality["is_usable"].to_numpy()
    quality = quality.with_columns(pl.Series("n_pressure_defaulted", np.where(usable, n_p_null, 0)).cast(pl.UInt32))
    if not usable.all():
        w = w.filter(pl.Series(np.repeat(usable, n_hours)))
        starts = np.concatenate(([0], np.cumsum(n_hours[usable])[:-1])).astype(np.int64) if usable.any() \
            else np.empty(0, np.int64)
    return w, quality.select("station_key", "n_hours", "n_missing_hours", "n_pressure_defaulted",
                             "is_usable", "null_reason"), starts


def _is_sorted(w: pl.DataFrame, keys: pl.Series, starts: np.ndarray) -> bool:
    """True when rows are sorted by station_key (runs ``keys`` starting at ``starts``), then
    strictly by hour_of_year within each station."""
    if w.height < 2:
        return True
    if keys.len() > 1 and not bool((keys.slice(1) > keys.slice(0, keys.len() - 1)).all()):
        return False
    rising = np.diff(w["hour_of_year"].to_numpy()) > 0
    rising[starts[1:] - 1] = True  # a new station may start at any hour
    return bool(rising.all())


def _runs(keys: pl.Series) -> tuple[pl.Series, np.ndarray]:
    """Distinct values of a sorted key column and the row where each run starts (each row compared
    with the next: a third of the time of ``Series.rle`` on 8.8 M string keys)."""
    if keys.len() == 0:
        return keys.alias("station_key"), np.empty(0, dtype=np.int64)
    change = keys.slice(1).ne_missing(keys.slice(0, keys.len() - 1)).arg_true().to_numpy()
    starts = np.concatenate(([0], change.astype(np.int64) + 1))
    return keys.gather(starts).alias("station_key"), starts


def fill_gaps(block: pl.DataFrame) -> pl.DataFrame:
    """Interpolate missing weather values linearly within each station (edges: nearest value);
    a station without any pressure gets standard pressure (101 325 Pa)."""
    cols = ("dry_bulb_c", "dew_point_c", "rh_pct", "pressure_pa")
    nulls = [block[c].null_count() for c in cols]
    if not any(nulls):
        return block
    fill = lambda c: pl.col(c).interpolate().forward_fill().backward_fill().over("station_key")  # noqa: E731
    return block.with_columns([fill(c) for c, n in zip(cols, nulls) if n]).with_columns(
        pl.col("pressure_pa").fill_null(psychro.STANDARD_PRESSURE_PA))


# --------------------------------------------------------------------------------------------
# per-hour kernel (numba): one scalar function per formula, called per station-hour
# --------------------------------------------------------------------------------------------
_AIRSIDE, _AIRSIDE_EVAP, _TOWER, _LIQUID = range(4)
_PATHS = {"airside": _AIRSIDE, "airside_evaporative": _AIRSIDE_EVAP, "waterside_tower": _TOWER,
          "liquid_dry": _LIQUID}
#: how a design uses the wet bulb (:func:`wet_bulb_hours`): never, every hour, tower above its free limit,
#: evaporative assist where the economizer alone does not cover the hour
_WB_NEVER, _WB_ALWAYS, _WB_TOWER, _WB_EVAP = range(4)
#: layout of the parameter vector of a design (:func:`_design_vector`)
(_PATH, _FIXED, _T_SUP, _RISE, _DT_IT, _T_CHWS, _FAN, _PUMP, _CYCLES, _WATER_COOLED, _EVAP_APPROACH,
 _COND_TOWER_APPROACH, _COND_RANGE, _COND_APPROACH, _CARNOT, _COP_MAX, _ECONOMIZER, _PW_MIN, _PW_MAX,
 _EFFECTIVENESS, _TOWER_APPROACH, _HX_APPROACH, _CHW_DT, _TOWER_FAN, _LG, _RANGE, _F_LIQ, _T_FWS, _LOOP_DT,
 _DC_APPROACH, _DC_FAN, _WB_USE, _WB_LIMIT, _PSAT_WB_LIMIT, _N_PARAMS) = range(35)


@njit
def _chiller_cop(t_evap_c, t_cond_c, carnot_fraction, cop_max):
    t_evap_k = t_evap_c + 273.15
    lift = psychro._max(t_cond_c + 273.15 - t_evap_k, 1e-6)
    return psychro._min(carnot_fraction * t_evap_k / lift, cop_max)


@numba.vectorize(cache=True)
def _chiller_cop_u(t_evap_c, t_cond_c, carnot_fraction, cop_max):
    return _chiller_cop(t_evap_c, t_cond_c, carnot_fraction, cop_max)


def chiller_cop(t_evap_c, t_cond_c, carnot_fraction: float, cop_max: float):
    """Chiller COP from evaporating and condensing temperatures [°C] (Carnot fraction, capped) [-]."""
    return psychro._apply(_chiller_cop_u, t_evap_c, t_cond_c, carnot_fraction, cop_max)


@njit_inline
def _cop(d, t_chws_c, t_db, t_wb):
    """COP of the design's chiller: condensing against the wet bulb (water-cooled: tower approach +
    condenser range + approach) or the dry bulb (air-cooled)."""
    if d[_WATER_COOLED] > 0.0:
        t_cond = t_wb + d[_COND_TOWER_APPROACH] + d[_COND_RANGE] + d[_COND_APPROACH]
    else:
        t_cond = t_db + d[_COND_APPROACH]
    return _chiller_cop(t_chws_c - d[_EVAP_APPROACH], t_cond, d[_CARNOT], d[_COP_MAX])


def _vapor_pressure_limits_pa(env: Envelope, t_supply_c: float) -> tuple[float, float]:
    """Lowest and highest vapour pressure [Pa] of air delivered at ``t_supply_c`` within the
    envelope's dew-point and RH limits. At one pressure W rises with p_w (ASHRAE 2017 ch. 1 eq. 20),
    so the humidity-ratio limits are these vapour pressures converted at each hour's pressure."""
    psat = lambda t: float(psychro.saturation_vapor_pressure_pa(float(t)))  # noqa: E731
    p_sup = psat(t_supply_c)
    return (max(psat(env.dew_point_min_c), env.rh_min_pct / 100.0 * p_sup),
            min(psat(env.dew_point_max_c), env.rh_max_pct / 100.0 * p_sup))


@njit_inline
def _tower_latent_fraction(lg, range_k, t_db, w, p, cells, h_tab, t_tab):
    h_in = psychro._enthalpy_j_per_kg(t_db, w)
    dh = lg * 4186.0 * range_k
    w_out = psychro._saturated_w_from_h(h_in + dh, p, cells, h_tab, t_tab)  # table, ≤ 3e-4 relative
    return psychro._max(w_out - w, 0.0) * (water.LATENT_HEAT_J_PER_KG / dh)


@njit
def _tower_latent_fraction_loop(lg, range_k, t_db, w, p, cells, h_tab, t_tab, out):
    for i in range(t_db.size):
        out[i] = _tower_latent_fraction(lg, range_k, t_db[i], w[i], p[i], cells, h_tab, t_tab)


def tower_latent_fraction(design: Design, t_db, w, p):
    """Share of a wet cooling tower's heat rejected by evaporation, per hour [-].

    Counterflow tower energy balance (Merkel): the air gains enthalpy
    Δh = (L/G) · c_w · R per kg of dry air (water-to-air mass ratio L/G, water range R) and leaves
    saturated. The evaporated water is G (W_out − W_in), so the latent share of the heat is
    h_fg (W_out − W_in) / Δh: small in cold air (it warms sensibly: ≈0.4 at −10 °C), near 0.8–0.9
    in temperate summers, and above 1 in hot dry air (the air is also cooled by evaporation).
    L/G = ``tower_liquid_gas_ratio`` (Lei & Masanet 2022 input ranges 0.2–2), R =
    ``condenser_range_k``; leaving air saturated as in Lei & Masanet (2020) and ASHRAE Handbook
    HVAC S&E (2020) ch. 40.
    """
    t, w, p = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (t_db, w, p)))
    out = np.empty(t.shape)
    _tower_latent_fraction_loop(float(design.tower_liquid_gas_ratio), float(design.condenser_range_k), t.ravel(),
                                w.ravel(), p.ravel(), *psychro.saturation_tables(), out.reshape(-1))
    return out.astype(psychro._dtype(t_db, w, p), copy=False)


@njit
def _mode_from_mech(mech):
    return _FREE if mech <= 0.0 else (_MECH if mech >= 1.0 else _PARTIAL)


@njit_inline
def _hour(d, t_db, t_wb, w, p, cells, h_tab, t_tab):
    """One hour's cooling state per kW of IT (see :func:`cooling_kernel`): mode, mech_frac, chiller,
    fan, pump, rejection-fan, cooling [kW/kW IT], PUE, evaporative heat [kWh/kWh IT], evaporation,
    blowdown [L/kWh IT]."""
    path = int(d[_PATH])
    fixed, t_sup, rise, dt_it, t_chws = d[_FIXED], d[_T_SUP], d[_RISE], d[_DT_IT], d[_T_CHWS]
    evap_heat = 0.0
    rej_fan = 0.0
    if path == _AIRSIDE or path == _AIRSIDE_EVAP:
        fan = d[_FAN]
        q = 1.0 + fixed + fan
        pw = psychro._pw_from_w(w, p)
        hum_ok = d[_ECONOMIZER] > 0.0 and pw <= (1.0 + LIMIT_REL_TOL) * d[_PW_MAX]
        mech = psychro._clip((t_db + rise - t_sup) / dt_it, 0.0, 1.0) if hum_ok else 1.0
        mode = _mode_from_mech(mech)
        if path == _AIRSIDE_EVAP:
            # evaporate as much as the hour needs and the envelope allows: down to the set point
            # (target), at most to t_db − ε (t_db − t_wb), and only until the supply air reaches the
            # envelope's upper dew-point / RH limit (partial evaporation, not all or nothing);
            # only in the hours the economizer alone does not cover
            if hum_ok and mech > 0.0:
                t_min = t_db - d[_EFFECTIVENESS] * (t_db - t_wb)
                dt_need = psychro._max(t_db - psychro._max(t_min, t_sup - rise), 0.0)
                w_max = psychro._w_from_pw(d[_PW_MAX], p)
                dt_room = psychro._max(w_max - w, 0.0) * (water.LATENT_HEAT_J_PER_KG / (CP_AIR_KJ * 1e3))
                dt_e = psychro._min(dt_need, dt_room)
                if dt_e > 0.0:
                    mech = psychro._clip((t_db - dt_e + rise - t_sup) / dt_it, 0.0, 1.0)
                    mode = _EVAP if mech <= 0.0 else _PARTIAL
                    evap_heat = q * dt_e / dt_it
            # adiabatic humidification of dry outdoor air up to the envelope's lower humidity
            # limit (dew point / RH at supply) by the same media; only the outdoor-air share
            # x_oa of the supply needs it at steady state (return air keeps its moisture).
            if mech <= 0.0 and evap_heat == 0.0 and pw < d[_PW_MIN]:
                w_min = psychro._w_from_pw(d[_PW_MIN], p)
                t_ret = t_sup + dt_it
                x_oa = psychro._clip((t_ret - t_sup) / psychro._max(t_ret - t_db - rise, 1e-9), 0.0, 1.0)
                humid = x_oa * psychro._max(w_min - w, 0.0)
                evap_heat += q / (CP_AIR_KJ * dt_it) * humid * (water.LATENT_HEAT_J_PER_KG / 1e3)
        chiller = mech * q / _cop(d, t_chws, t_db, t_wb) if mech > 0.0 else 0.0
        pump = (d[_PUMP] if mech > 0.0 else 0.0) if path == _AIRSIDE else d[_PUMP]
    elif path == _TOWER:
        fan = d[_FAN]
        q = 1.0 + fixed + fan
        mech = psychro._clip((t_wb + d[_TOWER_APPROACH] + d[_HX_APPROACH] - t_chws) / d[_CHW_DT], 0.0, 1.0)
        mode = _mode_from_mech(mech)
        chiller = mech * q / _cop(d, t_chws, t_db, t_wb) if mech > 0.0 else 0.0
        heat_rejected = q + chiller
        rej_fan = d[_TOWER_FAN] * heat_rejected
        evap_heat = _tower_latent_fraction(d[_LG], d[_RANGE], t_db, w, p, cells, h_tab, t_tab) * heat_rejected
        pump = d[_PUMP]
    else:  # liquid_dry
        f_liq = d[_F_LIQ]
        fan = d[_FAN] * (1.0 - f_liq)
        q_liq = f_liq * 1.0
        q_air = (1.0 - f_liq) + fixed + fan
        t_dc = t_db + d[_DC_APPROACH]
        mech_l = psychro._clip((t_dc - d[_T_FWS]) / d[_LOOP_DT], 0.0, 1.0)
        mech_a = psychro._clip((t_dc - t_chws) / d[_CHW_DT], 0.0, 1.0)
        chiller = q_liq * mech_l / _cop(d, d[_T_FWS], t_db, t_wb) + q_air * mech_a / _cop(d, t_chws, t_db, t_wb)
        mech = (q_liq * mech_l + q_air * mech_a) / (q_liq + q_air)
        if mech_l <= 0.0 and mech_a <= 0.0:
            mode = _FREE
        elif mech_l >= 1.0 and mech_a >= 1.0:
            mode = _MECH
        else:
            mode = _PARTIAL
        rej_fan = d[_DC_FAN] * (q_liq + q_air + chiller)
        pump = d[_PUMP]
    evaporation = water.evaporation_l(evap_heat)
    blowdown = water.blowdown_l(evaporation, d[_CYCLES]) if d[_CYCLES] > 0.0 else 0.0
    cooling = fan + pump + rej_fan + chiller
    return mode, mech, chiller, fan, pump, rej_fan, cooling, 1.0 + fixed + cooling, evap_heat, evaporation, blowdown


def _design_vector(d: Design) -> np.ndarray:
    """The design's parameters as the float64 vector :func:`_hour` reads (layout ``_PATH`` ...)."""
    v = np.full(_N_PARAMS, np.nan)
    el, ch, g = d.electrical, d.chiller, d.p.get
    v[_PATH] = _PATHS[d.heat_path]
    v[_FIXED] = el.loss_frac + el.lighting_misc_frac
    v[[_T_SUP, _RISE, _DT_IT, _T_CHWS]] = d.supply_air_c, d.fan_temperature_rise_k, d.it_delta_t_k, \
        d.chilled_water_supply_c
    v[[_FAN, _PUMP, _CYCLES]] = d.fan_power_frac, d.pump_power_frac, g("cycles_of_concentration") or 0.0
    if v[_CYCLES] and v[_CYCLES] <= 1:
        raise ValueError(f"cycles_of_concentration must be > 1, got {v[_CYCLES]}")
    v[[_WATER_COOLED, _EVAP_APPROACH, _COND_APPROACH, _CARNOT, _COP_MAX]] = \
        ch.name == "water_cooled", ch.evaporator_approach_k, ch.condenser_approach_k, ch.carnot_fraction, ch.cop_max
    v[[_COND_TOWER_APPROACH, _COND_RANGE]] = g("tower_approach_k", 4.0), g("condenser_range_k", 5.6)
    v[_ECONOMIZER] = d.has_economizer
    v[[_PW_MIN, _PW_MAX]] = _vapor_pressure_limits_pa(d.envelope, d.supply_air_c)
    names = {_EFFECTIVENESS: "evaporative_effectiveness", _TOWER_APPROACH: "tower_approach_k",
             _HX_APPROACH: "hx_approach_k", _CHW_DT: "chw_delta_t_k", _TOWER_FAN: "tower_fan_kw_per_kw_heat",
             _LG: "tower_liquid_gas_ratio", _RANGE: "condenser_range_k", _F_LIQ: "liquid_capture_fraction",
             _T_FWS: "facility_water_supply_c", _LOOP_DT: "liquid_loop_delta_t_k",
             _DC_APPROACH: "dry_cooler_approach_k", _DC_FAN: "dry_cooler_fan_kw_per_kw_heat"}
    for i, key in names.items():
        if key in d.p:
            v[i] = d.p[key]
    v[_WB_USE] = _wet_bulb_use(d)
    v[_WB_LIMIT] = _wet_bulb_free_limit_c(d)
    v[_PSAT_WB_LIMIT] = float(psychro.saturation_vapor_pressure_pa(v[_WB_LIMIT])) if np.isfinite(v[_WB_LIMIT]) \
        else np.nan
    return v


@numba.njit(parallel=True, **psychro.JIT)
def _hourly_loop(d, t_db, t_wb, w, p, cells, h_tab, t_tab, mode, out):
    """:func:`_hour` for every hour: ``mode`` (int8) and the ten other outputs as the columns of ``out``."""
    for i in numba.prange(t_db.size):
        (mode[i], out[i, 0], out[i, 1], out[i, 2], out[i, 3], out[i, 4], out[i, 5], out[i, 6], out[i, 7],
         out[i, 8], out[i, 9]) = _hour(d, t_db[i], t_wb[i], w[i], p[i], cells, h_tab, t_tab)


_KERNEL_KEYS = ("mech_frac", "chiller_kw", "fan_kw", "pump_kw", "rejection_fan_kw", "cooling_kw", "pue",
                "evap_heat_kwh", "evaporation_l", "blowdown_l")


def cooling_kernel(design: Design, t_db, t_wb, w, p) -> dict[str, np.ndarray]:
    """Per-hour cooling state per kW of IT for arrays of weather (the compiled :func:`_hour` per element).

    Parameters
    ----------
    design : Design
        Cooling design (with its envelope).
    t_db, t_wb : ndarray
        Outdoor dry-bulb and wet-bulb temperature. [°C]
    w : ndarray
        Outdoor humidity ratio. [kg/kg]
    p : ndarray
        Atmospheric pressure. [Pa]

    Returns
    -------
    dict of arrays: ``mode`` (int8 index into :data:`MODES`), ``mech_frac`` [-],
    ``chiller_kw``, ``fan_kw``, ``pump_kw``, ``rejection_fan_kw``, ``cooling_kw``, ``pue``
    (kW per kW IT), ``evap_heat_kwh`` (heat rejected by evaporation, kWh per kWh IT),
    ``evaporation_l``, ``blowdown_l`` (L per kWh IT). Computed in float64, returned in the
    dtype of ``t_db``.
    """
    dt = np.asarray(t_db).dtype if np.asarray(t_db).dtype == np.float32 else np.float64
    t, twb, hum, pa = (np.ascontiguousarray(x, dtype=np.float64).ravel()
                       for x in np.broadcast_arrays(t_db, t_wb, w, p))
    mode = np.empty(t.size, dtype=np.int8)
    out = np.empty((t.size, len(_KERNEL_KEYS)))
    _hourly_loop(_design_vector(design), t, twb, hum, pa, *psychro.saturation_tables(), mode, out)
    return {"mode": mode, **{k: out[:, i].astype(dt) for i, k in enumerate(_KERNEL_KEYS)}}


def _design(design: Design | str, envelope: str | Envelope | None) -> Design:
    d = get_design(design) if isinstance(design, str) else design
    return d.with_envelope(envelope) if envelope is not None else d


# --------------------------------------------------------------------------------------------
# frame API
# --------------------------------------------------------------------------------------------
def _weather_columns(usable: pl.DataFrame, starts: np.ndarray) -> tuple[np.ndarray, ...]:
    """Dry bulb, dew point, RH and pressure of the usable hours as float64 arrays (zero-copy views of
    gap-free Float64 columns), missing values filled by :func:`fill_gaps` in the stations that have any."""
    cols = ("dry_bulb_c", "dew_point_c", "rh_pct", "pressure_pa")
    arrays = {c: usable[c].cast(pl.Float64).to_numpy() for c in cols}
    gappy = [c for c in cols if usable[c].null_count()]
    if gappy:
        row_gap = usable.select(pl.any_horizontal([pl.col(c).is_null() for c in gappy])).to_series().to_numpy()
        station_gap = np.add.reduceat(row_gap, starts, dtype=np.int64) > 0
        rows = np.repeat(station_gap, np.diff(np.append(starts, usable.height)))
        filled = fill_gaps(usable.filter(pl.Series(rows)))
        idx = np.flatnonzero(rows)
        for c in gappy:
            a = np.array(arrays[c], dtype=np.float64)
            a[idx] = filled[c].cast(pl.Float64).to_numpy()
            arrays[c] = a
    for a in arrays.values():  # read-only like the zero-copy views: one compiled signature for both
        a.flags.writeable = False
    return tuple(arrays[c] for c in cols)


def hourly_pue(weather: pl.DataFrame, design: Design | str, envelope: str | Envelope | None = None,
               *, max_missing_frac: float = 0.10) -> pl.DataFrame:
    """Hourly operating mode, PUE and evaporative water per kW of IT, for every station.

    Parameters
    ----------
    weather : pl.DataFrame
        Canonical hourly weather frame (``station_key``, ``hour_of_year``, ``dry_bulb_c`` [°C],
        ``dew_point_c`` [°C], ``rh_pct`` [%], ``pressure_pa`` [Pa], ...), many stations stacked.
    design : Design or str
        A :class:`~gridscout.models.designs.Design` or a design name in ``cooling.toml``.
    envelope : str or Envelope, optional
        ASHRAE envelope (``recommended``, ``A1``..``A4``); default the design's own.
    max_missing_frac : float
        Stations with more missing hours than this are dropped (see :func:`prepare_weather`).

    Returns
    -------
    pl.DataFrame
        One row per usable station-hour, sorted by station and hour: ``station_key``,
        ``hour_of_year``, ``wet_bulb_c`` [°C], ``mode`` (Enum of :data:`MODES`), ``mech_frac`` [-],
        ``pue`` [-], ``cooling_kw_per_kw_it``, ``chiller_kw_per_kw_it`` [kW/kW],
        ``evap_heat_kwh_per_kwh_it`` [kWh/kWh], ``evaporation_l_per_kwh_it``,
        ``water_l_per_kwh_it`` (evaporation + blowdown) [L/kWh IT]. The same per-hour kernel
        (:func:`_hour`) as :func:`estimate_pue`, with the wet bulb computed in every hour.
    """
    d = _design(design, envelope)
    usable, _, starts = _prepare(weather, max_missing_frac)
    t, dp, rh, p = _weather_columns(usable, starts)
    w = psychro.humidity_ratio_from_weather(t, p, dew_point_c=dp, rh_pct=rh)
    twb = psychro.wet_bulb_c(t, w, p)
    k = cooling_kernel(d, t, twb, w, p)
    return pl.DataFrame({
        "station_key": usable["station_key"],
        "hour_of_year": usable["hour_of_year"],
        "wet_bulb_c": twb,
        "mode": pl.Series(np.asarray(MODES)[k["mode"]], dtype=MODE_DTYPE),
        "mech_frac": k["mech_frac"],
        "pue": k["pue"],
        "cooling_kw_per_kw_it": k["cooling_kw"],
        "chiller_kw_per_kw_it": k["chiller_kw"],
        "evap_heat_kwh_per_kwh_it": k["evap_heat_kwh"],
        "evaporation_l_per_kwh_it": k["evaporation_l"],
        "water_l_per_kwh_it": k["evaporation_l"] + k["blowdown_l"],
    })


# --------------------------------------------------------------------------------------------
# annual path: stations in parallel (numba prange), hours summed as they are computed
# --------------------------------------------------------------------------------------------
def _wet_bulb_free_limit_c(design: Design) -> float:
    """Wet bulb [°C] at or below which the design's hour does not depend on the wet bulb's value:
    the tower economizer carries the whole load (t_wb + tower and HX approaches <= chilled-water
    supply); +inf for designs whose wet-bulb use :func:`wet_bulb_hours` bounds by the dry bulb."""
    if design.heat_path == "waterside_tower":
        return design.chilled_water_supply_c - design.tower_approach_k - design.hx_approach_k
    return float("inf")


def _wet_bulb_use(design: Design) -> int:
    """Which hours of the design need the wet bulb (``_WB_*``; see :func:`wet_bulb_hours`)."""
    path = design.heat_path
    if path == "waterside_tower":
        return _WB_TOWER
    if design.chiller.name != "air_cooled":
        return _WB_ALWAYS
    if path in ("airside", "liquid_dry"):
        return _WB_NEVER
    if path == "airside_evaporative":
        return _WB_EVAP
    return _WB_ALWAYS


@njit_inline
def _needs_wet_bulb(d, t_db, w, p):
    use = int(d[_WB_USE])
    if use == _WB_ALWAYS:
        return True
    if use == _WB_NEVER:
        return False
    if use == _WB_EVAP:
        return t_db + d[_RISE] - d[_T_SUP] > 0.0
    lim = d[_WB_LIMIT]
    if not t_db > lim:
        return False
    if lim >= psychro.FREEZING_POINT_C:
        ws_lim = psychro._w_from_pw(d[_PSAT_WB_LIMIT], p)
        return w > psychro._w_from_wet_bulb(t_db, lim, p, ws_lim)
    return True


@njit
def _needs_wet_bulb_loop(d, t_db, w, p, out):
    for i in range(t_db.size):
        out[i] = _needs_wet_bulb(d, t_db[i], w[i], p[i])


def wet_bulb_hours(design: Design, t_db: np.ndarray, w: np.ndarray, p: np.ndarray) -> np.ndarray | None:
    """Hours whose modelled result depends on the outdoor wet bulb (None: every hour does).

    Elsewhere any wet bulb at or below min(t_db, :func:`_wet_bulb_free_limit_c`) gives the same
    hour, so the annual path computes the wet bulb only in these hours and passes that bound in
    the others:

    * an air-cooled chiller condenses against the dry bulb, and the air-side economizer and dry
      coolers never see the wet bulb (``airside``, ``liquid_dry`` with air-cooled chillers);
    * direct evaporative assist acts only in hours the economizer alone cannot cover
      (t_db + fan rise > supply air);
    * the tower economizer is fully free, and the chiller off, while t_wb <= the free limit L; the
      wet bulb is below L where t_db <= L, or where W is below the W of air at t_db with wet
      bulb L (ASHRAE 2017 ch. 1 eq. 33; W rises with the wet bulb at a given dry bulb).

    ``tests/models/test_pue_fast.py`` holds the annual results to the all-hours computation.
    """
    if _wet_bulb_use(design) == _WB_ALWAYS:
        return None
    t, hum, pa = (np.ascontiguousarray(x, dtype=np.float64).ravel() for x in np.broadcast_arrays(t_db, w, p))
    out = np.empty(t.size, dtype=bool)
    _needs_wet_bulb_loop(_design_vector(design), t, hum, pa, out)
    return out.reshape(np.shape(t_db))


#: columns of the per-station sums of :func:`_annual_loop`
_SUMS = ("pue_sum", "pue_max", "free", "mech", "cooling_sum", "evaporation_sum", "blowdown_sum", "evap_heat_sum")


@numba.njit(parallel=True, **psychro.JIT)
def _annual_loop(ds, t_db, dew_point, rh, p, bounds, wb_all, wb_cap, cells, h_tab, t_tab, wb_table, out):
    """Per station (rows ``bounds[s]:bounds[s + 1]``, in parallel) and design (rows of ``ds``): the
    sums :data:`_SUMS` of :func:`_hour` over the hours, in float64, into ``out[design, station]``.
    Humidity ratio and wet bulb are computed once per hour for all designs; the wet bulb only where
    a design needs it (else min(t_db, ``wb_cap``), see :func:`wet_bulb_hours`)."""
    n_designs = ds.shape[0]
    for s in numba.prange(bounds.size - 1):
        acc = np.zeros((n_designs, len(_SUMS)))
        acc[:, 1] = -np.inf
        for i in range(bounds[s], bounds[s + 1]):
            t, pa = t_db[i], p[i]
            w = psychro._w_from_weather(t, pa, dew_point[i], rh[i])
            need = wb_all
            for k in range(n_designs):
                if need:
                    break
                need = _needs_wet_bulb(ds[k], t, w, pa)
            twb = psychro._wet_bulb(t, w, pa, 1e-4, 60, wb_table) if need else psychro._min(t, wb_cap)
            for k in range(n_designs):
                mode, _, _, _, _, _, cooling, pue_h, evap_heat, evaporation, blowdown = _hour(
                    ds[k], t, twb, w, pa, cells, h_tab, t_tab)
                acc[k, 0] += pue_h
                acc[k, 1] = psychro._max(pue_h, acc[k, 1])
                acc[k, 2] += mode == _FREE or mode == _EVAP
                acc[k, 3] += mode == _MECH
                acc[k, 4] += cooling
                acc[k, 5] += evaporation
                acc[k, 6] += blowdown
                acc[k, 7] += evap_heat
        out[:, s, :] = acc


#: Stations per call of :func:`_annual_loop` when the weather columns are in several chunks (or not
#: Float64 without gaps), so that their float64 copies stay small: 128 station-years = 36 MB of copies.
#: Gap-free Float64 columns in one chunk are read in place, all stations in one call.
BLOCK_STATIONS = 128


def _annual_sums(usable: pl.DataFrame, starts: np.ndarray, designs: Sequence[Design],
                 workers: int | None) -> np.ndarray:
    """:func:`_annual_loop` on the usable hours: array (design, station, :data:`_SUMS`)."""
    out = np.zeros((len(designs), len(starts), len(_SUMS)))
    if not len(starts):
        return out
    cols = ("dry_bulb_c", "dew_point_c", "rh_pct", "pressure_pa")
    in_place = all(usable[c].dtype == pl.Float64 and usable[c].n_chunks() == 1 and not usable[c].null_count()
                   for c in cols)
    step = len(starts) if in_place else BLOCK_STATIONS
    ends = np.append(starts[1:], usable.height)
    ds = np.stack([_design_vector(d) for d in designs])
    wb_all = any(_wet_bulb_use(d) == _WB_ALWAYS for d in designs)
    wb_cap = min(_wet_bulb_free_limit_c(d) for d in designs)
    tables = (*psychro.saturation_tables(), psychro.wet_bulb_start_table())
    previous = numba.get_num_threads()
    numba.set_num_threads(min(workers or numba.config.NUMBA_NUM_THREADS, numba.config.NUMBA_NUM_THREADS))
    try:
        for i in range(0, len(starts), step):
            j = min(i + step, len(starts))
            a, b = int(starts[i]), int(ends[j - 1])
            block = usable.slice(a, b - a)
            block_starts = starts[i:j] - a
            t, dp, rh, p = _weather_columns(block, block_starts)
            part = np.zeros((len(designs), j - i, len(_SUMS)))
            _annual_loop(ds, t, dp, rh, p, np.append(block_starts, b - a).astype(np.int64), wb_all, wb_cap,
                         *tables, part)
            out[:, i:j] = part
    finally:
        numba.set_num_threads(previous)
    return out


def _annual_arrays(k: dict[str, np.ndarray], starts: np.ndarray, n_rows: int) -> dict[str, np.ndarray]:
    """Per-station sums/counts of the hourly kernel outputs (float64 accumulators)."""
    add = lambda x: np.add.reduceat(x, starts, dtype=np.float64)  # noqa: E731
    mode = k["mode"]
    return {
        "n": np.diff(np.append(starts, n_rows)),
        "pue_sum": add(k["pue"]),
        "pue_max": np.maximum.reduceat(k["pue"], starts).astype(np.float64),
        "free": add((mode == _FREE) | (mode == _EVAP)),
        "mech": add(mode == _MECH),
        "cooling_sum": add(k["cooling_kw"]),
        "water_sum": add(k["evaporation_l"]) + add(k["blowdown_l"]),
        "evap_heat_sum": add(k["evap_heat_kwh"]),
    }


def _annual_frame(station_key: pl.Series, a: dict[str, np.ndarray], it_load_mw: float,
                  hours_per_year: float) -> pl.DataFrame:
    """The columns of :func:`annual_summary` from per-station sums (one implementation for both paths)."""
    n = a["n"].astype(np.float64)
    it_mwh = it_load_mw * hours_per_year
    scale = hours_per_year / n
    return pl.DataFrame({
        "station_key": station_key,
        "n_hours_modelled": a["n"].astype(np.uint32),
        "pue_annual": a["pue_sum"] / n,
        "pue_peak": a["pue_max"],
        "free_cooling_hours": a["free"] * scale,
        "mechanical_hours": a["mech"] * scale,
        "it_energy_mwh": np.full(n.shape, it_mwh),
        "cooling_energy_mwh": a["cooling_sum"] / n * it_mwh,
        "facility_energy_mwh": a["pue_sum"] / n * it_mwh,
        "wue_onsite_l_per_kwh": a["water_sum"] / n,
        "evap_heat_mwh": a["evap_heat_sum"] / n * it_mwh,
        "water_onsite_m3": a["water_sum"] / n * it_mwh,  # L/kWh × MWh = m³
    })


def annual_summary(hourly: pl.DataFrame, it_load_mw: float = 1.0, hours_per_year: float = 8760.0) -> pl.DataFrame:
    """Annual figures per station from :func:`hourly_pue` for a flat IT load.

    Energies are annualised to ``hours_per_year`` from the mean hour (exact for 8,760 rows).

    Returns
    -------
    pl.DataFrame
        ``station_key``, ``pue_annual`` (Σ facility / Σ IT energy) [-], ``pue_peak`` (max
        hourly) [-], ``free_cooling_hours`` (free + evaporative) [h], ``mechanical_hours`` [h],
        ``it_energy_mwh``, ``cooling_energy_mwh``, ``facility_energy_mwh`` [MWh/yr],
        ``wue_onsite_l_per_kwh`` [L per kWh IT], ``evap_heat_mwh``, ``water_onsite_m3`` [m³/yr],
        ``n_hours_modelled``; one row per station in order of first appearance.
    """
    h = hourly.with_columns(pl.col("station_key").rle_id().alias("_run"))
    if h.height and h["_run"][-1] + 1 != hourly["station_key"].n_unique():
        h = h.sort("station_key", maintain_order=True).with_columns(pl.col("station_key").rle_id().alias("_run"))
    keys, starts = _runs(h["station_key"])
    k = {"mode": h["mode"].to_physical().to_numpy(), "pue": h["pue"].to_numpy(),
         "cooling_kw": h["cooling_kw_per_kw_it"].to_numpy(), "evaporation_l": h["water_l_per_kwh_it"].to_numpy(),
         "blowdown_l": np.zeros(h.height), "evap_heat_kwh": h["evap_heat_kwh_per_kwh_it"].to_numpy()}
    out = _annual_frame(keys, _annual_arrays(k, starts, h.height), it_load_mw, hours_per_year)
    if h is not hourly:  # back to order of first appearance
        order = hourly["station_key"].unique(maintain_order=True)
        out = pl.DataFrame({"station_key": order}).join(out, on="station_key", how="left")
    return out


def estimate_pue_designs(weather: pl.DataFrame, designs: Sequence[Design | str], envelope: str | Envelope | None = None,
                         it_load_mw: float = 1.0, *, max_missing_frac: float = 0.10,
                         workers: int | None = None) -> list[pl.DataFrame]:
    """:func:`estimate_pue` for several designs in one pass over the weather (psychrometrics once).

    Returns one frame per design, in the order given.
    """
    ds = [_design(d, envelope) for d in designs]
    usable, quality, starts = _prepare(weather, max_missing_frac)
    sums = _annual_sums(usable, starts, ds, workers)
    keys = usable["station_key"].gather(starts) if usable.height else pl.Series("station_key", [], pl.Utf8)
    q = quality.select("station_key", "n_hours", "n_missing_hours", "n_pressure_defaulted", "null_reason")
    n = np.diff(np.append(starts, usable.height))
    out = []
    for i, d in enumerate(ds):
        a = {k: sums[i, :, j] for j, k in enumerate(_SUMS)}
        a["n"], a["water_sum"] = n, a["evaporation_sum"] + a["blowdown_sum"]
        summary = _annual_frame(keys, a, it_load_mw, 8760.0)
        out.append(q.join(summary, on="station_key", how="left", maintain_order="left").with_columns(
            pl.lit("hourly").alias("pue_method"), pl.lit(d.name).alias("design"),
            pl.lit(d.envelope.name).alias("envelope")))
    return out


def estimate_pue(weather: pl.DataFrame, design: Design | str, envelope: str | Envelope | None = None,
                 it_load_mw: float = 1.0, *, max_missing_frac: float = 0.10, workers: int | None = None) -> pl.DataFrame:
    """Annual hourly-model PUE/WUE per station, with data-quality columns.

    Stations with too many missing hours keep a row with null estimates and ``null_reason``.
    Each station-hour goes through the compiled per-hour kernel (:func:`_hour`, float64) and is
    summed per station as it is computed (:func:`_annual_loop`: stations in parallel on numba's
    threads, ``workers`` of them, default all cores), so no hourly array is built and memory is the
    input frame plus a few KB per thread. Against :func:`hourly_pue` + :func:`annual_summary` the
    annual figures agree within 2e-5 PUE and 1e-4 L/kWh, and free-cooling hours within 0.05 % of
    the year (the wet bulb is computed only where it matters); see ``tests/models/test_pue_fast.py``.

    Returns
    -------
    pl.DataFrame
        The columns of :func:`annual_summary` plus ``pue_method`` ("hourly"), ``design``,
        ``envelope``, ``n_hours``, ``n_missing_hours`` (filled by interpolation),
        ``n_pressure_defaulted``, ``null_reason``; one row per station, sorted by station_key.
    """
    return estimate_pue_designs(weather, [design], envelope, it_load_mw, max_missing_frac=max_missing_frac,
                                workers=workers)[0]
