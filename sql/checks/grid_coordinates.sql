-- Located rows of the grid, places and climate tables with coordinates outside the globe
-- (2026-11: all sources publish WGS84 degrees; anything else is a parser or unit error).
select source_id, vintage, 'grid_buses:' || bus_id as key, 'latitude/longitude out of range' as problem
from grid_buses where latitude not between -90 and 90 or longitude not between -180 and 180
union all
select source_id, vintage, 'grid_generators:' || generator_id, 'latitude/longitude out of range'
from grid_generators where latitude not between -90 and 90 or longitude not between -180 and 180
union all
select source_id, vintage, 'eia860_plants:' || plant_id, 'latitude/longitude out of range'
from eia860_plants where latitude not between -90 and 90 or longitude not between -180 and 180
union all
select source_id, vintage, 'places:' || geonameid, 'latitude/longitude out of range'
from places where latitude not between -90 and 90 or longitude not between -180 and 180
union all
select source_id, vintage, 'koppen_reference_cities:' || place, 'latitude/longitude out of range'
from koppen_reference_cities where latitude not between -90 and 90 or longitude not between -180 and 180
