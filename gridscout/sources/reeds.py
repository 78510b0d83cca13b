"""NREL ReEDS balancing areas (134 US model regions) and NARIS2024 transfer limits between them.

Areas: polygons ``rb`` = p1..p134 with their EIA balancing authority (``BA_Code``), joined to
``membership.csv`` (state, NERC region, transmission region, interconnect). Transfer limits:
``transmission_capacity_init_AC_{ba,state}_NARIS2024.csv`` give, per interface r||rr, the AC
transfer capability r→rr (``MW_f0``) and rr→r (``MW_r0``) [MW] from the NARIS 2024 study;
``transmission_capacity_init_nonAC_ba.csv`` the HVDC and back-to-back ties (one MW figure, loaded
for both directions). Each published interface becomes two directed rows (forward, reverse).

Sources: NREL ReEDS-2.0 inputs (https://github.com/NREL/ReEDS-2.0, open), via PyPSA-USA repo_data
(MIT); Brinkman et al. (2024), North American Renewable Integration Study (NARIS), NREL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import polars as pl
import shapely
from shapely.geometry import shape

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec, check_range, read_csv_checked

AREAS = "reeds_balancing_areas_134.geojson"
MEMBERSHIP = "membership.csv"
AC_BA = "transmission_capacity_init_AC_ba_NARIS2024.csv"
AC_STATE = "transmission_capacity_init_AC_state_NARIS2024.csv"
NONAC_BA = "transmission_capacity_init_nonAC_ba.csv"
REEDS_URL = "https://raw.githubusercontent.com/NREL/ReEDS-2.0/main/inputs/"
LIMIT_COLUMNS = ("r", "rr", "MW_f0", "MW_r0")


def read_areas(path: Path) -> pl.DataFrame:
    try:
        feats = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SourceFormatError(f"{path}: not a GeoJSON FeatureCollection ({exc})") from exc
    rows = []
    for i, feat in enumerate(feats):
        props = feat.get("properties") or {}
        if "rb" not in props or not feat.get("geometry"):
            raise SourceFormatError(f"{path}: feature {i} has no 'rb' property or no geometry (found {sorted(props)})")
        rows.append({"area_code": props["rb"], "ba_code": props.get("BA_Code"),
                     "geometry_wkb": shapely.to_wkb(shapely.make_valid(shape(feat["geometry"])))})
    return pl.DataFrame(rows, schema={"area_code": pl.Utf8, "ba_code": pl.Utf8, "geometry_wkb": pl.Binary})


def _directed(df: pl.DataFrame, area_kind: str, path: Path) -> pl.DataFrame:
    """Interfaces r||rr with MW_f0/MW_r0 (and MW_f1/MW_r1) → one row per direction."""
    cols = {c.lower(): c for c in df.columns}
    df = df.rename({cols["interface"]: "interface"}) if "interface" in cols else df.with_columns(
        pl.concat_str("r", pl.lit("||"), "rr").alias("interface"))
    num = [c for c in ("MW_f0", "MW_r0", "MW_f1", "MW_r1") if c in df.columns]
    df = df.with_columns(pl.col(num).cast(pl.Float64, strict=False))
    for c in num:
        check_range(df, c, 0, 100_000, file=path)
    one = (lambda c: pl.col(c)) if "MW_f1" in df.columns else (lambda c: pl.lit(None, dtype=pl.Float64))
    base = [pl.lit(area_kind).alias("area_kind"), pl.lit("AC").alias("line_type"), "interface"]
    fwd = df.select(*base, pl.col("r").alias("from_area"), pl.col("rr").alias("to_area"), pl.lit("forward").alias("direction"),
                    pl.col("MW_f0").alias("capacity_mw"), one("MW_f1").alias("capacity_1_mw"))
    rev = df.select(*base, pl.col("rr").alias("from_area"), pl.col("r").alias("to_area"), pl.lit("reverse").alias("direction"),
                    pl.col("MW_r0").alias("capacity_mw"), one("MW_r1").alias("capacity_1_mw"))
    return pl.concat([fwd, rev])


def parse(files: Mapping[str, Path]) -> ParseResult:
    areas = read_areas(files[AREAS])
    if MEMBERSHIP in files:
        mem = read_csv_checked(files[MEMBERSHIP], required=("ba", "nercr", "transreg", "st", "interconnect", "country"))
        areas = areas.join(mem.select(pl.col("ba").alias("area_code"), pl.col("st").alias("state"),
                                      pl.col("nercr").alias("nerc_region"), pl.col("transreg").alias("transmission_region"),
                                      "interconnect", "country"), on="area_code", how="left")
    limits = [_directed(read_csv_checked(files[AC_BA], required=LIMIT_COLUMNS), "ba", files[AC_BA])]
    if AC_STATE in files:
        limits.append(_directed(read_csv_checked(files[AC_STATE], required=LIMIT_COLUMNS), "state", files[AC_STATE]))
    if NONAC_BA in files:
        path = files[NONAC_BA]
        dc = read_csv_checked(path, required=("r", "rr", "trtype", "MW")).with_columns(pl.col("MW").cast(pl.Float64))
        check_range(dc, "MW", 0, 100_000, file=path)
        base = [pl.lit("ba").alias("area_kind"), pl.col("trtype").alias("line_type"),
                pl.concat_str("r", pl.lit("||"), "rr").alias("interface")]
        limits += [dc.select(*base, pl.col(a).alias("from_area"), pl.col(b).alias("to_area"), pl.lit(d).alias("direction"),
                             pl.col("MW").alias("capacity_mw"), pl.lit(None, dtype=pl.Float64).alias("capacity_1_mw"))
                   for a, b, d in (("r", "rr", "forward"), ("rr", "r", "reverse"))]
    # A pair can be published as two interfaces (AR||LA and LA||AR in the state file): the limit
    # between them is the sum of both, so directed rows are summed per pair and line type.
    transfer = (
        pl.concat(limits, how="vertical_relaxed")
        .group_by("area_kind", "from_area", "to_area", "line_type", maintain_order=True)
        .agg(pl.when(pl.col("direction").n_unique() > 1).then(pl.lit("both")).otherwise(pl.col("direction").first())
             .alias("direction"), pl.col("interface").sort().str.join(";"),
             pl.col("capacity_mw").sum(),
             pl.when(pl.col("capacity_1_mw").is_not_null().any()).then(pl.col("capacity_1_mw").sum()))
    )
    return ParseResult({"reeds_areas": areas, "transfer_limits": transfer}, vintage="NARIS2024")


SPEC = SourceSpec(
    id="reeds",
    title="NREL ReEDS balancing areas and NARIS2024 inter-area transfer limits",
    authority="National Renewable Energy Laboratory (ReEDS, NARIS)",
    licence="PyPSA-USA repo_data MIT; ReEDS inputs published openly by NREL",
    homepage="https://github.com/NREL/ReEDS-2.0",
    family="grid",
    vintage="NARIS2024",
    files=(RawFile(AREAS, url=None), RawFile(MEMBERSHIP, url=None, required=False),
           RawFile(AC_BA, url=REEDS_URL + "transmission/" + AC_BA),
           RawFile(AC_STATE, url=REEDS_URL + "transmission/" + AC_STATE, required=False),
           RawFile(NONAC_BA, url=None, required=False)),
    tables=("reeds_areas", "transfer_limits"),
    parse=parse,
    publication=Publication("one-off", "transmission limits of the NARIS 2024 study in the ReEDS inputs: study data, not re-released"),
    notes="Area polygons come from PyPSA-USA's rb_and_ba_areas shapefile converted to GeoJSON (EPSG:4326).",
)
