"""Site aggregator: physical estimates for many candidate sites in one call.

Weather-derived results (hourly PUE, WUE) are computed ONCE per weather station, for 1 MW of IT,
and joined to every site using that station; energies are then scaled by each site's IT load
(the model is linear in IT load: all powers are fractions of IT). Sites whose station has no
usable hourly weather fall back to the per-station climate model (``pue_method`` =
"climate_model", :mod:`gridscout.models.climate_model`) when ``station_stats`` has the station;
otherwise they get nulls.

Unknown inputs give null outputs, never 0.

Evidence convention
-------------------
Every estimate column ``<col>`` has a companion string column ``<col>__evidence`` with one of:

* ``"observed"`` - an input value passed through as published/measured (e.g. a zone's carbon
  intensity, a state's price, the declared IT load, Aqueduct basin water stress);
* ``"derived"``  - arithmetic on observed values only (e.g. 24/7 CFE from the annual grid
  carbon-free share with no modelled local supply);
* ``"modelled"`` - depends on a physical or statistical model (hourly PUE/WUE, climate-model
  tier, capacity-factor generation mix, modelled solar/wind).

A column's evidence is the weakest of its inputs (observed > derived > modelled); it is null
where the value is null. Values taken from the candidate file are marked
``"user-supplied (column <col>)"`` and values the profile filled in ``"profile default ([facility] <key>)"``
by :func:`gridscout.models.site_facts.mark_provenance` (for ``it_load_mw``, ``cooling_design`` and the
other site facts).

References
----------
See :mod:`gridscout.models.pue`, :mod:`~gridscout.models.water`, :mod:`~gridscout.models.carbon`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from gridscout.models import carbon, climate_model, cost, pue, renewables
from gridscout.models.designs import Design, get_design
from gridscout.models.load import check_rack_density

HOURS_PER_YEAR = 8760.0
REQUIRED_SITE_COLUMNS = ("site_id", "weather_station_key", "it_load_mw")
#: off-site water inputs [L/kWh] from :mod:`gridscout.features.offsite_water` (all optional)
OFFSITE_INPUTS = ("water_offsite_l_per_kwh", "water_offsite_hydro_l_per_kwh", "water_offsite_hydro_gross_l_per_kwh",
                  "water_offsite_nonfresh_l_per_kwh", "water_offsite__evidence")

#: Output columns that carry a ``__evidence`` companion.
ESTIMATE_COLUMNS = (
    "it_load_mw", "energy_mwh_per_year", "pue_annual", "pue_peak", "free_cooling_hours",
    "cooling_energy_mwh_per_year", "wue_onsite_l_per_kwh", "water_offsite_l_per_kwh",
    "water_offsite_hydro_l_per_kwh", "water_m3_per_year", "carbon_g_per_kwh", "emissions_tco2_per_year",
    "cfe_share_24x7", "price_usd_per_mwh", "energy_cost_usd_per_year", "water_stress_score",
)
_RANK = {"observed": 0, "derived": 1, "modelled": 2}


def _weakest(*exprs: pl.Expr) -> pl.Expr:
    """Weakest evidence class among the given evidence expressions (null if any is null)."""
    ranks = [e.replace_strict(_RANK, default=None, return_dtype=pl.Int8) for e in exprs]
    worst = pl.max_horizontal(ranks)
    any_null = pl.any_horizontal([r.is_null() for r in ranks])
    return pl.when(any_null).then(None).otherwise(
        worst.replace_strict({v: k for k, v in _RANK.items()}, default=None, return_dtype=pl.String))


def _ev(value_col: str, evidence: pl.Expr) -> pl.Expr:
    return pl.when(pl.col(value_col).is_not_null()).then(evidence).otherwise(None).alias(f"{value_col}__evidence")


def _station_results(sites: pl.DataFrame, weather: pl.DataFrame | None, station_stats: pl.DataFrame | None,
                     d: Design, max_missing_frac: float) -> pl.DataFrame:
    keys = sites["weather_station_key"].drop_nulls().unique()
    schema = {"station_key": pl.String, "pue_annual": pl.Float64, "pue_peak": pl.Float64,
              "free_cooling_hours": pl.Float64, "cooling_kwh_per_kwh_it": pl.Float64,
              "wue_onsite_l_per_kwh": pl.Float64, "pue_method": pl.String, "pue_null_reason": pl.String}
    parts = []
    have_hourly = pl.Series("station_key", [], dtype=pl.String)
    if weather is not None and weather.height:
        w = weather.filter(pl.col("station_key").is_in(keys.implode()))
        if w.height:
            r = pue.estimate_pue(w, d, it_load_mw=1.0, max_missing_frac=max_missing_frac)
            ok = r.filter(pl.col("null_reason").is_null())
            parts.append(ok.select(
                "station_key", "pue_annual", "pue_peak", "free_cooling_hours",
                (pl.col("cooling_energy_mwh") / pl.col("it_energy_mwh")).alias("cooling_kwh_per_kwh_it"),
                "wue_onsite_l_per_kwh", "pue_method", pl.lit(None, dtype=pl.String).alias("pue_null_reason")))
            have_hourly = ok["station_key"]
            bad = r.filter(pl.col("null_reason").is_not_null()).select("station_key", "null_reason")
        else:
            bad = None
    else:
        bad = None
    rest = keys.filter(~keys.is_in(have_hourly.implode()))
    if station_stats is not None and rest.len():
        st = station_stats.filter(pl.col("station_key").is_in(rest.implode()))
        if st.height:
            cs = climate_model.estimate(st, d)
            parts.append(cs.select(
                "station_key", "pue_annual", "pue_peak", "free_cooling_hours",
                (pl.col("pue_annual") - 1.0 - d.electrical.loss_frac - d.electrical.lighting_misc_frac)
                .alias("cooling_kwh_per_kwh_it"),
                "wue_onsite_l_per_kwh",
                pl.when(pl.col("pue_annual").is_not_null()).then(pl.col("pue_method")).otherwise(None),
                pl.col("null_reason").alias("pue_null_reason")))
            rest = rest.filter(~rest.is_in(st["station_key"].implode()))
    out = pl.concat([p.cast(schema) for p in parts]) if parts else pl.DataFrame(schema=schema)
    out = out.unique("station_key", keep="first")
    if bad is not None and bad.height:  # hourly unusable and no stats fallback: keep the reason
        missing = bad.filter(~pl.col("station_key").is_in(out["station_key"].implode()))
        out = pl.concat([out, missing.rename({"null_reason": "pue_null_reason"}).with_columns(
            [pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in ("station_key", "pue_null_reason")])
            .select(list(schema))])
    return out


def _local_supply(sites: pl.DataFrame, weather: pl.DataFrame | None, facility_mw: np.ndarray) -> list:
    """Per site: hourly local CFE supply per unit mean facility load, or None."""
    out = []
    cols = set(sites.columns)
    for i, row in enumerate(sites.iter_rows(named=True)):  # per SITE (few with PPAs), not per hour
        solar, wind = row.get("solar_mw") or 0.0, row.get("wind_mw") or 0.0
        key = row.get("weather_station_key")
        if (solar <= 0 and wind <= 0) or weather is None or key is None or not facility_mw[i] > 0:
            out.append(None)
            continue
        w = weather.filter(pl.col("station_key") == key).sort("hour_of_year")
        if w.height == 0:
            out.append(None)
            continue
        supply = np.zeros(w.height)
        if solar > 0 and {"latitude", "longitude"} <= cols and row["latitude"] is not None:
            supply += solar * renewables.solar_capacity_factor(w, row["latitude"], row["longitude"])
        if wind > 0:
            supply += wind * np.nan_to_num(renewables.wind_capacity_factor(w["wind_speed_m_per_s"].to_numpy()))
        out.append(supply / facility_mw[i])
    return out


def estimate_sites(
    sites: pl.DataFrame,
    weather: pl.DataFrame | None,
    station_stats: pl.DataFrame | None,
    design: Design | str,
    *,
    envelope: str | None = None,
    carbon_basis: str = "lifecycle",
    rack_kw: float | None = None,
    max_missing_frac: float = 0.10,
) -> pl.DataFrame:
    """Power, cooling, water, carbon and cost estimates for each site.

    Parameters
    ----------
    sites : pl.DataFrame
        One row per site: ``site_id``, ``weather_station_key`` (nullable), ``it_load_mw`` [MW];
        optional ``carbon_g_per_kwh`` [gCO2eq/kWh], ``carbon_basis``, ``carbon_free_pct`` [%],
        ``price_usd_per_mwh`` [USD/MWh] (+ ``price_source``, ``price_year`` passed through),
        ``water_offsite_l_per_kwh`` (fresh, non-hydro), ``water_offsite_hydro_l_per_kwh`` (NETL allocated),
        ``water_offsite_hydro_gross_l_per_kwh`` (gross evaporation), ``water_offsite_nonfresh_l_per_kwh``
        [L/kWh] and ``water_offsite__evidence`` from :mod:`gridscout.features.offsite_water`,
        ``water_stress_score`` (0-5, :mod:`gridscout.features.water_stress`; evidence "derived" when
        ``water_stress_method`` is ``country_sdg642``, a mapped country figure), ``solar_mw`` /
        ``wind_mw`` [MW] local or PPA supply with ``latitude`` / ``longitude`` [°] for solar.
    weather : pl.DataFrame or None
        Canonical hourly weather frame, stations stacked (see :mod:`gridscout.models.pue`).
    station_stats : pl.DataFrame or None
        Station index for the fallback tier: ``station_key`` and the statistics of
        :data:`gridscout.models.climate_model.STAT_COLUMNS`.
    design : Design or str
        Cooling design (name in ``data/designs/cooling.toml``).
    envelope : str, optional
        ASHRAE envelope override (``recommended``, ``A1``..``A4``).
    carbon_basis : str
        Basis of ``carbon_g_per_kwh`` when sites has no ``carbon_basis`` column.
    rack_kw : float, optional
        Rack density [kW/rack]; raises :class:`~gridscout.models.designs.DesignError` if the
        design cannot serve it (also checked against a ``rack_kw`` column).

    Returns
    -------
    pl.DataFrame
        ``site_id``, ``weather_station_key``, ``it_load_mw``, ``energy_mwh_per_year``,
        ``pue_annual``, ``pue_peak``, ``pue_method``, ``free_cooling_hours``,
        ``cooling_energy_mwh_per_year``, ``wue_onsite_l_per_kwh``, ``water_offsite_l_per_kwh``,
        ``water_offsite_hydro_l_per_kwh``, ``water_onsite_m3_per_year``,
        ``water_offsite_m3_per_year`` (fresh, non-hydro), ``water_offsite_hydro_m3_per_year`` and
        ``water_offsite_hydro_gross_m3_per_year`` (the two hydro conventions, reported apart),
        ``water_m3_per_year`` (on-site + off-site fresh non-hydro: the one water total),
        ``carbon_g_per_kwh``, ``carbon_basis``, ``emissions_tco2_per_year``, ``cfe_share_24x7``,
        ``cfe_basis``, ``price_usd_per_mwh``, ``price_source``, ``price_year``,
        ``energy_cost_usd_per_year``, ``water_stress_score``, ``pue_null_reason``, and
        ``<col>__evidence`` for each estimate column (see module docstring).
    """
    missing = [c for c in REQUIRED_SITE_COLUMNS if c not in sites.columns]
    if missing:
        raise ValueError(f"sites frame lacks required columns {missing}")
    d = get_design(design) if isinstance(design, str) else design
    if envelope is not None:
        d = d.with_envelope(envelope)
    carbon.check_basis(carbon_basis)
    if rack_kw is not None:
        check_rack_density(d, rack_kw)
    if "rack_kw" in sites.columns and sites["rack_kw"].drop_nulls().len():
        check_rack_density(d, float(sites["rack_kw"].max()))

    s = sites.with_columns(pl.col("weather_station_key").cast(pl.String), pl.col("it_load_mw").cast(pl.Float64))
    for c, t in (("carbon_g_per_kwh", pl.Float64), ("carbon_free_pct", pl.Float64), ("price_usd_per_mwh", pl.Float64),
                 ("water_stress_score", pl.Float64), ("water_stress_method", pl.String), ("price_source", pl.String),
                 ("price_year", pl.Int64), ("carbon_basis", pl.String),
                 *[(c, pl.String if c.endswith("__evidence") else pl.Float64) for c in OFFSITE_INPUTS]):
        s = s.with_columns((pl.col(c).cast(t) if c in s.columns else pl.lit(None, dtype=t)).alias(c))
    s = s.with_columns(pl.when(pl.col("carbon_g_per_kwh").is_not_null())
                       .then(pl.col("carbon_basis").fill_null(carbon_basis)).otherwise(None).alias("carbon_basis"))

    st = _station_results(s, weather, station_stats, d, max_missing_frac)
    out = s.join(
        st, left_on="weather_station_key", right_on="station_key", how="left")

    it_mwh = pl.col("it_load_mw") * HOURS_PER_YEAR
    out = out.with_columns(
        (it_mwh * pl.col("pue_annual")).alias("energy_mwh_per_year"),
        (it_mwh * pl.col("cooling_kwh_per_kwh_it")).alias("cooling_energy_mwh_per_year"),
        (it_mwh * pl.col("wue_onsite_l_per_kwh")).alias("water_onsite_m3_per_year"),  # MWh × L/kWh = m³
    ).with_columns(
        (pl.col("energy_mwh_per_year") * pl.col("water_offsite_l_per_kwh")).alias("water_offsite_m3_per_year"),
        (pl.col("energy_mwh_per_year") * pl.col("water_offsite_hydro_l_per_kwh"))
        .alias("water_offsite_hydro_m3_per_year"),
        (pl.col("energy_mwh_per_year") * pl.col("water_offsite_hydro_gross_l_per_kwh"))
        .alias("water_offsite_hydro_gross_m3_per_year"),
        carbon.emissions_tco2(pl.col("energy_mwh_per_year"), pl.col("carbon_g_per_kwh")).alias("emissions_tco2_per_year"),
        *cost.energy_cost_columns("energy_mwh_per_year", "price_usd_per_mwh"),
    ).with_columns(
        (pl.col("water_onsite_m3_per_year") + pl.col("water_offsite_m3_per_year")).alias("water_m3_per_year"),
    )

    # 24/7 CFE for a flat facility load (annual grid share applied hourly; local supply modelled)
    fac_mw = (out["energy_mwh_per_year"] / HOURS_PER_YEAR).fill_null(np.nan).to_numpy()
    fac_mw = np.where(np.isnan(fac_mw), out["it_load_mw"].fill_null(np.nan).to_numpy(), fac_mw)
    local = _local_supply(out, weather, fac_mw)
    cfe, basis, cfe_ev = [], [], []
    for pct, loc in zip(out["carbon_free_pct"].to_list(), local):
        if pct is None:
            cfe.append(None), basis.append(None), cfe_ev.append(None)
            continue
        cfe.append(carbon.cfe_share_24x7(pct / 100.0, loc if loc is not None else None))
        basis.append("annual_share_applied_hourly" + ("+local_modelled" if loc is not None else ""))
        cfe_ev.append("modelled" if loc is not None else "derived")
    out = out.with_columns(pl.Series("cfe_share_24x7", cfe, dtype=pl.Float64),
                           pl.Series("cfe_basis", basis, dtype=pl.String),
                           pl.Series("_cfe_ev", cfe_ev, dtype=pl.String))

    obs, mod = pl.lit("observed"), pl.lit("modelled")
    evid = [
        _ev("it_load_mw", obs),
        *[_ev(c, mod) for c in ("energy_mwh_per_year", "pue_annual", "pue_peak", "free_cooling_hours",
                                "cooling_energy_mwh_per_year", "wue_onsite_l_per_kwh", "water_m3_per_year",
                                "emissions_tco2_per_year", "energy_cost_usd_per_year")],
        _ev("water_offsite_l_per_kwh", pl.col("water_offsite__evidence")),
        _ev("water_offsite_hydro_l_per_kwh", pl.col("water_offsite__evidence")),
        _ev("carbon_g_per_kwh", obs),
        _ev("cfe_share_24x7", pl.col("_cfe_ev")),
        _ev("price_usd_per_mwh", obs),
        _ev("water_stress_score", pl.when(pl.col("water_stress_method") == "country_sdg642")
            .then(pl.lit("derived")).otherwise(obs)),
    ]
    out = out.with_columns(evid)
    cols = ["site_id", "weather_station_key", "it_load_mw", "energy_mwh_per_year", "pue_annual", "pue_peak",
            "pue_method", "free_cooling_hours", "cooling_energy_mwh_per_year", "wue_onsite_l_per_kwh",
            "water_offsite_l_per_kwh", "water_offsite_hydro_l_per_kwh", "water_onsite_m3_per_year",
            "water_offsite_m3_per_year", "water_offsite_hydro_m3_per_year", "water_offsite_hydro_gross_m3_per_year",
            "water_m3_per_year", "carbon_g_per_kwh", "carbon_basis",
            "emissions_tco2_per_year", "cfe_share_24x7", "cfe_basis", "price_usd_per_mwh", "price_source",
            "price_year", "energy_cost_usd_per_year", "water_stress_score", "pue_null_reason"]
    return out.select(cols + [f"{c}__evidence" for c in ESTIMATE_COLUMNS]).with_columns(
        pl.lit(d.name).alias("cooling_design"), pl.lit(d.envelope.name).alias("envelope"))
