"""Queries of the off-site water tables (current vintages), run by
:func:`gridscout.warehouse.readers.reference.read_reference` into :class:`gridscout.reference.Reference`.

* ``plant_water_usgs``: USGS 2015 per-plant consumption intensity and range (``usgs_thermoelectric_2015``).
* ``plant_cooling_systems``: EIA-860 2015 cooling systems (``eia860_cooling``).
* ``hydro_plant_water`` / ``hydro_nerc_water``: NETL 2016 allocated hydro water (``netl_plant_water_2016``).
* ``country_water_intensity`` / ``country_hydro_water``: Chini & Peer 2020 per country
  (``chini_peer_electricity_water``).
* ``plant_generation``: yearly net generation per US plant (``gppd_usa``, EIA-923 2013–2019 via WRI).

The pure model lives in :mod:`gridscout.models.water`, the per-location join in
:mod:`gridscout.features.offsite_water`.
"""

from __future__ import annotations

QUERIES = {
    "plant_water_usgs": "select plant_id, plant_name, state, cooling_type, generation_type, water_kind, "
                        "consumption_l_per_kwh, consumption_min_l_per_kwh, consumption_max_l_per_kwh, "
                        "net_generation_mwh from stg_plant_water_usgs",
    "plant_cooling_systems": "select plant_id, cooling_id, cooling_status, cooling_type_1, percent_dry_cooling, "
                             "water_kind from stg_plant_cooling_systems",
    "hydro_plant_water": "select plant_id, plant_name, nerc_region, net_generation_mwh, water_m3, water_m3_per_mwh "
                         "from stg_hydro_plant_water",
    "hydro_nerc_water": "select nerc_region, water_m3_per_mwh from stg_hydro_nerc_water",
    "country_water_intensity": "select country_alpha3, year, consumption_l_per_kwh, consumption_min_l_per_kwh, "
                               "consumption_max_l_per_kwh from stg_country_water_intensity",
    "country_hydro_water": "select country_alpha3, hydro_m3_per_mwh from stg_country_hydro_water",
    "plant_generation": "select plant_id, year, generation_gwh from stg_plant_generation_yearly "
                        "where source_id = 'gppd_usa'",
}
