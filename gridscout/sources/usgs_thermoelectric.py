"""USGS water withdrawal and consumption per US thermoelectric plant, 2015 (Harris & Diehl 2019).

One row per water-using, utility-scale thermoelectric plant (1,122 plants): the USGS heat- and
water-budget model's annual-average consumption and withdrawal [Mgal/d] with the model's
minimum/maximum, the plant's cooling type, generation type, water source and water type, and the
net generation [MWh] of its water-using generators in 2015. ``EIA_PLANT_ID`` is the EIA plant code
(the plant id of ``eia860`` and, zero-padded after ``USA``, of ``gppd_usa``).

Consumption intensity [L/kWh] = consumption [Mgal/d] × 365 d × 10⁶ gal/Mgal × 3.785411784 L/gal
÷ (net generation [MWh] × 1000 kWh/MWh) — the folder README's formula (spot values: Vogtle
523 gal/MWh = 1.98 L/kWh; Surry, once-through saline, 0). Null where net generation ≤ 0 (one plant;
unknown, never 0). Dry-cooled, combustion-turbine-only, hydro, wind and solar plants are not in the
table (see :mod:`gridscout.models.water` for how they are counted).

File: ``2015_TE_Model_Estimates.csv`` (UTF-8 with BOM; ``NET_GENERATION`` quoted with thousands
separators). Columns are found by header label.

Source: Harris, M.A. & Diehl, T.H. (2019), Water withdrawal and consumption estimates for
thermoelectric power plants in the United States, 2015 (ver. 1.1, Feb. 2021), U.S. Geological
Survey data release, https://doi.org/10.5066/P9V0T04B ; methods USGS SIR 2019-5103,
https://doi.org/10.3133/sir20195103. U.S. Government work, public domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec, check_range, read_csv_checked

FILE = "2015_TE_Model_Estimates.csv"
TABLE = "plant_water_usgs"
#: days per year × gallons per Mgal × litres per gallon ÷ kWh per MWh: Mgal/d per MWh/yr → L/kWh
MGAL_PER_DAY_TO_L_PER_YEAR = 365.0 * 1e6 * 3.785411784
REQUIRED = ("EIA_PLANT_ID", "PLANT_NAME", "STATE", "COOLING_TYPE", "GENERATION_TYPE", "WATER_SOURCE_CODE",
            "WATER_TYPE_CODE", "WITHDRAWAL", "CONSUMPTION", "MIN_CONSUMPTION", "MAX_CONSUMPTION", "NET_GENERATION")
#: USGS water-type codes (metadata: FR fresh, SA saline, BR brackish, BE reclaimed wastewater, OT other)
#: → the water kind gridscout counts apart; "-nr-" (not reported) and other values → unknown
WATER_KIND = {"FR": "fresh", "SA": "saline", "BR": "brackish", "BE": "reclaimed", "OT": "other"}


def _num(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().str.replace_all(",", "").replace("", None).cast(pl.Float64, strict=False)


def _txt(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().replace("", None)


def l_per_kwh(mgal_per_day: pl.Expr, mwh: pl.Expr) -> pl.Expr:
    """Annual-average Mgal/d over a year's net generation [MWh] → L/kWh; null where generation ≤ 0."""
    return pl.when(mwh > 0).then(mgal_per_day * MGAL_PER_DAY_TO_L_PER_YEAR / (mwh * 1000.0)).otherwise(None)


def water_kind(code: pl.Expr) -> pl.Expr:
    """Fresh / saline / brackish / reclaimed / other from a USGS or EIA water-type code (unknown → null)."""
    c = code.str.strip_chars().str.to_uppercase()
    return (pl.when(c.str.contains("&")).then(pl.lit("mixed"))
            .otherwise(c.replace_strict(WATER_KIND, default=None, return_dtype=pl.Utf8)))


def parse(files: Mapping[str, Path]) -> ParseResult:
    path = files[FILE]
    raw = read_csv_checked(path, required=REQUIRED, infer_schema=False, encoding="utf8-lossy")
    nums = {"WITHDRAWAL": "withdrawal_mgal_per_day", "CONSUMPTION": "consumption_mgal_per_day",
            "MIN_CONSUMPTION": "consumption_min_mgal_per_day", "MAX_CONSUMPTION": "consumption_max_mgal_per_day",
            "NET_GENERATION": "net_generation_mwh"}
    bad = raw.with_row_index("_row").filter(pl.any_horizontal(
        [_num(c).is_null() & _txt(c).is_not_null() for c in nums]))
    if bad.height:
        raise SourceFormatError(f"{path}: line {bad['_row'][0] + 2}: a water or generation value is not a number")
    df = raw.select(
        _txt("EIA_PLANT_ID").alias("plant_id"),
        _txt("PLANT_NAME").alias("plant_name"),
        _txt("STATE").alias("state"),
        _txt("COOLING_TYPE").alias("cooling_type"),
        _txt("GENERATION_TYPE").alias("generation_type"),
        _txt("WATER_SOURCE_CODE").alias("water_source_code"),
        _txt("WATER_TYPE_CODE").alias("water_type_code"),
        *[_num(c).alias(n) for c, n in nums.items()],
    )
    if df.filter(~pl.col("plant_id").fill_null("x").str.contains(r"^\d+$")).height:
        raise SourceFormatError(f"{path}: EIA_PLANT_ID must be an EIA plant code (digits)")
    for c in ("withdrawal_mgal_per_day", "consumption_mgal_per_day", "consumption_min_mgal_per_day",
              "consumption_max_mgal_per_day"):
        check_range(df, c, 0, 10_000, file=path)  # the largest plant withdraws ~3,000 Mgal/d (README)
    gen = pl.col("net_generation_mwh")
    df = df.with_columns(
        water_kind(pl.col("water_type_code")).alias("water_kind"),
        l_per_kwh(pl.col("consumption_mgal_per_day"), gen).alias("consumption_l_per_kwh"),
        l_per_kwh(pl.col("consumption_min_mgal_per_day"), gen).alias("consumption_min_l_per_kwh"),
        l_per_kwh(pl.col("consumption_max_mgal_per_day"), gen).alias("consumption_max_l_per_kwh"),
        l_per_kwh(pl.col("withdrawal_mgal_per_day"), gen).alias("withdrawal_l_per_kwh"),
    )
    # a plant with net generation ≤ 0 (one in 2015) is kept with its volumes; its intensity is null
    dupes = df.height - df.unique("plant_id").height
    if dupes:
        raise SourceFormatError(f"{path}: {dupes} duplicate EIA_PLANT_ID rows; not the USGS one-row-per-plant table")
    return ParseResult({TABLE: df}, vintage="2015")


SPEC = SourceSpec(
    id="usgs_thermoelectric_2015",
    title="USGS thermoelectric water withdrawal and consumption per plant, 2015 (Harris & Diehl 2019, v1.1)",
    authority="U.S. Geological Survey",
    licence="US public domain (U.S. Government work; metadata use/access constraints: none)",
    homepage="https://doi.org/10.5066/P9V0T04B",
    family="water",
    vintage="2015",
    files=(RawFile(FILE, url=None),),
    tables=(TABLE,),
    parse=parse,
    publication=Publication("quinquennial", "USGS thermoelectric water-use estimates every 5 years, about 4 years after (2010: SIR 2014-5184; 2015: Harris and Diehl 2019)", lag_days=1460),
    extra_hosts=("www.sciencebase.gov",),
    notes="Model estimates (heat budget), not operator reports. Offline copy from GitHub rniswon/thermoelectric "
          "@28f4dd2 targets_2015/Model_archive (byte-identical to pnnl/interflow's copy); ScienceBase item "
          "5f63be9a82ce38aaa23b0739 serves it behind a form, so no direct URL is declared. Ver. 1.2 (2024) is "
          "not in the offline data.",
)
