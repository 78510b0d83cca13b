-- Staging: the current vintage of each source (the greatest vintage loaded), one view per table.
create view current_vintages as
select source_id, max(vintage) as vintage, max(loaded_at) as loaded_at
from source_loads group by source_id;

create view stg_power_plants as
select t.* from power_plants t join current_vintages c using (source_id, vintage);
create view stg_grid_zones as
select t.* from grid_zones t join current_vintages c using (source_id, vintage);
create view stg_zone_capacity as
select t.* from zone_capacity t join current_vintages c using (source_id, vintage);
create view stg_zone_carbon_yearly as
select t.* from zone_carbon_yearly t join current_vintages c using (source_id, vintage);
create view stg_retail_prices as
select t.* from retail_prices t join current_vintages c using (source_id, vintage);
create view stg_weather_stations as
select t.* from weather_stations t join current_vintages c using (source_id, vintage);
create view stg_weather_files as
select t.* from weather_files t join current_vintages c using (source_id, vintage);
create view stg_boundaries as
select t.* from boundaries t join current_vintages c using (source_id, vintage);

-- Marts: what scoring reads.
-- Latest year of annual carbon intensity per zone.
create view mart_zone_carbon_latest as
select * from (
    select *, row_number() over (partition by zone_key order by year desc, source_id) as rn
    from stg_zone_carbon_yearly where carbon_g_per_kwh is not null
) where rn = 1;

-- Latest industrial retail price per US state.
create view mart_us_state_industrial_price as
select * from (
    select *, row_number() over (partition by region_code order by year desc) as rn
    from stg_retail_prices
    where region_kind = 'us_state' and sector = 'industrial' and price_usd_per_mwh is not null
) where rn = 1;
