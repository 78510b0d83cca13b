"""EIA-930 hourly demand per balancing authority (BA) and ISO sub-region, cleaned and imputed [MW].

One file per BA or ISO sub-region (``<BA>.csv`` or ``<BA>-<sub-region>.csv``, xz-compressed in the
offline copy), hourly in UTC, 2020-01-01 00:00 → 2024-12-31 23:00. Columns by header label:
``date_time``, ``category`` (the anomaly-screening label of the raw value: OKAY, MISSING,
IDENTICAL_RUN, …) and ``cleaned demand (MW)`` (the raw value, or its MICE imputation where the
raw value was missing or anomalous). The raw value is not loaded (the cleaned one is what the
method uses; the file keeps the raw one). The seven ISOs (CISO, ERCO, ISNE, MISO, NYIS, PJM,
SWPP) are published only as their sub-regions: their BA demand is the hourly sum of their
sub-regions (``mart_ba_demand_hourly``, migration 0240). Each hour's value is the integrated mean
demand over the hour ending at ``date_time`` (upstream README).

Source: Ruggles, Farnham & Wongel (2025), *EIA Cleaned Hourly Electricity Demand Data* v1.4,
Zenodo doi:10.5281/zenodo.3517196 (CC BY 4.0), release ``release_2025_Jan_include_subregions``
(EIA-930 queried 23 Jan 2025); method: Ruggles, Farnham, Tong et al., *Sci Data* 7, 155 (2020),
doi:10.1038/s41597-020-0483-x. Underlying EIA Form 930 data: US public domain.
"""

from __future__ import annotations

import io
import lzma
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, looks_like_html

TABLE = "ba_demand_hourly"
#: header labels the parser needs, by the canonical column they fill
LABELS = {"datetime_utc": "date_time", "category": "category", "demand_mw": "cleaned demand (MW)"}
#: the release's files sit in this sub-folder of the publisher folder ``eia930/``
SUBFOLDER = "subregions_and_balancing_authorities"
REPO = "https://github.com/truggles/EIA_Cleaned_Hourly_Electricity_Demand_Data"
COMMIT = "b80145df5f92aba56c52ed45281831b93543fb3b"
#: upper bound for one BA's hourly demand: the largest US BA (PJM) peaked near 165 GW (2006);
#: a file above 250 GW is not in MW (or not one BA)
MAX_DEMAND_MW = 250_000


def _read_bytes(path: Path) -> bytes:
    if path.stat().st_size == 0:
        raise SourceFormatError(f"{path}: file is empty. Delete it and copy the release file again.")
    if looks_like_html(path) and not path.name.endswith(".xz"):
        raise SourceFormatError(f"{path}: is an HTML page, not CSV. Delete it and copy the release file again.")
    try:
        return lzma.decompress(path.read_bytes()) if path.name.endswith(".xz") else path.read_bytes()
    except lzma.LZMAError as exc:
        raise SourceFormatError(f"{path}: is not a valid xz archive ({exc}). Copy the release file again.") from exc


def region_codes(name: str) -> tuple[str, str]:
    """``PJM-DOM.csv.xz`` → (``PJM-DOM``, ``PJM``); ``SOCO.csv`` → (``SOCO``, ``SOCO``)."""
    stem = Path(name).name.split(".csv")[0]
    return stem, stem.split("-", 1)[0]


def parse_file(path: Path, name: str | None = None) -> pl.DataFrame:
    """One release file → (region_code, ba_code, datetime_utc, demand_mw, category), columns found by header."""
    data = _read_bytes(path)
    header = data.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").strip().split(",")
    by_label = {h.strip().lower(): h for h in header}
    missing = [label for label in LABELS.values() if label.lower() not in by_label]
    if missing:
        raise SourceFormatError(
            f"{path}: missing column(s) {missing}; found {header}. The release format changed: "
            "check the file against eia930/UPSTREAM_RELEASE_README.md.")
    cols = {canon: by_label[label.lower()] for canon, label in LABELS.items()}
    try:
        df = pl.read_csv(io.BytesIO(data), columns=list(cols.values()), infer_schema=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise SourceFormatError(f"{path}: cannot be read as CSV: {exc}") from exc
    region, ba = region_codes(name or path.name)
    out = df.select(
        pl.lit(region).alias("region_code"), pl.lit(ba).alias("ba_code"),
        pl.col(cols["datetime_utc"]).str.strip_chars()
          .str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC", strict=False).alias("datetime_utc"),
        pl.col(cols["demand_mw"]).str.strip_chars().cast(pl.Float64, strict=False).alias("demand_mw"),
        pl.col(cols["category"]).str.strip_chars().alias("category"),
    )
    bad_time = out.with_row_index("_row").filter(pl.col("datetime_utc").is_null())
    if bad_time.height:
        raise SourceFormatError(
            f"{path}: line {bad_time['_row'][0] + 2}, column {cols['datetime_utc']!r}: not a "
            f"'YYYY-MM-DD HH:MM:SS' time ({bad_time.height} row(s) in all).")
    if out["datetime_utc"].is_duplicated().any():
        raise SourceFormatError(f"{path}: column {cols['datetime_utc']!r} repeats an hour; the file is inconsistent")
    check_range(out, "demand_mw", 0, MAX_DEMAND_MW, file=path)
    return out


def parse(files: Mapping[str, Path]) -> ParseResult:
    frames, rejections = [], []
    for name in sorted(files):
        df = parse_file(files[name], name)
        nulls = df.filter(pl.col("demand_mw").is_null())
        if nulls.height:
            rejections.append(Rejection(TABLE, nulls.height, f"{name}: empty or non-numeric cleaned demand"))
            df = df.filter(pl.col("demand_mw").is_not_null())
        frames.append(df)
    out = pl.concat(frames) if frames else pl.DataFrame(schema={
        "region_code": pl.Utf8, "ba_code": pl.Utf8, "datetime_utc": pl.Datetime("us", "UTC"),
        "demand_mw": pl.Float64, "category": pl.Utf8})
    vintage = f"{out['datetime_utc'].min():%Y-%m}..{out['datetime_utc'].max():%Y-%m}" if out.height else None
    return ParseResult({TABLE: out}, vintage=vintage, rejections=rejections)


SPEC = SourceSpec(
    id="eia930",
    title="EIA-930 hourly demand by balancing authority and ISO sub-region (cleaned, Ruggles et al.)",
    authority="US EIA (Form EIA-930); cleaning and imputation by Ruggles, Farnham & Wongel",
    licence="CC BY 4.0 (cleaned release); EIA data US public domain",
    homepage="https://doi.org/10.5281/zenodo.3517196",
    family="grid",
    vintage="2020-01..2024-12",
    files=(RawFile("*.csv*"),),
    tables=(TABLE,),
    parse=parse,
    publication=Publication("semiannual", "EIA-930 balance files are published per half year (eia.gov/electricity/gridmonitor/about)", lag_days=30),
    folder=f"eia930/{SUBFOLDER}",
    notes=f"Release release_2025_Jan_include_subregions of {REPO} at commit {COMMIT} (files >100 kB xz-compressed in "
          "the offline copy). Only the BA / sub-region folder is loaded: the regions/, interconnects/ and "
          "contiguous_US/ files are sums of these. Upstream publishes a new release about once a year.",
)
