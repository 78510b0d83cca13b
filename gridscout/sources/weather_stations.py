"""Global TMYx weather-station index with ASHRAE climate zone and design temperatures.

Source: climate.onebuilding.org TMYx index (via idfkit 1.1.1, MIT), https://climate.onebuilding.org/ .
Design values (99 % heating and 1 % cooling dry-bulb [°C], HDD18 and CDD10 [K·day]) are the ASHRAE
Handbook of Fundamentals values published in each file's .stat. One row per WMO station: the
newest TMYx period wins (the undated "TMYx" release counts as oldest).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, require_columns

PARQUET = "tmyx_stations_design_conditions.parquet"
CSV = "tmyx_stations_design_conditions.csv"
REQUIRED = ("country", "city", "wmo", "latitude", "longitude", "url", "ashrae_climate_zone",
            "heating_design_db_c", "cooling_design_db_c", "hdd18", "cdd10")


def parse(files: Mapping[str, Path]) -> ParseResult:
    name, path = next(iter(files.items()))
    try:
        df = pl.read_parquet(path) if name.endswith(".parquet") else pl.read_csv(path, infer_schema_length=100000,
                                                                                  schema_overrides={"wmo": pl.Utf8})
    except Exception as exc:  # noqa: BLE001 - any reader failure is a format problem of this file
        raise SourceFormatError(f"{path}: cannot be read: {exc}") from exc
    require_columns(df, REQUIRED, file=path)
    n0 = df.height
    df = df.with_columns(
        pl.col("wmo").cast(pl.Utf8),
        pl.col("file_period").fill_null("TMYx").alias("file_period") if "file_period" in df.columns
        else pl.lit("TMYx").alias("file_period"),
    ).with_columns(
        pl.col("file_period").str.extract(r"(\d{4})$").cast(pl.Int32, strict=False).fill_null(0).alias("_end"),
        (pl.col("source").str.starts_with("SRC") if "source" in df.columns else pl.lit(True)).alias("_src"),
    )
    df = df.sort(["wmo", "_end", "_src"], descending=[False, True, True]).unique("wmo", keep="first", maintain_order=True)
    check_range(df, "latitude", -90, 90, file=path)
    check_range(df, "longitude", -180, 180, file=path)
    check_range(df, "cooling_design_db_c", -60, 60, file=path)
    out = df.select(
        "wmo", "country", pl.col("state") if "state" in df.columns else pl.lit(None).alias("state"), "city",
        pl.col("source").alias("data_source") if "source" in df.columns else pl.lit(None).alias("data_source"),
        "latitude", "longitude",
        pl.col("timezone").cast(pl.Float64).alias("utc_offset_h") if "timezone" in df.columns else pl.lit(None).alias("utc_offset_h"),
        pl.col("elevation").cast(pl.Float64).alias("elevation_m") if "elevation" in df.columns else pl.lit(None).alias("elevation_m"),
        pl.col("url").alias("epw_url"), "file_period", "ashrae_climate_zone",
        pl.col("heating_design_db_c").cast(pl.Float64), pl.col("cooling_design_db_c").cast(pl.Float64),
        pl.col("hdd18").cast(pl.Float64), pl.col("cdd10").cast(pl.Float64),
    )
    rej = [Rejection("weather_stations", n0 - out.height, "older TMYx periods of the same WMO station (newest kept)",
                     superseded=True)]
    return ParseResult({"weather_stations": out}, rejections=rej)


SPEC = SourceSpec(
    id="weather_stations",
    title="climate.onebuilding.org TMYx station index with ASHRAE design conditions",
    authority="climate.onebuilding.org (index via idfkit)",
    licence="MIT (idfkit); climate.onebuilding.org metadata free with attribution",
    homepage="https://climate.onebuilding.org/",
    family="climate",
    vintage="2026-04-26",
    files=(RawFile(PARQUET, url=None, alternatives=(CSV,)),),
    tables=("weather_stations",),
    parse=parse,
    publication=Publication("annual", "TMYx station list and design conditions are rebuilt about yearly (climate.onebuilding.org)"),
    notes="Built from the site's KML indexes; no single downloadable index file upstream.",
)
