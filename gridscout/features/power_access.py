"""Power-access features per site: generation nearby, grid access, queue congestion, transfer limits.

Pure, vectorised functions (KD-tree on 3-D unit vectors: exact great-circle distances, see
:mod:`gridscout.geo.nearest`) over frames read from the warehouse by :func:`read_power_frames`.
Every output says where it came from, and a figure the data cannot give is null (UNKNOWN), never 0:

Coverage rules (decided by the site's country, ISO alpha-3; see :func:`assign_regions`):

* **Capacity nearby** (``capacity_within_<r>km_mw``, ``capacity_<fuel>_within_50km_mw``,
  ``firm_…``, ``variable_…``): plants with a capacity from ``power_plants``. Each country's plants
  come from one source only, the first of :data:`PLANT_SOURCE_PRIORITY` that has plants there
  (``gppd_usa`` for the US, ``gppd`` elsewhere), so no plant is counted twice. A site is covered
  when its country has plants in the chosen data; then "no plant within r km" is a real 0 MW.
  Plants across a border count when their country is covered (GPPD is worldwide). Firm = coal, gas,
  oil, nuclear, hydro, biomass, geothermal; variable = wind, solar (storage and other are in the
  total only). Label: ``capacity__source``.
* **Nearest substation** (``nearest_substation_km``, ``…_voltage_kv``, ``nearest_substation_source``):
  in countries tagged in the ENTSO-E map (``entsoe_gridkit``), the nearest bus whose symbol is a
  substation with voltage ≥ ``min_voltage_kv`` (buses at one location are one substation at its
  highest voltage); in the USA, a PROXY: the nearest EIA-860 plant whose
  grid connection is ≥ ``min_voltage_kv`` (label ``eia860_plant_grid_voltage_proxy``: a plant's
  interconnection voltage says an HV node exists there, not that a substation can take new load).
  Nothing beyond ``max_substation_km`` (outside the map) and null elsewhere.
* **Queue congestion** (``queue_mw_in_county``, ``queue_mw_within_50km``): MW still waiting in the
  PJM queue (``is_queued``; MW Energy requested). Covered only where the site is in PJM: its ReEDS
  area's BA is PJM or, without ReEDS data, its state lies wholly in PJM (:data:`PJM_STATES`).
  ``queue_mw_in_county`` needs the site's ``county`` (a column of the sites frame); the 50 km figure
  places each project at its county's EIA-860 plant centroid (label says so) and counts PJM
  projects only (neighbouring ISOs' queues are not in the data).
* **Transfer limit** (``reeds_area``, ``transfer_limit_mw``, ``transfer_import_limit_mw``): the
  site's ReEDS balancing area (point in polygon) and the sum of its NARIS2024 transfer limits to
  (and from) all neighbouring areas, AC and DC. Null outside the 134 ReEDS areas (non-US sites).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from gridscout.geo.nearest import SphereIndex
from gridscout.geo.polygons import PolygonIndex
from gridscout.sources.common import CANONICAL_FUELS, FIRM_FUELS, VARIABLE_FUELS

PLANT_SOURCE_PRIORITY = ("gppd_usa", "gppd")
SUBSTATION_SOURCE = "entsoe_gridkit"
US_SUBSTATION_PROXY = "eia860_plant_grid_voltage_proxy"
QUEUE_SOURCE = "pjm_queue"
QUEUE_50KM_SOURCE = "pjm_queue@eia860_county_plant_centroid"
TRANSFER_SOURCE = "reeds_naris2024"
#: States lying wholly inside PJM's footprint (PJM, "Territory Served", 2025); IL, IN, KY, MI, NC
#: and TN are only partly in PJM, so there the ReEDS area decides.
PJM_STATES = ("DE", "DC", "MD", "NJ", "OH", "PA", "VA", "WV")
SITE_COLUMNS = ("site_id", "latitude", "longitude")


@dataclass
class PowerFrames:
    """Current-vintage inputs (empty frames where a source is not loaded)."""

    plants: pl.DataFrame            # source_id, plant_id, country, capacity_mw, latitude, longitude, fuel
    buses: pl.DataFrame             # bus_id, latitude, longitude, voltage_kv, is_substation, country
    eia860: pl.DataFrame            # plant_id, state, county, latitude, longitude, grid_voltage_kv
    queue: pl.DataFrame             # queue_id, state, county, capacity_mw, is_queued
    reeds_areas: pl.DataFrame       # area_code, ba_code, geometry_wkb
    transfer_limits: pl.DataFrame   # area_kind, from_area, to_area, line_type, capacity_mw
    boundaries: pl.DataFrame = field(default_factory=pl.DataFrame)  # layer, code, geometry_wkb


def _check_sites(sites: pl.DataFrame) -> None:
    missing = [c for c in SITE_COLUMNS if c not in sites.columns]
    if missing:
        raise ValueError(f"sites frame lacks column(s) {missing}; it needs {SITE_COLUMNS} (+ optional country, state, county)")


def _col(sites: pl.DataFrame, name: str) -> np.ndarray:
    if name in sites.columns:
        return sites[name].to_numpy()
    return np.full(sites.height, None, dtype=object)


def assign_regions(sites: pl.DataFrame, boundaries: pl.DataFrame) -> pl.DataFrame:
    """Fill ``country`` (ISO alpha-3) and ``state`` (USPS, US only) from boundary polygons where the
    sites frame does not give them. Points in no polygon (or with no boundaries loaded) stay null."""
    _check_sites(sites)
    out = sites
    for col, layer in (("country", "country"), ("state", "us_state")):
        if col not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.Utf8).alias(col))
        if boundaries.is_empty() or "layer" not in boundaries.columns:
            continue
        polys = boundaries.filter(pl.col("layer") == layer)
        if polys.is_empty():
            continue
        found = PolygonIndex(polys["code"], polys["geometry_wkb"]).lookup(
            out["latitude"].to_numpy(), out["longitude"].to_numpy(), nearest_within_deg=0.1)
        fill = pl.Series(col + "_found", found.tolist(), dtype=pl.Utf8)
        if col == "state":  # a state only for US sites
            fill = pl.Series(col + "_found", [s if c == "USA" else None for s, c in zip(found, out["country"])],
                             dtype=pl.Utf8)
        out = out.with_columns(pl.coalesce(pl.col(col), fill).alias(col))
    return out


def select_plants(plants: pl.DataFrame, priority: tuple[str, ...] = PLANT_SOURCE_PRIORITY) -> pl.DataFrame:
    """One source per country: the first of ``priority`` with plants (with capacity) there."""
    p = plants.filter(pl.col("capacity_mw").is_not_null() & pl.col("source_id").is_in(list(priority))
                      & pl.col("country").is_not_null())
    rank = {s: i for i, s in enumerate(priority)}
    p = p.with_columns(pl.col("source_id").replace_strict(rank, return_dtype=pl.Int32).alias("_rank"))
    best = p.group_by("country").agg(pl.col("_rank").min().alias("_best"))
    return p.join(best, on="country").filter(pl.col("_rank") == pl.col("_best")).drop("_rank", "_best")


def capacity_nearby(sites: pl.DataFrame, plants: pl.DataFrame, radii_km: tuple[float, ...] = (50.0, 100.0),
                    fuel_radius_km: float = 50.0) -> pl.DataFrame:
    """Installed capacity [MW] within each radius (great-circle) of each site, total and (at
    ``fuel_radius_km``) by canonical fuel, firm and variable. ``plants`` should come from
    :func:`select_plants`. Null where the site's country is not covered (see module docstring)."""
    _check_sites(sites)
    r_tag = f"{fuel_radius_km:g}km"
    fuels = [f for f in CANONICAL_FUELS]
    fuel = plants["fuel"].to_numpy() if plants.height else np.array([], dtype=object)
    cap = plants["capacity_mw"].to_numpy().astype(float) if plants.height else np.zeros(0)
    weights = np.column_stack([cap] + [cap * (fuel == f) for f in fuels]
                              + [cap * np.isin(fuel, FIRM_FUELS), cap * np.isin(fuel, VARIABLE_FUELS)]) \
        if plants.height else np.zeros((0, len(fuels) + 3))
    idx = SphereIndex(plants["latitude"].to_numpy(), plants["longitude"].to_numpy()) if plants.height \
        else SphereIndex(np.zeros(0), np.zeros(0))
    lat, lon = sites["latitude"].to_numpy(), sites["longitude"].to_numpy()
    country_source = dict(plants.select("country", "source_id").unique("country").iter_rows()) if plants.height else {}
    site_src = np.array([country_source.get(c) for c in _col(sites, "country")], dtype=object)
    covered = site_src != None
    cols: dict[str, np.ndarray] = {}
    for r in radii_km:
        sums = idx.sum_within(lat, lon, r, weights if r == fuel_radius_km else weights[:, :1])
        sums = sums.reshape(len(lat), -1)
        cols[f"capacity_within_{r:g}km_mw"] = sums[:, 0]
        if r == fuel_radius_km:
            for j, f in enumerate(fuels):
                cols[f"capacity_{f}_within_{r_tag}_mw"] = sums[:, 1 + j]
            cols[f"firm_capacity_within_{r_tag}_mw"] = sums[:, 1 + len(fuels)]
            cols[f"variable_capacity_within_{r_tag}_mw"] = sums[:, 2 + len(fuels)]
    if fuel_radius_km not in radii_km:
        sums = idx.sum_within(lat, lon, fuel_radius_km, weights).reshape(len(lat), -1)
        for j, f in enumerate(fuels):
            cols[f"capacity_{f}_within_{r_tag}_mw"] = sums[:, 1 + j]
        cols[f"firm_capacity_within_{r_tag}_mw"] = sums[:, 1 + len(fuels)]
        cols[f"variable_capacity_within_{r_tag}_mw"] = sums[:, 2 + len(fuels)]
    data = {"site_id": sites["site_id"]}
    for name, v in cols.items():
        data[name] = pl.Series(name, np.where(covered, v, np.nan)).fill_nan(None)
    data["capacity__source"] = pl.Series("capacity__source", list(site_src), dtype=pl.Utf8)
    return pl.DataFrame(data)


def nearest_substation(sites: pl.DataFrame, buses: pl.DataFrame, eia860: pl.DataFrame, *,
                       min_voltage_kv: float = 100.0, max_substation_km: float = 500.0) -> pl.DataFrame:
    """Distance [km] to and voltage [kV] of the nearest HV substation (ENTSO-E map) or, in the USA,
    of the nearest EIA-860 plant connected at ≥ ``min_voltage_kv`` (a labelled proxy)."""
    _check_sites(sites)
    n = sites.height
    km = np.full(n, np.nan)
    kv = np.full(n, np.nan)
    src = np.full(n, None, dtype=object)
    country = _col(sites, "country")
    lat, lon = sites["latitude"].to_numpy(), sites["longitude"].to_numpy()
    groups = []
    if buses.height:
        subs = buses.filter(pl.col("is_substation") & (pl.col("voltage_kv") >= min_voltage_kv))
        covered = set(buses["country"].drop_nulls().to_list())
        groups.append((np.isin(country, list(covered)), subs, "voltage_kv", SUBSTATION_SOURCE))
    if eia860.height:
        hv = eia860.filter(pl.col("latitude").is_not_null() & (pl.col("grid_voltage_kv") >= min_voltage_kv))
        groups.append((country == "USA", hv, "grid_voltage_kv", US_SUBSTATION_PROXY))
    for mask, pts, vcol, label in groups:
        if not mask.any() or pts.is_empty():
            continue
        # One point per location, at its highest voltage: a substation is several buses (380 + 220 kV).
        pts = pts.group_by("latitude", "longitude").agg(pl.col(vcol).max()).sort("latitude", "longitude")
        i, d = SphereIndex(pts["latitude"].to_numpy(), pts["longitude"].to_numpy()).nearest(
            lat[mask], lon[mask], max_km=max_substation_km)
        hit = i >= 0
        sel = np.flatnonzero(mask)
        km[sel[hit]] = d[hit]
        kv[sel[hit]] = pts[vcol].to_numpy()[i[hit]]
        src[sel[hit]] = label
    return pl.DataFrame({
        "site_id": sites["site_id"],
        "nearest_substation_km": pl.Series(km).fill_nan(None),
        "nearest_substation_voltage_kv": pl.Series(kv).fill_nan(None),
        "nearest_substation_source": pl.Series(list(src), dtype=pl.Utf8),
    })


def _county_key(expr: pl.Expr) -> pl.Expr:
    return (expr.str.to_lowercase().str.replace_all(r"\bcounty\b|\bcity\b|[^a-z]", "")
            .str.replace(r"^saint", "st"))


def county_centroids(eia860: pl.DataFrame) -> pl.DataFrame:
    """state, county_key, latitude, longitude: mean location of the EIA-860 plants in each county."""
    return (eia860.filter(pl.col("latitude").is_not_null() & pl.col("county").is_not_null())
            .group_by(pl.col("state"), _county_key(pl.col("county")).alias("county_key"))
            .agg(pl.col("latitude").mean(), pl.col("longitude").mean()))


def site_reeds_area(sites: pl.DataFrame, reeds_areas: pl.DataFrame) -> np.ndarray:
    if reeds_areas.is_empty():
        return np.full(sites.height, None, dtype=object)
    return PolygonIndex(reeds_areas["area_code"], reeds_areas["geometry_wkb"]).lookup(
        sites["latitude"].to_numpy(), sites["longitude"].to_numpy())


def queue_congestion(sites: pl.DataFrame, queue: pl.DataFrame, eia860: pl.DataFrame,
                     reeds_areas: pl.DataFrame, *, radius_km: float = 50.0) -> pl.DataFrame:
    """MW waiting in the PJM queue in the site's county and within ``radius_km`` (PJM sites only)."""
    _check_sites(sites)
    n = sites.height
    r_tag = f"{radius_km:g}km"
    empty = pl.DataFrame({"site_id": sites["site_id"],
                          "queue_mw_in_county": pl.Series([None] * n, dtype=pl.Float64),
                          f"queue_mw_within_{r_tag}": pl.Series([None] * n, dtype=pl.Float64),
                          "queue__source": pl.Series([None] * n, dtype=pl.Utf8)})
    if queue.is_empty():
        return empty
    area = site_reeds_area(sites, reeds_areas)
    ba = dict(reeds_areas.select("area_code", "ba_code").iter_rows()) if reeds_areas.height else {}
    state = _col(sites, "state")
    if ba:
        in_pjm = np.array([ba.get(a) == "PJM" for a in area])
    else:
        in_pjm = np.isin(state, PJM_STATES)
    waiting = queue.filter(pl.col("is_queued") & pl.col("capacity_mw").is_not_null()).with_columns(
        _county_key(pl.col("county")).alias("county_key"))
    by_county = {(s, c): mw for s, c, mw in waiting.group_by("state", "county_key")
                 .agg(pl.col("capacity_mw").sum()).iter_rows()}
    county = _col(sites, "county")
    keys = pl.Series(list(county), dtype=pl.Utf8).to_frame("c").select(_county_key(pl.col("c")))["c"].to_list()
    in_county = np.array([by_county.get((s, k), 0.0) if (ok and s is not None and k) else np.nan
                          for s, k, ok in zip(state, keys, in_pjm)], dtype=float)
    located = waiting.join(county_centroids(eia860), on=["state", "county_key"], how="inner")
    idx = SphereIndex(located["latitude"].to_numpy(), located["longitude"].to_numpy())
    near = idx.sum_within(sites["latitude"].to_numpy(), sites["longitude"].to_numpy(), radius_km,
                          located["capacity_mw"].to_numpy())
    near = np.where(in_pjm, near, np.nan)
    return pl.DataFrame({
        "site_id": sites["site_id"],
        "queue_mw_in_county": pl.Series(in_county).fill_nan(None),
        f"queue_mw_within_{r_tag}": pl.Series(near).fill_nan(None),
        "queue__source": pl.Series([f"{QUEUE_SOURCE}; {r_tag}: {QUEUE_50KM_SOURCE}" if ok else None for ok in in_pjm],
                                   dtype=pl.Utf8),
    })


def transfer_limits_at(sites: pl.DataFrame, reeds_areas: pl.DataFrame, transfer_limits: pl.DataFrame) -> pl.DataFrame:
    """The site's ReEDS area and the sum of its transfer limits out of / into it [MW]."""
    _check_sites(sites)
    area = site_reeds_area(sites, reeds_areas)
    ba_limits = transfer_limits.filter(pl.col("area_kind") == "ba") if transfer_limits.height else transfer_limits
    out_mw = dict(ba_limits.group_by("from_area").agg(pl.col("capacity_mw").sum()).iter_rows()) if ba_limits.height else {}
    in_mw = dict(ba_limits.group_by("to_area").agg(pl.col("capacity_mw").sum()).iter_rows()) if ba_limits.height else {}
    known = [a is not None and ba_limits.height > 0 for a in area]
    return pl.DataFrame({
        "site_id": sites["site_id"],
        "reeds_area": pl.Series(list(area), dtype=pl.Utf8),
        "transfer_limit_mw": pl.Series([out_mw.get(a, 0.0) if k else None for a, k in zip(area, known)], dtype=pl.Float64),
        "transfer_import_limit_mw": pl.Series([in_mw.get(a, 0.0) if k else None for a, k in zip(area, known)],
                                              dtype=pl.Float64),
        "transfer_limit__source": pl.Series([TRANSFER_SOURCE if k else None for k in known], dtype=pl.Utf8),
    })


def power_access_features(sites: pl.DataFrame, frames: PowerFrames, *, radii_km: tuple[float, ...] = (50.0, 100.0),
                          min_voltage_kv: float = 100.0) -> pl.DataFrame:
    """All power-access features, one row per site (columns: see the module docstring)."""
    _check_sites(sites)
    located = assign_regions(sites, frames.boundaries)
    out = located.select("site_id", "country", "state")
    parts = [
        capacity_nearby(located, select_plants(frames.plants), radii_km=radii_km),
        nearest_substation(located, frames.buses, frames.eia860, min_voltage_kv=min_voltage_kv),
        queue_congestion(located, frames.queue, frames.eia860, frames.reeds_areas),
        transfer_limits_at(located, frames.reeds_areas, frames.transfer_limits),
    ]
    for p in parts:
        out = pl.concat([out, p.drop("site_id")], how="horizontal")
    return out


#: What each frame is read from, and its schema when the source is not loaded.
QUERIES = {
    "plants": (("select source_id, plant_id, country, capacity_mw, latitude, longitude, fuel from stg_power_plants "
                "where capacity_mw is not null"),
               {"source_id": pl.Utf8, "plant_id": pl.Utf8, "country": pl.Utf8, "capacity_mw": pl.Float64,
                "latitude": pl.Float64, "longitude": pl.Float64, "fuel": pl.Utf8}),
    "buses": ("select bus_id, latitude, longitude, voltage_kv, is_substation, country from stg_grid_buses",
              {"bus_id": pl.Utf8, "latitude": pl.Float64, "longitude": pl.Float64, "voltage_kv": pl.Float64,
               "is_substation": pl.Boolean, "country": pl.Utf8}),
    "eia860": ("select plant_id, state, county, latitude, longitude, grid_voltage_kv from stg_eia860_plants",
               {"plant_id": pl.Utf8, "state": pl.Utf8, "county": pl.Utf8, "latitude": pl.Float64,
                "longitude": pl.Float64, "grid_voltage_kv": pl.Float64}),
    "queue": ("select queue_id, state, county, capacity_mw, is_queued from stg_interconnection_queue",
              {"queue_id": pl.Utf8, "state": pl.Utf8, "county": pl.Utf8, "capacity_mw": pl.Float64,
               "is_queued": pl.Boolean}),
    "reeds_areas": ("select area_code, ba_code, geometry_wkb from stg_reeds_areas",
                    {"area_code": pl.Utf8, "ba_code": pl.Utf8, "geometry_wkb": pl.Binary}),
    "transfer_limits": ("select area_kind, from_area, to_area, line_type, capacity_mw from stg_transfer_limits",
                        {"area_kind": pl.Utf8, "from_area": pl.Utf8, "to_area": pl.Utf8, "line_type": pl.Utf8,
                         "capacity_mw": pl.Float64}),
    "boundaries": ("select layer, code, geometry_wkb from stg_boundaries",
                   {"layer": pl.Utf8, "code": pl.Utf8, "geometry_wkb": pl.Binary}),
}


def read_power_frames(con: duckdb.DuckDBPyConnection) -> PowerFrames:
    """Read the current-vintage inputs (empty frames for sources not loaded or tables not migrated)."""
    frames = {}
    for name, (sql, schema) in QUERIES.items():
        try:
            frames[name] = con.execute(sql).pl()
        except duckdb.CatalogException:
            frames[name] = pl.DataFrame(schema=schema)
    return PowerFrames(**frames)


def power_access_from_warehouse(sites: pl.DataFrame, db: str | Path | None = None, **kwargs) -> pl.DataFrame:
    """Open the warehouse read-only, copy the inputs, close it, then compute the features."""
    from gridscout.warehouse.db import connect

    con = connect(db, read_only=True)
    try:
        frames = read_power_frames(con)
    finally:
        con.close()
    return power_access_features(sites, frames, **kwargs)
