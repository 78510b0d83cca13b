-- The current vintage (stg_* views, what scoring reads) must have one row per key. Primary keys make
-- this hold today; the check guards the views and any future table without one (a duplicated key
-- would double-count capacity or pick an arbitrary intensity).
select source_id, vintage, 'power_plants:' || plant_id as key, count(*) || ' rows for one plant' as problem
from stg_power_plants group by source_id, vintage, plant_id having count(*) > 1
union all
select source_id, vintage, 'grid_zones:' || zone_key, count(*) || ' rows for one zone'
from stg_grid_zones group by source_id, vintage, zone_key having count(*) > 1
union all
select source_id, vintage, 'zone_carbon_yearly:' || zone_key || ':' || year, count(*) || ' rows for one zone-year'
from stg_zone_carbon_yearly group by source_id, vintage, zone_key, year having count(*) > 1
union all
select source_id, vintage, 'weather_stations:' || wmo, count(*) || ' rows for one station'
from stg_weather_stations group by source_id, vintage, wmo having count(*) > 1
union all
select 'run' as source_id, run_id, 'run_site_results:' || site_id, count(*) || ' rows for one site of a run'
from run_site_results group by run_id, site_id having count(*) > 1
