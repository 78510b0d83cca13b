"""Carbon: annual emissions = energy × intensity, and hour-by-hour 24/7 carbon-free share.

Emissions [tCO2eq/yr] = facility energy [MWh/yr] × intensity [gCO2eq/kWh] / 1000 (g/kWh ×
MWh = kg; /1000 → t). Every figure carries ``carbon_basis`` ("lifecycle" or "direct"); average
and marginal intensities are never mixed.

24/7 CFE (Google's definition): in each hour, local carbon-free supply S_h (on-site / PPA solar
and wind) covers min(S_h, L_h) of the load L_h; the rest is bought from the grid, whose
carbon-free share c_h applies to it: CFE = Σ_h [min(S_h, L_h) + c_h (L_h − min(S_h, L_h))] / Σ_h L_h.
Without an hourly grid series the annual carbon-free share is applied to every hour
(``cfe_basis`` = "annual_share_applied_hourly").

References
----------
Google (2021). 24/7 by 2030: Realizing a carbon-free future. (CFE score methodology).
IPCC (2014). AR5 WG3 Annex III, Table A.III.2 (Schlömer et al.), lifecycle medians
(``data/reference/ipcc_ar5_lifecycle.csv``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from gridscout.models.designs import DATA_DIR

IPCC_PATH = DATA_DIR / "reference" / "ipcc_ar5_lifecycle.csv"
CARBON_BASES = ("lifecycle", "direct")


def emissions_tco2(energy_mwh, carbon_g_per_kwh):
    """Annual emissions [tCO2eq] = energy [MWh] × intensity [g/kWh] / 1000 (null in → null out).

    Works on NumPy arrays/scalars or Polars expressions.
    """
    return energy_mwh * carbon_g_per_kwh / 1000.0


def emissions_hourly_tco2(load_mw, carbon_g_per_kwh_hourly) -> float:
    """Emissions for an hourly load [MW] and hourly intensity [g/kWh] series [tCO2eq]."""
    load = np.asarray(load_mw, dtype=float)
    ci = np.asarray(carbon_g_per_kwh_hourly, dtype=float)
    if load.shape != ci.shape and load.ndim:
        raise ValueError(f"load ({load.shape}) and intensity ({ci.shape}) series differ in length")
    return float(np.sum(load * ci) / 1000.0)


def check_basis(basis: str) -> str:
    if basis not in CARBON_BASES:
        raise ValueError(f"carbon_basis must be one of {CARBON_BASES}, got {basis!r}")
    return basis


def cfe_share_24x7(grid_cfe_frac, local_supply_per_load=None, load=None) -> float:
    """24/7 carbon-free share of a load [0-1].

    Parameters
    ----------
    grid_cfe_frac : float or array
        Grid carbon-free share, hourly series or one annual value applied to every hour. [0-1]
    local_supply_per_load : array, optional
        Local carbon-free supply per unit of mean load, hourly. [-]
    load : array, optional
        Hourly load profile (default flat). [any unit, relative]
    """
    g = np.asarray(grid_cfe_frac, dtype=float)
    if np.any(np.isnan(g)):
        return float("nan")
    if np.any((g < 0) | (g > 1)):
        raise ValueError("grid carbon-free share must be within [0, 1]")
    n = g.size if g.ndim else (np.asarray(local_supply_per_load).size if local_supply_per_load is not None else 1)
    L = np.ones(n) if load is None else np.asarray(load, dtype=float)
    L = L / L.mean()
    s = np.zeros(n) if local_supply_per_load is None else np.nan_to_num(np.asarray(local_supply_per_load, dtype=float))
    matched = np.minimum(s, L)
    return float(np.sum(matched + np.broadcast_to(g, L.shape) * (L - matched)) / np.sum(L))


def load_ipcc_lifecycle(path=None) -> pl.DataFrame:
    """IPCC AR5 lifecycle medians [gCO2eq/kWh] with sources."""
    return pl.read_csv(path or IPCC_PATH, comment_prefix="#")
