"""EIA-860 plant file: every US plant's location, balancing authority, NERC region and grid voltage.

The plant file (schedule 2) says where a plant connects: its balancing authority, NERC region,
transmission or distribution system owner and the voltage of the grid it connects to (up to three
``Grid Voltage (kV)`` columns). It has no capacity (that is schedule 3, the generator file, absent
from the offline snapshot), so the ``power_plants`` rows carry ``capacity_mw`` null and fuel
``unknown``; capacity by fuel comes from ``gppd_usa`` (EIA-860/923 2019 via WRI).

Source: U.S. Energy Information Administration, Form EIA-860 2019 final, file 2___Plant_Y2019.xlsx
(header on row 2), https://www.eia.gov/electricity/data/eia860/ (US public domain).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

PLANT_CSV = "eia860_2019_plant.csv"
ZIP_URL = "https://www.eia.gov/electricity/data/eia860/xls/eia8602019.zip"
REQUIRED = ("Plant Code", "Plant Name", "Utility ID", "Utility Name", "State", "County", "Latitude", "Longitude",
            "NERC Region", "Balancing Authority Code", "Balancing Authority Name", "Grid Voltage (kV)")
#: EIA writes "" or " " for blanks: unknown, carried as null.
VOLTAGES = {"Grid Voltage (kV)": "grid_voltage_kv", "Grid Voltage 2 (kV)": "grid_voltage_2_kv",
            "Grid Voltage 3 (kV)": "grid_voltage_3_kv"}


def _num(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().replace("", None).cast(pl.Float64, strict=False)


def _txt(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().replace("", None)


def _opt(df: pl.DataFrame, col: str, expr) -> pl.Expr:
    return expr(col) if col in df.columns else pl.lit(None, dtype=pl.Utf8)


def parse(files: Mapping[str, Path]) -> ParseResult:
    path = files[PLANT_CSV]
    raw = read_csv_checked(path, required=REQUIRED, infer_schema=False)  # all text: blanks are " "
    df = raw.select(
        _txt("Plant Code").alias("plant_id"),
        _txt("Plant Name").alias("plant_name"),
        _txt("Utility ID").alias("utility_id"),
        _txt("Utility Name").alias("utility_name"),
        _txt("State").alias("state"),
        _txt("County").alias("county"),
        _num("Latitude").alias("latitude"),
        _num("Longitude").alias("longitude"),
        _txt("NERC Region").alias("nerc_region"),
        _txt("Balancing Authority Code").alias("balancing_authority_code"),
        _txt("Balancing Authority Name").alias("balancing_authority_name"),
        _opt(raw, "Sector Name", _txt).alias("sector_name"),
        _opt(raw, "Transmission or Distribution System Owner", _txt).alias("transmission_owner"),
        _opt(raw, "Transmission or Distribution System Owner ID", _txt).alias("transmission_owner_id"),
        *[(_num(src) if src in raw.columns else pl.lit(None, dtype=pl.Float64)).alias(dst)
          for src, dst in VOLTAGES.items()],
    )
    rejections = []
    no_id = df.filter(pl.col("plant_id").is_null()).height
    if no_id:
        rejections.append(Rejection("eia860_plants", no_id, "no Plant Code"))
        df = df.filter(pl.col("plant_id").is_not_null())
    # A coordinate off the globe is one row's typo (EIA-860 2019 has a latitude of 425.2), not a
    # broken file: the row keeps its BA/voltage data with lat/lon null and leaves power_plants.
    off = ~pl.col("latitude").is_between(-90, 90) | ~pl.col("longitude").is_between(-180, 180)
    if df.filter(off).height:
        df = df.with_columns(pl.when(off).then(None).otherwise(pl.col(c)).alias(c) for c in ("latitude", "longitude"))
    for col in VOLTAGES.values():
        check_range(df, col, 0, 1200, file=path)  # 765 kV is the highest US AC voltage (2019)
    dupes = df.height - df.unique("plant_id").height
    if dupes:
        rejections.append(Rejection("eia860_plants", dupes, "duplicate Plant Code (first kept)"))
        df = df.unique("plant_id", keep="first", maintain_order=True)
    located = df.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
    if located.height < df.height:
        rejections.append(Rejection("power_plants", df.height - located.height,
                                    "blank or off-globe coordinates (kept in eia860_plants with null lat/lon)"))
    plants = located.select(
        "plant_id", "plant_name", pl.lit("USA").alias("country"),
        pl.lit(None, dtype=pl.Float64).alias("capacity_mw"), "latitude", "longitude",
        pl.lit(None, dtype=pl.Utf8).alias("primary_fuel"),
        pl.lit("unknown").alias("fuel"),  # the plant file names no fuel; unknown, not "other"
        pl.lit(None, dtype=pl.Float64).alias("commissioning_year"),
        pl.col("utility_name").alias("owner"),
    )
    return ParseResult({"eia860_plants": df, "power_plants": plants}, vintage="2019", rejections=rejections)


SPEC = SourceSpec(
    id="eia860",
    title="EIA-860 plant file (location, balancing authority, NERC region, grid voltage)",
    authority="U.S. Energy Information Administration",
    licence="US public domain",
    homepage="https://www.eia.gov/electricity/data/eia860/",
    family="grid",
    vintage="2019",
    files=(RawFile(PLANT_CSV, url=None),),
    tables=("eia860_plants", "power_plants"),
    parse=parse,
    publication=Publication("annual", "EIA-860 final data for a year is released the next September (eia.gov/electricity/data/eia860)", lag_days=270),
    notes=f"The CSV is a flat export of 2___Plant_Y2019.xlsx (header row 2) from {ZIP_URL}.",
)
