"""Site features + hourly weather + profile facility → physical estimates per site (pure).

Chooses the fidelity tier per site: the hourly model where an hourly weather file lies within
:data:`gridscout.features.weather_link.HOURLY_WEATHER_MAX_KM` of the site and within
:data:`~gridscout.features.weather_link.HOURLY_WEATHER_MAX_DZ_M` of its elevation, else the per-station climate model
(:mod:`gridscout.models.climate_model`) on the nearest weather-station index entry (within
``STATION_MAX_KM``), else UNKNOWN.
``weather_station_key`` / ``weather_distance_km`` name the station that stands for the site and how
far away it is. IT energy uses the average IT load = nameplate ``it_load_mw`` × ``utilisation``.
"""

from __future__ import annotations

import polars as pl

from gridscout.models import climate_model, pue, site_facts
from gridscout.models.site import OFFSITE_INPUTS, estimate_sites


#: sites whose cooling runs on an hourly year: a linked file, or the site's own ``weather_file``
ON_HOURLY = (pl.col("weather_source") == "hourly_file") | pl.col("weather_source").str.starts_with("weather_file")


def hourly_station_keys(feats: pl.DataFrame) -> list[str]:
    """Station keys whose hourly weather the sites need (an hourly file or the site's weather_file)."""
    return feats.filter(ON_HOURLY)["weather_station_key"].unique().to_list()


def estimate_for_sites(feats: pl.DataFrame, weather: pl.DataFrame | None, profile
                       ) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Return (features + estimates, {'hourly': ..., 'monthly': ..., 'fuel_mix': ...}).

    ``feats`` come from :func:`gridscout.features.assemble.site_features` then
    :func:`gridscout.features.weather_link.weather_choice`; ``weather`` holds the hourly rows of
    :func:`hourly_station_keys` (or None). A site's own ``cooling_design`` / ``it_load_mw`` (from the
    candidate file) override the profile's facility for that site: sites are grouped by design and
    the one model (:func:`~gridscout.models.site.estimate_sites`) runs once per group. User-supplied
    values are marked in ``<col>__evidence`` (:mod:`gridscout.models.site_facts`)."""
    fac = profile.facility
    f = feats.with_columns(site_facts.given_flags(feats))
    nameplate = pl.coalesce(pl.col("it_load_mw"), pl.lit(float(fac.it_load_mw))) if "it_load_mw" in f.columns \
        else pl.lit(float(fac.it_load_mw))
    f = f.with_columns(nameplate.alias("it_nameplate_mw"), site_facts.design_column(f, fac.cooling).alias("_design"))
    model_in = f.select(
        "site_id", "weather_station_key", (pl.col("it_nameplate_mw") * fac.utilisation).alias("it_load_mw"),
        "carbon_g_per_kwh", "carbon_basis", "carbon_free_pct", "price_usd_per_mwh", "price_source", "price_year",
        *[pl.col(c) for c in OFFSITE_INPUTS if c in f.columns],
        *[pl.col(c) for c in ("water_stress_score", "water_stress_method") if c in f.columns],
        "latitude", "longitude", "_design",
    )
    stats = f.filter(pl.col("weather_source") == "station_index").select(
        pl.col("weather_station_key").alias("station_key"), *climate_model.station_stat_columns()).unique("station_key")
    groups = model_in.partition_by("_design", as_dict=True, include_key=False) if model_in.height \
        else {(fac.cooling,): model_in.drop("_design")}
    est = pl.concat([estimate_sites(part, weather, stats if stats.height else None, design, envelope=fac.envelope)
                     for (design,), part in groups.items()], how="vertical_relaxed")
    est = est.rename({"it_load_mw": "it_load_avg_mw"})
    keep = f.drop([c for c in est.columns if c in f.columns and c != "site_id"] + ["it_load_mw", "_design"],
                  strict=False)
    out = keep.join(est, on="site_id", how="left", maintain_order="left").rename(
        {"it_nameplate_mw": "it_load_mw"}).with_columns(pl.lit(fac.utilisation).alias("it_utilisation"))
    out = site_facts.secured_grid(site_facts.reported_vs_model(site_facts.mark_provenance(out)))
    return out, _extras(out, weather, fac)


def _extras(sites: pl.DataFrame, weather: pl.DataFrame | None, fac) -> dict[str, pl.DataFrame]:
    extras: dict[str, pl.DataFrame] = {}
    link = sites.filter(ON_HOURLY).select(
        "site_id", pl.col("weather_station_key").alias("station_key"), "it_load_avg_mw", "cooling_design")
    if weather is not None and weather.height and link.height:
        months = weather.select("station_key", "hour_of_year", "month", "dry_bulb_c")
        hourly = []
        for (design,), lk in link.partition_by("cooling_design", as_dict=True).items():  # one model run per design
            w = weather.filter(pl.col("station_key").is_in(lk["station_key"].unique().implode()))
            h = pue.hourly_pue(w, design, fac.envelope).join(months, on=["station_key", "hour_of_year"], how="left")
            hourly.append(lk.join(h, on="station_key"))
        h = pl.concat(hourly, how="vertical_relaxed")
        extras["hourly"] = h.select("site_id", "station_key", "hour_of_year", "month", "pue", "mode", "dry_bulb_c",
                                    "wet_bulb_c", "water_l_per_kwh_it")
        extras["monthly"] = (
            h.group_by("site_id", "month").agg(
                (pl.col("water_l_per_kwh_it") * pl.col("it_load_avg_mw")).sum().alias("water_onsite_m3"),  # MW·h·L/kWh = m³
                (pl.col("pue") * pl.col("it_load_avg_mw")).sum().alias("energy_mwh"),
                pl.col("pue").mean().alias("pue_mean"),
                (pl.col("mode").cast(pl.String).is_in(["free", "evaporative"])).sum().alias("free_cooling_hours"),
            ).sort("site_id", "month"))
    fuel_cols = [c for c in sites.columns if c.startswith("capacity_") and c.endswith("_within_50km_mw")
                 and c not in ("capacity_within_50km_mw",)]
    if fuel_cols:
        extras["fuel_mix"] = (sites.select("site_id", *fuel_cols)
                              .unpivot(index="site_id", variable_name="fuel", value_name="capacity_mw")
                              .with_columns(pl.col("fuel").str.strip_prefix("capacity_").str.strip_suffix("_within_50km_mw"))
                              .filter(pl.col("capacity_mw").is_not_null()))
    return extras
