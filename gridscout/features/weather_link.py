"""Which weather stands for a location: the nearest hourly weather file and the nearest station of
the station index, and the tier the cooling model will use."""

from __future__ import annotations

import numpy as np
import polars as pl

from gridscout.geo.nearest import SphereIndex, take, unit_vectors
from gridscout.reference import Reference

#: An hourly weather file stands for a site within this great-circle distance [km].
HOURLY_WEATHER_MAX_KM = 50.0
#: A weather-station index entry stands for a site within this distance [km].
STATION_MAX_KM = 100.0


def weather_links(sites: pl.DataFrame, ref: Reference, *, groups=None) -> pl.DataFrame:
    """Nearest hourly weather file (within 50 km) and nearest station-index entry (within 100 km).

    ``groups`` (optional :class:`PointGroups` of these locations) selects the grouped nearest search
    (:meth:`SphereIndex.nearest_grouped`); same result."""
    q = unit_vectors(sites["latitude"].to_numpy(), sites["longitude"].to_numpy()) if groups is None else groups.q

    def nearest(idx: SphereIndex, max_km: float):
        return idx.nearest_vectors(q, max_km) if groups is None else idx.nearest_grouped(groups, max_km)

    wf = ref.weather_files
    if wf.height:
        i, km = nearest(SphereIndex(wf["latitude"].to_numpy(), wf["longitude"].to_numpy()), HOURLY_WEATHER_MAX_KM)
        keys = take(wf["station_key"].cast(pl.Utf8), i)
    else:
        keys, km = pl.Series([None] * len(q), dtype=pl.Utf8), np.full(len(q), np.nan)
    out = sites.with_columns(
        keys.alias("weather_station_key"),
        pl.Series("weather_distance_km", km).fill_nan(None),
    )
    st = ref.stations
    cols = ["wmo", "city", "ashrae_climate_zone", "heating_design_db_c", "cooling_design_db_c", "hdd18", "cdd10"]
    if st.height:
        i, km = nearest(SphereIndex(st["latitude"].to_numpy(), st["longitude"].to_numpy()), STATION_MAX_KM)
        picked = take(st.select(cols), i)
        out = pl.concat([out, picked.rename({"wmo": "station_wmo", "city": "station_name"}),
                         pl.DataFrame({"station_distance_km": km}).fill_nan(None)], how="horizontal")
    else:
        out = out.with_columns([pl.lit(None).alias(c) for c in ("station_wmo", "station_name", "ashrae_climate_zone",
                                "heating_design_db_c", "cooling_design_db_c", "hdd18", "cdd10", "station_distance_km")])
    return out


def weather_choice(feats: pl.DataFrame) -> pl.DataFrame:
    """Pick the hourly file when one is linked, else the station-index entry (key ``wmo:<id>``):
    ``weather_source`` (``hourly_file`` / ``station_index`` / null), ``weather_station_key`` and
    ``weather_distance_km`` of the chosen one."""
    return feats.with_columns(
        pl.when(pl.col("weather_station_key").is_not_null()).then(pl.lit("hourly_file"))
        .when(pl.col("station_wmo").is_not_null()).then(pl.lit("station_index")).otherwise(None).alias("weather_source"),
        pl.coalesce(pl.col("weather_station_key"), pl.lit("wmo:") + pl.col("station_wmo")).alias("weather_station_key"),
        pl.coalesce(pl.col("weather_distance_km"), pl.col("station_distance_km")).alias("weather_distance_km"),
    )
