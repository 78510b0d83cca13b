"""Grid carbon intensity for an analysis year: one row per zone from the annual zone table.

``carbon_yearly`` (Electricity Maps yearly zone data via co2.js, 2021–2025) holds one annual average
per zone and year. Electricity Maps' figure is **consumption-based** (flow-traced: it follows imports
and exports between zones) and **lifecycle** (each generation mode's emissions include upstream
and construction, IPCC AR5 medians; Electricity Maps, "Carbon intensity methodology",
https://www.electricitymaps.com/methodology). ``carbon_basis`` keeps the short enum the models use
(``lifecycle`` | ``direct``, :data:`gridscout.models.carbon.CARBON_BASES`) and
``carbon_basis_label`` says it in full (accounting and source).

A **direct** (combustion-only) basis is offered when the table holds ``carbon_basis = 'direct'``
rows; the offline ``carbon_yearly`` has none (Ember's country averages in the same folder are
production-based and also lifecycle), so asking for ``direct`` gives UNKNOWN (null), never the
lifecycle figure under another name.

Year rule (:func:`zone_carbon_for_year`): the requested year, or else the nearest *earlier* year
with a value for that zone (``carbon_year_fell_back`` = true, ``carbon_year`` = the year used);
a zone with no value in or before the year is UNKNOWN. Default year: the latest complete year
(:func:`latest_complete_year`).
"""

from __future__ import annotations

import polars as pl

from gridscout.models.carbon import CARBON_BASES, check_basis

#: full name of each (source, basis) pair; a pair not listed is named by its parts
BASIS_LABELS = {
    ("carbon_yearly", "lifecycle"): "consumption-based lifecycle (Electricity Maps, flow-traced)",
    ("carbon_yearly", "direct"): "consumption-based direct (Electricity Maps, combustion only)",
}

COLUMNS = {"zone_key": pl.Utf8, "carbon_year": pl.Int32, "carbon_year_requested": pl.Int32,
           "carbon_year_fell_back": pl.Boolean, "carbon_g_per_kwh": pl.Float64, "carbon_basis": pl.Utf8,
           "carbon_basis_label": pl.Utf8, "renewable_pct": pl.Float64, "carbon_free_pct": pl.Float64,
           "carbon_source": pl.Utf8, "carbon_vintage": pl.Utf8}


def available_bases(yearly: pl.DataFrame) -> list[str]:
    """The bases with at least one known value, in :data:`CARBON_BASES` order."""
    if yearly.height == 0:
        return []
    have = set(yearly.filter(pl.col("carbon_g_per_kwh").is_not_null())["carbon_basis"].unique().to_list())
    return [b for b in CARBON_BASES if b in have]


def latest_complete_year(yearly: pl.DataFrame, basis: str = "lifecycle") -> int | None:
    """Latest year in which every zone that has any value (on ``basis``) has one.

    Falls back to the latest year with any value when no year is complete; None when empty."""
    rows = yearly.filter((pl.col("carbon_basis") == check_basis(basis)) & pl.col("carbon_g_per_kwh").is_not_null())
    if rows.height == 0:
        return None
    zones = rows["zone_key"].n_unique()
    per_year = rows.group_by("year").agg(pl.col("zone_key").n_unique().alias("n"))
    complete = per_year.filter(pl.col("n") == zones)["year"]
    return int(complete.max() if len(complete) else per_year["year"].max())


def zone_carbon_for_year(yearly: pl.DataFrame, year: int | None = None, basis: str = "lifecycle") -> pl.DataFrame:
    """One row per zone for ``year`` (default: :func:`latest_complete_year`) on ``basis`` (see module).

    ``yearly``: ``zone_key``, ``year``, ``carbon_g_per_kwh``, ``carbon_basis``, ``renewable_pct``,
    ``carbon_free_pct``, ``source_id``, ``vintage`` (the current-vintage ``zone_carbon_yearly`` rows).
    Every zone of ``yearly`` appears; its values are null when it has no row in or before ``year``.
    """
    check_basis(basis)
    if yearly.height == 0:
        return pl.DataFrame(schema=COLUMNS)
    if year is None:
        year = latest_complete_year(yearly, basis)
    zones = yearly.select("zone_key").unique()
    rows = (yearly.filter((pl.col("carbon_basis") == basis) & pl.col("carbon_g_per_kwh").is_not_null())
            .filter(pl.col("year") <= (year if year is not None else -1))
            .sort("year", "source_id")
            .group_by("zone_key").last())
    label = pl.concat_str("source_id", "carbon_basis", separator="|").replace_strict(
        {f"{s}|{b}": v for (s, b), v in BASIS_LABELS.items()},
        default=pl.format("{} ({})", "carbon_basis", "source_id"), return_dtype=pl.Utf8)
    picked = rows.select(
        "zone_key", pl.col("year").alias("carbon_year"), "carbon_g_per_kwh", "carbon_basis",
        label.alias("carbon_basis_label"), "renewable_pct", "carbon_free_pct",
        pl.col("source_id").alias("carbon_source"), pl.col("vintage").alias("carbon_vintage"))
    out = zones.join(picked, on="zone_key", how="left").with_columns(
        pl.lit(year, pl.Int32).alias("carbon_year_requested"),
        pl.when(pl.col("carbon_year").is_not_null()).then(pl.col("carbon_year") != year)
        .alias("carbon_year_fell_back"))
    return out.select(list(COLUMNS)).cast(COLUMNS).sort("zone_key")


def zone_years(yearly: pl.DataFrame, sites: pl.DataFrame) -> pl.DataFrame:
    """Every year's carbon intensity of the sites' grid zones, on the basis each zone was scored
    with: ``grid_zone``, ``year``, ``carbon_g_per_kwh`` [gCO2eq/kWh], ``carbon_basis``, ``source_id``,
    ``vintage`` (the report's carbon-by-year chart). ``sites``: ``grid_zone`` and ``carbon_basis``;
    zones with no basis (UNKNOWN carbon) have no rows."""
    if yearly.height == 0 or not {"grid_zone", "carbon_basis"} <= set(sites.columns):
        return pl.DataFrame(schema={"grid_zone": pl.Utf8, "year": pl.Int32, "carbon_g_per_kwh": pl.Float64,
                                    "carbon_basis": pl.Utf8, "source_id": pl.Utf8, "vintage": pl.Utf8})
    used = sites.select("grid_zone", "carbon_basis").drop_nulls().unique()
    return (yearly.filter(pl.col("carbon_g_per_kwh").is_not_null())
            .join(used, left_on=["zone_key", "carbon_basis"], right_on=["grid_zone", "carbon_basis"], how="inner")
            .select(pl.col("zone_key").alias("grid_zone"), pl.col("year").cast(pl.Int32), "carbon_g_per_kwh",
                    "carbon_basis", "source_id", "vintage")
            .sort("grid_zone", "year", "source_id").unique(["grid_zone", "year"], keep="last", maintain_order=True))
