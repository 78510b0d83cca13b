"""WRI Global Power Plant Database: plant capacity, location and fuel, worldwide.

Reads the full v1.3.0 CSV (downloaded from WRI's zip) or, when present, the v1.2.0 reduced CSV
(11 columns). Columns are read by name, so other releases with the same names parse too.
Source: Byers et al. (2019), Global Power Plant Database v1.3.0, World Resources Institute,
https://datasets.wri.org/dataset/globalpowerplantdatabase (CC BY 4.0).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.sources.expectations import bounds
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked
from gridscout.sources.common import FUEL_MAP

FULL = "global_power_plant_database.csv"
REDUCED = "gppd_v1.2_reduced_global_power_plant_database.csv"
REQUIRED = ("country", "name", "gppd_idnr", "capacity_mw", "latitude", "longitude", "primary_fuel")


def parse(files: Mapping[str, Path]) -> ParseResult:
    name, path = next(iter(files.items()))
    df = read_csv_checked(path, required=REQUIRED, schema_overrides={"gppd_idnr": pl.Utf8, "owner": pl.Utf8})
    vintage = "1.2.0" if name == REDUCED else "1.3.0"
    df = df.with_columns(pl.col("capacity_mw", "latitude", "longitude").cast(pl.Float64, strict=False))
    bad = df.filter(pl.col("latitude").is_null() | pl.col("longitude").is_null())
    rejections = [Rejection("power_plants", bad.height, "no coordinates")] if bad.height else []
    df = df.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
    check_range(df, "latitude", -90, 90, file=path)
    check_range(df, "longitude", -180, 180, file=path)
    check_range(df, "capacity_mw", *bounds("power_plants", "capacity_mw"), file=path)
    dupes = df.height - df.unique("gppd_idnr").height
    if dupes:
        rejections.append(Rejection("power_plants", dupes, "duplicate gppd_idnr (first kept)"))
        df = df.unique("gppd_idnr", keep="first", maintain_order=True)
    optional = {c: pl.col(c) if c in df.columns else pl.lit(None) for c in ("commissioning_year", "owner")}
    out = df.select(
        pl.col("gppd_idnr").alias("plant_id"),
        pl.col("name").alias("plant_name"),
        pl.col("country"),
        pl.col("capacity_mw"),
        pl.col("latitude"),
        pl.col("longitude"),
        pl.col("primary_fuel"),
        pl.col("primary_fuel").str.to_lowercase().replace_strict(FUEL_MAP, default="other").alias("fuel"),
        optional["commissioning_year"].cast(pl.Float64, strict=False).alias("commissioning_year"),
        optional["owner"].cast(pl.Utf8).alias("owner"),
    )
    return ParseResult({"power_plants": out}, vintage=vintage, rejections=rejections)


SPEC = SourceSpec(
    id="gppd",
    title="WRI Global Power Plant Database",
    authority="World Resources Institute",
    licence="CC BY 4.0",
    homepage="https://datasets.wri.org/dataset/globalpowerplantdatabase",
    family="grid",
    vintage="1.3.0",
    files=(RawFile(FULL, url="https://wri-dataportal-prod.s3.amazonaws.com/manual/global_power_plant_database_v_1_3.zip",
                   member=FULL, alternatives=(REDUCED,), max_bytes=200_000_000),),
    tables=("power_plants",),
    parse=parse,
    publication=Publication("discontinued", "WRI no longer updates the Global Power Plant Database; 1.3.0 (2021) is its last release (datasets.wri.org)"),
    notes="v1.3.0 is the last release (2021); the reduced v1.2.0 file stands in when present.",
)
