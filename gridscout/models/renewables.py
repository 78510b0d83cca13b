"""On-site / PPA solar and wind output modelled from the same hourly weather year.

Solar (PVWatts-style): solar position (pvlib SPA), plane-of-array irradiance by the Hay-Davies
transposition of GHI/DNI/DHI, SAPM cell temperature (open rack, glass/glass), PVWatts DC model
(γ = −0.37 %/K), 14 % system losses and PVWatts inverter (96 % nominal, DC/AC 1.2). Output is
the AC capacity factor per unit of AC capacity [-].

Wind: 10 m wind speed extrapolated to hub height with the power law (α = 1/7), then the power
curve of a land-based reference turbine (``data/reference/wind_power_curve_bar_bau_3.3mw.csv``,
NREL turbine-models BAR-BAU 3.3 MW / 156 m) → capacity factor [-], with 10 % wake/availability/
electrical losses (as NREL ATB land-based wind assumptions, ≈).

References
----------
Dobos, A. P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641. https://doi.org/10.2172/1158421
Holmgren, W. F., Hansen, C. W. & Mikofski, M. A. (2018). pvlib python. *JOSS* 3(29), 884.
https://doi.org/10.21105/joss.00884
Hay, J. E. & Davies, J. A. (1980). Calculation of the solar radiation incident on an inclined
surface. Proc. First Canadian Solar Radiation Data Workshop.
Peterson, E. W. & Hennessey, J. P. (1978). On the use of power laws for estimates of wind power
potential. *J. Appl. Meteor.* 17, 390-394. https://doi.org/10.1175/1520-0450(1978)017<0390:OTUOPL>2.0.CO;2
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pvlib

from gridscout.models.designs import DATA_DIR

WIND_CURVE_PATH = DATA_DIR / "reference" / "wind_power_curve_bar_bau_3.3mw.csv"


def solar_capacity_factor(weather: pl.DataFrame, latitude: float, longitude: float, *,
                          tilt_deg: float | None = None, azimuth_deg: float | None = None,
                          dc_ac_ratio: float = 1.2, losses_frac: float = 0.14,
                          gamma_pdc_per_k: float = -0.0037) -> np.ndarray:
    """Hourly AC capacity factor of a fixed-tilt PV plant for ONE station's weather [-].

    Parameters
    ----------
    weather : pl.DataFrame
        One station's canonical hourly frame (``datetime_utc``, ``ghi_w_per_m2``, ``dni_w_per_m2``,
        ``dhi_w_per_m2`` [W/m²], ``dry_bulb_c`` [°C], ``wind_speed_m_per_s`` [m/s]).
    latitude, longitude : float
        Site location. [°]
    tilt_deg, azimuth_deg : float, optional
        Array tilt (default |latitude|, capped at 40°) and azimuth (default equator-facing). [°]
    """
    if weather["station_key"].n_unique() > 1:
        raise ValueError("solar_capacity_factor takes one station's hours; group by station_key first")
    tilt = min(abs(latitude), 40.0) if tilt_deg is None else tilt_deg
    az = (180.0 if latitude >= 0 else 0.0) if azimuth_deg is None else azimuth_deg
    times = pd.DatetimeIndex(weather["datetime_utc"].to_pandas()) + pd.Timedelta(minutes=30)
    sp = pvlib.solarposition.get_solarposition(times, latitude, longitude)
    col = lambda c: weather[c].fill_null(0.0).to_numpy().astype(float)  # noqa: E731
    ghi, dni, dhi = col("ghi_w_per_m2"), col("dni_w_per_m2"), col("dhi_w_per_m2")
    t_air = weather["dry_bulb_c"].interpolate().fill_null(strategy="forward").fill_null(15.0).to_numpy()
    wind = weather["wind_speed_m_per_s"].fill_null(1.0).to_numpy()
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, az, sp["apparent_zenith"].to_numpy(), sp["azimuth"].to_numpy(), dni, ghi, dhi,
        dni_extra=pvlib.irradiance.get_extra_radiation(times).to_numpy(), model="haydavies")
    poa_global = np.nan_to_num(np.asarray(poa["poa_global"], dtype=float), nan=0.0).clip(min=0.0)
    params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_glass"]
    t_cell = pvlib.temperature.sapm_cell(poa_global, t_air, wind, **params)
    pdc0 = dc_ac_ratio  # DC nameplate per unit AC
    pdc = pvlib.pvsystem.pvwatts_dc(poa_global, t_cell, pdc0, gamma_pdc_per_k) * (1.0 - losses_frac)
    pac = pvlib.inverter.pvwatts(pdc, 1.0 / 0.96, eta_inv_nom=0.96)
    return np.clip(np.nan_to_num(np.asarray(pac, dtype=float)), 0.0, 1.0)


def load_wind_curve(path=None) -> tuple[np.ndarray, np.ndarray]:
    """Reference power curve: wind speed [m/s] and power [kW]."""
    df = pl.read_csv(path or WIND_CURVE_PATH, comment_prefix="#")
    return df["wind_speed_m_per_s"].to_numpy(), df["power_kw"].to_numpy()


def wind_capacity_factor(wind_speed_10m, hub_height_m: float = 100.0, alpha: float = 1.0 / 7.0,
                         losses_frac: float = 0.10, curve_path=None) -> np.ndarray:
    """Hourly wind capacity factor from 10 m wind speed [m/s] -> [-].

    v_hub = v_10 (h_hub / 10)^α; P = power curve (linear interpolation, 0 beyond cut-out 25 m/s);
    CF = P / rated × (1 − losses). Null wind speeds give NaN.
    """
    v10 = np.asarray(wind_speed_10m, dtype=float)
    v = v10 * (hub_height_m / 10.0) ** alpha
    ws, pw = load_wind_curve(curve_path)
    p = np.interp(v, ws, pw, left=0.0, right=0.0)
    p = np.where(v > ws.max(), 0.0, p)
    return np.where(np.isnan(v10), np.nan, p / pw.max() * (1.0 - losses_frac))
