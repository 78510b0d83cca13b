-- Like orphan_rows.sql for the grid, carbon, climate and places tables: data rows whose
-- (source_id, vintage) has no provenance row in source_loads mean a half-finished load.
select t.source_id, t.vintage, t.tbl as key, 'rows without a source_loads record' as problem
from (
    select distinct source_id, vintage, 'zone_capacity' as tbl from zone_capacity
    union all select distinct source_id, vintage, 'weather_files' from weather_files
    union all select distinct source_id, vintage, 'eia860_plants' from eia860_plants
    union all select distinct source_id, vintage, 'plant_generation_yearly' from plant_generation_yearly
    union all select distinct source_id, vintage, 'grid_buses' from grid_buses
    union all select distinct source_id, vintage, 'grid_lines' from grid_lines
    union all select distinct source_id, vintage, 'grid_generators' from grid_generators
    union all select distinct source_id, vintage, 'reeds_areas' from reeds_areas
    union all select distinct source_id, vintage, 'transfer_limits' from transfer_limits
    union all select distinct source_id, vintage, 'interconnection_queue' from interconnection_queue
    union all select distinct source_id, vintage, 'wholesale_prices' from wholesale_prices
    union all select distinct source_id, vintage, 'region_carbon_yearly' from region_carbon_yearly
    union all select distinct source_id, vintage, 'region_generation_mix' from region_generation_mix
    union all select distinct source_id, vintage, 'koppen_zones' from koppen_zones
    union all select distinct source_id, vintage, 'places' from places
    union all select distinct source_id, vintage, 'countries' from countries
    union all select distinct source_id, vintage, 'water_stress' from water_stress
) t
left join (select distinct source_id, vintage from source_loads) l using (source_id, vintage)
where l.source_id is null
