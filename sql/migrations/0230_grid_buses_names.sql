-- One grid model for every GridKit extract (entsoe_gridkit; gridkit_north_america, OpenStreetMap):
-- grid_buses gains the station name and operator (OSM tags; null in the ENTSO-E extract) and where
-- its voltage_kv comes from: 'published' (the bus's own; the highest where several are listed) or
-- 'lines' (the highest voltage of the lines ending at it, for buses published without one); null
-- when neither gives a voltage. symbol holds the OSM vertex typ for the North American extract, and
-- is_substation is true for its substation, sub_station, station and merge (merged stations) vertices.
alter table grid_buses add column name varchar;
alter table grid_buses add column operator varchar;
alter table grid_buses add column voltage_origin varchar;
