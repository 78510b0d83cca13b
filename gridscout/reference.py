"""The reference frames every layer passes around: current-vintage warehouse data as Polars frames.

Filled by :func:`gridscout.warehouse.readers.reference.read_reference` (one short read-only
connection); read by the pure layers (features, models, scoring) without touching the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


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
