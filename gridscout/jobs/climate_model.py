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

from gridscout.geo.nearest import SphereIndex
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


def link_to_index(files: pl.DataFrame, stations: pl.DataFrame) -> pl.DataFrame:
    """``station_key`` of each hourly year with its station-index entry's statistics
    (:data:`~gridscout.models.climate_model.STAT_COLUMNS`, ``wmo``, ``link_km``)."""
    st = stations.filter(pl.col("wmo").is_not_null() & (pl.col("wmo") != "")).unique("wmo", keep="first",
                                                                                      maintain_order=True)
    by_wmo = {w: i for i, w in enumerate(st["wmo"].to_list())}
    i_near, km = SphereIndex(st["latitude"].to_numpy(), st["longitude"].to_numpy()).nearest(
        files["latitude"].to_numpy(), files["longitude"].to_numpy(), LINK_MAX_KM)
    pick, dist = [], []
    for r, (w, elev) in enumerate(zip(files["wmo"].to_list(), files["elevation_m"].to_list())):
        if w in by_wmo:
            pick.append(by_wmo[w])
            dist.append(0.0)
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
    from gridscout.sources import weather_stations

    hourly, files = real_hourly_years(raw)
    index = weather_stations.parse({p.name: p for p in (raw / "weather_stations").iterdir()}).tables["weather_stations"]
    stats = link_to_index(files, index)
    results = training_results(hourly, stats)
    table = climate_model.fit_table(stats, results)
    loo = leave_one_out_table(stats, results)
    path = Path(path or climate_model.COEFFICIENTS_PATH)
    header = (
        "# Per-station climate model (gridscout.models.climate_model): bounded ridge regression of the hourly\n"
        f"# model's annual figures on station-index statistics. Fitted on {stats.height} real hourly years "
        f"({files.height} read; the others lack a station-index entry within {LINK_MAX_KM:g} km / {LINK_MAX_DZ_M:g} m):\n"
        "# weather_epw_tmy3 (US DOE EnergyPlus TMY3 + SWERA), weather_hourly (EPW), pvlib (NREL TMY3/TMY2), each\n"
        "# linked to its weather_stations entry (idfkit 1.1.1 TMYx index). Regenerate: uv run python scripts/fit_climate_model.py\n"
        "# Evidence: modelled. Leave-one-station-out MAE (default envelopes): "
        + "; ".join(f"{r['cooling_design']} PUE {r['pue_mae']:.4f} WUE {r['wue_mae']:.3f}" for r in loo.iter_rows(named=True))
        + "\n")
    path.write_text(header + table.write_csv(float_precision=7))
    return table, loo


def leave_one_out_table(stats: pl.DataFrame, results: dict[tuple[str, str], pl.DataFrame]) -> pl.DataFrame:
    """Leave-one-station-out MAE / max error of PUE and WUE per design in its default envelope."""
    rows = []
    for name, d in load_designs().items():
        res = results.get((name, d.envelope.name))
        if res is None:
            continue
        e_pue = climate_model.leave_one_out(stats, res, "pue_annual")
        e_wue = climate_model.leave_one_out(stats, res, "wue_onsite_l_per_kwh")
        rows.append({"cooling_design": name, "envelope": d.envelope.name, "n_stations": len(e_pue),
                     "pue_mae": float(e_pue.mean()), "pue_max": float(e_pue.max()),
                     "wue_mae": float(e_wue.mean()), "wue_max": float(e_wue.max())})
    return pl.DataFrame(rows)
