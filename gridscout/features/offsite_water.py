"""Off-site water of a location's electricity: the plants behind its balancing area (US), else its
country's published intensity (pure: frames → frames).

United States (``water_offsite_level`` = ``balancing_authority``)
    Every US plant (``gppd_usa``: fuel, commissioning year, net generation of :func:`generation_year`
    from EIA-923 via WRI) carries its EIA-860 2019 balancing-authority code and NERC region. Its
    consumption intensity comes from USGS 2015, else Macknick et al. (2012) for its fuel and EIA-860
    cooling technology (:func:`gridscout.models.water.plant_intensity`); hydro from NETL 2016 per
    plant, else per NERC region (:func:`~gridscout.models.water.hydro_intensity`). The zone figure
    is generation-weighted over the plants of the location's balancing area
    (:func:`~gridscout.models.water.zone_water`). The location's BA is its ``ba_code`` column when
    present, else its Electricity Maps zone mapped by ``zone_ba`` (``zone_key``, ``ba_code``).

    **Production-based, not adjusted for imports.** A BA that imports much of its electricity
    (e.g. a small generation-only BA's neighbours) is described by the plants inside it only. The
    consumption-based figure needs hourly interchange between BAs (EIA-930 BALANCE/INTERCHANGE
    files); the offline EIA-930 copy (``eia930``) holds demand only, so the data do not allow it.

Elsewhere (``water_offsite_level`` = ``country``)
    Chini & Peer (2020)'s per-country freshwater consumption per kWh of total generation (latest
    year, 2018), median with min–max; confidence "low": generic literature factors × regional cooling
    shares, not plants, and it **includes hydro reservoir evaporation at gross rates** (Mekonnen et
    al. 2015), so for these locations the hydro columns are null and the figure is not comparable
    with the US non-hydro figure in hydro-rich countries.

Nothing known → null (UNKNOWN), never 0.
"""

from __future__ import annotations

import polars as pl

from gridscout.features.water_stress import _alpha3
from gridscout.geo.polygons import cached_index
from gridscout.models import water
from gridscout.reference import Reference

BA_LEVEL = "balancing_authority"
COUNTRY_LEVEL = "country"
#: columns this module adds (besides the per-zone ones of :func:`gridscout.models.water.zone_water`)
COLUMNS = {
    "water_offsite_l_per_kwh": pl.Float64, "water_offsite_min_l_per_kwh": pl.Float64,
    "water_offsite_max_l_per_kwh": pl.Float64, "water_offsite_nonfresh_l_per_kwh": pl.Float64,
    "water_offsite_hydro_l_per_kwh": pl.Float64, "water_offsite_hydro_gross_l_per_kwh": pl.Float64,
    "water_offsite_thermal_share": pl.Float64, "water_offsite_hydro_share": pl.Float64,
    "water_offsite_unknown_share": pl.Float64, "water_offsite_plants": pl.Utf8, "water_offsite_hydro_plants": pl.Utf8,
    "water_offsite_level": pl.Utf8, "water_offsite_ba": pl.Utf8, "water_offsite_confidence": pl.Utf8,
    "water_offsite_source": pl.Utf8, "water_offsite__evidence": pl.Utf8,
}
US_SOURCE = ("plants of balancing area {} (USGS 2015 per plant, else Macknick 2012 by fuel × cooling; hydro NETL "
             "2016), weighted by {} generation; production-based, imports not adjusted")


def generation_year(generation: pl.DataFrame) -> int | None:
    """The latest year of per-plant generation (``gppd_usa``: 2019)."""
    return int(generation["year"].max()) if generation.height else None


def us_plants(ref: Reference, year: int | None = None) -> pl.DataFrame:
    """US plants with fuel, BA, NERC region and net generation of ``year`` [MWh] (default the latest),
    then their water intensities (:func:`gridscout.models.water.plant_intensity`, ``hydro_intensity``)."""
    gen, e860 = ref.plant_generation, ref.eia860
    if gen.height == 0 or e860.height == 0 or ref.plants.height == 0:
        return pl.DataFrame()
    year = year if year is not None else generation_year(gen)
    g = gen.filter(pl.col("year") == year).select(
        pl.col("plant_id").str.strip_prefix("USA").str.strip_chars_start("0").alias("plant_id"),
        (pl.col("generation_gwh") * 1000.0).alias("generation_mwh"))
    pp = ref.plants.filter(pl.col("source_id") == "gppd_usa").select(
        pl.col("plant_id").str.strip_prefix("USA").str.strip_chars_start("0").alias("plant_id"),
        "plant_name", "fuel", pl.col("commissioning_year") if "commissioning_year" in ref.plants.columns
        else pl.lit(None, pl.Float64).alias("commissioning_year"))
    ba = e860.select("plant_id", pl.col("balancing_authority_code").alias("ba_code"), "nerc_region", "state")
    plants = g.join(pp, on="plant_id", how="inner").join(ba, on="plant_id", how="left")
    gross = None
    if ref.country_hydro_water.height:
        us = ref.country_hydro_water.filter(pl.col("country_alpha3") == "USA")["hydro_m3_per_mwh"]
        gross = float(us[0]) if us.len() else None
    plants = water.plant_intensity(plants, ref.plant_water_usgs, ref.plant_cooling_systems)
    return water.hydro_intensity(plants, ref.hydro_plant_water, ref.hydro_nerc_water, gross_l_per_kwh=gross)


def ba_water(ref: Reference, year: int | None = None) -> pl.DataFrame:
    """Off-site water per balancing area (:func:`gridscout.models.water.zone_water` on :func:`us_plants`)."""
    plants = us_plants(ref, year)
    if plants.height == 0:
        return pl.DataFrame(schema={"ba_code": pl.Utf8})
    return water.zone_water(plants.filter(pl.col("ba_code").is_not_null()), by="ba_code")


def country_water(ref: Reference) -> pl.DataFrame:
    """Each country's latest Chini & Peer intensity: ``country_alpha3``, ``year``, median, min, max [L/kWh]."""
    c = ref.country_water_intensity
    if c.height == 0:
        return pl.DataFrame(schema={"country_alpha3": pl.Utf8})
    return c.sort("country_alpha3", "year").group_by("country_alpha3", maintain_order=True).last()


def offsite_water(points: pl.DataFrame, ref: Reference, *, zone_ba: pl.DataFrame | None = None,
                  ba_table: pl.DataFrame | None = None) -> pl.DataFrame:
    """Add :data:`COLUMNS` to ``points`` (``country`` and ``grid_zone`` or ``ba_code``).

    ``zone_ba`` maps Electricity Maps zones to EIA-930 BA codes (``zone_key``, ``ba_code``); it is
    used when ``points`` has no ``ba_code`` column. ``ba_table`` (from :func:`ba_water`) may be
    passed to reuse one computation across calls."""
    n = points.height
    if "ba_code" in points.columns:
        ba = points["ba_code"].cast(pl.Utf8)
    elif zone_ba is not None and zone_ba.height and "grid_zone" in points.columns:
        m = dict(zip(zone_ba["zone_key"].to_list(), zone_ba["ba_code"].to_list()))
        ba = points["grid_zone"].cast(pl.Utf8).replace_strict(m, default=None, return_dtype=pl.Utf8)
    else:
        ba = pl.Series([None] * n, dtype=pl.Utf8)
    if ba_table is not None:
        bt = ba_table
    else:  # the plant model runs only when some point has a BA
        # once per reference (the plant model of every BA; a screening asks once per batch of cells)
        bt = cached_index(ref, "ba_water", lambda: ba_water(ref)) if ba.drop_nulls().len() \
            else pl.DataFrame(schema={"ba_code": pl.Utf8})
    iso3 = _alpha3(points["country"]) if "country" in points.columns else pl.Series([None] * n, dtype=pl.Utf8)
    f = pl.DataFrame({"_ba": ba, "_iso3": iso3})
    f = f.join(bt.rename({"ba_code": "_ba"}), on="_ba", how="left", maintain_order="left") if bt.height \
        else f.with_columns(pl.lit(None, t).alias(c) for c, t in COLUMNS.items() if c.startswith("water_offsite_")
                            and c not in ("water_offsite_level", "water_offsite_ba", "water_offsite_confidence",
                                          "water_offsite_source", "water_offsite__evidence"))
    cw = country_water(ref)
    if cw.height:
        f = f.join(cw.rename({"country_alpha3": "_iso3", "year": "_cy", "consumption_l_per_kwh": "_cmed",
                              "consumption_min_l_per_kwh": "_cmin", "consumption_max_l_per_kwh": "_cmax"}),
                   on="_iso3", how="left", maintain_order="left")
    else:
        f = f.with_columns(pl.lit(None, pl.Int32).alias("_cy"),
                           *[pl.lit(None, pl.Float64).alias(c) for c in ("_cmed", "_cmin", "_cmax")])
    us = pl.col("_iso3") == "USA"
    has_ba = us & pl.col("water_offsite_l_per_kwh").is_not_null()
    has_country = ~us & pl.col("_cmed").is_not_null()
    level = pl.when(has_ba).then(pl.lit(BA_LEVEL)).when(has_country).then(pl.lit(COUNTRY_LEVEL)).otherwise(None)
    f = f.with_columns(level.alias("water_offsite_level"))
    lv = pl.col("water_offsite_level")

    def pick(col: str, country: str | None) -> pl.Expr:
        c = pl.lit(None, pl.Float64) if country is None else pl.col(country)
        return pl.when(lv == BA_LEVEL).then(pl.col(col)).when(lv == COUNTRY_LEVEL).then(c).otherwise(None).alias(col)

    year = generation_year(ref.plant_generation)
    out = f.with_columns(
        pick("water_offsite_l_per_kwh", "_cmed"), pick("water_offsite_min_l_per_kwh", "_cmin"),
        pick("water_offsite_max_l_per_kwh", "_cmax"),
        *[pick(c, None) for c in ("water_offsite_nonfresh_l_per_kwh", "water_offsite_hydro_l_per_kwh",
                                  "water_offsite_hydro_gross_l_per_kwh", "water_offsite_thermal_share",
                                  "water_offsite_hydro_share", "water_offsite_unknown_share")],
        *[pl.when(lv == BA_LEVEL).then(pl.col(c)).otherwise(None).alias(c)
          for c in ("water_offsite_plants", "water_offsite_hydro_plants")],
        pl.when(lv == BA_LEVEL).then(pl.col("_ba")).otherwise(None).alias("water_offsite_ba"),
        pl.when(lv == BA_LEVEL).then(pl.lit("normal")).when(lv == COUNTRY_LEVEL).then(pl.lit("low"))
        .otherwise(None).alias("water_offsite_confidence"),
        pl.when(lv == BA_LEVEL).then(pl.format(US_SOURCE.replace("{} generation", f"{year} generation"),
                                               pl.col("_ba")))
        .when(lv == COUNTRY_LEVEL).then(pl.format("country level (Chini & Peer 2020, {}; includes hydro reservoir "
                                                  "evaporation at gross rates; low confidence)", pl.col("_cy")))
        .otherwise(None).alias("water_offsite_source"),
        pl.when(lv.is_not_null()).then(pl.lit("modelled")).otherwise(None).alias("water_offsite__evidence"),
    )
    add = out.select([pl.col(c).cast(t) for c, t in COLUMNS.items()])
    return points.drop([c for c in COLUMNS if c in points.columns]).hstack(add)


#: why the off-site figure is production-based (run.json and the report say it)
IMPORTS_NOTE = ("Off-site water is production-based: the plants inside each balancing area, not adjusted for "
                "imports (the offline EIA-930 data hold demand only, no interchange).")


def run_summary(sites: pl.DataFrame) -> dict:
    """Run-level statement of the off-site water levels used (for ``run.json`` and the report)."""
    lv = sites["water_offsite_level"] if "water_offsite_level" in sites.columns \
        else pl.Series([None] * sites.height, dtype=pl.Utf8)
    by = {r["water_offsite_level"]: int(r["count"])
          for r in lv.fill_null("unknown").value_counts(sort=True).iter_rows(named=True)}
    notes = [IMPORTS_NOTE,
             "The water total is on-site + off-site fresh non-hydro water; hydro reservoir water is shown apart, "
             "as NETL's allocated share per reservoir and as gross evaporation (Mekonnen et al. 2015)."]
    if by.get(COUNTRY_LEVEL):
        notes.append("Outside the US the figure is Chini & Peer's country intensity (2018), low confidence; it "
                     "includes hydro reservoir evaporation at gross rates.")
    if by.get("unknown"):
        notes.append(f"{by['unknown']} location(s) have no off-site water figure (UNKNOWN, not 0).")
    return {"levels": by, "imports_adjusted": False, "notes": notes}
