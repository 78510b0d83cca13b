-- Grid carbon intensity outside 0–2,000 gCO2eq/kWh (lignite plants are about 1,100–1,300).
select source_id, vintage, zone_key || ':' || year as key, 'carbon_g_per_kwh ' || carbon_g_per_kwh || ' outside [0, 2000]' as problem
from zone_carbon_yearly
where carbon_g_per_kwh < 0 or carbon_g_per_kwh > 2000
