"""What each scores column means on the page: label, unit, number format, source.

Units follow the column names (``_mw``, ``_mwh_per_year``, ``_l_per_kwh``...). Formatting never
invents a value: ``None``/NaN becomes :data:`UNKNOWN` and the template styles it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

UNKNOWN = "UNKNOWN"

CRITERIA = ("power", "cooling", "water", "carbon", "price")


@dataclass(frozen=True)
class Field:
    """A physical estimate shown on a site card."""

    column: str
    label: str
    unit: str = ""
    digits: int = 0
    group: str = "Other"
    source: str | None = None  # the source_id it comes from, when fixed
    #: shown for information only where a source covers the site (e.g. wholesale price in Europe);
    #: elsewhere the row is left out, not listed as UNKNOWN (it is never scored)
    where_covered: bool = False


#: Physical estimates on each site card, in display order (units as in the column names).
FIELDS: tuple[Field, ...] = (
    Field("status", "Project status (user-supplied)", "", 0, "Site facts", where_covered=True),
    Field("it_load_mw", "IT load", "MW", 1, "Load & energy"),
    Field("energy_mwh_per_year", "Facility energy", "MWh/yr", 0, "Load & energy"),
    Field("cooling_design", "Cooling design", "", 0, "Cooling"),
    Field("pue_annual", "PUE, annual", "", 3, "Cooling", "weather_hourly"),
    Field("pue_reported", "PUE, annual, reported by the operator (user-supplied)", "", 3, "Cooling", where_covered=True),
    Field("pue_reported_minus_model", "PUE reported − modelled", "", 3, "Cooling", where_covered=True),
    Field("pue_scored_basis", "PUE that scores", "", 0, "Cooling", where_covered=True),
    Field("pue_peak", "PUE, peak hour", "", 3, "Cooling", "weather_hourly"),
    Field("pue_method", "PUE method (hourly: a real weather year; climate model: the station's climate statistics)", "", 0,
          "Cooling"),
    Field("weather_source", "Weather that stands for the site", "", 0, "Cooling"),
    Field("free_cooling_hours", "Free-cooling hours", "h/yr", 0, "Cooling", "weather_hourly"),
    Field("cooling_design_db_c", "Cooling design dry-bulb (ASHRAE 1 %)", "°C", 1, "Cooling", "weather_stations"),
    Field("ashrae_climate_zone", "ASHRAE climate zone", "", 0, "Cooling", "weather_stations"),
    Field("weather_station_key", "Hourly weather file", "", 0, "Cooling", "weather_hourly"),
    Field("weather_distance_km", "Distance to weather file", "km", 1, "Cooling", "weather_hourly"),
    Field("site_elevation_m", "Site elevation (candidate's own, else nearest station-index entry)", "m", 0,
          "Cooling"),
    Field("weather_elevation_m", "Weather file station elevation (used within 300 m of the site's)", "m", 0,
          "Cooling"),
    Field("weather_file_skipped", "Nearer weather file not used", "", 0, "Cooling"),
    Field("station_distance_km", "Distance to design-condition station", "km", 1, "Cooling", "weather_stations"),
    Field("water_source", "Water source (user-supplied)", "", 0, "Water", where_covered=True),
    Field("wue_onsite_l_per_kwh", "On-site water (WUE)", "L/kWh", 3, "Water"),
    Field("wue_reported", "WUE reported by the operator (user-supplied)", "L/kWh", 3, "Water", where_covered=True),
    Field("wue_reported_minus_model", "WUE reported − modelled", "L/kWh", 3, "Water", where_covered=True),
    Field("wue_scored_basis", "WUE that scores", "", 0, "Water", where_covered=True),
    Field("water_offsite_l_per_kwh", "Off-site water: fresh water consumed by the plants supplying the grid "
          "(non-hydro)", "L/kWh", 3, "Water"),
    Field("water_offsite_min_l_per_kwh", "Off-site water, low end (US: USGS plant minima; elsewhere Chini & Peer min)", "L/kWh", 3, "Water"),
    Field("water_offsite_max_l_per_kwh", "Off-site water, high end (US: USGS plant maxima; elsewhere Chini & Peer max)", "L/kWh", 3, "Water"),
    Field("water_offsite_source", "Off-site water basis", "", 0, "Water"),
    Field("water_offsite_plants", "Plants that dominate the off-site water (fuel, cooling, L/kWh, share of non-hydro "
          "plant water)", "", 0,
          "Water", where_covered=True),
    Field("water_offsite_hydro_plants", "Reservoirs that dominate the hydro water (allocated L/kWh, share)", "", 0,
          "Water", where_covered=True),
    Field("water_offsite_nonfresh_l_per_kwh", "Off-site saline/brackish/reclaimed water (not in the total)", "L/kWh",
          3, "Water", where_covered=True),
    Field("water_offsite_hydro_l_per_kwh", "Hydro reservoir water, allocated share (NETL 2016; not in the total)",
          "L/kWh", 3, "Water", where_covered=True),
    Field("water_offsite_hydro_gross_l_per_kwh", "Hydro reservoir evaporation, gross (Mekonnen et al. 2015; not in "
          "the total)", "L/kWh", 3, "Water", where_covered=True),
    Field("water_onsite_m3_per_year", "On-site water consumed", "m³/yr", 0, "Water"),
    Field("water_offsite_m3_per_year", "Off-site fresh water consumed (non-hydro)", "m³/yr", 0, "Water"),
    Field("water_m3_per_year", "Water consumed: on-site + off-site fresh (hydro reservoirs reported apart)", "m³/yr",
          0, "Water"),
    Field("water_offsite_hydro_m3_per_year", "Hydro reservoir water, allocated (not in the total)", "m³/yr", 0,
          "Water", where_covered=True),
    Field("water_offsite_hydro_gross_m3_per_year", "Hydro reservoir evaporation, gross (not in the total)", "m³/yr", 0,
          "Water", where_covered=True),
    Field("water_stress_score", "Water stress (0–5; basin tier, else country tier)", "", 2, "Water"),
    Field("water_stress_source", "Water stress level", "", 0, "Water"),
    Field("water_stress_pct", "Country level of water stress (SDG 6.4.2, FAO; not a basin figure)", "%", 1, "Water",
          "water_stress_sdg642"),
    Field("water_stress_confidence", "Water stress confidence at this site", "", 0, "Water"),
    Field("water_stress_weighted_m3_per_yr", "Stress-weighted water (on-site × site stress + off-site × grid stress)",
          "m³/yr", 0, "Water"),
    Field("carbon_g_per_kwh", "Grid carbon intensity", "gCO2eq/kWh", 0, "Carbon"),
    Field("carbon_year", "Carbon data year", "", 0, "Carbon"),
    Field("carbon_basis", "Carbon basis", "", 0, "Carbon"),
    Field("carbon_basis_label", "Carbon accounting", "", 0, "Carbon", where_covered=True),
    Field("carbon_year_fell_back", "Carbon year fell back (zone lacks the analysis year)", "", 0, "Carbon",
          where_covered=True),
    Field("emissions_tco2_per_year", "Emissions", "tCO2eq/yr", 0, "Carbon"),
    Field("cfe_share_24x7", "24/7 carbon-free share", "%", 1, "Carbon"),
    Field("price_usd_per_mwh", "Electricity price", "$/MWh", 2, "Price"),
    Field("price_year", "Price data year", "", 0, "Price"),
    Field("price_basis", "Price basis", "", 0, "Price", where_covered=True),
    Field("energy_cost_usd_per_year", "Energy cost", "$/yr", 0, "Price"),
    Field("wholesale_price_usd_per_mwh", "Wholesale day-ahead price (not scored; excludes network charges and taxes)",
          "$/MWh", 2, "Price", "ember_prices", where_covered=True),
    Field("wholesale_price_year", "Wholesale price year", "", 0, "Price", "ember_prices", where_covered=True),
    # transmission access (source per row: substation__source, entsoe_gridkit or gridkit_north_america)
    Field("substation_distance_km", "Nearest substation, 110/115 kV class or higher", "km", 1, "Power"),
    Field("substation_voltage_kv", "…its voltage", "kV", 0, "Power"),
    Field("substation_name", "…its name", "", 0, "Power"),
    Field("substation_230kv_distance_km", "Nearest substation, 220/230 kV class or higher", "km", 1, "Power"),
    Field("substation_230kv_voltage_kv", "…its voltage", "kV", 0, "Power"),
    Field("substation_345kv_distance_km", "Nearest substation, 330/345 kV class or higher", "km", 1, "Power"),
    Field("substation_345kv_voltage_kv", "…its voltage", "kV", 0, "Power"),
    Field("hv_line_km_within_10km", "HV lines (110 kV+) within 10 km", "km", 1, "Power"),
    # generation nearby (source per row: capacity__source, gppd_usa in the US, gppd elsewhere)
    Field("capacity_weighted_mw", "Generation, distance-weighted (exponential, L 45 km)", "MW", 0, "Power"),
    Field("firm_capacity_weighted_mw", "Firm generation, distance-weighted", "MW", 0, "Power"),
    Field("capacity__confidence", "Plant data confidence (high: national inventory; low: global compilation)", "", 0,
          "Power"),
    Field("capacity_within_50km_mw", "Generation within 50 km (not scored)", "MW", 0, "Power"),
    Field("firm_capacity_within_50km_mw", "Firm generation within 50 km (not scored)", "MW", 0, "Power"),
    Field("variable_capacity_within_50km_mw", "Variable generation within 50 km (not scored)", "MW", 0, "Power"),
    Field("queue_iso", "ISO / RTO (interconnection queue)", "", 0, "Power"),
    Field("queue_median_years", "Time to power: median years, queue entry → in service (ISO, since 2018)",
          "yr", 1, "Power"),
    Field("queue_active_mw_county", "Active interconnection requests in the county", "MW", 0, "Power"),
    Field("queue_active_mw_state", "Active interconnection requests in the state", "MW", 0, "Power"),
    Field("ba_code", "Balancing authority (EIA-930 code)", "", 0, "Power", "electricitymaps_zones"),
    Field("ba_headroom_mw_0p25pct", "Balancing-authority headroom at 0.25 % curtailment (Norris et al. 2025)", "MW", 0,
          "Power", "eia930"),
    Field("ba_headroom_mw_0p5pct", "Balancing-authority headroom at 0.5 % curtailment (Norris et al. 2025)", "MW", 0,
          "Power", "eia930"),
    Field("ba_headroom_mw_1pct", "Balancing-authority headroom at 1 % curtailment (Norris et al. 2025)", "MW", 0,
          "Power", "eia930"),
    Field("ba_curtailment_hours", "Hours per year this facility's flat load would be curtailed in its BA", "h/yr", 0,
          "Power", "eia930"),
    Field("ba_curtailment_load_mw", "Flat facility load for those hours (IT × utilisation × PUE)", "MW", 1, "Power"),
    Field("grid_mw_secured", "Signed grid connection (user-supplied)", "MW", 1, "Power", where_covered=True),
    Field("grid_energized_year", "Grid connection energized (user-supplied)", "", 0, "Power", where_covered=True),
    Field("facility_load_mw", "Facility peak load (nameplate IT × peak PUE)", "MW", 1, "Power", where_covered=True),
    Field("power_gate_note", "Power gates and the signed connection", "", 0, "Power", where_covered=True),
)
#: candidate-file columns whose values are user-supplied (issue 22); their ``__evidence`` says so
USER_FACT_COLUMNS = ("it_load_mw", "cooling_design", "water_source", "pue_reported", "wue_reported",
                     "grid_mw_secured", "grid_energized_year", "status")

#: Columns whose value names the source id it came from (per row). (``wholesale_price_source`` is a
#: description, not an id: the wholesale price always comes from ``ember_prices``.)
ROW_SOURCE_COLUMNS = {"carbon_g_per_kwh": "carbon_source", "price_usd_per_mwh": "price_source",
                      "capacity_weighted_mw": "capacity__source", "substation_distance_km": "substation__source",
                      "queue_median_years": "queue_source_id", "queue_active_mw_county": "queue_source_id"}
#: Columns located by a fixed source (shown in the card's sources list when not null).
LOCATION_SOURCES = {"country": "boundaries", "us_state": "boundaries", "grid_zone": "electricitymaps_zones"}


def is_missing(value: Any) -> bool:
    """None and NaN are UNKNOWN (a real 0 is not)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: Any, digits: int = 0) -> str:
    """Thousands-separated number with ``digits`` decimals; UNKNOWN for None/NaN."""
    if is_missing(value):
        return UNKNOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isinf(value):
            return "∞" if value > 0 else "−∞"
        return f"{value:,.{digits}f}"
    return str(value)


def fmt_field(f: Field, value: Any) -> str:
    """A card value with its unit (``1,234 MWh/yr``) or UNKNOWN."""
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return UNKNOWN
    if f.column == "cfe_share_24x7" and isinstance(value, (int, float)):
        # a share is a fraction 0-1 (column name); shown as a percentage
        return f"{value * 100:.{f.digits}f} %"
    if f.column.endswith("_year") and not f.column.endswith("_per_year"):  # a calendar year: no separator
        return str(int(value)) if isinstance(value, (int, float)) else str(value)
    text = fmt_number(value, f.digits) if isinstance(value, (int, float)) else str(value)
    return f"{text} {f.unit}".rstrip()


def sort_key(value: Any) -> str:
    """A ``data-sort`` attribute: numbers as repr, missing as empty (sorted last by the page's JS)."""
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(float(value))
    return str(value).lower()
