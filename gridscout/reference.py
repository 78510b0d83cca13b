"""The reference frames every layer passes around: current-vintage warehouse data as Polars frames.

Filled by :func:`gridscout.warehouse.readers.reference.read_reference` (one short read-only
connection); read by the pure layers (features, models, scoring) without touching the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from gridscout import config
from gridscout.errors import WarehouseError

#: Sources without which no honest score can be made (everything else degrades to UNKNOWN).
REQUIRED_SOURCES = ("boundaries", "electricitymaps_zones", "carbon_yearly", "gppd", "weather_stations")


@dataclass
class Reference:
    """Current-vintage reference data, as Polars frames (empty frames where a source is not loaded)."""

    zones: pl.DataFrame
    #: annual carbon intensity, every zone × year × basis of the current vintage; the analysis year is
    #: picked by :func:`gridscout.features.carbon.zone_carbon_for_year`
    zone_carbon_yearly: pl.DataFrame
    zone_capacity: pl.DataFrame
    us_state_prices: pl.DataFrame
    #: power plants of every plant source (``source_id``, ``country``; see features.power.select_plants)
    plants: pl.DataFrame
    stations: pl.DataFrame
    weather_files: pl.DataFrame
    boundaries: pl.DataFrame
    vintages: pl.DataFrame
    #: Eurostat nrg_pc_205 non-household prices by country, band, tax level and semester (EUR/kWh);
    #: see :mod:`gridscout.features.prices`
    nonhousehold_prices: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: monthly country wholesale prices (Ember, EUR/MWh); see :mod:`gridscout.features.wholesale`
    wholesale_monthly: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: towns of at least :data:`PLACE_MIN_POPULATION` people (GeoNames), to name screening zones
    places: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: HV buses of every GridKit extract (entsoe_gridkit, gridkit_north_america; columns:
    #: gridscout.warehouse.readers.grid.BUSES_SQL) and their lines (``LINES_SQL``)
    buses: pl.DataFrame = field(default_factory=pl.DataFrame)
    grid_lines: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: EIA-860 plants: plant_id, state, county, latitude, longitude, grid_voltage_kv
    eia860: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: interconnection queues of the seven ISOs (see gridscout.sources.iso_queues): source_id, vintage, iso,
    #: project_id, state, county, fuel, capacity_mw, status, queue_date, withdrawn_date, in_service_date, ...
    queue: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: US county polygons (Census 2017): fips, state, county, geometry_wkb
    us_counties: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: ReEDS balancing areas: area_code, ba_code, state, transmission_region (ISO or planning region), geometry_wkb
    reeds_areas: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: ReEDS NARIS2024 transfer limits: area_kind, from_area, to_area, line_type, capacity_mw
    transfer_limits: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: SDG 6.4.2 water stress per country and year (FAO via OWID): country_alpha3, year, water_stress_pct;
    #: see :mod:`gridscout.features.water_stress`
    water_stress_country: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: WRI Aqueduct 4.0 units (string_id, bws_score, ...); usable as a basin tier only with geometry_wkb
    water_stress_basins: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: EIA-930 hourly demand per balancing authority: ba_code, datetime_utc (UTC), demand_mw
    #: (:mod:`gridscout.warehouse.readers.eia930`; headroom in :mod:`gridscout.models.headroom`)
    ba_demand: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: off-site water (:mod:`gridscout.features.offsite_water`): USGS 2015 per-plant intensities, EIA-860
    #: 2015 cooling systems, NETL 2016 hydro water per plant and NERC region, Chini & Peer per country,
    #: and yearly generation per US plant (gppd_usa); see :mod:`gridscout.warehouse.readers.plant_water`
    plant_water_usgs: pl.DataFrame = field(default_factory=pl.DataFrame)
    plant_cooling_systems: pl.DataFrame = field(default_factory=pl.DataFrame)
    hydro_plant_water: pl.DataFrame = field(default_factory=pl.DataFrame)
    hydro_nerc_water: pl.DataFrame = field(default_factory=pl.DataFrame)
    country_water_intensity: pl.DataFrame = field(default_factory=pl.DataFrame)
    country_hydro_water: pl.DataFrame = field(default_factory=pl.DataFrame)
    plant_generation: pl.DataFrame = field(default_factory=pl.DataFrame)


def check_reference(ref: Reference) -> None:
    """Refuse a reference missing any of :data:`REQUIRED_SOURCES`, saying which sources to ingest (site
    scoring and screening check it before any work)."""
    loaded = set(ref.vintages["source_id"].to_list()) if ref.vintages.height else set()
    missing = [s for s in REQUIRED_SOURCES if s not in loaded]
    if missing:
        raise WarehouseError(f"the warehouse has not loaded {missing}: run `gridscout ingest {' '.join(missing)}` "
                             f"(with {config.ENV_RAW_DIR} pointing at the raw files) before scoring")
