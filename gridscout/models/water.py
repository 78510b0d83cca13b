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

import numpy as np
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

#: Which Macknick row stands for each Electricity Maps / GPPD generation mode (cooling assumed
#: to be a recirculating tower, the US median case; see the CSV's notes).
MODE_TO_MACKNICK = {
    "nuclear": "nuclear_tower",
    "coal": "coal_tower",
    "gas": "ngcc_tower",
    "oil": "natural_gas_steam_tower",
    "biomass": "biopower_steam_tower",
    "geothermal": "geothermal_flash_tower",
    "solar": "pv_utility",
    "wind": "wind",
    "hydro": "hydropower",
}
#: Modes that generate nothing net (storage) and are dropped from the generation mix.
STORAGE_MODES = ("battery storage", "hydro storage", "battery_storage", "hydro_storage")

#: Annual capacity factors used to turn a capacity mix into a generation mix when no generation
#: shares are given [-]: EIA Electric Power Monthly, Tables 6.07.A/B, 2019 US averages (≈):
#: nuclear 93.5 %, coal 47.5 %, natural-gas combined cycle 56.8 %, petroleum steam ~13 %,
#: wood/biomass ~61 %, geothermal 74.3 %, solar PV 24.5 %, wind 34.8 %, conventional hydro 39.1 %.
CAPACITY_FACTORS = {
    "nuclear": 0.935, "coal": 0.475, "gas": 0.568, "oil": 0.13, "biomass": 0.61,
    "geothermal": 0.743, "solar": 0.245, "wind": 0.348, "hydro": 0.391,
}


def evaporation_l(heat_rejected_by_evaporation_kwh):
    """Water evaporated [L] for heat rejected by evaporation [kWh] (≈1.47 L/kWh)."""
    return np.asarray(heat_rejected_by_evaporation_kwh) * L_PER_KWH_HEAT


def blowdown_l(evaporation, cycles_of_concentration: float):
    """Blowdown [L] = evaporation / (C - 1) for C cycles of concentration (C > 1)."""
    if cycles_of_concentration <= 1:
        raise ValueError(f"cycles_of_concentration must be > 1, got {cycles_of_concentration}")
    return np.asarray(evaporation) / (cycles_of_concentration - 1.0)


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


def _factor_l_per_kwh(table: pl.DataFrame) -> dict[str, float]:
    return dict(zip(table["technology"].to_list(), table["consumption_l_per_kwh"].to_list()))


def offsite_water_intensity(
    sites: pl.DataFrame,
    *,
    max_unknown_share: float = 0.2,
    factors: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Off-site (power-plant) water consumption per kWh of electricity [L/kWh].

    The generation mix comes from ``gen_share_<mode>`` columns [0-1] when present
    (evidence "derived"), else from ``cap_mw_<mode>`` × :data:`CAPACITY_FACTORS` (evidence
    "modelled"). Storage modes are ignored. The ``unknown`` mode (and any mode without a
    factor) is excluded and the rest renormalised if it is at most ``max_unknown_share`` of
    the mix; above that, or with no mix at all, the result is null — never 0.

    Returns
    -------
    DataFrame with ``site_id`` (if present, else row order), ``water_offsite_l_per_kwh``
    (non-hydro), ``water_offsite_hydro_l_per_kwh`` (hydro share × hydro factor, reported
    separately), ``water_offsite__evidence``.
    """
    f = _factor_l_per_kwh(factors if factors is not None else load_macknick())
    share_cols = [c for c in sites.columns if c.startswith("gen_share_")]
    use_gen = bool(share_cols)
    prefix = "gen_share_" if use_gen else "cap_mw_"
    cols = [c for c in sites.columns if c.startswith(prefix) and c[len(prefix):] not in STORAGE_MODES]
    if not cols:
        n = sites.height
        return pl.DataFrame({
            "water_offsite_l_per_kwh": pl.Series([None] * n, dtype=pl.Float64),
            "water_offsite_hydro_l_per_kwh": pl.Series([None] * n, dtype=pl.Float64),
            "water_offsite__evidence": pl.Series([None] * n, dtype=pl.String),
        })
    weights = []
    for c in cols:
        mode = c[len(prefix):]
        w = pl.col(c).cast(pl.Float64).fill_null(0.0)
        if not use_gen:
            w = w * CAPACITY_FACTORS.get(mode, 0.0) if mode in CAPACITY_FACTORS else w * 0.40
        weights.append((mode, w))
    total = pl.sum_horizontal([w for _, w in weights])
    known = [(m, w) for m, w in weights if m in MODE_TO_MACKNICK]
    known_total = pl.sum_horizontal([w for _, w in known]) if known else pl.lit(0.0)
    nonhydro = pl.sum_horizontal([w * f[MODE_TO_MACKNICK[m]] for m, w in known if m != "hydro"] or [pl.lit(0.0)])
    hydro = pl.sum_horizontal([w * f[MODE_TO_MACKNICK[m]] for m, w in known if m == "hydro"] or [pl.lit(0.0)])
    ok = (total > 0) & (known_total >= (1.0 - max_unknown_share) * total)
    return sites.select(
        pl.when(ok).then(nonhydro / known_total).otherwise(None).alias("water_offsite_l_per_kwh"),
        pl.when(ok).then(hydro / known_total).otherwise(None).alias("water_offsite_hydro_l_per_kwh"),
        pl.when(ok).then(pl.lit("derived" if use_gen else "modelled")).otherwise(None)
        .alias("water_offsite__evidence"),
    )
