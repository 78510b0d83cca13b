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
#: Rows processed per NumPy pass (bounds peak memory).
CHUNK_ROWS = 1_000_000


# --------------------------------------------------------------------------------------------
# weather preparation
# --------------------------------------------------------------------------------------------
def prepare_weather(weather: pl.DataFrame, max_missing_frac: float = 0.10,
                    min_hours: int = 8000) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fill missing hours by linear interpolation within each station; flag unusable stations.

    An hour is missing when its dry bulb is null or both dew point and RH are null. Stations
    with more than ``max_missing_frac`` missing hours, or fewer than ``min_hours`` rows, are
    dropped from the filled frame and reported with a reason. Missing pressure is interpolated
    and, where a station has none at all, set to standard pressure (101 325 Pa) and counted.

    Returns
    -------
    (filled, quality)
        ``filled``: usable stations' hours, sorted by station_key, hour_of_year, no nulls in
        dry bulb / humidity / pressure. ``quality``: one row per station with ``n_hours``,
        ``n_missing_hours``, ``n_pressure_defaulted``, ``is_usable``, ``null_reason``.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in weather.columns]
    if missing:
        raise ValueError(f"weather frame lacks columns {missing}; expected the canonical hourly frame "
                         f"(station_key, hour_of_year, dry_bulb_c, dew_point_c, rh_pct, pressure_pa, ...)")
    w = weather.sort("station_key", "hour_of_year")
    hum_missing = pl.col("dew_point_c").is_null() & pl.col("rh_pct").is_null()
    is_missing = pl.col("dry_bulb_c").is_null() | hum_missing
    quality = w.group_by("station_key", maintain_order=True).agg(
        pl.len().alias("n_hours"),
        is_missing.sum().alias("n_missing_hours"),
        pl.col("pressure_pa").is_null().all().alias("_no_pressure"),
    ).with_columns(
        pl.when(pl.col("n_hours") < min_hours)
        .then(pl.format("only {} hourly rows (< {})", pl.col("n_hours"), pl.lit(min_hours)))
        .when(pl.col("n_missing_hours") > max_missing_frac * pl.col("n_hours"))
        .then(pl.format("{} of {} hours missing (> {} %)", pl.col("n_missing_hours"), pl.col("n_hours"),
                        pl.lit(round(100 * max_missing_frac, 1))))
        .otherwise(None).alias("null_reason"),
    ).with_columns(pl.col("null_reason").is_null().alias("is_usable"))
    usable = quality.filter("is_usable")["station_key"]
    w = w.filter(pl.col("station_key").is_in(usable.implode()))
    # derive dew point from RH only where the dew point itself is missing: keep it as RH
    fill = lambda c: pl.col(c).interpolate().forward_fill().backward_fill().over("station_key")  # noqa: E731
    cols = ("dry_bulb_c", "dew_point_c", "rh_pct", "pressure_pa")
    nulls = w.select(pl.col(c).null_count() for c in cols).row(0)
    filled = w.with_columns(  # interpolate only columns that have gaps (the window op is costly)
        [fill(c) for c, n in zip(cols, nulls) if n]).with_columns(
        pl.col("pressure_pa").fill_null(psychro.STANDARD_PRESSURE_PA))
    n_def = w.group_by("station_key").agg(pl.col("pressure_pa").is_null().sum().alias("n_pressure_defaulted"))
    quality = quality.join(n_def, on="station_key", how="left").with_columns(
        pl.col("n_pressure_defaulted").fill_null(0)).drop("_no_pressure")
    return filled, quality


# --------------------------------------------------------------------------------------------
# NumPy kernel
# --------------------------------------------------------------------------------------------
def chiller_cop(t_evap_c, t_cond_c, carnot_fraction: float, cop_max: float):
    """Chiller COP from evaporating and condensing temperatures [°C] (Carnot fraction, capped) [-]."""
    t_evap_k = np.asarray(t_evap_c, dtype=np.float64) + 273.15
    lift = np.maximum(np.asarray(t_cond_c, dtype=np.float64) + 273.15 - t_evap_k, 1e-6)
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


def _humidity_ok(env: Envelope, t_supply_c: float, w, p):
    """Air of humidity ratio ``w`` delivered at ``t_supply_c`` lies within the envelope's upper
    dew-point and RH limits."""
    pw = psychro.vapor_pressure_from_humidity_ratio(w, p)
    return (pw <= psychro.saturation_vapor_pressure_pa(env.dew_point_max_c)) & (
        pw <= env.rh_max_pct / 100.0 * psychro.saturation_vapor_pressure_pa(t_supply_c))


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
    n = t_db.shape[0]
    zeros = np.zeros(n)
    fixed = el.loss_frac + el.lighting_misc_frac
    t_sup = d.supply_air_c
    rise, dt_it = d.fan_temperature_rise_k, d.it_delta_t_k
    t_chws = t_sup - d.coil_approach_k
    evap_heat = zeros
    cycles = d.p.get("cycles_of_concentration")
    rej_fan = zeros

    if d.heat_path in ("airside", "airside_evaporative"):
        fan = np.full(n, d.fan_power_frac)
        q = 1.0 + fixed + fan
        hum_ok = _humidity_ok(env, t_sup, w, p)
        mech = np.where(hum_ok, np.clip((t_db + rise - t_sup) / dt_it, 0.0, 1.0), 1.0)
        mode = _mode_from_mech(mech)
        if d.heat_path == "airside_evaporative":
            target = t_sup - rise
            t_min = t_db - d.evaporative_effectiveness * (t_db - t_wb)
            t_after = np.maximum(t_min, target)
            dt_e = np.where(mech > 0.0, np.maximum(t_db - t_after, 0.0), 0.0)
            w_after = w + CP_AIR_KJ * 1e3 * dt_e / water.LATENT_HEAT_J_PER_KG
            use = hum_ok & (dt_e > 0.0) & _humidity_ok(env, t_sup, w_after, p)
            mech_e = np.clip((t_after + rise - t_sup) / dt_it, 0.0, 1.0)
            mech = np.where(use, mech_e, mech)
            mode = np.where(use, np.where(mech_e <= 0.0, _EVAP, _PARTIAL), mode).astype(np.int8)
            evap_heat = np.where(use, q * dt_e / dt_it, 0.0)
            # adiabatic humidification of dry outdoor air up to the envelope's lower humidity
            # limit (dew point / RH at supply) by the same media; only the outdoor-air share
            # x_oa of the supply needs it at steady state (return air keeps its moisture).
            w_min = np.maximum(
                psychro.humidity_ratio_from_dew_point(env.dew_point_min_c, p),
                psychro.humidity_ratio_from_rh(t_sup, env.rh_min_pct / 100.0, p))
            t_ret = t_sup + dt_it
            x_oa = np.clip((t_ret - t_sup) / np.maximum(t_ret - t_db - rise, 1e-9), 0.0, 1.0)
            humid = np.where((mech <= 0.0) & (evap_heat == 0.0), x_oa * np.maximum(w_min - w, 0.0), 0.0)
            evap_heat = evap_heat + q / (CP_AIR_KJ * dt_it) * humid * water.LATENT_HEAT_J_PER_KG / 1e3
        chiller = mech * q / _cop(d, t_chws, t_db, t_wb)
        pump = np.where(mech > 0.0, d.pump_power_frac, 0.0) if d.heat_path == "airside" \
            else np.full(n, d.pump_power_frac)

    elif d.heat_path == "waterside_tower":
        fan = np.full(n, d.fan_power_frac)
        q = 1.0 + fixed + fan
        t_tower = t_wb + d.tower_approach_k
        mech = np.clip((t_tower + d.hx_approach_k - t_chws) / d.chw_delta_t_k, 0.0, 1.0)
        mode = _mode_from_mech(mech)
        chiller = mech * q / _cop(d, t_chws, t_db, t_wb)
        heat_rejected = q + chiller
        rej_fan = d.tower_fan_kw_per_kw_heat * heat_rejected
        evap_heat = d.latent_fraction * heat_rejected
        pump = np.full(n, d.pump_power_frac)

    elif d.heat_path == "liquid_dry":
        f_liq = d.liquid_capture_fraction
        fan = np.full(n, d.fan_power_frac * (1.0 - f_liq))
        q_liq = f_liq * 1.0
        q_air = (1.0 - f_liq) + fixed + fan
        t_dc = t_db + d.dry_cooler_approach_k
        t_fws = d.facility_water_supply_c
        mech_l = np.clip((t_dc - t_fws) / d.liquid_loop_delta_t_k, 0.0, 1.0)
        mech_a = np.clip((t_dc - t_chws) / d.chw_delta_t_k, 0.0, 1.0)
        chiller = q_liq * mech_l / _cop(d, np.full(n, t_fws), t_db, t_wb) + q_air * mech_a / _cop(d, t_chws, t_db, t_wb)
        mech = (q_liq * mech_l + q_air * mech_a) / (q_liq + q_air)
        free = (mech_l <= 0) & (mech_a <= 0)
        full = (mech_l >= 1) & (mech_a >= 1)
        mode = np.where(free, _FREE, np.where(full, _MECH, _PARTIAL)).astype(np.int8)
        rej_fan = d.dry_cooler_fan_kw_per_kw_heat * (q_liq + q_air + chiller)
        pump = np.full(n, d.pump_power_frac)
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
        One row per usable station-hour: ``station_key``, ``hour_of_year``, ``wet_bulb_c`` [°C],
        ``mode`` (Enum of :data:`MODES`), ``mech_frac`` [-], ``pue`` [-],
        ``cooling_kw_per_kw_it``, ``chiller_kw_per_kw_it`` [kW/kW], ``evap_heat_kwh_per_kwh_it``
        [kWh/kWh], ``evaporation_l_per_kwh_it``, ``water_l_per_kwh_it`` (evaporation + blowdown)
        [L/kWh IT].
    """
    d = _design(design, envelope)
    filled, _ = prepare_weather(weather, max_missing_frac)
    return _hourly_from_filled(filled, d)


def _hourly_from_filled(filled: pl.DataFrame, d: Design) -> pl.DataFrame:
    t_all = filled["dry_bulb_c"].to_numpy().astype(np.float64)
    dp_all = filled["dew_point_c"].to_numpy().astype(np.float64)
    rh_all = filled["rh_pct"].to_numpy().astype(np.float64)
    p_all = filled["pressure_pa"].to_numpy().astype(np.float64)
    n = t_all.shape[0]
    keys = ("mode", "mech_frac", "pue", "cooling_kw", "chiller_kw", "evap_heat_kwh", "evaporation_l", "blowdown_l")
    out = {k: np.empty(n, dtype=np.int8 if k == "mode" else np.float64) for k in keys}
    twb_out = np.empty(n)
    for s in range(0, n, CHUNK_ROWS):
        sl = slice(s, min(s + CHUNK_ROWS, n))
        st = psychro.state_from_weather(t_all[sl], p_all[sl], dew_point_c=dp_all[sl], rh_pct=rh_all[sl])
        k = cooling_kernel(d, t_all[sl], st["wet_bulb_c"], st["humidity_ratio"], p_all[sl])
        twb_out[sl] = st["wet_bulb_c"]
        for key in keys:
            out[key][sl] = k[key]
    return pl.DataFrame({
        "station_key": filled["station_key"],
        "hour_of_year": filled["hour_of_year"],
        "wet_bulb_c": twb_out,
        "mode": pl.Series(np.asarray(MODES)[out["mode"]], dtype=MODE_DTYPE),
        "mech_frac": out["mech_frac"],
        "pue": out["pue"],
        "cooling_kw_per_kw_it": out["cooling_kw"],
        "chiller_kw_per_kw_it": out["chiller_kw"],
        "evap_heat_kwh_per_kwh_it": out["evap_heat_kwh"],
        "evaporation_l_per_kwh_it": out["evaporation_l"],
        "water_l_per_kwh_it": out["evaporation_l"] + out["blowdown_l"],
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
        ``n_hours_modelled``.
    """
    scale = hours_per_year / pl.len()
    it_mwh = pl.lit(it_load_mw * hours_per_year)
    return hourly.group_by("station_key", maintain_order=True).agg(
        pl.len().alias("n_hours_modelled"),
        pl.col("pue").mean().alias("pue_annual"),
        pl.col("pue").max().alias("pue_peak"),
        (pl.col("mode").is_in(["free", "evaporative"]).sum() * scale).alias("free_cooling_hours"),
        ((pl.col("mode") == "mechanical").sum() * scale).alias("mechanical_hours"),
        it_mwh.alias("it_energy_mwh"),
        (pl.col("cooling_kw_per_kw_it").mean() * it_mwh).alias("cooling_energy_mwh"),
        (pl.col("pue").mean() * it_mwh).alias("facility_energy_mwh"),
        pl.col("water_l_per_kwh_it").mean().alias("wue_onsite_l_per_kwh"),
        (pl.col("evap_heat_kwh_per_kwh_it").mean() * it_mwh).alias("evap_heat_mwh"),
        (pl.col("water_l_per_kwh_it").mean() * it_mwh).alias("water_onsite_m3"),  # L/kWh × MWh = m³
    )


def estimate_pue(weather: pl.DataFrame, design: Design | str, envelope: str | Envelope | None = None,
                 it_load_mw: float = 1.0, *, max_missing_frac: float = 0.10) -> pl.DataFrame:
    """Annual hourly-model PUE/WUE per station, with data-quality columns.

    Stations with too many missing hours keep a row with null estimates and ``null_reason``.

    Returns
    -------
    pl.DataFrame
        The columns of :func:`annual_summary` plus ``pue_method`` ("hourly"), ``design``,
        ``envelope``, ``n_hours``, ``n_missing_hours`` (filled by interpolation),
        ``n_pressure_defaulted``, ``null_reason``.
    """
    d = _design(design, envelope)
    filled, quality = prepare_weather(weather, max_missing_frac)
    hourly = _hourly_from_filled(filled, d)
    summary = annual_summary(hourly, it_load_mw)
    return quality.select("station_key", "n_hours", "n_missing_hours", "n_pressure_defaulted", "null_reason") \
        .join(summary, on="station_key", how="left") \
        .with_columns(pl.lit("hourly").alias("pue_method"), pl.lit(d.name).alias("design"),
                      pl.lit(d.envelope.name).alias("envelope"))
