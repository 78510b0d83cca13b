"""WRI GPPD v1.3 US source database: EIA-860/923 2019 plants with capacity, fuel and generation.

``source_databases/database_USA.csv`` is the per-country table WRI merged into GPPD v1.3.0 (same
schema as the global file: gppd_idnr, capacity_mw, latitude, longitude, primary_fuel,
commissioning_year, owner, generation_gwh_2013..2019). It is more complete for the US than the
reduced v1.2 global file, so US capacity features prefer it. ``gppd_idnr`` is ``USA`` + the
zero-padded EIA plant code (USA0000002 = EIA plant 2, Bankhead Dam).

Rows with 0 MW and no primary fuel are plants with no operating capacity in 2019 (retired or
cancelled): they are rejected with that reason, not loaded as "other" fuel.

Source: Byers et al. (2019), Global Power Plant Database v1.3.0, World Resources Institute,
https://datasets.wri.org/dataset/globalpowerplantdatabase (CC BY 4.0); inputs from EIA-860/923 2019.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.sources.expectations import bounds
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked
from gridscout.sources.common import FUEL_MAP

USA = "source_databases/database_USA.csv"
REPO_URL = ("https://raw.githubusercontent.com/wri/global-power-plant-database/master/"
            "source_databases_csv/database_USA.csv")
REQUIRED = ("country", "name", "gppd_idnr", "capacity_mw", "latitude", "longitude", "primary_fuel",
            "commissioning_year", "owner")


def parse_source_database(path: Path, table: str = "power_plants") -> ParseResult:
    """Parse one GPPD v1.3 per-country source database (any ``database_<ISO3>.csv`` of that schema)."""
    df = read_csv_checked(path, required=REQUIRED, infer_schema=False)
    df = df.with_columns(pl.col("capacity_mw", "latitude", "longitude", "commissioning_year")
                         .str.strip_chars().cast(pl.Float64, strict=False),
                         pl.col("primary_fuel").str.strip_chars().replace("", None))
    rejections = []
    no_xy = df.filter(pl.col("latitude").is_null() | pl.col("longitude").is_null())
    if no_xy.height:
        rejections.append(Rejection(table, no_xy.height, "no coordinates"))
    idle = df.filter(pl.col("primary_fuel").is_null() & (pl.col("capacity_mw").fill_null(0) == 0))
    if idle.height:
        rejections.append(Rejection(table, idle.height, "0 MW and no primary fuel: no operating capacity in 2019"))
    df = df.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null()
                   & ~(pl.col("primary_fuel").is_null() & (pl.col("capacity_mw").fill_null(0) == 0)))
    check_range(df, "latitude", -90, 90, file=path)
    check_range(df, "longitude", -180, 180, file=path)
    check_range(df, "capacity_mw", *bounds("power_plants", "capacity_mw"), file=path)
    check_range(df, "commissioning_year", 1850, 2030, file=path)
    dupes = df.height - df.unique("gppd_idnr").height
    if dupes:
        rejections.append(Rejection(table, dupes, "duplicate gppd_idnr (first kept)"))
        df = df.unique("gppd_idnr", keep="first", maintain_order=True)
    plants = df.select(
        pl.col("gppd_idnr").alias("plant_id"),
        pl.col("name").alias("plant_name"),
        pl.col("country"),
        "capacity_mw", "latitude", "longitude", "primary_fuel",
        pl.col("primary_fuel").str.to_lowercase().replace_strict(FUEL_MAP, default="other").alias("fuel"),
        "commissioning_year",
        pl.col("owner").str.strip_chars().replace("", None),
    )
    gen_cols = [c for c in df.columns if c.startswith("generation_gwh_") and c[-4:].isdigit()]
    generation = (
        df.select(pl.col("gppd_idnr").alias("plant_id"),
                  *[pl.col(c).str.strip_chars().cast(pl.Float64, strict=False) for c in gen_cols])
        .unpivot(index="plant_id", variable_name="year", value_name="generation_gwh")
        .with_columns(pl.col("year").str.slice(-4).cast(pl.Int32))
        .filter(pl.col("generation_gwh").is_not_null())
    ) if gen_cols else pl.DataFrame(schema={"plant_id": pl.Utf8, "year": pl.Int32, "generation_gwh": pl.Float64})
    check_range(generation, "generation_gwh", -10_000, 100_000, file=path)
    return ParseResult({table: plants, "plant_generation_yearly": generation}, vintage="1.3.0",
                       rejections=rejections)


def parse(files: Mapping[str, Path]) -> ParseResult:
    return parse_source_database(files[USA])


SPEC = SourceSpec(
    id="gppd_usa",
    title="WRI GPPD v1.3 source database: United States (EIA-860/923 2019)",
    authority="World Resources Institute (from U.S. Energy Information Administration data)",
    licence="CC BY 4.0",
    homepage="https://datasets.wri.org/dataset/globalpowerplantdatabase",
    family="grid",
    vintage="1.3.0",
    files=(RawFile(USA, url=REPO_URL, max_bytes=50_000_000),),
    tables=("power_plants", "plant_generation_yearly"),
    parse=parse,
    publication=Publication("discontinued", "WRI no longer updates the Global Power Plant Database; 1.3.0 (2021) is its last release (datasets.wri.org)"),
    folder="gppd",
    notes="Per-country input table of GPPD v1.3.0 (WRI GitHub source_databases_csv/). Last release 2021.",
)
