-- Regional and hourly grid carbon intensity out of range. Annual averages: 0–2,000 gCO2eq/kWh
-- (lignite plants are about 1,100–1,300, no grid averages more). Hourly values: 0–3,000, the
-- Electricity Maps parser's bound (2026-11: a single hour of an oil/diesel island grid can pass 2,000).
select source_id, vintage, region_kind || ':' || region_code || ':' || year || ':' || carbon_basis as key,
       'carbon_g_per_kwh ' || carbon_g_per_kwh || ' outside [0, 2000]' as problem
from region_carbon_yearly where carbon_g_per_kwh < 0 or carbon_g_per_kwh > 2000
union all
select source_id, vintage, zone_key || ':' || datetime_utc, 'carbon_g_per_kwh ' || carbon_g_per_kwh || ' outside [0, 3000]'
from zone_carbon_hourly where carbon_g_per_kwh < 0 or carbon_g_per_kwh > 3000
