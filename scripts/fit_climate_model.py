"""Fit the per-station climate model on every real hourly year and print its leave-one-station-out
error against the hourly model (issue 12). Writes data/reference/climate_model_coefficients.csv.

    GRIDSCOUT_RAW_DIR=/work/shared/data uv run python scripts/fit_climate_model.py
"""

from __future__ import annotations

import time

import polars as pl

from gridscout.config import raw_dir
from gridscout.jobs.climate_model import fit_and_write


def main() -> None:
    t0 = time.perf_counter()
    table, loo = fit_and_write(raw_dir())
    pl.Config.set_tbl_rows(50)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_tbl_cols(-1)
    print(f"{table.height} coefficient rows written in {time.perf_counter() - t0:.0f} s")
    print("leave-one-station-out error of the climate model against the hourly model (default envelopes):")
    print(loo.with_columns(pl.col("pue_mae", "pue_max", "pue_peak_mae", "wue_mae", "wue_max").round(4),
                           pl.col("free_cooling_hours_mae").round(0)))
    print(f"all designs: PUE MAE {loo['pue_mae'].mean():.4f}, WUE MAE {loo['wue_mae'].mean():.4f} L/kWh")


if __name__ == "__main__":
    main()
