-- Negative capacities, or a single plant above 25 GW (the largest, Three Gorges, is 22.5 GW).
select source_id, vintage, plant_id as key, 'capacity_mw ' || capacity_mw || ' outside [0, 25000]' as problem
from power_plants
where capacity_mw < 0 or capacity_mw > 25000
