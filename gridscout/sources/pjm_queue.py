"""PJM interconnection queue: serial (pre-reform) and transition-cycle generation projects.

Two exports of PJM's queue pages: ``PJMActiveProjects.csv`` (serial queue A..AH; in this snapshot
every row is In Service) and ``PJMCycleProjects.csv`` (transition cycles TC1/TC2: Active,
Withdrawn, ...). Projects carry state and county (no coordinates) and three MW figures:
``MW Energy`` (energy injection requested, loaded as ``capacity_mw``), ``MW Capacity`` (capacity
interconnection rights) and ``MFO`` (maximum facility output of the whole facility, which for an
uprate includes the existing plant). ``is_queued`` marks projects still waiting (neither in
service nor withdrawn): the MW of those is the queue congestion a new large load competes with.

Source: PJM Interconnection, New Services Queue
(https://www.pjm.com/planning/service-requests/serial-service-request-status and
https://www.pjm.com/planning/m/cycle-service-request-status), exports of spring 2025; PJM public
web data under PJM's terms of use.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.sources.base import ParseResult, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

SERIAL = "PJMActiveProjects.csv"
CYCLE = "PJMCycleProjects.csv"
REQUIRED = ("Project ID", "Name", "State", "County", "Status", "MW Energy", "MW Capacity", "Fuel", "Submitted Date")
#: PJM fuel names → canonical fuel. Hybrids ("Solar,Storage,Hybrid") take their first fuel.
FUEL = {
    "natural gas": "gas", "methane": "other", "coal": "coal", "oil": "oil", "diesel": "oil", "kerosene": "oil",
    "nuclear": "nuclear", "hydro": "hydro", "wind": "wind", "offshore wind": "wind", "solar": "solar",
    "storage": "storage", "biomass": "biomass", "wood": "biomass", "other": "other",
}
NOT_QUEUED = ("In Service", "Withdrawn", "Deactivated", "Suspended", "Cancelled")
DATES = {"Submitted Date": "queue_date", "Requested In-Service Date": "requested_in_service_date",
         "Actual In-Service Date": "actual_in_service_date", "Actual In Service Date": "actual_in_service_date",
         "Withdrawn Date": "withdrawn_date", "Withdrawal Date": "withdrawn_date"}


def _txt(df: pl.DataFrame, col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().replace("", None) if col in df.columns else pl.lit(None, dtype=pl.Utf8)


def _mw(df: pl.DataFrame, col: str) -> pl.Expr:
    if col not in df.columns:
        return pl.lit(None, dtype=pl.Float64)
    return pl.col(col).str.replace_all(",", "").str.strip_chars().cast(pl.Float64, strict=False)


def _date(df: pl.DataFrame, col: str) -> pl.Expr:
    if col not in df.columns:
        return pl.lit(None, dtype=pl.Date)
    return pl.col(col).str.strip_chars().str.to_date("%m/%d/%Y", strict=False)


def parse_export(path: Path, queue_file: str) -> pl.DataFrame:
    df = read_csv_checked(path, required=REQUIRED, infer_schema=False)
    dates = {}
    for src, dst in DATES.items():
        if src in df.columns and dst not in dates:
            dates[dst] = _date(df, src).alias(dst)
    dates = {dst: dates.get(dst, pl.lit(None, dtype=pl.Date).alias(dst)) for dst in dict.fromkeys(DATES.values())}
    first_fuel = pl.col("Fuel").str.split(",").list.first().str.strip_chars().str.to_lowercase()
    out = df.select(
        _txt(df, "Project ID").alias("queue_id"),
        pl.lit(queue_file).alias("queue_file"),
        _txt(df, "Cycle").alias("cycle"), _txt(df, "Stage").alias("stage"),
        _txt(df, "Name").alias("project_name"), _txt(df, "Developer").alias("developer"),
        _txt(df, "State").alias("state"), _txt(df, "County").alias("county"),
        _txt(df, "Status").alias("status"),
        (~_txt(df, "Status").is_in(NOT_QUEUED)).fill_null(False).alias("is_queued"),
        _txt(df, "Project Type").alias("project_type"),
        _txt(df, "Transmission Owner").alias("transmission_owner"),
        _txt(df, "Fuel").alias("fuel_published"),
        pl.when(first_fuel.is_null()).then(pl.lit("unknown"))
          .otherwise(first_fuel.replace_strict(FUEL, default="other")).alias("fuel"),
        _mw(df, "MW Energy").alias("capacity_mw"),
        _mw(df, "MW Capacity").alias("capacity_rights_mw"),
        _mw(df, "MFO").alias("mfo_mw"),
        _mw(df, "MW In Service").alias("in_service_mw"),
        *dates.values(),
    )
    for col in ("capacity_mw", "capacity_rights_mw", "mfo_mw", "in_service_mw"):
        check_range(out, col, 0, 20_000, file=path)
    return out


def parse(files: Mapping[str, Path]) -> ParseResult:
    parts = [parse_export(files[name], kind) for name, kind in ((SERIAL, "serial"), (CYCLE, "cycle")) if name in files]
    df = pl.concat(parts, how="vertical_relaxed")
    rejections = []
    no_id = df.filter(pl.col("queue_id").is_null()).height
    dupes = df.filter(pl.col("queue_id").is_not_null()).height - df.filter(pl.col("queue_id").is_not_null()).unique("queue_id").height
    if no_id:
        rejections.append(Rejection("interconnection_queue", no_id, "no Project ID"))
    if dupes:
        rejections.append(Rejection("interconnection_queue", dupes, "Project ID in both exports (cycle row kept)"))
    df = (df.filter(pl.col("queue_id").is_not_null())
          .unique("queue_id", keep="last", maintain_order=True))  # cycle export is read last: it is newer
    vintage = "2025"
    if CYCLE in files:
        raw = read_csv_checked(files[CYCLE], infer_schema=False)
        if "Last Updated" in raw.columns:
            last = raw.select(pl.col("Last Updated").str.to_date("%m/%d/%Y", strict=False).max()).item()
            vintage = last.isoformat() if last else vintage
    return ParseResult({"interconnection_queue": df}, vintage=vintage, rejections=rejections)


SPEC = SourceSpec(
    id="pjm_queue",
    title="PJM interconnection queue (serial and transition-cycle projects)",
    authority="PJM Interconnection",
    licence="PJM public web data (PJM terms of use)",
    homepage="https://www.pjm.com/planning/service-requests/serial-service-request-status",
    family="grid",
    vintage="2025",
    files=(RawFile(SERIAL, url=None), RawFile(CYCLE, url=None, required=False)),
    tables=("interconnection_queue",),
    parse=parse,
    max_age_days=90,
    notes="PJM's queue pages export xlsx through a web app (no stable file URL); save as CSV. "
          "Other ISOs' queues: LBNL 'Queued Up' (https://emp.lbl.gov/publications/us-interconnection-queue-data).",
)
