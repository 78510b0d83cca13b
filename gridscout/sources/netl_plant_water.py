"""NETL 2016 plant water use: hydropower reservoir water per plant and per NERC region, and the
thermoelectric per-generator × month intensities aggregated per plant (a cross-check of USGS 2015).

* ``hydropower_plant.csv`` → ``hydro_plant_water``: one row per EIA hydro plant (1,061): NERC
  region, 2016 net generation [MWh], consumptive water allocated to hydropower [m³] and its
  intensity [m³/MWh = L/kWh]. The water is NETL's *allocated share* of reservoir evaporation
  (market-based allocation among the reservoir's uses); 409 run-of-river plants have 0.
  Spot values (README): Hoover Dam 233 m³/MWh, Glen Canyon 42.2, Grand Coulee 19.1, Bonneville 0.
* ``hydropower_nerc.csv`` → ``hydro_nerc_water``: the same aggregated per NERC region [m³/MWh]
  (WECC 27.7 … TRE 498.8), the fallback for a hydro plant NETL lacks.
* ``NETL-EIA_powerplants_water_withdraw_consume_data_2016.csv`` → ``plant_water_netl``: per plant,
  the generation-weighted *adjusted* consumption and withdrawal intensity [gal/MWh] over 2016
  (Σ intensity × MWh ÷ Σ MWh over the plant's generator-months with positive generation, as
  ElectricityLCI uses them; single low-generation months carry outliers, so rows are never averaged).
  Spot values (README): Vogtle 692 gal/MWh, Wolf Creek 830, Barry 175.

All three files carry a leading unnamed pandas index column; the large one starts with a BOM.
Columns are found by header label.

Source: NETL (U.S. DOE) water-use analyses for 2016 as distributed in USEPA ElectricityLCI
(``electricitylci/data/``), https://github.com/USEPA/ElectricityLCI (CC0-1.0); inputs EIA-860/923 2016.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

PLANT = "hydropower_plant.csv"
NERC = "hydropower_nerc.csv"
THERMAL = "NETL-EIA_powerplants_water_withdraw_consume_data_2016.csv"
HYDRO_PLANT_COLS = ("Plant Id", "Plant Name", "NERC Region", "Annual Net Generation (MWh)", "water use (m3)")
HYDRO_NERC_COLS = ("NERC Region", "Annual Net Generation (MWh)", "water use (m3/MWh)")
CONS = "Water Consumption Intensity Adjusted (gal/MWh)"
WITH = "Water Withdrawal Intensity Adjusted (gal/MWh)"
GEN = "Total net generation (MWh)"
THERMAL_COLS = ("Plant Code", "Plant Name", "860 Cooling Type 1", "Generator Primary Technology", CONS, WITH, GEN,
                "Water Type", "State_y")


def _num(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().str.replace_all(",", "").replace("", None).cast(pl.Float64, strict=False)


def _id(col: str, path: Path) -> pl.Expr:
    return pl.col(col).str.strip_chars().str.replace(r"\.0$", "")


def _hydro_plants(path: Path) -> pl.DataFrame:
    raw = read_csv_checked(path, required=HYDRO_PLANT_COLS, infer_schema=False)
    df = raw.select(
        _id("Plant Id", path).alias("plant_id"),
        pl.col("Plant Name").str.strip_chars().alias("plant_name"),
        pl.col("NERC Region").str.strip_chars().alias("nerc_region"),
        _num("Annual Net Generation (MWh)").alias("net_generation_mwh"),
        _num("water use (m3)").alias("water_m3"),
    )
    if df.filter(~pl.col("plant_id").fill_null("x").str.contains(r"^\d+$")).height:
        raise SourceFormatError(f"{path}: 'Plant Id' must be an EIA plant code")
    check_range(df, "water_m3", 0, 1e11, file=path)
    return df.with_columns(pl.when(pl.col("net_generation_mwh") > 0)
                           .then(pl.col("water_m3") / pl.col("net_generation_mwh")).otherwise(None)
                           .alias("water_m3_per_mwh"))


def _hydro_nerc(path: Path) -> pl.DataFrame:
    raw = read_csv_checked(path, required=HYDRO_NERC_COLS, infer_schema=False)
    df = raw.select(pl.col("NERC Region").str.strip_chars().alias("nerc_region"),
                    _num("Annual Net Generation (MWh)").alias("net_generation_mwh"),
                    _num("water use (m3/MWh)").alias("water_m3_per_mwh"))
    check_range(df, "water_m3_per_mwh", 0, 10_000, file=path)
    return df


def _thermal(path: Path) -> pl.DataFrame:
    raw = read_csv_checked(path, required=THERMAL_COLS, infer_schema=False, encoding="utf8-lossy")
    rows = raw.select(
        _id("Plant Code", path).alias("plant_id"), pl.col("Plant Name").alias("plant_name"),
        pl.col("State_y").alias("state"), pl.col("Water Type").alias("water_type"),
        pl.col("860 Cooling Type 1").alias("cooling_type"), pl.col("Generator Primary Technology").alias("technology"),
        _num(CONS).alias("c"), _num(WITH).alias("w"), _num(GEN).alias("g"))
    ok = rows.filter((pl.col("g") > 0) & pl.col("c").is_not_null())
    return ok.group_by("plant_id").agg(
        pl.col("plant_name").first(), pl.col("state").first(),
        pl.col("water_type").drop_nulls().unique().sort().str.join("+").alias("water_type"),
        pl.col("cooling_type").drop_nulls().unique().sort().str.join("+").alias("cooling_types"),
        pl.col("technology").drop_nulls().unique().sort().str.join("+").alias("technologies"),
        ((pl.col("c") * pl.col("g")).sum() / pl.col("g").sum()).alias("consumption_gal_per_mwh"),
        ((pl.col("w") * pl.col("g")).sum() / pl.col("g").sum()).alias("withdrawal_gal_per_mwh"),
        pl.col("g").sum().alias("net_generation_mwh"),
    ).sort("plant_id")


def parse(files: Mapping[str, Path]) -> ParseResult:
    plants = _hydro_plants(files[PLANT])
    rejections = []
    dupes = plants.height - plants.unique("plant_id").height
    if dupes:
        rejections.append(Rejection("hydro_plant_water", dupes, "duplicate Plant Id (first kept)"))
        plants = plants.unique("plant_id", keep="first", maintain_order=True)
    tables = {"hydro_plant_water": plants, "hydro_nerc_water": _hydro_nerc(files[NERC])}
    if THERMAL in files:
        tables["plant_water_netl"] = _thermal(files[THERMAL])
    return ParseResult(tables, vintage="2016", rejections=rejections)


SPEC = SourceSpec(
    id="netl_plant_water_2016",
    title="NETL 2016 plant water use: hydropower reservoir water per plant and NERC region; thermoelectric per plant",
    authority="National Energy Technology Laboratory (U.S. DOE), distributed by US EPA ElectricityLCI",
    licence="CC0-1.0 (USEPA/ElectricityLCI repository); underlying NETL/EIA data U.S. Government work",
    homepage="https://github.com/USEPA/ElectricityLCI",
    family="water",
    vintage="2016",
    files=(RawFile(PLANT, url=None), RawFile(NERC, url=None), RawFile(THERMAL, url=None, required=False)),
    tables=("hydro_plant_water", "hydro_nerc_water", "plant_water_netl"),
    parse=parse,
    publication=Publication("one-off", "NETL 2016 plant water withdrawal and consumption dataset: a one-off release"),
    notes="Offline copy from USEPA/ElectricityLCI @71a3f6d electricitylci/data/. Hydro water is an allocated share "
          "of reservoir evaporation; over its 252.7 TWh it averages 47.6 m3/MWh, above Mekonnen et al.'s gross US "
          "rate (20.9 m3/MWh), so 'allocated' does not mean 'smaller' here.",
    reference_only="plant_water_netl (2016 operator-report-based thermoelectric intensities) is loaded as a "
                   "cross-check of the USGS 2015 plant estimates; the off-site model reads the hydro tables.",
)
