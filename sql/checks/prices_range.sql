-- Retail prices must be positive and below 2,000 USD/MWh (200 ¢/kWh).
select source_id, vintage, region_code || ':' || year || ':' || sector as key,
       'price_usd_per_mwh ' || price_usd_per_mwh || ' outside (0, 2000]' as problem
from retail_prices
where price_usd_per_mwh <= 0 or price_usd_per_mwh > 2000
