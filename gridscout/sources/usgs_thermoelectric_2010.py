"""USGS water withdrawal and consumption per US thermoelectric plant, 2010 (Diehl & Harris 2014,
SIR 2014-5184 Appendix 1): the 2015 table's predecessor, loaded beside it as a cross-check.

Sheet ``Report_table`` (three title rows, then the header found here by its labels; one header has a
leading space, stripped): 1,290 plants, ``PLANT CODE`` = EIA plant code, USGS-estimated annual
withdrawal and consumption with min/max [Mgal/d], the model type (cooling: RECIRCULATING TOWER,
ONCE-THROUGH RIVER/LAKE/POND/SALINE, RECIRCULATING POND/LAKE/SALINE, COMPLEX, ALL HEAT EXPORTED),
the USGS water type, and the EIA-reported 2010 net generation [MWh]. Intensity [L/kWh] as in
:func:`gridscout.sources.usgs_thermoelectric.l_per_kwh` (null where generation ≤ 0).
Spot values (README): Vogtle 32.1 Mgal/d over 19,610,477 MWh; Surry 0 (once-through saline).

Source: Diehl, T.H. & Harris, M.A. (2014), Withdrawal and consumption of water by thermoelectric
power plants in the United States, 2010, USGS SIR 2014-5184, https://doi.org/10.3133/sir20145184
(Appendix 1, updated 2014-11-07). U.S. Government work, public domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec, check_range, require_columns
from gridscout.sources.eia860_cooling import read_sheet
from gridscout.sources.usgs_thermoelectric import l_per_kwh, water_kind

FILE = "sir20145184_Appendix_1_UPDATED_20141107.xlsx"
SHEET = "Report_table"
TABLE = "plant_water_usgs_2010"
COLUMNS = {
    "PLANT CODE": "plant_id", "PLANT NAME": "plant_name", "STATE": "state", "MODEL TYPE": "cooling_type",
    "USGS WATER TYPE CODE": "water_type_code",
    "USGS-Estimated Annual Withdrawal (Mgal/d)": "withdrawal_mgal_per_day",
    "USGS-Estimated Annual Consumption (Mgal/d)": "consumption_mgal_per_day",
    "USGS-Estimated Annual Minimum Consumption (Mgal/d)": "consumption_min_mgal_per_day",
    "USGS-Estimated Annual Maximum Consumption (Mgal/d)": "consumption_max_mgal_per_day",
    "Total EIA-reported Net Generation (MWh)": "net_generation_mwh",
}
NUMERIC = ("withdrawal_mgal_per_day", "consumption_mgal_per_day", "consumption_min_mgal_per_day",
           "consumption_max_mgal_per_day", "net_generation_mwh")


def parse(files: Mapping[str, Path]) -> ParseResult:
    path = files[FILE]
    raw = read_sheet(path, SHEET, ("PLANT CODE", "MODEL TYPE"))
    require_columns(raw, list(COLUMNS), file=f"{path} sheet {SHEET!r}")
    df = raw.select([pl.col(c).alias(n) for c, n in COLUMNS.items()]).filter(pl.col("plant_id").is_not_null())
    bad = df.with_row_index("_row").filter(pl.any_horizontal(
        [pl.col(c).cast(pl.Float64, strict=False).is_null() & pl.col(c).is_not_null() for c in NUMERIC]))
    if bad.height:
        raise SourceFormatError(f"{path} sheet {SHEET!r}: plant {bad['plant_id'][0]}: a water or generation value "
                                "is not a number")
    df = df.with_columns(pl.col(list(NUMERIC)).cast(pl.Float64))
    if df.filter(~pl.col("plant_id").str.contains(r"^\d+$")).height:
        raise SourceFormatError(f"{path}: 'PLANT CODE' must be an EIA plant code (digits)")
    for c in NUMERIC[:-1]:
        check_range(df, c, 0, 10_000, file=path)
    gen = pl.col("net_generation_mwh")
    df = df.with_columns(
        water_kind(pl.col("water_type_code")).alias("water_kind"),
        l_per_kwh(pl.col("consumption_mgal_per_day"), gen).alias("consumption_l_per_kwh"),
        l_per_kwh(pl.col("consumption_min_mgal_per_day"), gen).alias("consumption_min_l_per_kwh"),
        l_per_kwh(pl.col("consumption_max_mgal_per_day"), gen).alias("consumption_max_l_per_kwh"),
    )
    if df.height != df["plant_id"].n_unique():
        raise SourceFormatError(f"{path}: duplicate PLANT CODE rows; not the one-row-per-plant appendix")
    return ParseResult({TABLE: df}, vintage="2010")


SPEC = SourceSpec(
    id="usgs_thermoelectric_2010",
    title="USGS thermoelectric water withdrawal and consumption per plant, 2010 (Diehl & Harris 2014, SIR 2014-5184)",
    authority="U.S. Geological Survey",
    licence="US public domain (U.S. Government work)",
    homepage="https://doi.org/10.3133/sir20145184",
    family="water",
    vintage="2010",
    files=(RawFile(FILE, url=None),),
    tables=(TABLE,),
    parse=parse,
    publication=Publication("one-off", "the 2010 estimates (USGS SIR 2014-5184) are a fixed release, superseded by usgs_thermoelectric_2015"),
    notes="Offline copy from GitHub ulfloodcenter/carma-harvesters @ba4eab2 (file name as the USGS appendix).",
    reference_only="plant_water_usgs_2010 is the 2010 edition kept beside the 2015 plant estimates as a "
                   "cross-check; the off-site model reads the 2015 table.",
)
