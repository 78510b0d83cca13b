"""WRI Aqueduct 4.0 baseline annual water stress (by basin × province × aquifer unit).

Kuzma et al., "Aqueduct 4.0: Updated decision-relevant global water risk indicators", WRI Technical
Note (2023), doi:10.46830/writn.23.00061. Download (no key):
https://files.wri.org/aqueduct/aqueduct-4-0-water-risk-data.zip, member
``Aqueduct40_waterrisk_download_Y2023M07D05/CVS/Aqueduct40_baseline_annual_y2023m07d05.csv``.
Columns used (WRI data dictionary ``data_dictionary_water-risk-atlas.md``): identifiers
``string_id`` (pfaf_id-gid_1-aqid, unique), ``pfaf_id`` (HydroBASINS level 6), ``gid_0``/``name_0``
(GADM country), ``gid_1``/``name_1``, ``area_km2``; baseline water stress ``bws_raw`` (gross
withdrawals / available renewable water), ``bws_score`` (0–5), ``bws_cat`` (-1 arid & low water use,
0 low <10 %, 1 low–medium 10–20 %, 2 medium–high 20–40 %, 3 high 40–80 %, 4 extremely high >80 %),
``bws_label``. ``-9999`` (and -9999.0, "-9999") means not available → null.

The file is optional (not in the offline data set): without it this source loads nothing and every
site's water-stress factor stays UNKNOWN (null) — never invented.

Site lookups: the CSV has no geometry. A point → basin lookup needs the polygons of the same units,
i.e. the GDB layer ``baseline_annual`` of ``GDB/Aq40_Y2023D07M05.gdb`` in the same zip (join on
``string_id``) or a HydroBASINS level-6 polygon set (join on ``pfaf_id``). A country-level fallback
needs WRI's country rankings file (``Aqueduct40_rankings_download_Y2023M07D05``, data dictionary
``data_dictionary_country-rankings.md``); neither is in the raw folder, so neither is implemented.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

ZIP_URL = "https://files.wri.org/aqueduct/aqueduct-4-0-water-risk-data.zip"
BASELINE_FILE = "Aqueduct40_baseline_annual_y2023m07d05.csv"
NA = -9999
REQUIRED = ("string_id", "pfaf_id", "bws_raw", "bws_score", "bws_cat", "bws_label")
OPTIONAL_TEXT = ("gid_0", "name_0", "gid_1", "name_1")
SCHEMA = {"string_id": pl.Utf8, "pfaf_id": pl.Int64, "gid_0": pl.Utf8, "name_0": pl.Utf8, "gid_1": pl.Utf8,
          "name_1": pl.Utf8, "area_km2": pl.Float64, "bws_raw": pl.Float64, "bws_score": pl.Float64,
          "bws_cat": pl.Int32, "bws_label": pl.Utf8}


def _na(col: str) -> pl.Expr:
    """-9999 (any spelling) → null."""
    c = pl.col(col).cast(pl.Utf8).str.strip_chars()
    return pl.when(c.is_in(["-9999", "-9999.0", "-9999.00", "", "NA", "NaN"])).then(None).otherwise(c)


def parse_baseline(path: Path) -> tuple[pl.DataFrame, list[Rejection]]:
    df = read_csv_checked(path, required=REQUIRED, infer_schema=False)
    cols = [c for c in SCHEMA if c in df.columns]
    df = df.select([_na(c).cast(SCHEMA[c], strict=False).alias(c) for c in cols])
    for c in SCHEMA:
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, SCHEMA[c]).alias(c))
    df = df.with_columns(pl.when(pl.col("bws_label").str.starts_with("No Data")).then(None)
                         .otherwise(pl.col("bws_label")).alias("bws_label"))
    check_range(df, "bws_score", 0, 5, file=path)
    check_range(df, "bws_cat", -1, 4, file=path)
    check_range(df, "bws_raw", 0, None, file=path)
    bad = df.filter(pl.col("string_id").is_null()).height
    df = df.filter(pl.col("string_id").is_not_null())
    if df["string_id"].n_unique() != df.height:
        raise SourceFormatError(f"{path}: duplicate string_id values; the file is not the baseline annual table")
    rej = [Rejection("water_stress", bad, "no string_id")] if bad else []
    return df.select(list(SCHEMA)), rej


def parse(files: Mapping[str, Path]) -> ParseResult:
    """Baseline annual CSV → water_stress; no file → an empty water_stress (the factor stays unknown)."""
    if BASELINE_FILE not in files:
        return ParseResult({"water_stress": pl.DataFrame(schema=SCHEMA)})
    df, rej = parse_baseline(files[BASELINE_FILE])
    return ParseResult({"water_stress": df}, rejections=rej)


SPEC = SourceSpec(
    id="aqueduct",
    title="WRI Aqueduct 4.0 baseline annual water stress",
    authority="World Resources Institute (WRI)",
    licence="CC BY 4.0",
    homepage="https://www.wri.org/aqueduct",
    family="water",
    vintage="4.0-y2023m07d05",
    files=(RawFile(BASELINE_FILE, url=ZIP_URL, required=False, member=BASELINE_FILE, max_bytes=1_500_000_000),),
    tables=("water_stress",),
    parse=parse,
    publication=Publication("quadrennial", "WRI Aqueduct releases a major version every few years (3.0 2019, 4.0 2023; wri.org/aqueduct); the download URL is pinned to 4.0", pinned_release=True),
    notes="Optional: without the file the water-stress factor is unknown (null). Site lookups need "
          "the GDB polygons (layer baseline_annual) or HydroBASINS level 6; see module docstring.",
)


def fetch_baseline(raw: Path | None = None, *, client=None) -> Path:
    """Download the Aqueduct 4.0 zip and extract the baseline annual CSV into ``<raw>/aqueduct/``.

    ``locate`` never downloads optional files, so this is the explicit way to fetch it (≈ hundreds
    of MB). Returns the CSV's path; raises SourceMissingError when it cannot be fetched.
    """
    from dataclasses import replace

    from gridscout.sources.fetch import locate

    spec = replace(SPEC, files=tuple(replace(f, required=True) for f in SPEC.files))
    return locate(spec, raw, allow_download=True, client=client)[0].path
