"""Site features + hourly weather + profile facility → physical estimates per site (pure).

Chooses the fidelity tier per site: the hourly model where an hourly weather file lies within
:data:`gridscout.features.weather_link.HOURLY_WEATHER_MAX_KM` of the site, else the climate-statistics tier
from the nearest weather-station index entry (within ``STATION_MAX_KM``), else UNKNOWN.
``weather_station_key`` / ``weather_distance_km`` name the station that stands for the site and how
far away it is. IT energy uses the average IT load = nameplate ``it_load_mw`` × ``utilisation``.
"""

from __future__ import annotations

import polars as pl

from gridscout.models import pue
from gridscout.models.site import estimate_sites


def hourly_station_keys(feats: pl.DataFrame) -> list[str]:
    """Station keys whose hourly weather the sites need (``weather_source`` = ``hourly_file``)."""
    return feats.filter(pl.col("weather_source") == "hourly_file")["weather_station_key"].unique().to_list()


def estimate_for_sites(feats: pl.DataFrame, weather: pl.DataFrame | None, profile
                       ) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Return (features + estimates, {'hourly': ..., 'monthly': ..., 'fuel_mix': ...}).

    ``feats`` come from :func:`gridscout.features.assemble.site_features` then
    :func:`gridscout.features.weather_link.weather_choice`; ``weather`` holds the hourly rows of
    :func:`hourly_station_keys` (or None)."""
    fac = profile.facility
    f = feats
    nameplate = pl.coalesce(pl.col("it_load_mw"), pl.lit(float(fac.it_load_mw))) if "it_load_mw" in f.columns \
        else pl.lit(float(fac.it_load_mw))
    f = f.with_columns(nameplate.alias("it_nameplate_mw"))
    renames = {c: c.replace("zone_cap_mw_", "cap_mw_") for c in f.columns if c.startswith("zone_cap_mw_")}
    model_in = f.select(
        "site_id", "weather_station_key", (pl.col("it_nameplate_mw") * fac.utilisation).alias("it_load_mw"),
        "carbon_g_per_kwh", "carbon_basis", "carbon_free_pct", "price_usd_per_mwh", "price_source", "price_year",
        *[pl.col(c).alias(n) for c, n in renames.items()],
        *[pl.col(c) for c in ("water_stress_score", "water_stress_method") if c in f.columns],
        "latitude", "longitude",
    )
    stats = f.filter(pl.col("weather_source") == "station_index").select(
        pl.col("weather_station_key").alias("station_key"), "ashrae_climate_zone").unique("station_key")
    est = estimate_sites(model_in, weather, stats if stats.height else None, fac.cooling, envelope=fac.envelope)
    est = est.rename({"it_load_mw": "it_load_avg_mw"})
    keep = f.drop([c for c in est.columns if c in f.columns and c != "site_id"] + ["it_load_mw"], strict=False)
    out = keep.join(est, on="site_id", how="left").rename({"it_nameplate_mw": "it_load_mw"}).with_columns(
        pl.lit(fac.utilisation).alias("it_utilisation"))
    # IT load evidence: the candidate file's own figure is observed; otherwise it is the profile's default
    given = feats["it_load_mw"].is_not_null() if "it_load_mw" in feats.columns else pl.Series([False] * feats.height)
    given_ids = set(feats.filter(given)["site_id"].to_list())
    out = out.with_columns(pl.when(pl.col("site_id").is_in(list(given_ids))).then(pl.lit("observed"))
                           .otherwise(pl.lit("profile default")).alias("it_load_mw__evidence"))
    return out, _extras(out, weather, fac)


def _extras(sites: pl.DataFrame, weather: pl.DataFrame | None, fac) -> dict[str, pl.DataFrame]:
    extras: dict[str, pl.DataFrame] = {}
    if weather is not None and weather.height:
        h = pue.hourly_pue(weather, fac.cooling, fac.envelope)
        months = weather.select("station_key", "hour_of_year", "month", "dry_bulb_c")
        h = h.join(months, on=["station_key", "hour_of_year"], how="left")
        link = sites.filter(pl.col("weather_source") == "hourly_file").select(
            "site_id", pl.col("weather_station_key").alias("station_key"), "it_load_avg_mw")
        extras["hourly"] = link.join(h.select("station_key", "hour_of_year", "month", "pue", "mode", "dry_bulb_c",
                                              "wet_bulb_c", "water_l_per_kwh_it"), on="station_key").drop("it_load_avg_mw")
        extras["monthly"] = (
            link.join(h, on="station_key")
            .group_by("site_id", "month").agg(
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
