"""Interconnection-queue features per point: MW waiting in the county and state, and time to power.

Pure frames → frames (no warehouse): the inputs come from :mod:`gridscout.warehouse.readers.queues`.

Per point (site or screening cell, ``site_id, latitude, longitude`` plus optional ``country``,
``state``/``us_state`` and ``county``):

* ``queue_iso`` — the ISO/RTO whose footprint holds the point: the point's NREL ReEDS balancing
  area (point in polygon, 134 US areas) and that area's transmission region (ReEDS
  ``inputs/hierarchy``/``membership.csv`` column ``transreg``: CAISO, ERCOT, ISONE, MISO, NYISO,
  PJM, SPP; the others — NorthernGrid, WestConnect, SERTP, FRCC — are not ISOs). ReEDS assigns
  each area wholly to one region, so a point near an ISO's edge takes its area's region.
  No ISO (non-ISO US, outside the US, or no ReEDS data): every queue figure is null (UNKNOWN),
  never 0.
* ``queue_county`` — the point's county: the ``county`` column when given (with its ``state``),
  else the US Census county polygon holding the point (``county__source`` says which). (The PJM
  figure used to take the county of the nearest EIA-860 plant centroid; that puts Abilene TX in
  Shackelford County instead of Taylor, so polygons are used.)
* ``queue_active_mw_county`` / ``queue_active_mw_state`` — MW of ``active`` requests (still
  seeking interconnection; suspended and withdrawn excluded, LBNL "Queued Up" categories) in the
  point's county / state, over all seven ISOs' queues (a county can straddle two ISOs). In an ISO
  with no active request there, 0 MW is a real zero. Requests with no published MW add nothing.
* ``queue_active_mw_within_50km`` — the same MW with each request placed at a point inside its
  county (``shapely.point_on_surface``; the queues publish no coordinates): a labelled approximation.
* ``queue_median_years`` (+ ``queue_median_years_n``) — median years from queue entry
  (``queue_date``) to commercial operation (``in_service_date``) of the ISO's projects completed
  since :data:`COMPLETED_SINCE` (a time-to-power indicator for today's queue, not 2005's:
  LBNL's *Queued Up: 2024 Edition* (Rand et al., April 2024) reports the typical project built in
  2023 took nearly 5 years from request to operation, up from under 2 years for those built in
  2008; the 2025 edition reports 55 months for projects built in 2024). Negative durations (uprates
  re-filed after operation) are dropped. Null with fewer than :data:`MIN_COMPLETED` projects.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import shapely

from gridscout.geo.nearest import SphereIndex
from gridscout.geo.polygons import PolygonIndex

#: ReEDS transmission region (``transreg``) → ISO name as written in ``interconnection_queue.iso``
ISO_OF_TRANSREG = {"CAISO": "CAISO", "ERCOT": "ERCOT", "ISONE": "ISO-NE", "MISO": "MISO", "NYISO": "NYISO",
                   "PJM": "PJM", "SPP": "SPP"}
ISOS = tuple(ISO_OF_TRANSREG.values())
#: completions counted in ``queue_median_years``: in service on or after this date
COMPLETED_SINCE = dt.date(2018, 1, 1)
#: fewest completed projects for a median (fewer: UNKNOWN)
MIN_COMPLETED = 10
RADIUS_KM = 50.0
COUNTY_SOURCE = "census_county_polygon"
COUNTY_PLACEMENT = "county_point_on_surface"
ISO_SOURCE = "reeds_transreg"
OUTPUT_COLUMNS = ("site_id", "queue_iso", "queue_county", "county__source", "queue_active_mw_county",
                  "queue_active_mw_state", "queue_active_mw_within_50km", "queue_median_years",
                  "queue_median_years_n", "queue__source")


def county_key(expr: pl.Expr) -> pl.Expr:
    """A county name compared across sources: lower case, letters only, without "county"/"parish"/
    "city", "saint" as "st" ("St. Louis County" = "Saint Louis" = "stlouis")."""
    return (expr.str.to_lowercase().str.replace_all(r"\bcounty\b|\bparish\b|\bcity\b|[^a-z]", "")
            .str.replace(r"^saint", "st"))


def county_points(counties: pl.DataFrame) -> pl.DataFrame:
    """state, county_key, latitude, longitude: a point inside each county polygon."""
    if counties.is_empty():
        return pl.DataFrame(schema={"state": pl.Utf8, "county_key": pl.Utf8, "latitude": pl.Float64,
                                    "longitude": pl.Float64})
    pts = shapely.point_on_surface(shapely.from_wkb(counties["geometry_wkb"].to_numpy()))
    return (counties.select("state", county_key(pl.col("county")).alias("county_key"))
            .with_columns(pl.Series("latitude", shapely.get_y(pts)), pl.Series("longitude", shapely.get_x(pts)))
            .unique(["state", "county_key"], keep="first", maintain_order=True))


def point_iso(lat: np.ndarray, lon: np.ndarray, reeds_areas: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(ISO name or None, ReEDS state or None) of each point, from its ReEDS area."""
    n = len(lat)
    if reeds_areas.is_empty():
        return np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    area = PolygonIndex(reeds_areas["area_code"], reeds_areas["geometry_wkb"]).lookup(lat, lon)
    region = dict(zip(reeds_areas["area_code"], reeds_areas["transmission_region"]))
    state = dict(zip(reeds_areas["area_code"], reeds_areas["state"]))
    iso = np.array([ISO_OF_TRANSREG.get(region.get(a)) if a is not None else None for a in area], dtype=object)
    st = np.array([state.get(a) if a is not None else None for a in area], dtype=object)
    return iso, st


def median_years_to_service(queue: pl.DataFrame, *, since: dt.date = COMPLETED_SINCE,
                            min_projects: int = MIN_COMPLETED) -> pl.DataFrame:
    """iso, queue_median_years, queue_median_years_n over projects in service since ``since``."""
    done = (queue.filter((pl.col("status") == "in_service") & pl.col("queue_date").is_not_null()
                         & pl.col("in_service_date").is_not_null() & (pl.col("in_service_date") >= since))
            .with_columns(((pl.col("in_service_date") - pl.col("queue_date")).dt.total_days() / 365.25).alias("y"))
            .filter(pl.col("y") >= 0))
    out = done.group_by("iso").agg(pl.col("y").median().alias("queue_median_years"),
                                   pl.len().cast(pl.Int64).alias("queue_median_years_n"))
    return out.with_columns(pl.when(pl.col("queue_median_years_n") >= min_projects)
                            .then(pl.col("queue_median_years")).alias("queue_median_years")).sort("iso")


def _site_col(sites: pl.DataFrame, *names: str) -> np.ndarray:
    for n in names:
        if n in sites.columns:
            return sites[n].to_numpy()
    return np.full(sites.height, None, dtype=object)


def queue_features(sites: pl.DataFrame, queue: pl.DataFrame, reeds_areas: pl.DataFrame, counties: pl.DataFrame,
                   *, since: dt.date = COMPLETED_SINCE, radius_km: float = RADIUS_KM) -> pl.DataFrame:
    """Queue features per point (columns: :data:`OUTPUT_COLUMNS`; see the module docstring).

    ``queue``: iso, state, county, capacity_mw, status, queue_date, in_service_date (+ optional
    source_id, vintage for the label); ``reeds_areas``: area_code, state, transmission_region,
    geometry_wkb; ``counties``: state, county, geometry_wkb (US Census county polygons).
    """
    missing = [c for c in ("site_id", "latitude", "longitude") if c not in sites.columns]
    if missing:
        raise ValueError(f"sites frame lacks column(s) {missing}")
    lat, lon = sites["latitude"].to_numpy().astype(float), sites["longitude"].to_numpy().astype(float)
    iso, reeds_state = point_iso(lat, lon, reeds_areas)
    country = _site_col(sites, "country")
    iso = np.where(np.array([c in (None, "USA") for c in country]), iso, None)
    loaded = set(queue["iso"].unique().to_list()) if queue.height else set()
    iso = np.array([i if i in loaded else None for i in iso], dtype=object)  # an ISO whose queue is not loaded
    covered = iso != None  # noqa: E711  (object array)
    given, given_state = _site_col(sites, "county"), _site_col(sites, "state", "us_state")
    if counties.height:
        hit = PolygonIndex(counties["state"] + ":" + counties["county"], counties["geometry_wkb"]).lookup(lat, lon)
    else:
        hit = np.full(len(lat), None, dtype=object)
    poly_state = np.array([h.split(":", 1)[0] if h else None for h in hit], dtype=object)
    poly_county = np.array([h.split(":", 1)[1] if h else None for h in hit], dtype=object)
    use_given = np.array([g is not None for g in given])
    county = np.where(use_given, given, poly_county)
    county_state = np.where(use_given, given_state, poly_state)
    county_src = np.array(["site" if u else (COUNTY_SOURCE if c is not None else None)
                           for u, c in zip(use_given, poly_county)], dtype=object)
    state = np.array([s if s is not None else (p if p is not None else r)
                      for s, p, r in zip(given_state, poly_state, reeds_state)], dtype=object)

    active = (queue.filter((pl.col("status") == "active") & pl.col("capacity_mw").is_not_null())
              .with_columns(county_key(pl.col("county")).alias("county_key")))
    by_county = {(s, k): mw for s, k, mw in
                 active.group_by("state", "county_key").agg(pl.col("capacity_mw").sum()).iter_rows()}
    by_state = dict(active.group_by("state").agg(pl.col("capacity_mw").sum()).iter_rows())
    keys = pl.Series("c", list(county), dtype=pl.Utf8).to_frame().select(county_key(pl.col("c")))["c"].to_list()
    mw_county = np.array([by_county.get((s, k), 0.0) if ok and s is not None and k else np.nan
                          for s, k, ok in zip(county_state, keys, covered)], dtype=float)
    mw_state = np.array([by_state.get(s, 0.0) if ok and s is not None else np.nan
                         for s, ok in zip(state, covered)], dtype=float)
    placed = active.join(county_points(counties), on=["state", "county_key"], how="inner")
    near = SphereIndex(placed["latitude"].to_numpy(), placed["longitude"].to_numpy()).sum_within(
        lat, lon, radius_km, placed["capacity_mw"].to_numpy().astype(float)) if placed.height else np.zeros(len(lat))
    near = np.where(covered, np.asarray(near, dtype=float).reshape(len(lat)), np.nan)

    med = median_years_to_service(queue, since=since) if queue.height else pl.DataFrame(
        schema={"iso": pl.Utf8, "queue_median_years": pl.Float64, "queue_median_years_n": pl.Int64})
    med_y = dict(zip(med["iso"], med["queue_median_years"]))
    med_n = dict(zip(med["iso"], med["queue_median_years_n"]))
    label = {}
    if queue.height and {"source_id", "vintage"} <= set(queue.columns):
        label = {i: f"{s} {v}" for i, s, v in queue.select("iso", "source_id", "vintage").unique("iso").iter_rows()}
    return pl.DataFrame({
        "site_id": sites["site_id"],
        "queue_iso": pl.Series(list(iso), dtype=pl.Utf8),
        "queue_county": pl.Series(list(county), dtype=pl.Utf8),
        "county__source": pl.Series(list(county_src), dtype=pl.Utf8),
        "queue_active_mw_county": pl.Series(mw_county).fill_nan(None),
        "queue_active_mw_state": pl.Series(mw_state).fill_nan(None),
        f"queue_active_mw_within_{radius_km:g}km": pl.Series(near).fill_nan(None),
        "queue_median_years": pl.Series([med_y.get(i) if i else None for i in iso], dtype=pl.Float64),
        "queue_median_years_n": pl.Series([med_n.get(i) if i else None for i in iso], dtype=pl.Int64),
        "queue__source": pl.Series([f"{label.get(i, i)}; ISO: {ISO_SOURCE}; {radius_km:g} km: {COUNTY_PLACEMENT}"
                                    if i else None for i in iso], dtype=pl.Utf8),
    })
