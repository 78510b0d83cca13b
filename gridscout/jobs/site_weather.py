"""Hourly weather for sites that have no hourly weather file nearby: fetch the PVGIS TMY (global, no
key) for the site itself and load it into the warehouse, so the hourly PUE model can run there.

Off by default (``--fetch-weather``): it calls a live API. ``GRIDSCOUT_PVGIS_URL`` overrides the API
base URL (a mirror, or the local replay server in tests). A site whose fetch fails keeps the
per-station climate-model tier and the failure is reported in run.json.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from gridscout.errors import GridscoutError
from gridscout.warehouse.readers.reference import Reference
from gridscout.features.weather_link import weather_links
from gridscout.jobs.ingest import ingest_source

MAX_SITES = 500


def fetch_missing_weather(sites: pl.DataFrame, ref: Reference, db: str | Path | None = None, *,
                          base_url: str | None = None, client=None, raw: Path | None = None) -> list[dict]:
    """Fetch and load a PVGIS TMY for each site with no hourly weather file within range.

    Each response is saved as a raw file in ``<raw>/pvgis/requests/`` (``raw`` defaults to
    ``GRIDSCOUT_RAW_DIR``), then parsed and loaded by :func:`gridscout.jobs.ingest.ingest_source`.

    Returns one record per site tried: site_id, station_key or error.
    """
    from gridscout.sources import pvgis

    base = base_url or os.environ.get(pvgis.URL_ENV) or pvgis.BASE_URL
    cols = ["site_id", "latitude", "longitude"] + (["elevation_m"] if "elevation_m" in sites.columns else [])
    need = weather_links(sites.select(cols), ref).filter(
        pl.col("weather_station_key").is_null())
    if need.height > MAX_SITES:
        raise GridscoutError(f"{need.height} sites need hourly weather; --fetch-weather fetches at most {MAX_SITES} "
                             "per run (PVGIS asks for polite use)")
    out = []
    for row in need.iter_rows(named=True):
        lat, lon = round(row["latitude"], 3), round(row["longitude"], 3)
        try:
            report = ingest_source(pvgis.SPEC, db=db, raw=raw,
                                   request={"sites": [(lat, lon)], "base_url": base, "client": client})
            out.append({"site_id": row["site_id"], "station_key": f"pvgis:{pvgis.site_key(lat, lon)}",
                        "status": report.status})
        except (GridscoutError, OSError) as exc:
            out.append({"site_id": row["site_id"], "status": "failed", "error": str(exc)})
    return out
