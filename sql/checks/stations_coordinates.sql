-- Weather stations and weather files with coordinates outside the globe.
select source_id, vintage, wmo as key, 'station latitude/longitude out of range' as problem
from weather_stations where latitude not between -90 and 90 or longitude not between -180 and 180
union all
select source_id, vintage, station_key, 'weather file latitude/longitude out of range'
from weather_files where latitude not between -90 and 90 or longitude not between -180 and 180
