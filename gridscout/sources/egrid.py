"""EPA eGRID crosswalks: balancing authority / transmission owner / utility → eGRID subregion.

eGRID assigns each US plant to one of 27 subregions (the areas its emission rates are published
for) from the plant's balancing authority, and where a BA spans subregions, from its transmission
or distribution system owner (TDSO) and utility. These static tables are that assignment: with
EIA-860's BA and TDSO ids they put any EIA plant, or a site's BA, into its eGRID subregion.
eGRID writes ``-9999`` for "no TDSO id" (loaded as null); ``NA`` is its own code for "no BA" /
"no NERC region" and is kept as published.

Source: U.S. EPA, eGRID 2023 production model, data/static_tables/ of https://github.com/USEPA/egrid
(US Government work; repository MIT), https://www.epa.gov/egrid .
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, read_csv_checked, require_columns

BA = "xwalk_balancing_authority.csv"
SUBREGIONS = "egrid_nerc_subregions.csv"
INTERCONNECT = "xwalk_subregion_interconnect.csv"
TRANSMISSION = "xwalk_subregion_transmission.csv"
UTILITY = "xwalk_subregion_utility.csv"
NERC = "nerc_region_names.csv"
STATES = "state_and_interconnection.csv"
BASE_URL = "https://raw.githubusercontent.com/USEPA/egrid/main/data/static_tables/"
NULLS = ("", "-9999")  # "NA" is an eGRID code ("No NERC region", "No balancing authority"), kept


def _read(path: Path, required: tuple[str, ...]) -> pl.DataFrame:
    df = read_csv_checked(path, infer_schema=False)
    df = df.rename({c: c.lstrip("\ufeff").strip() for c in df.columns})  # some tables start with a BOM
    require_columns(df, required, file=path)
    return df.with_columns(pl.col(c).str.strip_chars().replace(list(NULLS), None) for c in df.columns)


def parse(files: Mapping[str, Path]) -> ParseResult:
    rejections = []
    sub = _read(files[SUBREGIONS], ("SUBRGN", "SRNAME")).select(
        pl.col("SUBRGN").alias("subregion"), pl.col("SRNAME").alias("subregion_name"))
    if INTERCONNECT in files:
        ic = _read(files[INTERCONNECT], ("SubregionCode", "Interconnect"))
        national = ic.filter(~pl.col("SubregionCode").is_in(sub["subregion"].implode()))
        if national.height:
            rejections.append(Rejection("egrid_subregions", national.height,
                                        f"not a subregion ({', '.join(national['SubregionCode'].to_list())})"))
        sub = sub.join(ic.select(pl.col("SubregionCode").alias("subregion"), pl.col("Interconnect").alias("interconnect")),
                       on="subregion", how="left")
    else:
        sub = sub.with_columns(pl.lit(None, dtype=pl.Utf8).alias("interconnect"))
    ba = _read(files[BA], ("SUBRGN", "Balancing Authority Code", "Balancing Authority Name"))
    ba = ba.select(
        pl.col("Balancing Authority Code").alias("balancing_authority_code"),
        pl.col("Balancing Authority Name").alias("balancing_authority_name"),
        pl.col("SUBRGN").alias("subregion"),
        (pl.col("Flag") if "Flag" in ba.columns else pl.lit(None, dtype=pl.Utf8)).alias("flag"))
    tables = {"egrid_subregions": sub, "egrid_ba_subregion": ba}
    tdso = []
    for name, util in ((TRANSMISSION, False), (UTILITY, True)):
        if name not in files:
            continue
        req = ("NERC Region", "Balancing Authority Code", "Transmission or Distribution System Owner ID", "SUBRGN")
        df = _read(files[name], req + (("Utility ID",) if util else ()))
        tdso.append(df.select(pl.col("NERC Region").alias("nerc_region"),
                              pl.col("Balancing Authority Code").alias("balancing_authority_code"),
                              pl.col("Transmission or Distribution System Owner ID").alias("transmission_owner_id"),
                              (pl.col("Utility ID") if util else pl.lit(None, dtype=pl.Utf8)).alias("utility_id"),
                              pl.col("SUBRGN").alias("subregion")))
    if tdso:
        both = pl.concat(tdso)
        unique = both.unique(maintain_order=True)
        if both.height > unique.height:
            rejections.append(Rejection("egrid_tdso_subregion", both.height - unique.height, "exact duplicate rows"))
        tables["egrid_tdso_subregion"] = unique
    if NERC in files:
        tables["egrid_nerc_regions"] = _read(files[NERC], ("NERC", "NERC_NAME")).select(
            pl.col("NERC").alias("nerc"), pl.col("NERC_NAME").alias("nerc_name"))
    if STATES in files:
        tables["egrid_state_interconnect"] = _read(files[STATES], ("State Postal Code", "State", "Interconnect")).select(
            pl.col("State Postal Code").alias("state"), pl.col("State").alias("state_name"),
            pl.col("Interconnect").alias("interconnect"))
    return ParseResult(tables, vintage="eGRID2023", rejections=rejections)


SPEC = SourceSpec(
    id="egrid",
    title="EPA eGRID crosswalks (BA / TDSO / utility → eGRID subregion)",
    authority="U.S. Environmental Protection Agency",
    licence="US Government work (public domain); repository MIT",
    homepage="https://www.epa.gov/egrid",
    family="grid",
    vintage="eGRID2023",
    files=(RawFile(BA, url=BASE_URL + BA), RawFile(SUBREGIONS, url=BASE_URL + SUBREGIONS),
           RawFile(INTERCONNECT, url=BASE_URL + INTERCONNECT, required=False),
           RawFile(TRANSMISSION, url=BASE_URL + TRANSMISSION, required=False),
           RawFile(UTILITY, url=BASE_URL + UTILITY, required=False),
           RawFile(NERC, url=BASE_URL + NERC, required=False),
           RawFile(STATES, url=BASE_URL + STATES, required=False)),
    tables=("egrid_subregions", "egrid_ba_subregion", "egrid_tdso_subregion", "egrid_nerc_regions",
            "egrid_state_interconnect"),
    parse=parse,
    publication=Publication("static", "eGRID crosswalk tables (subregions, balancing authorities, NERC names): a reference mapping that changes only when EPA redefines subregions (github.com/USEPA/egrid); no data-age limit"),
    notes="Subregion emission rates and polygons are in the eGRID xlsx/zip (see API_REFERENCE.md), not here.",
    reference_only="Subregion crosswalks (BA/TDSO/utility -> eGRID subregion) loaded for reference and checked "
                   "in tests; no feature assigns sites to eGRID subregions yet.",
)
