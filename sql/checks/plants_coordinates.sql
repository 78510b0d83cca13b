-- Power plants with coordinates outside the globe (2026-11: WGS84 degrees expected).
select source_id, vintage, plant_id as key, 'latitude/longitude out of range' as problem
from power_plants
where latitude not between -90 and 90 or longitude not between -180 and 180
