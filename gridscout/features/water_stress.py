"""Water stress of a location: one concept, two tiers, one 0–5 score (pure: frames → frames).

A site or a screening cell takes the finest tier that covers it, through :func:`water_stress`:

``basin_aqueduct``
    WRI Aqueduct 4.0 baseline water stress of the sub-basin (HydroBASINS level 6 × province ×
    aquifer unit) that contains the point. Only when basin polygons with ``bws_score`` are given
    (the Aqueduct 4.0 GDB layer ``baseline_annual``; the CSV that :mod:`gridscout.sources.aqueduct`
    loads into ``water_stress`` has no geometry, so a point cannot be placed in a basin from it).
``country_sdg642``
    The country's latest SDG indicator 6.4.2 "level of water stress" (FAO), loaded by
    :mod:`gridscout.sources.water_stress_sdg642` into ``water_stress_country``.
UNKNOWN (null)
    Neither covers the point (e.g. Hong Kong, Taiwan, Macao, Kosovo are not in the UN series):
    every column is null, never 0 and never "no stress".

The two tiers measure different things and are never presented as each other
-------------------------------------------------------------------------------------
* SDG 6.4.2 = total freshwater withdrawal / (total renewable freshwater resources − environmental
  flow requirements), one figure per country per year [%]. FAO's classes (SDG 6.4.2 metadata,
  https://unstats.un.org/sdgs/metadata/files/Metadata-06-04-02.pdf, and FAO & UN-Water (2021)
  *Progress on Level of Water Stress*, doi:10.4060/cb6241en): no stress < 25 %,
  low 25–50 %, medium 50–75 %, high 75–100 %, critical > 100 %.
* Aqueduct baseline water stress = gross water demand / available renewable surface and ground
  water of a sub-basin, upstream consumption removed (Kuzma et al. 2023, "Aqueduct 4.0: Updated
  decision-relevant global water risk indicators", WRI Technical Note, doi:10.46830/writn.23.00061).
  WRI's categories: low < 10 %, low–medium 10–20 %, medium–high 20–40 %, high 40–80 %, extremely
  high > 80 %, plus "arid and low water use"; WRI publishes the 0–5 score ``bws_score`` itself
  (category k spans score k … k+1).

Mapping onto the 0–5 ``water_stress_score`` that the profiles weight
--------------------------------------------------------------------
* basin tier: WRI's own ``bws_score``, unchanged (no remapping by gridscout).
* country tier: FAO class k (0 = no stress … 4 = critical) spans score k … k+1, linearly inside a
  class, so the ordinal position of a class matches the ordinal position of Aqueduct's category
  on the same scale (same *rank* of severity, not the same quantity)::

      score = pct / 25                      for pct ≤ 100  (0 % → 0, 25 → 1, 50 → 2, 75 → 3, 100 → 4)
      score = min(5, 4 + (pct − 100) / 100) for pct > 100  (200 % and above → 5)

  FAO's critical class is open-ended; where it reaches the top of the scale (withdrawals twice
  the renewable supply net of environmental flows) is gridscout's choice, stated here, not FAO's.
  Because the two ratios have different denominators (SDG subtracts environmental flows; Aqueduct
  counts gross demand) and different thresholds, a country score of 3 does not mean a basin would
  be in Aqueduct's "high" category.

Granularity and confidence
--------------------------
``water_stress_source`` is the text a site card shows: "country level (SDG 6.4.2, FAO, <year>)" or
"basin level (WRI Aqueduct 4.0, …)". ``water_stress_pct`` / ``water_stress_year`` are always the
SDG country figure and its year (also beside a basin score, as context), never a basin value;
the basin ratio has its own column ``water_stress_basin_ratio``. A country figure is
``water_stress_confidence = "low"`` in :data:`LARGE_HETEROGENEOUS`: countries so large and
hydrologically varied that one national ratio says little about a given site. The indicator is
national by construction; FAO's own disaggregation of 6.4.2 by major river basin (Biancalani &
Marinelli 2021, "Assessing SDG indicator 6.4.2 'level of water stress' at major basins level",
UCL Open Environment 3(1), doi:10.14324/111.444/ucloe.000026) shows basin values that differ
widely from the national figure, and the offline copy has nothing below country level (its
README: "nothing for Arizona, Tamil Nadu"), while e.g. the USA is 28.16 % and India 66.49 %
nationally (2022). Other countries' country figures are "normal"; basin figures are "normal".
City-states' series can be erratic (Singapore 313.89 % in 2000, 33.26 % in 2022; README): the
latest year is used as published.

References: FAO, SDG indicator metadata 6.4.2, series ER_H2O_STRESS (update 2023-05-15),
https://unstats.un.org/sdgs/metadata/files/Metadata-06-04-02.pdf ; FAO & UN-Water (2021),
*Progress on Level of Water Stress. Global status and acceleration needs for SDG indicator 6.4.2*,
Rome, doi:10.4060/cb6241en ; Kuzma, S. et al. (2023), *Aqueduct 4.0*, WRI Technical Note,
doi:10.46830/writn.23.00061.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from gridscout.geo.polygons import PolygonIndex
from gridscout.sources.common import iso3_from_alpha2

BASIN = "basin_aqueduct"
COUNTRY = "country_sdg642"
#: FAO SDG 6.4.2 class upper bounds [%] and labels (metadata 6.4.2; FAO & UN-Water 2021).
SDG_CLASSES = ((25.0, "no stress"), (50.0, "low"), (75.0, "medium"), (100.0, "high"), (float("inf"), "critical"))
#: Where FAO's open critical class reaches score 5 [%] (gridscout's choice; see module docstring).
SDG_PCT_AT_SCORE_5 = 200.0
#: Countries where a national figure is low confidence for a site (ISO alpha-3): large, with big
#: internal differences in water stress (module docstring).
LARGE_HETEROGENEOUS = ("USA", "CAN", "CHN", "IND", "AUS", "BRA", "RUS")
#: Columns this module adds.
COLUMNS = {
    "water_stress_score": pl.Float64,
    "water_stress_method": pl.Utf8,
    "water_stress_pct": pl.Float64,
    "water_stress_year": pl.Int32,
    "water_stress_class": pl.Utf8,
    "water_stress_confidence": pl.Utf8,
    "water_stress_source": pl.Utf8,
    "water_stress_country_score": pl.Float64,
    "water_stress_basin_id": pl.Utf8,
    "water_stress_basin_ratio": pl.Float64,
}


def sdg_score(pct: pl.Expr) -> pl.Expr:
    """0–5 score of an SDG 6.4.2 percentage (null stays null); see the module docstring."""
    return (pl.when(pct <= 100.0).then(pct / 25.0)
            .otherwise((4.0 + (pct - 100.0) / (SDG_PCT_AT_SCORE_5 - 100.0)).clip(upper_bound=5.0)))


def sdg_class(pct: pl.Expr) -> pl.Expr:
    """FAO's SDG 6.4.2 class label of a percentage (25 % is "low", 100 % is "high", above is "critical")."""
    expr = pl.when(pct.is_null()).then(pl.lit(None, pl.Utf8))
    for upper, label in SDG_CLASSES:
        # FAO: "high 75–100 %, critical > 100 %", so 100 % itself is still "high"
        expr = expr.when((pct <= upper) if upper == 100.0 else (pct < upper)).then(pl.lit(label))
    return expr.otherwise(pl.lit(SDG_CLASSES[-1][1]))


def country_latest(sdg: pl.DataFrame) -> pl.DataFrame:
    """Each country's latest SDG 6.4.2 value: ``country_alpha3``, ``water_stress_pct``,
    ``water_stress_year`` (from rows of ``water_stress_country``)."""
    if sdg.height == 0:
        return pl.DataFrame(schema={"country_alpha3": pl.Utf8, "water_stress_pct": pl.Float64,
                                    "water_stress_year": pl.Int32})
    return (sdg.filter(pl.col("water_stress_pct").is_not_null())
            .sort("country_alpha3", "year")
            .group_by("country_alpha3", maintain_order=True).last()
            .select("country_alpha3", "water_stress_pct", pl.col("year").cast(pl.Int32).alias("water_stress_year")))


def _alpha3(country: pl.Series) -> pl.Series:
    """ISO alpha-3 from alpha-3 or alpha-2 codes (unknown codes → null)."""
    codes = country.cast(pl.Utf8).str.strip_chars().str.to_uppercase()
    two = [c for c in codes.unique().drop_nulls().to_list() if len(c) == 2]
    mapping = {c: iso3_from_alpha2(c) for c in two}
    return codes.replace(mapping) if mapping else codes


def basin_tier_available(basins: pl.DataFrame | None) -> bool:
    """True when ``basins`` can place points in Aqueduct units (polygons with a score)."""
    return (basins is not None and basins.height > 0 and {"geometry_wkb", "bws_score"} <= set(basins.columns)
            and basins.filter(pl.col("geometry_wkb").is_not_null() & pl.col("bws_score").is_not_null()).height > 0)


def _basin_lookup(points: pl.DataFrame, basins: pl.DataFrame | None, groups) -> pl.DataFrame:
    """Per point: ``water_stress_basin_id``, ``_bws_score``, ``water_stress_basin_ratio``, ``_bws_label``
    of the Aqueduct unit containing it (nulls when none does, or no basins are given)."""
    n = points.height
    empty = pl.DataFrame({"water_stress_basin_id": [None] * n, "_bws_score": [None] * n,
                          "water_stress_basin_ratio": [None] * n, "_bws_label": [None] * n},
                         schema={"water_stress_basin_id": pl.Utf8, "_bws_score": pl.Float64,
                                 "water_stress_basin_ratio": pl.Float64, "_bws_label": pl.Utf8})
    if not basin_tier_available(basins):
        return empty
    b = basins.filter(pl.col("geometry_wkb").is_not_null() & pl.col("bws_score").is_not_null())
    idx = PolygonIndex(np.arange(b.height), b["geometry_wkb"])
    hit = idx.lookup_index(points["latitude"].to_numpy(), points["longitude"].to_numpy(), groups=groups)
    row = np.full(n, -1, dtype=np.int64)
    ok = hit >= 0
    row[ok] = idx.keys[hit[ok]].astype(np.int64)
    take = pl.Series(np.where(ok, row, 0))
    pick = b.select(
        (pl.col("string_id").cast(pl.Utf8) if "string_id" in b.columns else pl.lit(None, pl.Utf8))
        .alias("water_stress_basin_id"),
        pl.col("bws_score").cast(pl.Float64).alias("_bws_score"),
        (pl.col("bws_raw").cast(pl.Float64) if "bws_raw" in b.columns else pl.lit(None, pl.Float64))
        .alias("water_stress_basin_ratio"),
        (pl.col("bws_label").cast(pl.Utf8) if "bws_label" in b.columns else pl.lit(None, pl.Utf8)).alias("_bws_label"),
    )[take]
    mask = pl.Series(ok)
    return pick.select([pl.when(mask).then(pl.col(c)).otherwise(None).alias(c) for c in pick.columns])


def water_stress(points: pl.DataFrame, sdg: pl.DataFrame, basins: pl.DataFrame | None = None, *,
                 country_col: str = "country", groups=None) -> pl.DataFrame:
    """Add the water-stress columns (:data:`COLUMNS`) to ``points``, finest tier first.

    Parameters
    ----------
    points
        ``latitude``, ``longitude`` [deg] and ``country_col`` (ISO alpha-3 or alpha-2; null allowed).
    sdg
        rows of ``water_stress_country`` (``country_alpha3``, ``year``, ``water_stress_pct`` [%]).
    basins
        optional Aqueduct 4.0 units with ``geometry_wkb`` (WKB polygons, lon/lat), ``bws_score``
        (0–5) and optionally ``string_id``, ``bws_raw`` (ratio, −), ``bws_label``.
    groups
        optional integer label per point for grouped polygon lookups (screening cells).

    Returns ``points`` with: ``water_stress_score`` (0–5, the finest tier), ``water_stress_method``
    (``basin_aqueduct`` / ``country_sdg642`` / null), ``water_stress_pct`` [%] and
    ``water_stress_year`` (the SDG country figure and its year), ``water_stress_class`` (FAO class
    or WRI label of the tier used), ``water_stress_confidence`` (``low`` / ``normal``),
    ``water_stress_source`` (site-card text), ``water_stress_country_score`` (the country tier's
    score, used for the off-site water of the grid), ``water_stress_basin_id`` and
    ``water_stress_basin_ratio`` (Aqueduct ``bws_raw``; null at the country tier).
    """
    iso3 = _alpha3(points[country_col]) if country_col in points.columns else pl.Series([None] * points.height,
                                                                                          dtype=pl.Utf8)
    latest = country_latest(sdg)
    ctry = pl.DataFrame({"_iso3": iso3}).join(latest.rename({"country_alpha3": "_iso3"}), on="_iso3", how="left",
                                              maintain_order="left")
    basin = _basin_lookup(points, basins, groups)
    f = pl.concat([ctry, basin], how="horizontal")
    pct = pl.col("water_stress_pct")
    has_basin = pl.col("_bws_score").is_not_null()
    has_country = pct.is_not_null()
    method = (pl.when(has_basin).then(pl.lit(BASIN)).when(has_country).then(pl.lit(COUNTRY))
              .otherwise(pl.lit(None, pl.Utf8)))
    out = f.with_columns(sdg_score(pct).alias("water_stress_country_score"), method.alias("water_stress_method"))
    m = pl.col("water_stress_method")
    out = out.with_columns(
        pl.when(m == BASIN).then(pl.col("_bws_score")).otherwise(pl.col("water_stress_country_score"))
        .alias("water_stress_score"),
        pl.when(m == BASIN).then(pl.col("_bws_label")).otherwise(sdg_class(pct)).alias("water_stress_class"),
        pl.when(m == COUNTRY).then(pl.when(pl.col("_iso3").is_in(LARGE_HETEROGENEOUS)).then(pl.lit("low"))
                                   .otherwise(pl.lit("normal")))
        .when(m == BASIN).then(pl.lit("normal")).otherwise(pl.lit(None, pl.Utf8)).alias("water_stress_confidence"),
        pl.when(m == BASIN).then(pl.format("basin level (WRI Aqueduct 4.0, unit {})",
                                           pl.col("water_stress_basin_id").fill_null("?")))
        .when(m == COUNTRY).then(pl.format("country level (SDG 6.4.2, FAO, {})", pl.col("water_stress_year")))
        .otherwise(pl.lit(None, pl.Utf8)).alias("water_stress_source"),
    )
    add = out.select([pl.col(c).cast(t) for c, t in COLUMNS.items()])
    return points.drop([c for c in COLUMNS if c in points.columns]).hstack(add)


def run_summary(stressed: pl.DataFrame, *, basins_available: bool) -> dict:
    """Run-level statement of which tier the locations used (for ``run.json`` and the report)."""
    counts = stressed["water_stress_method"].fill_null("unknown").value_counts(sort=True)
    by = {r["water_stress_method"]: int(r["count"]) for r in counts.iter_rows(named=True)}
    years = stressed.filter(pl.col("water_stress_method") == COUNTRY)["water_stress_year"].unique().drop_nulls()
    notes = []
    if not basins_available:
        notes.append("Basin-level water stress (WRI Aqueduct 4.0) was not available for this run (no basin "
                     "polygons loaded; the archive is not part of the offline data); country-level SDG 6.4.2 "
                     "(FAO) stress was used where a country is covered.")
    if by.get("unknown"):
        notes.append(f"{by['unknown']} location(s) have no water-stress figure (UNKNOWN, not 0).")
    return {"tiers": by, "basin_available": basins_available,
            "country_years": sorted(int(y) for y in years), "notes": notes}


#: water sources that are not freshwater (candidate column ``water_source``): counted in m³, not stress-weighted
NON_FRESHWATER_SOURCES = ("reclaimed", "seawater")


def stress_weight(score: pl.Expr) -> pl.Expr:
    """Stress weight of water drawn where the 0–5 ``water_stress_score`` is ``score``: score / 5."""
    return score / 5.0


def stress_weighted_water(df: pl.DataFrame, *, onsite_m3: str = "water_onsite_m3_per_year",
                          onsite_score: str = "water_stress_score", offsite_m3: str = "water_offsite_m3_per_year",
                          offsite_score: str = "water_stress_country_score",
                          out: str = "water_stress_weighted_m3_per_yr") -> pl.DataFrame:
    """Stress-weighted annual water [m³/yr], on-site and off-site water each weighted by the stress
    of where it is drawn::

        W = V_on · s_site / 5 + V_off · s_grid / 5

    V_on [m³/yr]: on-site water (evaporation + blowdown, :mod:`gridscout.models.water`); s_site: the
    site's 0–5 ``water_stress_score`` (finest tier). V_off [m³/yr]: water consumed by the power
    plants that supply the site (the grid's water intensity × energy, hydro reservoirs excluded);
    s_grid: the stress where those plants draw, taken as the country tier's score
    (``water_stress_country_score``) because the supplying plants are spread over the grid zone,
    not in the site's basin. The weight s/5 runs from 0 (no stress) to 1 (top of the scale), so W
    is "m³ drawn at top-of-scale stress" and W ≤ V_on + V_off.

    The weight is linear in the documented 0–5 score (:func:`stress_weight`): a transparent
    gridscout convention, not a published characterisation factor (such as AWARE, Boulay et al.
    2018, Int. J. LCA 23:368, doi:10.1007/s11367-017-1333-8, whose factors are not in the offline
    data). Unknown stress or unknown volume → null (UNKNOWN), never 0.

    A site whose ``water_source`` (candidate file) is reclaimed or seawater
    (:data:`NON_FRESHWATER_SOURCES`) draws no freshwater on site: its on-site volume is still in
    ``water_onsite_m3_per_year`` / ``water_m3_per_year`` but weighs 0 here, whatever the basin's
    freshwater stress (WRI Aqueduct and SDG 6.4.2 measure freshwater withdrawals against renewable
    freshwater resources, so they do not apply to water that is not freshwater).
    """
    weight = stress_weight(pl.col(onsite_score))
    if "water_source" in df.columns:
        weight = pl.when(pl.col("water_source").is_in(list(NON_FRESHWATER_SOURCES))).then(pl.lit(0.0)).otherwise(weight)
    on = pl.col(onsite_m3) * weight
    off = pl.col(offsite_m3) * stress_weight(pl.col(offsite_score))
    return df.with_columns((on + off).alias(out))
