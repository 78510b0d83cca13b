"""Hourly PUE from weather for a cooling design, and its annual summary per station.

Per hour and per kW of IT load, a steady-state energy balance gives the operating mode, the
power of fans, pumps, heat-rejection fans and the trim chiller, the power-conversion (UPS +
distribution) losses and lighting, hence PUE_h = P_facility / P_IT. All stations' hours are
computed at once with NumPy on the column arrays; no Python loop runs over hours or stations.

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

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from gridscout.models import psychro, water
from gridscout.models.designs import Design, Envelope, get_design

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
#: Stations per NumPy block. Eight float32 station-years (280 KB per array) keep a block's ~20 temporaries near one
#: core's L2 cache; blocks run on a thread pool (NumPy releases the GIL), so peak memory is the
#: input frame plus a few blocks, whatever the number of stations.
BLOCK_STATIONS = 8
#: Worker threads (default: all cores).
WORKERS = os.cpu_count() or 1


# --------------------------------------------------------------------------------------------
# weather preparation
# --------------------------------------------------------------------------------------------
def prepare_weather(weather: pl.DataFrame, max_missing_frac: float = 0.10,
                    min_hours: int = 8000) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Sort by station and hour, flag unusable stations; missing hours are filled per block later.

    An hour is missing when its dry bulb is null or both dew point and RH are null. Stations
    with more than ``max_missing_frac`` missing hours, or fewer than ``min_hours`` rows, are
    dropped from the returned frame and reported with a reason. Missing values are interpolated
    linearly within each station (:func:`fill_gaps`, applied block by block); where a station has
    no pressure at all it is set to standard pressure (101 325 Pa); null pressures are counted.

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
    """Distinct values of a sorted key column and the row where each run starts."""
    if keys.len() == 0:
        return keys.alias("station_key"), np.empty(0, dtype=np.int64)
    r = keys.rle().struct.unnest()
    lengths = r["len"].to_numpy().astype(np.int64)
    return r["value"].alias("station_key"), np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)


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
# NumPy kernel
# --------------------------------------------------------------------------------------------
def chiller_cop(t_evap_c, t_cond_c, carnot_fraction: float, cop_max: float):
    """Chiller COP from evaporating and condensing temperatures [°C] (Carnot fraction, capped) [-]."""
    t_evap_c, t_cond_c = psychro._arrays(t_evap_c, t_cond_c)
    t_evap_k = t_evap_c + 273.15
    lift = np.maximum(t_cond_c + 273.15 - t_evap_k, 1e-6)
    return np.minimum(carnot_fraction * t_evap_k / lift, cop_max)


def _cop(design: Design, t_chws_c, t_db, t_wb):
    ch = design.chiller
    t_evap = t_chws_c - ch.evaporator_approach_k
    if ch.name == "water_cooled":
        t_cond = t_wb + design.p.get("tower_approach_k", 4.0) + design.p.get("condenser_range_k", 5.6) \
            + ch.condenser_approach_k
    else:
        t_cond = t_db + ch.condenser_approach_k
    return chiller_cop(t_evap, t_cond, ch.carnot_fraction, ch.cop_max)


def _vapor_pressure_limits_pa(env: Envelope, t_supply_c: float) -> tuple[float, float]:
    """Lowest and highest vapour pressure [Pa] of air delivered at ``t_supply_c`` within the
    envelope's dew-point and RH limits. At one pressure W rises with p_w (ASHRAE 2017 ch. 1 eq. 20),
    so the humidity-ratio limits are these vapour pressures converted at each hour's pressure."""
    psat = lambda t: float(psychro.saturation_vapor_pressure_pa(float(t)))  # noqa: E731
    p_sup = psat(t_supply_c)
    return (max(psat(env.dew_point_min_c), env.rh_min_pct / 100.0 * p_sup),
            min(psat(env.dew_point_max_c), env.rh_max_pct / 100.0 * p_sup))


def _humidity_ok(env: Envelope, t_supply_c: float, w, p, pw=None):
    """Air of humidity ratio ``w`` (vapour pressure ``pw``, computed when not given) delivered at
    ``t_supply_c`` lies within the envelope's upper dew-point and RH limits. The limits are
    inclusive: a dew point read as exactly the limit (weather files round to 0.1 °C) is inside,
    whatever the rounding of the float32/float64 round trip dew point → W → p_w (:data:`LIMIT_REL_TOL`)."""
    if pw is None:
        pw = psychro.vapor_pressure_from_humidity_ratio(w, p)
    return pw <= (1.0 + LIMIT_REL_TOL) * _vapor_pressure_limits_pa(env, t_supply_c)[1]


def _chiller_kw(design: Design, mech, q, t_chws_c, t_db, t_wb):
    """Chiller power mech · q / COP [kW per kW IT], computed only in the hours it runs (mech > 0)
    when those are fewer than half (gathering them costs more than it saves otherwise)."""
    on_mask = mech > 0.0
    n_on = int(np.count_nonzero(on_mask))
    if 2 * n_on > mech.size:
        return mech * q / _cop(design, t_chws_c, t_db, t_wb)
    out = np.zeros(mech.shape, dtype=mech.dtype)
    on = np.flatnonzero(on_mask)
    if on.size:
        q_on = q[on] if np.ndim(q) else q
        out[on] = mech[on] * q_on / _cop(design, t_chws_c, t_db[on], t_wb[on])
    return out


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
    lg = design.tower_liquid_gas_ratio
    h_in = psychro.moist_air_enthalpy_j_per_kg(t_db, w)
    dh = lg * 4186.0 * design.condenser_range_k
    w_out = psychro.saturated_humidity_ratio_from_enthalpy(h_in + dh, p)  # table, ≤ 3e-4 relative
    return np.maximum(w_out - w, 0.0) * (water.LATENT_HEAT_J_PER_KG / dh)


def _mode_from_mech(mech):
    return np.where(mech <= 0.0, _FREE, np.where(mech >= 1.0, _MECH, _PARTIAL)).astype(np.int8)


def cooling_kernel(design: Design, t_db, t_wb, w, p) -> dict[str, np.ndarray]:
    """Per-hour cooling state per kW of IT for arrays of weather (NumPy, no Python loops).

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
    ``evaporation_l``, ``blowdown_l`` (L per kWh IT).
    """
    d, env, el = design, design.envelope, design.electrical
    n, dt = t_db.shape[0], t_db.dtype  # float32 weather is computed in float32
    zeros = np.zeros(n, dtype=dt)
    fixed = el.loss_frac + el.lighting_misc_frac
    t_sup = d.supply_air_c
    rise, dt_it = d.fan_temperature_rise_k, d.it_delta_t_k
    t_chws = d.chilled_water_supply_c
    evap_heat = zeros
    cycles = d.p.get("cycles_of_concentration")
    rej_fan = zeros

    if d.heat_path in ("airside", "airside_evaporative"):
        fan = np.full(n, d.fan_power_frac, dtype=dt)
        q = 1.0 + fixed + d.fan_power_frac
        pw = psychro.vapor_pressure_from_humidity_ratio(w, p)
        hum_ok = _humidity_ok(env, t_sup, w, p, pw) if d.has_economizer else np.zeros(n, dtype=bool)
        mech = np.where(hum_ok, np.clip((t_db + rise - t_sup) / dt_it, 0.0, 1.0), 1.0).astype(dt, copy=False)
        mode = _mode_from_mech(mech)
        if d.heat_path == "airside_evaporative":
            # evaporate as much as the hour needs and the envelope allows: down to the set point
            # (target), at most to t_db − ε (t_db − t_wb), and only until the supply air reaches the
            # envelope's upper dew-point / RH limit (partial evaporation, not all or nothing);
            # computed only in the hours the economizer alone does not cover
            pw_min, pw_max = _vapor_pressure_limits_pa(env, t_sup)
            evap_heat = np.zeros(n, dtype=dt)
            cand = np.flatnonzero(hum_ok & (mech > 0.0))
            if cand.size:
                tc, pc = t_db[cand], p[cand]
                target = t_sup - rise
                t_min = tc - d.evaporative_effectiveness * (tc - t_wb[cand])
                dt_need = np.maximum(tc - np.maximum(t_min, target), 0.0)
                w_max = psychro.humidity_ratio_from_vapor_pressure(pw_max, pc)
                dt_room = np.maximum(w_max - w[cand], 0.0) * (water.LATENT_HEAT_J_PER_KG / (CP_AIR_KJ * 1e3))
                dt_e = np.minimum(dt_need, dt_room)
                use = dt_e > 0.0
                mech_e = np.clip((tc - dt_e + rise - t_sup) / dt_it, 0.0, 1.0)
                mech[cand] = np.where(use, mech_e, mech[cand])
                mode[cand] = np.where(use, np.where(mech_e <= 0.0, _EVAP, _PARTIAL), mode[cand])
                evap_heat[cand] = np.where(use, q * dt_e / dt_it, 0.0)
            # adiabatic humidification of dry outdoor air up to the envelope's lower humidity
            # limit (dew point / RH at supply) by the same media; only the outdoor-air share
            # x_oa of the supply needs it at steady state (return air keeps its moisture).
            dry = np.flatnonzero((mech <= 0.0) & (evap_heat == 0.0) & (pw < pw_min))
            if dry.size:
                td = t_db[dry]
                w_min = psychro.humidity_ratio_from_vapor_pressure(pw_min, p[dry])
                t_ret = t_sup + dt_it
                x_oa = np.clip((t_ret - t_sup) / np.maximum(t_ret - td - rise, 1e-9), 0.0, 1.0)
                humid = x_oa * np.maximum(w_min - w[dry], 0.0)
                evap_heat[dry] += q / (CP_AIR_KJ * dt_it) * humid * (water.LATENT_HEAT_J_PER_KG / 1e3)
        chiller = _chiller_kw(d, mech, q, t_chws, t_db, t_wb)
        pump = np.where(mech > 0.0, d.pump_power_frac, 0.0).astype(dt) if d.heat_path == "airside" \
            else np.full(n, d.pump_power_frac, dtype=dt)

    elif d.heat_path == "waterside_tower":
        fan = np.full(n, d.fan_power_frac, dtype=dt)
        q = 1.0 + fixed + d.fan_power_frac
        t_tower = t_wb + d.tower_approach_k
        mech = np.clip((t_tower + d.hx_approach_k - t_chws) / d.chw_delta_t_k, 0.0, 1.0)
        mode = _mode_from_mech(mech)
        chiller = _chiller_kw(d, mech, q, t_chws, t_db, t_wb)
        heat_rejected = q + chiller
        rej_fan = d.tower_fan_kw_per_kw_heat * heat_rejected
        evap_heat = tower_latent_fraction(d, t_db, w, p) * heat_rejected
        pump = np.full(n, d.pump_power_frac, dtype=dt)

    elif d.heat_path == "liquid_dry":
        f_liq = d.liquid_capture_fraction
        fan = np.full(n, d.fan_power_frac * (1.0 - f_liq), dtype=dt)
        q_liq = f_liq * 1.0
        q_air = (1.0 - f_liq) + fixed + fan
        t_dc = t_db + d.dry_cooler_approach_k
        t_fws = d.facility_water_supply_c
        mech_l = np.clip((t_dc - t_fws) / d.liquid_loop_delta_t_k, 0.0, 1.0)
        mech_a = np.clip((t_dc - t_chws) / d.chw_delta_t_k, 0.0, 1.0)
        chiller = (q_liq * mech_l / _cop(d, np.full(n, t_fws, dtype=dt), t_db, t_wb)
                   + q_air * mech_a / _cop(d, t_chws, t_db, t_wb))
        mech = (q_liq * mech_l + q_air * mech_a) / (q_liq + q_air)
        free = (mech_l <= 0) & (mech_a <= 0)
        full = (mech_l >= 1) & (mech_a >= 1)
        mode = np.where(free, _FREE, np.where(full, _MECH, _PARTIAL)).astype(np.int8)
        rej_fan = d.dry_cooler_fan_kw_per_kw_heat * (q_liq + q_air + chiller)
        pump = np.full(n, d.pump_power_frac, dtype=dt)
    else:  # pragma: no cover - validated in designs.py
        raise ValueError(f"unknown heat_path {d.heat_path!r}")

    evaporation = water.evaporation_l(evap_heat)
    blowdown = water.blowdown_l(evaporation, cycles) if cycles else zeros
    cooling = fan + pump + rej_fan + chiller
    return {
        "mode": mode, "mech_frac": mech, "chiller_kw": chiller, "fan_kw": fan, "pump_kw": pump,
        "rejection_fan_kw": rej_fan, "cooling_kw": cooling, "pue": 1.0 + fixed + cooling,
        "evap_heat_kwh": evap_heat, "evaporation_l": evaporation, "blowdown_l": blowdown,
    }


def _design(design: Design | str, envelope: str | Envelope | None) -> Design:
    d = get_design(design) if isinstance(design, str) else design
    return d.with_envelope(envelope) if envelope is not None else d


# --------------------------------------------------------------------------------------------
# frame API
# --------------------------------------------------------------------------------------------
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
        ``water_l_per_kwh_it`` (evaporation + blowdown) [L/kWh IT]. Computed in float64 (the
        reference for the float32 annual path of :func:`estimate_pue`).
    """
    d = _design(design, envelope)
    usable, _, starts = _prepare(weather, max_missing_frac)
    keys = ("mode", "mech_frac", "pue", "cooling_kw", "chiller_kw", "evap_heat_kwh", "evaporation_l", "blowdown_l")
    parts = _map_blocks(usable, starts, lambda blk, _: _block_hourly(blk, d, keys, np.float64))
    cat = {k: np.concatenate([pt[k] for pt in parts]) if parts else np.empty(0, np.float32)
           for k in ("wet_bulb_c", *keys)}
    f64 = lambda x: x.astype(np.float64, copy=False)  # noqa: E731
    return pl.DataFrame({
        "station_key": usable["station_key"],
        "hour_of_year": usable["hour_of_year"],
        "wet_bulb_c": f64(cat["wet_bulb_c"]),
        "mode": pl.Series(np.asarray(MODES)[cat["mode"].astype(np.int8)], dtype=MODE_DTYPE),
        "mech_frac": f64(cat["mech_frac"]),
        "pue": f64(cat["pue"]),
        "cooling_kw_per_kw_it": f64(cat["cooling_kw"]),
        "chiller_kw_per_kw_it": f64(cat["chiller_kw"]),
        "evap_heat_kwh_per_kwh_it": f64(cat["evap_heat_kwh"]),
        "evaporation_l_per_kwh_it": f64(cat["evaporation_l"]),
        "water_l_per_kwh_it": f64(cat["evaporation_l"] + cat["blowdown_l"]),
    })


# --------------------------------------------------------------------------------------------
# blocks of stations (float32, thread pool)
# --------------------------------------------------------------------------------------------
def _wet_bulb_free_limit_c(design: Design) -> float:
    """Wet bulb [°C] at or below which the design's hour does not depend on the wet bulb's value:
    the tower economizer carries the whole load (t_wb + tower and HX approaches <= chilled-water
    supply); +inf for designs whose wet-bulb use :func:`wet_bulb_hours` bounds by the dry bulb."""
    if design.heat_path == "waterside_tower":
        return design.chilled_water_supply_c - design.tower_approach_k - design.hx_approach_k
    return float("inf")


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
    path = design.heat_path
    if path == "waterside_tower":
        lim = _wet_bulb_free_limit_c(design)
        need = t_db > lim
        idx = np.flatnonzero(need)
        if idx.size and lim >= psychro.FREEZING_POINT_C:
            p_i = p[idx] if np.ndim(p) else p
            ws_lim = psychro.humidity_ratio_from_vapor_pressure(float(psychro.saturation_vapor_pressure_pa(lim)), p_i)
            need[idx] = w[idx] > psychro.humidity_ratio_from_wet_bulb(t_db[idx], lim, p_i, ws_lim)
        return need
    if design.chiller.name != "air_cooled":
        return None
    if path in ("airside", "liquid_dry"):
        return np.zeros(t_db.shape, dtype=bool)
    if path == "airside_evaporative":
        return t_db + design.fan_temperature_rise_k - design.supply_air_c > 0.0
    return None


def _weather_arrays(block: pl.DataFrame, dtype=np.float32, designs: Sequence[Design] | None = None):
    """Gap-filled weather of a block as arrays: dry bulb, wet bulb [°C], humidity ratio, pressure.

    With ``designs``, the wet bulb is computed only in the hours where one of them needs it
    (:func:`wet_bulb_hours`); elsewhere it is the dry bulb, capped at the designs' lowest
    :func:`_wet_bulb_free_limit_c`.
    """
    f = fill_gaps(block)
    t, dp, rh, p = (f[c].to_numpy().astype(dtype) for c in ("dry_bulb_c", "dew_point_c", "rh_pct", "pressure_pa"))
    w = psychro.humidity_ratio_from_weather(t, p, dew_point_c=dp, rh_pct=rh)
    masks = [wet_bulb_hours(d, t, w, p) for d in designs] if designs is not None else [None]
    if any(m is None for m in masks):
        return t, psychro.wet_bulb_c(t, w, p), w, p
    need = np.flatnonzero(np.logical_or.reduce(masks))
    cap = min(_wet_bulb_free_limit_c(d) for d in designs)
    twb = np.minimum(t, dtype(cap)) if cap < np.inf else t.copy()
    if need.size:
        twb[need] = psychro.wet_bulb_c(t[need], w[need], p[need])
    return t, twb, w, p


def _block_hourly(block: pl.DataFrame, d: Design, keys, dtype) -> dict[str, np.ndarray]:
    t, twb, w, p = _weather_arrays(block, dtype)
    k = cooling_kernel(d, t, twb, w, p)
    return {"wet_bulb_c": twb, **{key: k[key] for key in keys}}


def _map_blocks(usable: pl.DataFrame, starts: np.ndarray, fn, workers: int | None = None) -> list:
    """Apply ``fn(block, station_starts_in_block)`` to blocks of :data:`BLOCK_STATIONS` whole
    stations, in order, on a thread pool."""
    if usable.height == 0:
        return []
    ends = np.append(starts[1:], usable.height)
    jobs = []
    for i in range(0, len(starts), BLOCK_STATIONS):
        a, b = int(starts[i]), int(ends[min(i + BLOCK_STATIONS, len(starts)) - 1])
        jobs.append((a, b - a, starts[i:i + BLOCK_STATIONS] - a))
    run = lambda job: fn(usable.slice(job[0], job[1]), job[2])  # noqa: E731
    workers = workers or WORKERS
    if workers <= 1 or len(jobs) == 1:
        return [run(j) for j in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, jobs))


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


def _block_annual(block: pl.DataFrame, starts: np.ndarray, designs: Sequence[Design]) -> list[dict[str, np.ndarray]]:
    """Psychrometrics once for a block of whole stations, then every design's annual sums."""
    t, twb, w, p = _weather_arrays(block, np.float32, designs)
    return [_annual_arrays(cooling_kernel(d, t, twb, w, p), starts, block.height) for d in designs]


def estimate_pue_designs(weather: pl.DataFrame, designs: Sequence[Design | str], envelope: str | Envelope | None = None,
                         it_load_mw: float = 1.0, *, max_missing_frac: float = 0.10,
                         workers: int | None = None) -> list[pl.DataFrame]:
    """:func:`estimate_pue` for several designs in one pass over the weather (psychrometrics once).

    Returns one frame per design, in the order given.
    """
    ds = [_design(d, envelope) for d in designs]
    usable, quality, starts = _prepare(weather, max_missing_frac)
    parts = _map_blocks(usable, starts, lambda blk, st: _block_annual(blk, st, ds), workers)
    keys = usable["station_key"].gather(starts) if usable.height else pl.Series("station_key", [], pl.Utf8)
    q = quality.select("station_key", "n_hours", "n_missing_hours", "n_pressure_defaulted", "null_reason")
    out = []
    for i, d in enumerate(ds):
        a = {k: np.concatenate([pt[i][k] for pt in parts]) for k in parts[0][i]} if parts else \
            {k: np.empty(0) for k in ("n", "pue_sum", "pue_max", "free", "mech", "cooling_sum", "water_sum",
                                      "evap_heat_sum")}
        summary = _annual_frame(keys, a, it_load_mw, 8760.0)
        out.append(q.join(summary, on="station_key", how="left", maintain_order="left").with_columns(
            pl.lit("hourly").alias("pue_method"), pl.lit(d.name).alias("design"),
            pl.lit(d.envelope.name).alias("envelope")))
    return out


def estimate_pue(weather: pl.DataFrame, design: Design | str, envelope: str | Envelope | None = None,
                 it_load_mw: float = 1.0, *, max_missing_frac: float = 0.10, workers: int | None = None) -> pl.DataFrame:
    """Annual hourly-model PUE/WUE per station, with data-quality columns.

    Stations with too many missing hours keep a row with null estimates and ``null_reason``.
    The hours are computed in float32 on blocks of :data:`BLOCK_STATIONS` stations on a thread
    pool and summed per station in float64, so memory stays bounded and no hourly frame is
    built. Against the float64 path the annual figures agree within 2e-5 PUE and 1e-4 L/kWh,
    and free-cooling hours within 0.05 % of the year (an hour exactly on a mode threshold may
    change mode); see ``tests/models/test_pue_fast.py``.

    Returns
    -------
    pl.DataFrame
        The columns of :func:`annual_summary` plus ``pue_method`` ("hourly"), ``design``,
        ``envelope``, ``n_hours``, ``n_missing_hours`` (filled by interpolation),
        ``n_pressure_defaulted``, ``null_reason``; one row per station, sorted by station_key.
    """
    return estimate_pue_designs(weather, [design], envelope, it_load_mw, max_missing_frac=max_missing_frac,
                                workers=workers)[0]
