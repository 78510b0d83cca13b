"""Power features of a location (candidate site or screening cell): generation nearby, grid access,
queue congestion, transfer limits — the one implementation both sites and screening use.

Pure, vectorised functions (KD-tree on 3-D unit vectors: exact great-circle distances, see
:mod:`gridscout.geo.nearest`) over frames read from the warehouse by :func:`gridscout.warehouse.readers.reference.read_reference`.
Every output says where it came from, and a figure the data cannot give is null (UNKNOWN), never 0:

Coverage rules (decided by the location's ``country``, ISO alpha-3, from :func:`gridscout.features.location.locate`):

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
* **Interconnection queues** (``queue_iso``, ``queue_active_mw_county``, ``queue_active_mw_state``,
  ``queue_active_mw_within_50km``, ``queue_median_years``, ``queue__source``…): MW of active requests
  in the seven ISOs' queues around the point and the ISO's median years from queue entry to
  commercial operation — :func:`gridscout.features.queues.queue_features` (the one implementation;
  UNKNOWN outside the ISOs).
* **Transfer limit** (``reeds_area``, ``transfer_limit_mw``, ``transfer_import_limit_mw``): the
  site's ReEDS balancing area (point in polygon) and the sum of its NARIS2024 transfer limits to
  (and from) all neighbouring areas, AC and DC. Null outside the 134 ReEDS areas (non-US sites).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from gridscout.features.queues import queue_features
from gridscout.geo.nearest import PointGroups, SphereIndex
from gridscout.geo.polygons import PolygonIndex
from gridscout.reference import Reference
from gridscout.sources.common import CANONICAL_FUELS, FIRM_FUELS, VARIABLE_FUELS

PLANT_SOURCE_PRIORITY = ("gppd_usa", "gppd")
SUBSTATION_SOURCE = "entsoe_gridkit"
US_SUBSTATION_PROXY = "eia860_plant_grid_voltage_proxy"
TRANSFER_SOURCE = "reeds_naris2024"


def _col(sites: pl.DataFrame, name: str) -> np.ndarray:
    if name in sites.columns:
        return sites[name].to_numpy()
    return np.full(sites.height, None, dtype=object)


def select_plants(plants: pl.DataFrame, priority: tuple[str, ...] = PLANT_SOURCE_PRIORITY) -> pl.DataFrame:
    """One source per country: the first of ``priority`` with plants (with capacity) there."""
    p = plants.filter(pl.col("capacity_mw").is_not_null() & pl.col("source_id").is_in(list(priority))
                      & pl.col("country").is_not_null())
    rank = {s: i for i, s in enumerate(priority)}
    p = p.with_columns(pl.col("source_id").replace_strict(rank, return_dtype=pl.Int32).alias("_rank"))
    best = p.group_by("country").agg(pl.col("_rank").min().alias("_best"))
    return p.join(best, on="country").filter(pl.col("_rank") == pl.col("_best")).drop("_rank", "_best")


def capacity_nearby(sites: pl.DataFrame, plants: pl.DataFrame, radii_km: tuple[float, ...] = (50.0, 100.0),
                    fuel_radius_km: float = 50.0, *, by_fuel: bool = True, groups: PointGroups | None = None
                    ) -> pl.DataFrame:
    """Installed capacity [MW] within each radius (great-circle) of each location, total and (at
    ``fuel_radius_km``) firm, variable and — with ``by_fuel`` — per canonical fuel. ``plants`` should
    come from :func:`select_plants`; ``sites`` needs ``latitude``, ``longitude``, ``country``.
    Null where the location's country is not covered (see module docstring), never 0.

    ``groups`` (optional :class:`PointGroups` of these locations, e.g. screening cells grouped by H3
    parent) selects the grouped exact sum (:meth:`SphereIndex.sum_within_grouped`); same result.
    Returns only the new columns, one row per location, in order."""
    r_tag = f"{fuel_radius_km:g}km"
    fuels = list(CANONICAL_FUELS) if by_fuel else []
    n_w = len(fuels) + 3
    if plants.height:
        fuel = plants["fuel"].to_numpy()
        cap = plants["capacity_mw"].to_numpy().astype(float)
        weights = np.column_stack([cap, cap * np.isin(fuel, FIRM_FUELS), cap * np.isin(fuel, VARIABLE_FUELS)]
                                  + [cap * (fuel == f) for f in fuels])
        idx = SphereIndex(plants["latitude"].to_numpy(), plants["longitude"].to_numpy())
    else:
        weights, idx = np.zeros((0, n_w)), SphereIndex(np.zeros(0), np.zeros(0))
    lat, lon = sites["latitude"].to_numpy(), sites["longitude"].to_numpy()
    country_source = dict(plants.select("country", "source_id").unique("country").iter_rows()) if plants.height else {}
    site_src = sites.select(pl.col("country").cast(pl.Utf8).replace_strict(
        country_source, default=None, return_dtype=pl.Utf8))["country"] if "country" in sites.columns \
        else pl.Series([None] * sites.height, dtype=pl.Utf8)
    covered = site_src.is_not_null().to_numpy()

    def sums(radius: float, w: np.ndarray) -> np.ndarray:
        s = idx.sum_within(lat, lon, radius, w) if groups is None else idx.sum_within_grouped(groups, radius, w)
        return np.asarray(s).reshape(len(lat), w.shape[1])

    cols: dict[str, np.ndarray] = {}
    for r in sorted(set(radii_km) | {fuel_radius_km}):
        s = sums(r, weights if r == fuel_radius_km else weights[:, :1])
        if r in radii_km:
            cols[f"capacity_within_{r:g}km_mw"] = s[:, 0]
        if r == fuel_radius_km:
            cols[f"firm_capacity_within_{r_tag}_mw"] = s[:, 1]
            cols[f"variable_capacity_within_{r_tag}_mw"] = s[:, 2]
            for j, f in enumerate(fuels):
                cols[f"capacity_{f}_within_{r_tag}_mw"] = s[:, 3 + j]
    data = {name: pl.Series(name, np.where(covered, v, np.nan)).fill_nan(None) for name, v in cols.items()}
    data["capacity__source"] = site_src.alias("capacity__source")
    return pl.DataFrame(data)


def nearest_substation(sites: pl.DataFrame, buses: pl.DataFrame, eia860: pl.DataFrame, *,
                       min_voltage_kv: float = 100.0, max_substation_km: float = 500.0) -> pl.DataFrame:
    """Distance [km] to and voltage [kV] of the nearest HV substation (ENTSO-E map) or, in the USA,
    of the nearest EIA-860 plant connected at ≥ ``min_voltage_kv`` (a labelled proxy)."""
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
        "nearest_substation_km": pl.Series(km).fill_nan(None),
        "nearest_substation_voltage_kv": pl.Series(kv).fill_nan(None),
        "nearest_substation_source": pl.Series(list(src), dtype=pl.Utf8),
    })


def site_reeds_area(sites: pl.DataFrame, reeds_areas: pl.DataFrame) -> np.ndarray:
    if reeds_areas.is_empty():
        return np.full(sites.height, None, dtype=object)
    return PolygonIndex(reeds_areas["area_code"], reeds_areas["geometry_wkb"]).lookup(
        sites["latitude"].to_numpy(), sites["longitude"].to_numpy())


def transfer_limits_at(sites: pl.DataFrame, reeds_areas: pl.DataFrame, transfer_limits: pl.DataFrame) -> pl.DataFrame:
    """The site's ReEDS area and the sum of its transfer limits out of / into it [MW]."""
    area = site_reeds_area(sites, reeds_areas)
    ba_limits = transfer_limits.filter(pl.col("area_kind") == "ba") if transfer_limits.height else transfer_limits
    out_mw = dict(ba_limits.group_by("from_area").agg(pl.col("capacity_mw").sum()).iter_rows()) if ba_limits.height else {}
    in_mw = dict(ba_limits.group_by("to_area").agg(pl.col("capacity_mw").sum()).iter_rows()) if ba_limits.height else {}
    known = [a is not None and ba_limits.height > 0 for a in area]
    return pl.DataFrame({
        "reeds_area": pl.Series(list(area), dtype=pl.Utf8),
        "transfer_limit_mw": pl.Series([out_mw.get(a, 0.0) if k else None for a, k in zip(area, known)], dtype=pl.Float64),
        "transfer_import_limit_mw": pl.Series([in_mw.get(a, 0.0) if k else None for a, k in zip(area, known)],
                                              dtype=pl.Float64),
        "transfer_limit__source": pl.Series([TRANSFER_SOURCE if k else None for k in known], dtype=pl.Utf8),
    })


def power_features(sites: pl.DataFrame, ref: Reference, *, radii_km: tuple[float, ...] = (50.0, 100.0),
                   min_voltage_kv: float = 100.0) -> pl.DataFrame:
    """All power features (columns: see the module docstring) appended to ``sites``, which must be
    located (``latitude``, ``longitude``, ``country``, ``us_state``; optional ``county``)."""
    parts = [
        capacity_nearby(sites, select_plants(ref.plants), radii_km=radii_km),
        nearest_substation(sites, ref.buses, ref.eia860, min_voltage_kv=min_voltage_kv),
        queue_features(sites, ref.queue, ref.reeds_areas, ref.us_counties),
        transfer_limits_at(sites, ref.reeds_areas, ref.transfer_limits),
    ]
    new = pl.concat(parts, how="horizontal")
    return pl.concat([sites.drop([c for c in new.columns if c in sites.columns]), new], how="horizontal")
