"""Water: on-site evaporation + blowdown (WUE) and off-site water intensity of electricity.

On site, an evaporative system rejects heat at the latent heat of vaporisation of water,
h_fg ≈ 2.45 MJ/kg near 20 °C, i.e. 3.6 MJ/kWh / 2.45 MJ/kg ≈ 1.47 L per kWh of heat rejected
by evaporation; dissolved solids force a blowdown of evaporation / (C - 1) for C cycles of
concentration (drift neglected). Dry coolers and closed loops consume ≈0.

Off site, the power plants consume water per MWh generated: Macknick et al. (2012) medians by
fuel and cooling (``data/reference/macknick2012_water_factors.csv``). Hydropower reservoir
evaporation is large and disputed, so it is reported separately
(``water_offsite_hydro_l_per_kwh``) and never added to ``water_offsite_l_per_kwh``.

References
----------
Macknick, J., Newmark, R., Heath, G. & Hallett, K. C. (2012). Operational water consumption and
withdrawal factors for electricity generating technologies: a review of existing literature.
*Environ. Res. Lett.* 7, 045802. https://doi.org/10.1088/1748-9326/7/4/045802
Wagner, W. & Pruss, A. (2002). The IAPWS formulation 1995 for the thermodynamic properties of
ordinary water substance. *J. Phys. Chem. Ref. Data* 31, 387. https://doi.org/10.1063/1.1461829
(h_fg = 2.454 MJ/kg at 20 °C).
"""

from __future__ import annotations

import numba
import polars as pl

from gridscout.models.designs import DATA_DIR

#: Latent heat of vaporisation of water near 20 °C [J/kg] (IAPWS-95: 2.454 MJ/kg).
LATENT_HEAT_J_PER_KG = 2.45e6
#: Joules per kWh [J/kWh].
J_PER_KWH = 3.6e6
#: Water evaporated per kWh of heat rejected by evaporation [L/kWh] (density 1 kg/L): ≈1.469.
L_PER_KWH_HEAT = J_PER_KWH / LATENT_HEAT_J_PER_KG
#: 1 gal/MWh in L/kWh (3.785411784 L/gal / 1000 kWh/MWh).
GAL_PER_MWH_TO_L_PER_KWH = 3.785411784 / 1000.0

MACKNICK_PATH = DATA_DIR / "reference" / "macknick2012_water_factors.csv"

@numba.njit(cache=True)
def evaporation_l(heat_rejected_by_evaporation_kwh):
    """Water evaporated [L] for heat rejected by evaporation [kWh] (≈1.47 L/kWh); a float or an array
    (compiled with numba: the hourly cooling kernel calls it per hour)."""
    return heat_rejected_by_evaporation_kwh * L_PER_KWH_HEAT


@numba.njit(cache=True)
def blowdown_l(evaporation, cycles_of_concentration):
    """Blowdown [L] = evaporation / (C - 1) for C cycles of concentration (C > 1); a float or an array."""
    if cycles_of_concentration <= 1:
        raise ValueError("cycles_of_concentration must be > 1")
    return evaporation / (cycles_of_concentration - 1.0)


def wue_annual(hourly: pl.DataFrame) -> pl.DataFrame:
    """Annual on-site WUE per station from the hourly model [L per kWh of IT energy].

    ``hourly`` is the output of :func:`gridscout.models.pue.hourly_pue` (columns
    ``evaporation_l_per_kwh_it``, ``water_l_per_kwh_it``); the IT load is flat so the
    annual WUE is the mean of the hourly values.
    """
    return hourly.group_by("station_key").agg(
        pl.col("water_l_per_kwh_it").mean().alias("wue_onsite_l_per_kwh"),
        pl.col("evaporation_l_per_kwh_it").mean().alias("wue_evaporation_l_per_kwh"),
        pl.col("evap_heat_kwh_per_kwh_it").mean().alias("evap_heat_kwh_per_kwh_it"),
    )


def load_macknick(path=None) -> pl.DataFrame:
    """Macknick et al. (2012) median consumption factors [gal/MWh and L/kWh] with sources."""
    df = pl.read_csv(path or MACKNICK_PATH, comment_prefix="#")
    need = {"technology", "consumption_gal_per_mwh", "consumption_l_per_kwh", "source"}
    missing = need - set(df.columns)
    if missing:
        raise ValueError(f"{path or MACKNICK_PATH}: missing columns {sorted(missing)}")
    return df




# --------------------------------------------------------------------------------------------------
# Off-site water from the real plants (issue 23)
# --------------------------------------------------------------------------------------------------

#: Macknick et al. (2012) Table 1 row (``technology`` in :data:`MACKNICK_PATH`) for a plant's fuel and
#: cooling technology. A cooling technology the table has no row for (e.g. dry-cooled coal) is UNKNOWN.
MACKNICK_ROW = {
    ("nuclear", "tower"): "nuclear_tower", ("nuclear", "once-through"): "nuclear_once_through",
    ("nuclear", "pond"): "nuclear_pond",
    ("coal", "tower"): "coal_tower", ("coal", "once-through"): "coal_once_through", ("coal", "pond"): "coal_pond",
    ("gas", "tower"): "ngcc_tower", ("gas", "once-through"): "ngcc_once_through", ("gas", "dry"): "ngcc_dry",
    ("oil", "tower"): "natural_gas_steam_tower", ("biomass", "tower"): "biopower_steam_tower",
    ("geothermal", "tower"): "geothermal_flash_tower", ("geothermal", None): "geothermal_flash_tower",
    ("solar", None): "pv_utility", ("wind", None): "wind",
}
#: EIA-860 schedule 6D cooling-type code → cooling technology (EIA-860 instructions, schedule 6D):
#: RI/RF/RN recirculating induced/forced/natural-draft tower; ON once-through without pond; OC
#: once-through with pond, RC recirculating with pond or canal; DC dry (air); HR* hybrid tower + dry.
EIA_COOLING = {"RI": "tower", "RF": "tower", "RN": "tower", "ON": "once-through", "OC": "pond", "RC": "pond",
               "DC": "dry", "HRI": "hybrid", "HRF": "hybrid", "HRN": "hybrid", "HT": "hybrid"}
#: USGS 2015 COOLING_TYPE → cooling technology
USGS_COOLING = {"RECIRCULATING TOWER": "tower", "ONCE-THROUGH FRESH": "once-through",
                "ONCE-THROUGH SALINE": "once-through", "RECIRCULATING POND": "pond", "COMPLEX": "complex"}
#: Fuels whose plants count 0 when neither USGS 2015 (all water-using *utility-scale* thermoelectric
#: plants of 2015, Harris & Diehl 2019) nor EIA-860 6D lists them: combustion turbines, engines,
#: landfill gas — and industrial cogeneration, whose cooling water USGS leaves to the industrial host
#: (refineries, chemical plants: 2019 generation 4 TWh at ExxonMobil Beaumont, the largest). This is
#: gridscout's reading of USGS's scope, stated here; it undercounts such cogeneration plants.
NO_STEAM_CYCLE_FUELS = ("gas", "oil", "other")
#: Year of the USGS and EIA-860 cooling data: plants commissioned later are not in them.
COOLING_DATA_YEAR = 2015
#: Zone figure is UNKNOWN when plants without an intensity make more than this share of its generation.
MAX_UNKNOWN_SHARE = 0.2
FRESH_KINDS = ("fresh",)
#: hydro water conventions reported side by side (see :func:`zone_water`)
HYDRO_CONVENTIONS = ("allocated_netl", "gross_mekonnen")


def _macknick_l_per_kwh(factors: pl.DataFrame | None = None) -> dict[str, float]:
    t = factors if factors is not None else load_macknick()
    return dict(zip(t["technology"].to_list(), t["consumption_l_per_kwh"].to_list()))


def plant_cooling(cooling: pl.DataFrame) -> pl.DataFrame:
    """One row per plant from EIA-860 6D systems: the cooling technology of its operating systems
    (the most frequent; ``cooling_status`` OP) and the water kind of the first such system."""
    if cooling.height == 0:
        return pl.DataFrame(schema={"plant_id": pl.Utf8, "cooling_860": pl.Utf8, "water_kind_860": pl.Utf8})
    op = cooling.filter(pl.col("cooling_status") == "OP").with_columns(
        pl.col("cooling_type_1").replace_strict(EIA_COOLING, default=None, return_dtype=pl.Utf8).alias("_tech"))
    return (op.filter(pl.col("_tech").is_not_null()).group_by("plant_id", maintain_order=True)
            .agg(pl.col("_tech").mode().sort().first().alias("cooling_860"),
                 pl.col("water_kind").first().alias("water_kind_860")))


def plant_intensity(plants: pl.DataFrame, usgs: pl.DataFrame, cooling: pl.DataFrame,
                    factors: pl.DataFrame | None = None) -> pl.DataFrame:
    """Operational water consumption per kWh of each non-hydro US plant [L/kWh], with its range.

    ``plants``: ``plant_id`` (EIA code), ``fuel`` (canonical), ``commissioning_year``; other columns
    pass through. ``usgs``: rows of ``plant_water_usgs``; ``cooling``: rows of ``plant_cooling_systems``.
    In order of preference (``water_method``):

    1. ``usgs_2015``: the plant's USGS 2015 consumption ÷ net generation and the model's min/max
       (Harris & Diehl 2019), cooling type and water type from the same row.
    2. ``macknick_fuel_cooling``: Macknick et al. (2012) Table 1 median for the plant's fuel *and*
       its EIA-860 2015 cooling technology (:data:`MACKNICK_ROW`; hybrid counted as tower). No min/max.
    3. ``no_steam_cycle``: 0 for gas, oil and other-fuel plants commissioned by 2015 that neither
       USGS nor EIA-860 6D lists (combustion turbines, engines; :data:`NO_STEAM_CYCLE_FUELS`).
    4. ``macknick_fuel``: wind, solar PV and geothermal by fuel; other fuels (plants built after
       2015, coal/nuclear/biomass plants USGS lacks) get the fuel's tower median, the US median case.
    5. otherwise UNKNOWN (null): e.g. dry-cooled coal (no Macknick row), "other" fuel after 2015.
    Hydro and storage get null here (hydro: :func:`hydro_intensity`). ``water_kind`` is fresh,
    saline, brackish, reclaimed, other or mixed (null: not reported, counted as fresh by
    :func:`zone_water`).
    """
    f = _macknick_l_per_kwh(factors)
    u = usgs.select("plant_id", pl.col("cooling_type").replace_strict(USGS_COOLING, default=None,
                                                                      return_dtype=pl.Utf8).alias("_cool_usgs"),
                    pl.col("water_kind").alias("_kind_usgs"), pl.col("consumption_l_per_kwh").alias("_c"),
                    pl.col("consumption_min_l_per_kwh").alias("_cmin"),
                    pl.col("consumption_max_l_per_kwh").alias("_cmax"))
    p = (plants.join(u, on="plant_id", how="left", maintain_order="left")
         .join(plant_cooling(cooling), on="plant_id", how="left", maintain_order="left"))
    cool = pl.coalesce(pl.col("_cool_usgs"), pl.col("cooling_860"))
    table = pl.DataFrame([(fu, co, f[t]) for (fu, co), t in MACKNICK_ROW.items() if co is not None],
                         schema={"fuel": pl.Utf8, "_tech": pl.Utf8, "_bycool": pl.Float64}, orient="row")
    p = p.with_columns(pl.col("cooling_860").replace({"hybrid": "tower"}).alias("_tech")).join(
        table, on=["fuel", "_tech"], how="left", maintain_order="left").drop("_tech")
    fuel = pl.col("fuel")
    by_cool = pl.col("_bycool")
    by_fuel = fuel.replace_strict({k: f[v] for (k, c), v in MACKNICK_ROW.items()
                                   if c in (None, "tower")}, default=None, return_dtype=pl.Float64)
    fuel_only = fuel.is_in(["wind", "solar", "geothermal"])
    new = pl.col("commissioning_year").cast(pl.Float64).fill_null(0) > COOLING_DATA_YEAR
    not_water = fuel.is_in(["hydro", "storage"])
    method = (pl.when(not_water).then(None)
              .when(pl.col("_c").is_not_null()).then(pl.lit("usgs_2015"))
              .when(pl.col("cooling_860").is_not_null() & by_cool.is_not_null()).then(pl.lit("macknick_fuel_cooling"))
              .when(pl.col("cooling_860").is_not_null()).then(None)
              .when(fuel_only).then(pl.lit("macknick_fuel"))
              .when(fuel.is_in(NO_STEAM_CYCLE_FUELS) & ~new).then(pl.lit("no_steam_cycle"))
              .when(by_fuel.is_not_null()).then(pl.lit("macknick_fuel"))
              .otherwise(None))
    p = p.with_columns(method.alias("water_method"), by_fuel.alias("_byfuel"))
    m = pl.col("water_method")
    val = (pl.when(m == "usgs_2015").then(pl.col("_c"))
           .when(m == "macknick_fuel_cooling").then(pl.col("_bycool"))
           .when(m == "no_steam_cycle").then(pl.lit(0.0))
           .when(m == "macknick_fuel").then(pl.col("_byfuel")).otherwise(None))
    return p.with_columns(
        val.alias("consumption_l_per_kwh"),
        pl.when(m == "usgs_2015").then(pl.col("_cmin")).otherwise(val).alias("consumption_min_l_per_kwh"),
        pl.when(m == "usgs_2015").then(pl.col("_cmax")).otherwise(val).alias("consumption_max_l_per_kwh"),
        pl.when(m == "usgs_2015").then(cool).when(m == "macknick_fuel_cooling").then(pl.col("cooling_860"))
        .otherwise(None).alias("cooling"),
        pl.when(m == "usgs_2015").then(pl.col("_kind_usgs")).when(m == "macknick_fuel_cooling")
        .then(pl.col("water_kind_860")).otherwise(None).alias("water_kind"),
    ).drop("_cool_usgs", "_kind_usgs", "_c", "_cmin", "_cmax", "cooling_860", "water_kind_860", "_bycool", "_byfuel")


def hydro_intensity(plants: pl.DataFrame, hydro_plants: pl.DataFrame, hydro_nerc: pl.DataFrame,
                    gross_l_per_kwh: float | None = None) -> pl.DataFrame:
    """Reservoir water of each hydro plant, two conventions side by side.

    * Allocated (NETL 2016; the convention gridscout reports as ``water_offsite_hydro_*``): the plant's
      consumptive water *allocated* to hydropower (market-based allocation of reservoir evaporation
      among the reservoir's uses) [m³/yr], ``hydro_method`` = ``netl_plant``. Evaporation from a
      reservoir hardly depends on how much the turbines run, so the plant's annual volume is kept
      as is and divided by the weighting year's generation (``hydro_allocated_l_per_kwh``). A plant
      NETL lacks gets its NERC region's factor [m³/MWh] × its generation (``netl_nerc_region``).
    * Gross (``hydro_gross_l_per_kwh``): gross reservoir evaporation per kWh, Mekonnen et al.
      (2015)'s country rate (the Chini & Peer convention), one value for every plant.

    Gross evaporation is contested (allocation among uses; natural evaporation before the dam), so
    both are reported and neither is added to the non-hydro figure. ``plants`` needs ``plant_id``,
    ``fuel``, ``nerc_region``, ``generation_mwh``; non-hydro rows get nulls.
    """
    hp = hydro_plants.select("plant_id", pl.col("water_m3").alias("_plant_m3"))
    hn = hydro_nerc.select("nerc_region", pl.col("water_m3_per_mwh").alias("_nerc"))
    p = plants.join(hp, on="plant_id", how="left", maintain_order="left").join(
        hn, on="nerc_region", how="left", maintain_order="left")
    hyd = pl.col("fuel") == "hydro"
    gen = pl.col("generation_mwh")
    vol = pl.when(hyd & pl.col("_plant_m3").is_not_null()).then(pl.col("_plant_m3")) \
        .when(hyd).then(pl.col("_nerc") * gen.clip(lower_bound=0)).otherwise(None)
    return p.with_columns(vol.alias("hydro_allocated_m3_per_year")).with_columns(
        pl.when(gen > 0).then(pl.col("hydro_allocated_m3_per_year") / gen).otherwise(None)
        .alias("hydro_allocated_l_per_kwh"),
        pl.when(hyd & pl.col("_plant_m3").is_not_null()).then(pl.lit("netl_plant"))
        .when(hyd & pl.col("_nerc").is_not_null()).then(pl.lit("netl_nerc_region")).otherwise(None)
        .alias("hydro_method"),
        pl.when(hyd).then(pl.lit(gross_l_per_kwh, dtype=pl.Float64)).otherwise(None).alias("hydro_gross_l_per_kwh"),
    ).drop("_plant_m3", "_nerc")


def zone_water(plants: pl.DataFrame, *, by: str = "ba_code", top: int = 3,
               max_unknown_share: float = MAX_UNKNOWN_SHARE) -> pl.DataFrame:
    """Generation-weighted off-site water of the plants of each zone (``by``), production-based.

    ``plants`` come from :func:`plant_intensity` then :func:`hydro_intensity`, with ``generation_mwh``
    (net generation of the weighting year; ≤ 0 and null dropped: storage, idle plants). With G the
    zone's generation of plants whose intensity is known (hydro included)::

        water_offsite_l_per_kwh          = Σ G_p I_p / G   over non-hydro plants drawing fresh (or unreported) water
        water_offsite_nonfresh_l_per_kwh = Σ G_p I_p / G   over saline, brackish, reclaimed, other, mixed
        water_offsite_min/max_l_per_kwh  = the same with USGS's min / max (medians where no range)
        water_offsite_hydro_l_per_kwh    = Σ V_h / G       hydro, NETL allocated volumes V_h [m³/yr]
        water_offsite_hydro_gross_l_per_kwh = Σ G_h E / G  hydro, gross evaporation (Mekonnen)

    The zone figure is null (UNKNOWN) when plants without an intensity exceed ``max_unknown_share``
    of its generation. ``water_offsite_plants`` names the ``top`` plants by fresh water volume with
    their cooling, intensity and share of the zone's non-hydro fresh water; ``water_offsite_thermal_share``
    and ``water_offsite_hydro_share`` are generation shares.
    """
    p = plants.filter(pl.col("generation_mwh") > 0)
    hyd = pl.col("fuel") == "hydro"
    i = pl.col("consumption_l_per_kwh")
    known = pl.when(hyd).then(pl.col("hydro_allocated_m3_per_year").is_not_null()).otherwise(i.is_not_null())
    fresh = pl.col("water_kind").is_null() | pl.col("water_kind").is_in(list(FRESH_KINDS))
    g = pl.col("generation_mwh")
    p = p.with_columns(known.alias("_known"), (~hyd & i.is_not_null() & fresh).alias("_fresh"),
                       (~hyd & i.is_not_null() & ~fresh).alias("_nonfresh"),
                       (g * i).alias("_vol"))
    agg = p.group_by(by).agg(
        g.sum().alias("_gen"),
        g.filter(pl.col("_known")).sum().alias("_gen_known"),
        pl.col("_vol").filter(pl.col("_fresh")).sum().alias("_fresh_vol"),
        (g * pl.col("consumption_min_l_per_kwh")).filter(pl.col("_fresh")).sum().alias("_fresh_min"),
        (g * pl.col("consumption_max_l_per_kwh")).filter(pl.col("_fresh")).sum().alias("_fresh_max"),
        pl.col("_vol").filter(pl.col("_nonfresh")).sum().alias("_nonfresh_vol"),
        pl.col("hydro_allocated_m3_per_year").filter(hyd).sum().alias("_hyd_vol"),
        (g * pl.col("hydro_gross_l_per_kwh")).filter(hyd).sum().alias("_hyd_gross"),
        (g * pl.col("hydro_gross_l_per_kwh").is_null().cast(pl.Float64)).filter(hyd).sum().alias("_hyd_gross_missing"),
        g.filter(pl.col("water_method").is_in(["usgs_2015", "macknick_fuel_cooling"])).sum().alias("_gen_thermal"),
        g.filter(hyd).sum().alias("_gen_hydro"),
        g.filter(pl.col("water_method") == "usgs_2015").sum().alias("_gen_usgs"),
    )
    ok = (pl.col("_gen") > 0) & (pl.col("_gen_known") >= (1.0 - max_unknown_share) * pl.col("_gen"))
    den = pl.col("_gen_known")

    def per(col: str) -> pl.Expr:
        return pl.when(ok).then(pl.col(col) / den).otherwise(None)

    out = agg.select(
        by,
        per("_fresh_vol").alias("water_offsite_l_per_kwh"),
        per("_fresh_min").alias("water_offsite_min_l_per_kwh"),
        per("_fresh_max").alias("water_offsite_max_l_per_kwh"),
        per("_nonfresh_vol").alias("water_offsite_nonfresh_l_per_kwh"),
        per("_hyd_vol").alias("water_offsite_hydro_l_per_kwh"),
        pl.when(pl.col("_hyd_gross_missing") > 0).then(None).otherwise(per("_hyd_gross"))
        .alias("water_offsite_hydro_gross_l_per_kwh"),
        (pl.col("_gen_thermal") / pl.col("_gen")).alias("water_offsite_thermal_share"),
        (pl.col("_gen_hydro") / pl.col("_gen")).alias("water_offsite_hydro_share"),
        (1.0 - pl.col("_gen_known") / pl.col("_gen")).alias("water_offsite_unknown_share"),
        (pl.col("_gen_usgs") / pl.col("_gen")).alias("water_offsite_usgs_share"),
        pl.col("_gen").alias("water_offsite_generation_mwh"),
    )
    return out.join(_dominant(p, by, top), on=by, how="left")


def _dominant(p: pl.DataFrame, by: str, top: int) -> pl.DataFrame:
    """Per zone, as site-card text: the ``top`` non-hydro plants by water volume (share of the zone's
    non-hydro plant water, fresh and non-fresh together; non-fresh water named) and the ``top`` hydro
    plants by allocated reservoir water (share of the zone's allocated hydro water)."""
    out = p.select(by).unique()
    th = p.filter((pl.col("_fresh") | pl.col("_nonfresh")) & (pl.col("_vol") > 0))
    kind = pl.when(pl.col("_nonfresh")).then(pl.format(", {} water", pl.col("water_kind"))).otherwise(pl.lit(""))
    name = pl.col("plant_name").fill_null(pl.col("plant_id"))
    thermal = pl.format("{} ({}, {}{}, {} L/kWh, {}%)", name, pl.col("fuel"),
                        pl.col("cooling").fill_null("cooling n/a"), kind, pl.col("consumption_l_per_kwh").round(2),
                        (pl.col("_share") * 100).round(0).cast(pl.Int64))
    hv = pl.col("hydro_allocated_m3_per_year")
    hy = p.filter((pl.col("fuel") == "hydro") & (hv > 0)).with_columns(hv.alias("_vol"))
    hydro = pl.format("{} ({} L/kWh allocated, {}%)", name, pl.col("hydro_allocated_l_per_kwh").round(1),
                      (pl.col("_share") * 100).round(0).cast(pl.Int64))
    for frame, text, col in ((th, thermal, "water_offsite_plants"), (hy, hydro, "water_offsite_hydro_plants")):
        f = frame.with_columns((pl.col("_vol") / pl.col("_vol").sum().over(by)).alias("_share"))
        f = f.filter(pl.col("_share") >= 0.005)  # plants under 0.5 % of the zone's water are not named
        top_f = (f.sort([by, "_vol"], descending=[False, True]).group_by(by, maintain_order=True)
                 .agg(text.head(top).str.join("; ").alias(col))) if f.height else \
            pl.DataFrame(schema={by: p.schema[by], col: pl.Utf8})
        out = out.join(top_f, on=by, how="left")
    return out
