-- Scoring results recorded in the warehouse must have PUE ≥ 1.0 (a PUE below 1 is impossible).
select 'run' as source_id, run_id as vintage, site_id as key, 'pue_annual ' || pue_annual || ' below 1.0' as problem
from run_site_results where pue_annual < 1.0
