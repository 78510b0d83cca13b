"""Interconnection-queue features per point: MW waiting in the county and state, and time to power.

Pure frames → frames (no warehouse): the inputs come from :mod:`gridscout.warehouse.readers.queues`.

Per point (site or screening cell: ``latitude, longitude`` plus, from
:func:`gridscout.features.location.locate`, ``country`` and ``us_state``, and an optional ``county``):

* ``queue_iso`` — the ISO/RTO whose footprint holds the point: the point's NREL ReEDS balancing
  area (point in polygon, 134 US areas) and that area's transmission region (ReEDS
  ``inputs/hierarchy``/``membership.csv`` column ``transreg``: CAISO, ERCOT, ISONE, MISO, NYISO,
  PJM, SPP; the others — NorthernGrid, WestConnect, SERTP, FRCC — are not ISOs). ReEDS assigns
  each area wholly to one region, so a point near an ISO's edge takes its area's region.
  No ISO (non-ISO US, outside the US, or no ReEDS data): every queue figure is null (UNKNOWN),
  never 0.
* ``queue_county`` — the point's county: the ``county`` column when given (with its ``state``),
  else the US Census county polygon holding the point (``queue_county__source`` says which). (The PJM
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

from gridscout.features.keyed import per_key
from gridscout.geo.nearest import PointGroups, SphereIndex
from gridscout.geo.polygons import PolygonIndex, cached_index

#: ReEDS transmission region (``transreg``) → ISO name as written in ``interconnection_queue.iso``
ISO_OF_TRANSREG = {"CAISO": "CAISO", "ERCOT": "ERCOT", "ISONE": "ISO-NE", "MISO": "MISO", "NYISO": "NYISO",
                   "PJM": "PJM", "SPP": "SPP"}
ISOS = tuple(ISO_OF_TRANSREG.values())
#: completions counted in ``queue_median_years``: in service on or after this date
COMPLETED_SINCE = dt.date(2018, 1, 1)
#: fewest completed projects for a median (fewer: UNKNOWN)
MIN_COMPLETED = 10
RADIUS_KM = 50.0
#: the queue columns these features use (an unloaded queue is an empty frame of this schema)
QUEUE_SCHEMA = {"source_id": pl.Utf8, "vintage": pl.Utf8, "iso": pl.Utf8, "state": pl.Utf8, "county": pl.Utf8,
                "capacity_mw": pl.Float64, "status": pl.Utf8, "queue_date": pl.Date, "in_service_date": pl.Date}
COUNTY_SOURCE = "census_county_polygon"
COUNTY_PLACEMENT = "county_point_on_surface"
ISO_SOURCE = "reeds_transreg"
OUTPUT_COLUMNS = ("queue_iso", "queue_county", "queue_county__source", "queue_active_mw_county",
                  "queue_active_mw_state", "queue_active_mw_within_50km", "queue_median_years",
                  "queue_median_years_n", "queue_source_id", "queue_vintage", "queue__source")


def county_key(expr: pl.Expr) -> pl.Expr:
    """A county name compared across sources: accents dropped (NFKD), lower case, letters only, without
    "county"/"parish"/"city", "saint" as "st" ("St. Louis County" = "Saint Louis" = "stlouis", "Doña
    Ana" = "Dona Ana"). Virginia's independent cities share the key of a same-named county
    ("Fairfax" city and county): their queue MW are counted together."""
    return (expr.str.normalize("NFKD").str.to_lowercase().str.replace_all(r"\bcounty\b|\bparish\b|\bcity\b|[^a-z]", "")
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


def point_iso(lat: np.ndarray, lon: np.ndarray, reeds_areas: pl.DataFrame, *, groups=None) -> tuple[pl.Series, pl.Series]:
    """(ISO name, ReEDS state) of each point from its ReEDS area (null where none). ``groups``: as in
    :meth:`PolygonIndex.lookup_index` (same answer)."""
    n = len(lat)
    if reeds_areas.is_empty():
        return pl.Series([None] * n, dtype=pl.Utf8), pl.Series([None] * n, dtype=pl.Utf8)
    idx = cached_index(reeds_areas, "reeds_areas", lambda: PolygonIndex(reeds_areas["area_code"],
                                                                       reeds_areas["geometry_wkb"]))
    region = dict(zip(reeds_areas["area_code"], reeds_areas["transmission_region"]))
    state = dict(zip(reeds_areas["area_code"], reeds_areas["state"]))
    # per indexed area, then gathered per point (no per-point Python object); -1 (no area) gathers null
    iso_of = pl.Series([ISO_OF_TRANSREG.get(region.get(a)) for a in idx.keys], dtype=pl.Utf8)
    state_of = pl.Series([state.get(a) for a in idx.keys], dtype=pl.Utf8)
    hit = _gather_index(idx.lookup_index(lat, lon, groups=groups))
    return iso_of.gather(hit), state_of.gather(hit)


def _gather_index(index: np.ndarray) -> pl.Series:
    """A polygon index per point as a gather index (−1: null)."""
    i = pl.Series(index, dtype=pl.Int64)
    return i.set(i < 0, None)


def point_county(lat: np.ndarray, lon: np.ndarray, counties: pl.DataFrame, *, groups=None) -> pl.DataFrame:
    """poly_state, poly_county, poly_key (:func:`county_key`) of the US Census county polygon holding
    each point (null where none); keys computed once per polygon and gathered per point."""
    n = len(lat)
    if counties.is_empty():
        return pl.DataFrame({c: pl.Series([None] * n, dtype=pl.Utf8) for c in ("poly_state", "poly_county", "poly_key")})
    idx = cached_index(counties, "us_counties", lambda: PolygonIndex(
        counties["state"] + ":" + counties["county"], counties["geometry_wkb"]))
    per_polygon = (pl.DataFrame({"k": pl.Series(list(idx.keys), dtype=pl.Utf8)})
                   .select(pl.col("k").str.split_exact(":", 1).struct.rename_fields(["poly_state", "poly_county"]))
                   .unnest("k").with_columns(county_key(pl.col("poly_county")).alias("poly_key")))
    return per_polygon.select(pl.all().gather(_gather_index(idx.lookup_index(lat, lon, groups=groups))))


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


def active_requests(queue: pl.DataFrame) -> pl.DataFrame:
    """Active requests with a capacity, with their :func:`county_key` (an empty queue: none)."""
    if queue.is_empty():
        queue = pl.DataFrame(schema=QUEUE_SCHEMA)
    return (queue.filter((pl.col("status") == "active") & pl.col("capacity_mw").is_not_null())
            .with_columns(county_key(pl.col("county")).alias("county_key")))


def queue_lookups(lat: np.ndarray, lon: np.ndarray, queue: pl.DataFrame, reeds_areas: pl.DataFrame,
                  counties: pl.DataFrame, *, radius_km: float = RADIUS_KM, groups: PointGroups | None = None,
                  lookup_groups=None) -> pl.DataFrame:
    """What the queue features take from the points' coordinates alone, one row per point: ``iso`` and
    ``reeds_state`` (:func:`point_iso`), the county polygon (:func:`point_county`) and ``near_mw``, the
    active MW placed within ``radius_km`` (before :func:`queue_features` keeps it only inside a loaded
    ISO). Screening computes it beside the location lookups, which the rest needs; ``groups`` and
    ``lookup_groups`` as in :func:`queue_features`."""
    n = len(lat)
    # polygon lookups by group: ``lookup_groups`` (labels, or a tuple of them coarse to fine, as
    # :meth:`PolygonIndex.lookup_index` takes) when given, else one label per group of ``groups``
    labels = lookup_groups if lookup_groups is not None else None if groups is None else groups.inv
    iso, reeds_state = point_iso(lat, lon, reeds_areas, groups=labels)
    active = active_requests(queue)
    placed = active.join(county_points(counties), on=["state", "county_key"], how="inner")
    if placed.height:
        placed_idx = SphereIndex(placed["latitude"].to_numpy(), placed["longitude"].to_numpy())
        mw = placed["capacity_mw"].to_numpy().astype(float)
        near = placed_idx.sum_within(lat, lon, radius_km, mw) if groups is None else \
            placed_idx.sum_within_grouped(groups, radius_km, mw)
    else:
        near = np.zeros(n)
    return pl.concat([pl.DataFrame({"iso": iso, "reeds_state": reeds_state}),
                      point_county(lat, lon, counties, groups=labels),
                      pl.DataFrame({"near_mw": np.asarray(near, dtype=float).reshape(n)})], how="horizontal")


def queue_features(sites: pl.DataFrame, queue: pl.DataFrame, reeds_areas: pl.DataFrame, counties: pl.DataFrame,
                   *, since: dt.date = COMPLETED_SINCE, radius_km: float = RADIUS_KM,
                   groups: PointGroups | None = None, lookup_groups=None,
                   lookups: pl.DataFrame | None = None) -> pl.DataFrame:
    """Queue features per point (columns: :data:`OUTPUT_COLUMNS`, one row per point, in order; see the
    module docstring). Sites and screening cells call it alike; ``groups`` (screening cells: their
    :class:`PointGroups` by H3 parent) gives the same values faster: the ReEDS-area and county polygon
    lookups settle whole groups at once (:meth:`PolygonIndex.lookup_index`) and the MW within
    ``radius_km`` is :meth:`SphereIndex.sum_within_grouped` (the same sum, up to the order of its terms);
    ``lookup_groups`` (labels per point, or a tuple of them from coarse to fine, e.g. the H3 parents of
    :func:`gridscout.features.assemble.lookup_parents`) groups the polygon lookups instead, when given.
    ``lookups``: the points' :func:`queue_lookups` when already computed (same ``radius_km``).

    ``queue``: iso, state, county, capacity_mw, status, queue_date, in_service_date (+ optional
    source_id, vintage for the label); ``reeds_areas``: area_code, state, transmission_region,
    geometry_wkb; ``counties``: state, county, geometry_wkb (US Census county polygons).
    """
    missing = [c for c in ("latitude", "longitude") if c not in sites.columns]
    if missing:
        raise ValueError(f"sites frame lacks column(s) {missing}")
    if queue.is_empty():
        queue = pl.DataFrame(schema=QUEUE_SCHEMA)
    lat, lon = sites["latitude"].to_numpy().astype(float), sites["longitude"].to_numpy().astype(float)
    n = len(lat)
    if lookups is None:
        lookups = queue_lookups(lat, lon, queue, reeds_areas, counties, radius_km=radius_km, groups=groups,
                                lookup_groups=lookup_groups)
    elif lookups.height != n:
        raise ValueError(f"queue lookups have {lookups.height} rows for {n} points")
    none = pl.Series([None] * n, dtype=pl.Utf8)
    loaded = queue["iso"].unique().to_list() if queue.height else []
    keys = pl.concat([lookups.drop("near_mw"), pl.DataFrame({
        "country": sites["country"].cast(pl.Utf8) if "country" in sites.columns else none,
        "given_state": next((sites[c].cast(pl.Utf8) for c in ("us_state", "state") if c in sites.columns), none),
        "given_county": sites["county"].cast(pl.Utf8) if "county" in sites.columns else none,
    })], how="horizontal")
    active = active_requests(queue)
    # sums rounded to 1 kW: a parallel float sum's last bits depend on the summation order
    by_county = active.group_by("state", "county_key").agg(pl.col("capacity_mw").sum().round(3).alias("mw_county"))
    by_state = active.group_by("state").agg(pl.col("capacity_mw").sum().round(3).alias("mw_state"))
    med = median_years_to_service(queue, since=since)
    src = queue.select("iso", "source_id", "vintage").unique("iso")

    def of_keys(p: pl.DataFrame) -> pl.DataFrame:
        """Every column but the MW within the radius, from the point's ISO, county, state and country:
        computed once per distinct combination (:func:`~.keyed.per_key`: a few thousand among millions
        of screening cells), not per point."""
        p = p.with_columns(
            # an ISO only for US points (or points of unknown country) whose ISO's queue is loaded
            pl.when((pl.col("country").is_null() | (pl.col("country") == "USA")) & pl.col("iso").is_in(loaded))
              .then(pl.col("iso")).alias("iso"),
            pl.coalesce("given_county", "poly_county").alias("county"),
            pl.when(pl.col("given_county").is_not_null()).then(pl.col("given_state"))
              .otherwise(pl.col("poly_state")).alias("county_state"),
            pl.when(pl.col("given_county").is_not_null()).then(pl.lit("site"))
              .when(pl.col("poly_county").is_not_null()).then(pl.lit(COUNTY_SOURCE)).alias("county_src"),
            pl.coalesce("given_state", "poly_state", "reeds_state").alias("state"),
            # the polygon's key is computed once per polygon (point_county); a given county's once per key
            county_key(pl.col("given_county")).fill_null(pl.col("poly_key")).alias("county_key"),
        )
        p = (p.join(by_county.rename({"state": "county_state"}), on=["county_state", "county_key"], how="left",
                    maintain_order="left")
             .join(by_state, on="state", how="left", maintain_order="left")
             .with_columns(  # in an ISO, no active request in the county/state is a real 0 MW
                 pl.when(pl.col("iso").is_not_null() & pl.col("county_key").is_not_null()
                         & (pl.col("county_key") != "") & pl.col("county_state").is_not_null())
                   .then(pl.col("mw_county").fill_null(0.0)).alias("mw_county"),
                 pl.when(pl.col("iso").is_not_null() & pl.col("state").is_not_null())
                   .then(pl.col("mw_state").fill_null(0.0)).alias("mw_state")))
        p = (p.join(med, on="iso", how="left", maintain_order="left")
             .join(src, on="iso", how="left", maintain_order="left"))
        return p.select(
            *keys.columns,
            pl.col("iso").alias("queue_iso"),
            pl.col("county").alias("queue_county"),
            pl.col("county_src").alias("queue_county__source"),
            pl.col("mw_county").alias("queue_active_mw_county"),
            pl.col("mw_state").alias("queue_active_mw_state"),
            pl.col("queue_median_years"),
            pl.col("queue_median_years_n"),
            pl.col("source_id").alias("queue_source_id"),
            pl.col("vintage").alias("queue_vintage"),
            pl.when(pl.col("iso").is_not_null())
              .then(pl.format("{}; ISO: {}; county: {}; {} km: {}", pl.col("source_id"), pl.lit(ISO_SOURCE),
                              pl.col("county_src"), pl.lit(f"{radius_km:g}"), pl.lit(COUNTY_PLACEMENT)))
              .alias("queue__source"),
        )

    out = per_key(keys, keys.columns, of_keys)
    near_col = f"queue_active_mw_within_{radius_km:g}km"
    near = np.where(out["queue_iso"].is_not_null().to_numpy(), lookups["near_mw"].to_numpy(), np.nan)
    # the columns in the order of OUTPUT_COLUMNS, the MW within the radius named for the radius given
    order = [near_col if c == f"queue_active_mw_within_{RADIUS_KM:g}km" else c for c in OUTPUT_COLUMNS]
    return out.with_columns(pl.Series(near_col, near).fill_nan(None)).select(order)
