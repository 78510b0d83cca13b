-- SDG 6.4.2 country water stress (source water_stress_sdg642): a negative share, or rows whose
-- (source_id, vintage) has no provenance row in source_loads (a half-finished load).
-- Values above 100 % are real (withdrawals beyond renewable supply) and are not flagged.
select source_id, vintage, country_alpha3 || ' ' || year as key,
       'water_stress_pct ' || water_stress_pct || ' < 0' as problem
from water_stress_country where water_stress_pct < 0
union all
select t.source_id, t.vintage, 'water_stress_country' as key, 'rows without a source_loads record' as problem
from (select distinct source_id, vintage from water_stress_country) t
left join (select distinct source_id, vintage from source_loads) l using (source_id, vintage)
where l.source_id is null
