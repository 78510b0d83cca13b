"""SDG indicator 6.4.2 "Level of water stress" per country [%], FAO via Our World in Data.

The indicator is freshwater withdrawal by all major sectors as a share of total renewable
freshwater resources *after* environmental flow requirements (UN SDG series ``ER_H2O_STRESS``,
custodian FAO/AQUASTAT; the same concept as World Bank WDI ``ER.H2O.FWST.ZS``). Values above
100 % are real (withdrawals beyond renewable supply: fossil groundwater, desalination). It is a
*country* figure; it is not WRI Aqueduct's basin-level baseline water stress (see
:mod:`gridscout.sources.aqueduct` and :mod:`gridscout.features.water_stress`).

File (raw folder ``water_stress_sdg642/``): an OWID grapher CSV download kept under its chart
slug ``freshwater-withdrawals-as-a-share-of-internal-resources.csv``. The slug is misleading: the
value column's header is the truth. Other copies of that slug carry the OLD WDI series
``ER.H2O.FWTL.ZS`` (withdrawals as % of *internal* resources, e.g. Bahrain 4,672.5 % for 1992),
a different indicator, so the parser refuses any value column whose header is not the SDG 6.4.2
label and names the header it found.

Columns (found by header label, never by position): ``Entity`` (name), ``Code`` (ISO 3166-1
alpha-3; ``OWID_WRL`` for World, empty for regional aggregates), ``Year``, and
``Level of water stress: freshwater withdrawal as a proportion of available freshwater resources
(%) - No breakdown``. Only rows whose ``Code`` is a three-letter ISO code are kept (World and the
UN/SDG regional aggregates are dropped and counted as rejections); every value keeps its own year.

Licence: Our World in Data, CC BY 4.0 (credit "Our World in Data" and the original source: UN SDG
Global Database, series ER_H2O_STRESS, FAO AQUASTAT). Indicator definition and classes: FAO,
SDG indicator metadata 6.4.2 (https://unstats.un.org/sdgs/metadata/files/Metadata-06-04-02.pdf);
FAO & UN-Water (2021), *Progress on Level of Water Stress 2021*, https://doi.org/10.4060/cb6241en.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

FILE = "freshwater-withdrawals-as-a-share-of-internal-resources.csv"
TABLE = "water_stress_country"
#: the SDG 6.4.2 value column's label (OWID appends the unit and the breakdown, e.g. " (%) - No breakdown")
INDICATOR_LABEL = ("Level of water stress: freshwater withdrawal as a proportion of available freshwater "
                   "resources")
KEYS = ("Entity", "Code", "Year")
ISO3 = re.compile(r"^[A-Z]{3}$")
#: Upper bound of a plausible value [%]: the 2000–2022 maximum is Kuwait's 3,850.5 % (folder README,
#: checked 2026-12); a value above 10,000 % is not in any published release, so the file is corrupt
#: or in other units.
MAX_PCT = 10_000.0


def value_column(columns: list[str], *, file: str | Path) -> str:
    """The SDG 6.4.2 value column (all sectors) by its header label; refuse any other indicator."""
    values = [c for c in columns if c not in KEYS]
    sdg = [c for c in values if c.strip().startswith(INDICATOR_LABEL)]
    if not sdg:
        found = f"value column header is {values[0]!r}" if values else f"no value column besides {list(KEYS)}"
        raise SourceFormatError(
            f"{file}: {found}, not SDG 6.4.2 {INDICATOR_LABEL!r} (%). Other copies of this Our World in Data "
            "chart slug carry the old WDI series ER.H2O.FWTL.ZS (withdrawals as % of internal resources), a different indicator: "
            "use the file described in the folder README.")
    if len(sdg) > 1:  # sector breakdowns beside the total: take the all-sectors column
        total = [c for c in sdg if c.strip().endswith("No breakdown")]
        if len(total) != 1:
            raise SourceFormatError(f"{file}: several SDG 6.4.2 columns and no single 'No breakdown' one: {sdg}")
        sdg = total
    col = sdg[0]
    if "(%)" not in col:
        raise SourceFormatError(f"{file}: column {col!r} does not say it is in percent '(%)'")
    return col


def parse(files: Mapping[str, Path]) -> ParseResult:
    path = files[FILE]
    df = read_csv_checked(path, required=KEYS, infer_schema=False)
    col = value_column(df.columns, file=path)
    out = df.select(
        pl.col("Code").str.strip_chars().alias("country_alpha3"),
        pl.col("Entity").str.strip_chars().alias("country_name"),
        pl.col("Year").str.strip_chars().cast(pl.Int32, strict=False).alias("year"),
        pl.col(col).str.strip_chars().replace("", None).cast(pl.Float64, strict=False).alias("water_stress_pct"),
        pl.col(col).str.strip_chars().replace("", None).is_not_null().alias("_given"),
    )
    bad_value = out.with_row_index("_row").filter(pl.col("_given") & pl.col("water_stress_pct").is_null())
    if bad_value.height:
        r = bad_value.row(0, named=True)
        raise SourceFormatError(f"{path}: line {r['_row'] + 2}, column {col!r}: value is not a number")
    bad_year = out.with_row_index("_row").filter(pl.col("year").is_null())
    if bad_year.height:
        raise SourceFormatError(f"{path}: line {bad_year['_row'][0] + 2}, column 'Year': not an integer year")
    check_range(out, "water_stress_pct", 0, MAX_PCT, file=path)
    check_range(out, "year", 1950, 2100, file=path)
    country = pl.col("country_alpha3").fill_null("").str.contains(ISO3.pattern)
    rejections = []
    aggregates = out.filter(~country)
    if aggregates.height:
        rejections.append(Rejection(TABLE, aggregates.height,
                                    f"aggregate rows without an ISO alpha-3 code (World, UN/SDG regions: "
                                    f"{aggregates['country_name'].n_unique()} entities)"))
    out = out.filter(country & pl.col("water_stress_pct").is_not_null()).drop("_given")
    dupes = out.height - out.unique(["country_alpha3", "year"]).height
    if dupes:
        raise SourceFormatError(f"{path}: {dupes} duplicate (Code, Year) rows; not one OWID grapher download")
    out = out.sort("country_alpha3", "year")
    vintage = f"{out['year'].min()}..{out['year'].max()}" if out.height else None
    return ParseResult({TABLE: out}, vintage=vintage, rejections=rejections)


SPEC = SourceSpec(
    id="water_stress_sdg642",
    title="SDG 6.4.2 level of water stress per country (FAO, via Our World in Data)",
    authority="FAO (custodian of UN SDG indicator 6.4.2, series ER_H2O_STRESS); published by Our World in Data",
    licence="CC BY 4.0 (Our World in Data; underlying FAO/UN SDG data)",
    homepage="https://ourworldindata.org/grapher/freshwater-withdrawals-as-a-share-of-internal-resources",
    family="water",
    vintage="2000..2022",
    files=(RawFile(FILE, url=None),),
    tables=(TABLE,),
    parse=parse,
    publication=Publication("annual", "FAO AQUASTAT SDG 6.4.2 yearly series, about two years behind the data year (via ourworldindata.org)", lag_days=730),
    notes="Country level only (no basins). The offline copy comes from a third-party commit of the OWID grapher "
          "CSV (see the folder README); OWID's own download needs a browser form, so no URL is declared. The value "
          "column header must be SDG 6.4.2; copies of the same slug with the old ER.H2O.FWTL.ZS series are refused.",
)
