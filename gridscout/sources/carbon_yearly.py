"""Annual grid carbon intensity by Electricity Maps zone, 2021–2025 (lifecycle, gCO2eq/kWh).

Source: Electricity Maps yearly zone data (ODbL) as republished by the Green Web Foundation's
co2.js (data/output), https://www.electricitymaps.com/data-portal . Electricity Maps' figures are
lifecycle intensities (they include upstream emissions of each generation mode).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec, check_range, read_csv_checked
from gridscout.sources.expectations import bounds

ZONES_FILE = "electricitymaps_yearly_zone_2021_2025.csv"
REQUIRED = ("zone_key", "year", "carbon_intensity_gco2eq_per_kwh", "renewable_pct", "carbon_free_pct")


def parse(files: Mapping[str, Path]) -> ParseResult:
    path = files[ZONES_FILE]
    df = read_csv_checked(path, required=REQUIRED)
    df = df.with_columns(
        pl.col("carbon_intensity_gco2eq_per_kwh", "renewable_pct", "carbon_free_pct").cast(pl.Float64, strict=False),
        pl.col("year").cast(pl.Int32, strict=False),
    )
    check_range(df, "carbon_intensity_gco2eq_per_kwh", *bounds("zone_carbon_yearly", "carbon_g_per_kwh"), file=path)
    check_range(df, "carbon_free_pct", 0, 100, file=path)
    out = df.select(
        "zone_key", "year",
        pl.col("carbon_intensity_gco2eq_per_kwh").alias("carbon_g_per_kwh"),
        pl.lit("lifecycle").alias("carbon_basis"),
        "renewable_pct", "carbon_free_pct",
    )
    years = out["year"].drop_nulls()
    return ParseResult({"zone_carbon_yearly": out}, vintage=f"{years.min()}-{years.max()}" if len(years) else None)


SPEC = SourceSpec(
    id="carbon_yearly",
    title="Electricity Maps annual zone carbon intensity (via co2.js)",
    authority="Electricity Maps; Green Web Foundation (co2.js)",
    licence="ODbL 1.0",
    homepage="https://www.electricitymaps.com/data-portal",
    family="carbon",
    vintage="2021-2025",
    files=(RawFile(ZONES_FILE, url=None),),
    tables=("zone_carbon_yearly",),
    parse=parse,
    publication=Publication("annual", "Electricity Maps publishes yearly zone averages once a year for the past year (electricitymaps.com/data-portal)", lag_days=120),
    notes="Electricity Maps serves yearly files behind a sign-up; no stable public URL.",
)
