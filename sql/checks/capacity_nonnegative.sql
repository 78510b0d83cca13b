-- Negative capacities anywhere in the warehouse (2026-11: a capacity in MW is never negative; a
-- negative value is a sign error or a publisher's "-1 = unknown" code that should be null).
select source_id, vintage, 'zone_capacity:' || zone_key || ':' || mode as key,
       'capacity_mw ' || capacity_mw || ' < 0' as problem
from zone_capacity where capacity_mw < 0
union all
select source_id, vintage, 'grid_generators:' || generator_id, 'capacity_mw ' || capacity_mw || ' < 0'
from grid_generators where capacity_mw < 0
union all
select source_id, vintage, 'transfer_limits:' || from_area || '>' || to_area || ':' || line_type,
       'capacity_mw ' || capacity_mw || ' < 0'
from transfer_limits where capacity_mw < 0
union all
select source_id, vintage, 'interconnection_queue:' || project_id, 'capacity_mw ' || capacity_mw || ' < 0'
from interconnection_queue where capacity_mw < 0
