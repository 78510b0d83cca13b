-- Every hourly weather station-year must have exactly 8,760 distinct hours.
select source_id, vintage, station_key as key, count(distinct hour_of_year) || ' hours, expected 8760' as problem
from weather_hourly group by source_id, vintage, station_key
having count(distinct hour_of_year) <> 8760
