"""EIA-923 2015 Schedule 8D: operator-reported monthly water withdrawal and consumption per cooling
system, summed per plant-system over the year (a cross-check of the USGS 2015 estimates only).

Sheet ``8D Cooling System Information`` (four title rows, then the header, found here by its labels;
EIA's embedded newlines in headers collapse to spaces): one row per plant × cooling system × month,
volumes in **million gallons per month**, missing values written ``"."`` (null, never 0). Kept per
plant and system: the months reported, the sum of the numeric monthly withdrawal and consumption
volumes [Mgal/yr] (null when no month has a number) and the system type.

Spot values (README, sums of 12 months): Vogtle ``PLANT`` consumption 16,070.4 Mgal (USGS 2015 models
≈ 10,110); North Anna 0 and Wolf Creek 0 — cooling-lake plants reporting no consumption although the
lake evaporates: why these operator reports are a cross-check, not the primary source.

Source: U.S. Energy Information Administration, Form EIA-923 2015 Final Revision, Schedule 8,
https://www.eia.gov/electricity/data/eia923/ (``f923_2015.zip``). US public domain. Offline copy:
GitHub USEPA/ElectricityLCI @57c7f7f.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, require_columns
from gridscout.sources.eia860_cooling import read_sheet

FILE = "EIA923_Schedule_8_Annual_Environmental_Information_2015_Final_Revision.xlsx"
SHEET = "8D Cooling System Information"
TABLE = "cooling_water_eia923"
PLANT, SYSTEM, MONTH, YEAR = "Plant ID", "Cooling System ID", "Month", "Year"
TYPE = "Type of Cooling System"
WITHDRAWAL = "Withdrawal Volume (million gallons)"
CONSUMPTION = "Consumption Volume (million gallons)"


def _num(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().replace({"": None, ".": None}).cast(pl.Float64, strict=False)


def parse(files: Mapping[str, Path]) -> ParseResult:
    path = files[FILE]
    raw = read_sheet(path, SHEET, (PLANT, SYSTEM, MONTH))
    require_columns(raw, [YEAR, MONTH, PLANT, SYSTEM, TYPE, WITHDRAWAL, CONSUMPTION], file=f"{path} sheet {SHEET!r}")
    rows = raw.select(pl.col(PLANT).str.strip_chars().alias("plant_id"),
                      pl.col(SYSTEM).str.strip_chars().fill_null("").alias("cooling_id"),
                      pl.col(YEAR).cast(pl.Int32, strict=False).alias("year"),
                      pl.col(TYPE).alias("cooling_system_type"),
                      _num(WITHDRAWAL).alias("w"), _num(CONSUMPTION).alias("c"))
    rejections = []
    bad = rows.filter(~pl.col("plant_id").fill_null("").str.contains(r"^\d+$"))
    if bad.height:
        rejections.append(Rejection(TABLE, bad.height, "rows without a numeric Plant ID"))
        rows = rows.filter(pl.col("plant_id").fill_null("").str.contains(r"^\d+$"))
    check_range(rows, "c", 0, 1e6, file=path)
    out = rows.group_by("plant_id", "cooling_id", "year").agg(
        pl.col("cooling_system_type").drop_nulls().first(),
        pl.len().cast(pl.Int32).alias("months_reported"),
        pl.col("c").is_not_null().sum().cast(pl.Int32).alias("months_with_consumption"),
        pl.when(pl.col("w").is_not_null().any()).then(pl.col("w").sum()).otherwise(None).alias("withdrawal_mgal"),
        pl.when(pl.col("c").is_not_null().any()).then(pl.col("c").sum()).otherwise(None).alias("consumption_mgal"),
    ).sort("plant_id", "cooling_id")
    return ParseResult({TABLE: out}, vintage="2015", rejections=rejections)


SPEC = SourceSpec(
    id="eia923_schedule8_cooling",
    title="EIA-923 2015 Schedule 8D reported cooling-system water withdrawal and consumption",
    authority="U.S. Energy Information Administration",
    licence="US public domain",
    homepage="https://www.eia.gov/electricity/data/eia923/",
    family="water",
    vintage="2015",
    files=(RawFile(FILE, url=None),),
    tables=(TABLE,),
    parse=parse,
    publication=Publication("annual", "EIA-923 schedule 8 final annual data released in the autumn of the next year (eia.gov/electricity/data/eia923)", lag_days=300),
    notes="Workbook of https://www.eia.gov/electricity/data/eia923/xls/f923_2015.zip (a zip member, no direct URL).",
    reference_only="cooling_water_eia923 (operator-reported volumes, known gaps at cooling-lake plants) is a "
                   "cross-check of the USGS 2015 plant estimates, not read by the off-site model.",
)
