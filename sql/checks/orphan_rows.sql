-- Data rows whose (source_id, vintage) has no provenance row: a half-finished load.
select t.source_id, t.vintage, t.tbl as key, 'rows without a source_loads record' as problem
from (
    select distinct source_id, vintage, 'power_plants' as tbl from power_plants
    union all select distinct source_id, vintage, 'grid_zones' from grid_zones
    union all select distinct source_id, vintage, 'zone_carbon_yearly' from zone_carbon_yearly
    union all select distinct source_id, vintage, 'retail_prices' from retail_prices
    union all select distinct source_id, vintage, 'weather_stations' from weather_stations
    union all select distinct source_id, vintage, 'weather_hourly' from weather_hourly
    union all select distinct source_id, vintage, 'boundaries' from boundaries
) t
left join (select distinct source_id, vintage from source_loads) l using (source_id, vintage)
where l.source_id is null
