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
  total only). Label: ``capacity__source``. ``capacity__confidence``: ``high`` where the country's plant
  list comes from a national government inventory (:data:`PLANT_COVERAGE_PATH`: the countries GPPD built
  from a national database, and the US from EIA-860), ``low`` elsewhere (WRI's global compilation, known
  to miss plants: Lagos sits 20 km from the 1.3 GW Egbin plant that GPPD lacks); a low figure there is
  flagged by the power gates, not failed (:mod:`gridscout.scoring.gates`). The disc sums are explanatory; scoring uses:
* **Distance-weighted capacity** (``capacity_weighted_mw``, ``firm_…``, ``variable_capacity_weighted_mw``):
  the same plants, each weighted by a smooth exponential decay of its great-circle distance d,
  k(d) = (e^(−d/L) − e^(−3)) / (1 − e^(−3)) for d ≤ 3L, 0 beyond: 1 at the site, falling smoothly
  and reaching 0 with no step at 3L. The length L = 45.4 km is not a fitted constant: it is the one
  that gives the kernel the area of the 50 km disc (∫ 2πd k(d) dd = π·50², :func:`decay_length_km`),
  so a uniform spread of plants yields the same MW as the 50 km count and the profile thresholds keep
  their meaning, while a plant 51.6 km away (New Albany, OH) counts 29 % instead of 0 and one 49 km
  away 31 % instead of 100 % (10 km: 79 %; 100 km: 6 %). Same coverage rule (null where the country
  is not covered).
* **Transmission access** (``substation_distance_km``, ``substation_voltage_kv``, ``substation_name``,
  ``substation__source``, ``substation_230kv_…``, ``substation_345kv_…``, ``hv_line_km_within_10km``):
  nearest substation of the 115 / 230 / 345 kV classes and HV line length within 10 km from the
  GridKit maps (ENTSO-E for Europe, OpenStreetMap for North America): see
  :mod:`gridscout.features.substations` (UNKNOWN farther than 300 km from any mapped bus).
* **Interconnection queues** (``queue_iso``, ``queue_active_mw_county``, ``queue_active_mw_state``,
  ``queue_active_mw_within_50km``, ``queue_median_years``, ``queue__source``…): MW of active requests
  in the seven ISOs' queues around the point and the ISO's median years from queue entry to
  commercial operation — :func:`gridscout.features.queues.queue_features` (the one implementation;
  UNKNOWN outside the ISOs).
* **Transfer limit** (``reeds_area``, ``transfer_limit_mw``, ``transfer_import_limit_mw``): the
  site's ReEDS balancing area (point in polygon) and the sum of its NARIS2024 transfer limits to
  (and from) all neighbouring areas, AC and DC. Null outside the 134 ReEDS areas (non-US sites).
* **Load-side headroom** (``ba_code``, ``ba_name``, ``ba_headroom_mw_0p25pct`` / ``_0p5pct`` /
  ``_1pct``, ``ba_headroom__source``): the EIA-930 balancing authority (BA) of the location's
  Electricity Maps zone. US zones are BAs, mapped in ``data/reference/electricitymaps_zone_to_eia930_ba.csv``
  (one cited row per zone, read from Electricity Maps' own EIA parser). The BA's curtailment-enabled
  headroom is the largest constant new load it can add if that load accepts curtailment of 0.25 /
  0.5 / 1 % of its annual energy, with the BA's seasonal historical peaks as the planning limit
  (Norris et al. 2025, :mod:`gridscout.models.headroom`), from EIA-930 2020–2024 (``eia930``).
  ``ba_curtailment_hours`` is the mean hours per year that the location's own flat facility load
  (``ba_curtailment_load_mw``, :func:`facility_load_mw`) would be curtailed there; the jobs add it
  after the cooling estimate, which it needs. Null (UNKNOWN) outside the US lower 48 and for BAs
  without a demand series (generation-only BAs, SEC).
"""

from __future__ import annotations

import functools
import math
import threading
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import polars as pl

from gridscout import config
from gridscout.features.queues import queue_features
from gridscout.features.substations import GridIndex, output_schema, substation_features
from gridscout.geo.nearest import PointGroups, SphereIndex
from gridscout.geo.polygons import PolygonIndex, cached_index
from gridscout.models import headroom as headroom_model
from gridscout.reference import Reference
from gridscout.sources.common import CANONICAL_FUELS, FIRM_FUELS, VARIABLE_FUELS

PLANT_SOURCE_PRIORITY = ("gppd_usa", "gppd")
#: countries whose plant list is a national inventory (one cited row each)
PLANT_COVERAGE_PATH = config.DATA_DIR / "reference" / "plant_inventory_coverage.csv"
#: the disc the distance weighting replaces [km] and its cut-off in decay lengths (k(3L) = 0)
DECAY_DISC_KM = 50.0
DECAY_CUTOFF_LENGTHS = 3.0
TRANSFER_SOURCE = "reeds_naris2024"
HEADROOM_SOURCE = "eia930 (EIA-930 2020-2024, Ruggles et al. v1.4) + Norris et al. 2025 curtailment-enabled headroom"
#: Electricity Maps zone → EIA-930 BA code, one cited row per zone
ZONE_BA_PATH = config.DATA_DIR / "reference" / "electricitymaps_zone_to_eia930_ba.csv"
HEADROOM_COLUMNS = tuple(f"ba_headroom_mw_{headroom_model.budget_label(b)}" for b in headroom_model.BUDGETS)


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


def decay_length_km(disc_km: float = DECAY_DISC_KM, cutoff: float = DECAY_CUTOFF_LENGTHS) -> float:
    """The decay length L whose kernel k (module docstring) has the area of a ``disc_km`` disc:
    ∫₀^{cL} 2πd k(d) dd = πL² (2 − (2 + 2c + c²) e^(−c)) / (1 − e^(−c)) = π disc_km²."""
    e = np.exp(-cutoff)
    return disc_km / float(np.sqrt((2.0 - (2.0 + 2.0 * cutoff + cutoff * cutoff) * e) / (1.0 - e)))


def decay_weight(km, params) -> np.ndarray:
    """k(d) at each distance d of ``km`` [km] for ``params`` = (L [km], c): (e^(−d/L) − e^(−c)) / (1 − e^(−c))
    for d ≤ cL, else 0 (continuous at cL). The kernel the capacity sums tabulate
    (:meth:`SphereIndex.kernel_sum_grouped`); NumPy over an array."""
    length, cutoff = float(params[0]), float(params[1])
    d = np.asarray(km, dtype=np.float64)
    e = math.exp(-cutoff)
    return np.where(d > cutoff * length, 0.0, (np.exp(-d / length) - e) / (1.0 - e))


def decay_kernel(km: np.ndarray, length_km: float, cutoff: float = DECAY_CUTOFF_LENGTHS) -> np.ndarray:
    """:func:`decay_weight` over an array of distances [km] for decay length ``length_km`` and cutoff ``cutoff`` lengths."""
    return decay_weight(km, (length_km, cutoff))


def capacity_nearby(sites: pl.DataFrame, plants: pl.DataFrame, radii_km: tuple[float, ...] = (50.0, 100.0),
                    fuel_radius_km: float = 50.0, *, by_fuel: bool = True, weighted: bool = True,
                    groups: PointGroups | None = None, sums: dict[str, np.ndarray] | None = None) -> pl.DataFrame:
    """Installed capacity [MW] within each radius (great-circle) of each location, total and (at
    ``fuel_radius_km``) firm, variable and — with ``by_fuel`` — per canonical fuel. ``plants`` should
    come from :func:`select_plants`; ``sites`` needs ``latitude``, ``longitude``, ``country``.
    Null where the location's country is not covered (see module docstring), never 0.

    With ``weighted`` (default), also the distance-weighted ``capacity_weighted_mw``, ``firm_…`` and
    ``variable_capacity_weighted_mw`` (module docstring; the kernel sum of
    :meth:`SphereIndex.kernel_sum_grouped`, within 1e-10 of the kernel evaluated at each distance).

    ``groups`` (optional :class:`PointGroups` of these locations, e.g. screening cells grouped by their
    H3 parent three levels up) groups the exact sums (:meth:`SphereIndex.kernel_sum_grouped`); same result.
    ``sums``: :func:`capacity_sums` of these locations with the same arguments, when already computed
    (they need only the coordinates, so a screening computes them beside the location lookups).
    Returns only the new columns, one row per location, in order."""
    if sums is None:
        sums = capacity_sums(sites["latitude"].to_numpy(), sites["longitude"].to_numpy(), plants, radii_km,
                             fuel_radius_km, by_fuel=by_fuel, weighted=weighted, groups=groups)
    country_source = dict(plants.select("country", "source_id").unique("country").iter_rows()) if plants.height else {}
    site_src = sites.select(pl.col("country").cast(pl.Utf8).replace_strict(
        country_source, default=None, return_dtype=pl.Utf8))["country"] if "country" in sites.columns \
        else pl.Series([None] * sites.height, dtype=pl.Utf8)
    covered = site_src.is_not_null().to_numpy()
    data = {name: pl.Series(name, np.where(covered, v, np.nan)).fill_nan(None) for name, v in sums.items()}
    data["capacity__source"] = site_src.alias("capacity__source")
    data["capacity__confidence"] = plant_confidence(sites, site_src)
    return pl.DataFrame(data)


def capacity_sums(lat: np.ndarray, lon: np.ndarray, plants: pl.DataFrame, radii_km: tuple[float, ...] = (50.0, 100.0),
                  fuel_radius_km: float = 50.0, *, by_fuel: bool = True, weighted: bool = True,
                  groups: PointGroups | None = None) -> dict[str, np.ndarray]:
    """The sums of :func:`capacity_nearby` [MW] by column name, for every location (degrees), before its
    country's coverage is applied: they depend only on the coordinates."""
    r_tag = f"{fuel_radius_km:g}km"
    fuels = list(CANONICAL_FUELS) if by_fuel else []
    n_w = len(fuels) + 3
    if plants.height:
        fuel = plants["fuel"].to_numpy()
        cap = plants["capacity_mw"].to_numpy().astype(float)
        weights = np.column_stack([cap, cap * np.isin(fuel, FIRM_FUELS), cap * np.isin(fuel, VARIABLE_FUELS)]
                                  + [cap * (fuel == f) for f in fuels])
        idx = cached_index(plants, "plant_points", lambda: SphereIndex(plants["latitude"].to_numpy(),
                                                                       plants["longitude"].to_numpy()))
    else:
        weights, idx = np.zeros((0, n_w)), SphereIndex(np.zeros(0), np.zeros(0))
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    # one grouped kernel sum for every figure: cells in their H3 groups, one group per site otherwise —
    # the same code either way
    pg = groups if groups is not None else PointGroups.singletons(lat, lon)

    def sums(radius: float, w: np.ndarray) -> np.ndarray:
        return np.asarray(idx.sum_within_grouped(pg, radius, w)).reshape(len(lat), w.shape[1])

    cols: dict[str, np.ndarray] = {}
    if weighted:  # distance-weighted total, firm, variable (what scoring uses)
        length = decay_length_km()
        w3 = np.asarray(idx.kernel_sum_grouped(pg, DECAY_CUTOFF_LENGTHS * length, weights[:, :3], decay_weight,
                                               (length, DECAY_CUTOFF_LENGTHS))).reshape(len(lat), 3)
        for j, name in enumerate(("capacity_weighted_mw", "firm_capacity_weighted_mw", "variable_capacity_weighted_mw")):
            cols[name] = w3[:, j]
    for r in sorted(set(radii_km) | {fuel_radius_km}):
        s = sums(r, weights if r == fuel_radius_km else weights[:, :1])
        if r in radii_km:
            cols[f"capacity_within_{r:g}km_mw"] = s[:, 0]
        if r == fuel_radius_km:
            cols[f"firm_capacity_within_{r_tag}_mw"] = s[:, 1]
            cols[f"variable_capacity_within_{r_tag}_mw"] = s[:, 2]
            for j, f in enumerate(fuels):
                cols[f"capacity_{f}_within_{r_tag}_mw"] = s[:, 3 + j]
    return cols


def national_inventories(path=None) -> pl.DataFrame:
    """``country`` (ISO alpha-3), ``plant_source_id``, ``basis``: where the plant list is a national inventory
    (read once per path and modification time: a screening asks once per batch of cells)."""
    p = Path(path or PLANT_COVERAGE_PATH)
    return _read_inventories(str(p), p.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _read_inventories(path: str, mtime_ns: int) -> pl.DataFrame:
    return pl.read_csv(path, comment_prefix="#")


def plant_confidence(sites: pl.DataFrame, site_src: pl.Series, inventories: pl.DataFrame | None = None) -> pl.Series:
    """``capacity__confidence`` per location: ``high`` where its country's plants come from a national
    inventory (:func:`national_inventories`: GPPD's US rows are EIA-860 too), ``low`` where from a global compilation,
    null where not covered."""
    inv = national_inventories() if inventories is None else inventories
    country = sites["country"].cast(pl.Utf8) if "country" in sites.columns \
        else pl.Series([None] * sites.height, dtype=pl.Utf8)
    frame = pl.DataFrame({"c": country, "s": site_src.cast(pl.Utf8)})
    return frame.select(pl.when(pl.col("s").is_null()).then(None)
                        .when(pl.col("c").is_in(inv["country"].to_list())).then(pl.lit("high"))
                        .otherwise(pl.lit("low")).alias("capacity__confidence"))["capacity__confidence"]


def grid_access(sites: pl.DataFrame, ref: Reference, *, groups: PointGroups | None = None,
                grid: GridIndex | None = None, line_groups: PointGroups | None = None) -> pl.DataFrame:
    """Transmission access of each location (``latitude``, ``longitude``): the columns of
    :func:`gridscout.features.substations.substation_features` from the GridKit buses and lines in
    ``ref`` (all null where no grid source is loaded). ``groups`` as in :func:`capacity_nearby`;
    ``grid`` a prebuilt index of ``ref``'s grid (else built once per reference, ≈0.3 s, and reused by
    later calls on it: a streamed screening calls this once per H3 parent); ``line_groups`` as in
    :func:`gridscout.features.substations.substation_features`."""
    if grid is None:
        if ref.buses.is_empty() or ref.grid_lines.is_empty():
            return pl.DataFrame({c: pl.Series(c, [None] * sites.height, dtype=t) for c, t in output_schema().items()})
        # keyed on the buses frame: a reference's buses and lines are read together
        grid = cached_index(ref.buses, "grid", lambda: GridIndex.build(ref.buses, ref.grid_lines))
    return substation_features(sites, grid=grid, groups=groups, line_groups=line_groups)


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


def zone_balancing_authorities(path=None) -> pl.DataFrame:
    """Electricity Maps zone → EIA-930 BA: ``zone_key``, ``ba_code``, ``ba_name`` (one cited row per zone)."""
    return pl.read_csv(path or ZONE_BA_PATH, comment_prefix="#").select("zone_key", "ba_code", "ba_name")


#: the one cached (ba_demand table, Future of its models): computed once, however many threads ask
_BA_MODELS: list[tuple[pl.DataFrame, Future]] = []
_BA_MODELS_LOCK = threading.Lock()


def ba_models(ba_demand: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """(:func:`~gridscout.models.headroom.headroom` per BA, :func:`~gridscout.models.headroom.gap_curves`
    per BA) of the whole EIA-930 table, computed once per table object and reused: each BA's figures
    depend only on its own hours, and a streamed or partitioned screening asks once per H3 parent
    (0.5–0.6 s, 0.9 CPU-s for the 53 US BAs of 2020–2024). A call while another thread computes them
    waits for that result (:func:`prefetch_ba_models`) instead of computing them again."""
    with _BA_MODELS_LOCK:
        if _BA_MODELS and _BA_MODELS[0][0] is ba_demand:
            pending, mine = _BA_MODELS[0][1], False
        else:
            pending, mine = Future(), True
            _BA_MODELS[:] = [(ba_demand, pending)]
    if mine:
        try:
            thresholds = headroom_model.seasonal_thresholds(ba_demand) if ba_demand.height else None  # once for both
            curves = headroom_model.gap_curves(ba_demand, thresholds=thresholds) if ba_demand.height else {}
            per_ba = headroom_model.headroom(ba_demand, curves=curves, thresholds=thresholds) if curves \
                else pl.DataFrame()
            pending.set_result((per_ba, curves))
        except BaseException as e:  # every waiter gets the error; the next call computes afresh
            with _BA_MODELS_LOCK:
                if _BA_MODELS and _BA_MODELS[0][1] is pending:
                    _BA_MODELS.clear()
            pending.set_exception(e)
    return pending.result()


def prefetch_ba_models(ba_demand: pl.DataFrame) -> None:
    """Start :func:`ba_models` of ``ba_demand`` on a background thread and return at once: it is Polars
    work (no GIL), so it runs beside a screening's polyfill (GIL-bound H3 calls) instead of on the
    first batch's critical path (CONUS r7: cover + models 0.71–0.96 s one after the other, 0.55–0.75 s
    side by side). Nothing is started when they are cached or being computed. An error is raised by
    the later call that needs the models, not here."""
    with _BA_MODELS_LOCK:
        if _BA_MODELS and _BA_MODELS[0][0] is ba_demand:
            return

    def run() -> None:
        try:
            ba_models(ba_demand)
        except BaseException:  # noqa: BLE001 — kept in the Future for the caller that needs the models
            pass

    threading.Thread(target=run, name="gridscout-ba-models", daemon=True).start()


def ba_headroom(sites: pl.DataFrame, ba_demand: pl.DataFrame, zone_ba: pl.DataFrame | None = None) -> pl.DataFrame:
    """The location's BA (from its ``grid_zone``) and the BA's curtailment-enabled headroom [MW] at
    each budget of :data:`gridscout.models.headroom.BUDGETS` (see the module docstring). Computed only
    for the BAs the locations fall in. Returns only the new columns, one row per location, in order."""
    zone_ba = zone_balancing_authorities() if zone_ba is None else zone_ba
    zones = sites["grid_zone"].cast(pl.Utf8) if "grid_zone" in sites.columns \
        else pl.Series([None] * sites.height, dtype=pl.Utf8)
    base = zones.to_frame("grid_zone").join(zone_ba.rename({"zone_key": "grid_zone"}), on="grid_zone", how="left",
                                            maintain_order="left")
    codes = base["ba_code"].drop_nulls().unique().to_list()
    model_cols = [c.removeprefix("ba_") for c in HEADROOM_COLUMNS]
    per_ba = ba_models(ba_demand)[0] if codes else pl.DataFrame()
    per_ba = per_ba.filter(pl.col("ba_code").is_in(codes)) if not per_ba.is_empty() else per_ba
    if per_ba.is_empty():
        per_ba = pl.DataFrame(schema={"ba_code": pl.Utf8} | {c: pl.Float64 for c in model_cols})
    out = base.join(per_ba.select("ba_code", *model_cols), on="ba_code", how="left", maintain_order="left")
    return out.select("ba_code", "ba_name", *[pl.col(c).alias("ba_" + c) for c in model_cols],
                      pl.when(pl.col(model_cols[1]).is_not_null()).then(pl.lit(HEADROOM_SOURCE))
                      .alias("ba_headroom__source"))


def facility_load_mw(points: pl.DataFrame, facility) -> pl.Series:
    """Flat facility draw [MW]: IT nameplate (the point's ``it_load_mw``, else the profile's) ×
    utilisation × annual PUE. This is the flat load the 24/7 CFE estimate uses
    (``energy_mwh_per_year`` / 8,760, :mod:`gridscout.models.site`). Null where the PUE is UNKNOWN."""
    nameplate = pl.coalesce(pl.col("it_load_mw").cast(pl.Float64), pl.lit(float(facility.it_load_mw))) \
        if "it_load_mw" in points.columns else pl.lit(float(facility.it_load_mw))
    pue = pl.col("pue_annual") if "pue_annual" in points.columns else pl.lit(None, dtype=pl.Float64)
    # with_columns broadcasts literals to the frame's height (a select of literals would give one row)
    return points.with_columns((nameplate * facility.utilisation * pue).alias("_load"))["_load"].alias(
        "ba_curtailment_load_mw")


def ba_curtailment(points: pl.DataFrame, ba_demand: pl.DataFrame, load_mw: pl.Series) -> pl.DataFrame:
    """``ba_curtailment_load_mw`` and ``ba_curtailment_hours``: mean hours per year that a constant load of
    ``load_mw`` at each location (one per row; see :func:`facility_load_mw`) would be curtailed in its BA
    (``ba_code`` from :func:`ba_headroom`), by Norris et al.'s planning limit. Null where the BA has no
    demand series or the load is UNKNOWN. Returns only the new columns, one row per location, in order."""
    loads = pl.DataFrame({"ba_code": points["ba_code"] if "ba_code" in points.columns
                          else pl.Series([None] * points.height, dtype=pl.Utf8),
                          "load_mw": load_mw.cast(pl.Float64)})
    codes = loads["ba_code"].drop_nulls().unique().to_list()
    curves = ba_models(ba_demand)[1] if codes else {}
    if not any(c in curves for c in codes):
        hours = pl.Series("ba_curtailment_hours", [None] * points.height, dtype=pl.Float64)
    else:
        hours = headroom_model.curtailment_for_loads(ba_demand, loads, curves=curves)[
            "curtailment_hours_per_year"].alias("ba_curtailment_hours")
    return pl.DataFrame([load_mw.cast(pl.Float64).alias("ba_curtailment_load_mw"), hours])


def with_ba_curtailment(points: pl.DataFrame, ref: Reference, facility) -> pl.DataFrame:
    """``points`` (located, with ``ba_code`` and, for the facility draw, ``pue_annual``) plus
    :func:`ba_curtailment` for their flat facility load. The jobs call it after the cooling estimate."""
    new = ba_curtailment(points, ref.ba_demand, facility_load_mw(points, facility))
    return pl.concat([points.drop([c for c in new.columns if c in points.columns]), new], how="horizontal")


def power_features(sites: pl.DataFrame, ref: Reference, *, radii_km: tuple[float, ...] = (50.0, 100.0)
                   ) -> pl.DataFrame:
    """All power features (columns: see the module docstring) appended to ``sites``, which must be
    located (``latitude``, ``longitude``, ``country``, ``us_state``; optional ``county``)."""
    parts = [
        capacity_nearby(sites, select_plants(ref.plants), radii_km=radii_km),
        grid_access(sites, ref),
        queue_features(sites, ref.queue, ref.reeds_areas, ref.us_counties),
        transfer_limits_at(sites, ref.reeds_areas, ref.transfer_limits),
        ba_headroom(sites, ref.ba_demand),
    ]
    new = pl.concat(parts, how="horizontal")
    return pl.concat([sites.drop([c for c in new.columns if c in sites.columns]), new], how="horizontal")
