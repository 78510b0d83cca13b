-- Unit and source of every mart column (issue 17). `gridscout dictionary` turns these comments into
-- docs/data_dictionary.md; tests/test_publish.py fails when a mart column has none (a view replaced by a
-- later migration loses its comments: comment it again there).

comment on view mart_zone_carbon_latest is 'Latest year of annual grid carbon intensity per Electricity Maps zone (one row per zone; source carbon_yearly: Electricity Maps yearly zone data via Green Web Foundation co2.js, ODbL 1.0).';
comment on column mart_zone_carbon_latest.source_id is 'Source id of the row (carbon_yearly). [text]';
comment on column mart_zone_carbon_latest.vintage is 'Vintage of the source load the row comes from, e.g. 2021-2025 (the current vintage). [text]';
comment on column mart_zone_carbon_latest.zone_key is 'Electricity Maps zone key, e.g. DE, US-CAL-CISO. [text] Source: carbon_yearly.';
comment on column mart_zone_carbon_latest.year is 'Calendar year of the intensity (the latest year with a value for the zone). [year] Source: carbon_yearly.';
comment on column mart_zone_carbon_latest.carbon_g_per_kwh is 'Annual average carbon intensity of electricity consumed in the zone, lifecycle basis. [gCO2eq/kWh] Source: carbon_yearly (Electricity Maps).';
comment on column mart_zone_carbon_latest.carbon_basis is 'Emission basis of carbon_g_per_kwh: lifecycle (includes upstream emissions) or direct. [text] Source: carbon_yearly.';
comment on column mart_zone_carbon_latest.renewable_pct is 'Share of renewable generation in the zone''s consumption mix that year. [%] Source: carbon_yearly (Electricity Maps).';
comment on column mart_zone_carbon_latest.carbon_free_pct is 'Share of carbon-free (renewable + nuclear) generation in the zone''s consumption mix that year. [%] Source: carbon_yearly (Electricity Maps).';
comment on column mart_zone_carbon_latest.rn is 'Row number within the zone ordered by year descending (always 1 here; kept from the view''s window). [count]';

comment on view mart_us_state_industrial_price is 'Latest annual average industrial retail electricity price per US state (one row per state; sources eia_prices: EIA avgprice_annual, or eia_api: EIA API v2 retail-sales; US public domain).';
comment on column mart_us_state_industrial_price.source_id is 'Source id of the row (eia_prices or eia_api). [text]';
comment on column mart_us_state_industrial_price.vintage is 'Vintage of the source load the row comes from (the current vintage). [text]';
comment on column mart_us_state_industrial_price.region_kind is 'Kind of region_code: always us_state here. [text]';
comment on column mart_us_state_industrial_price.region_code is 'USPS two-letter state code (DC included), e.g. VA. [text] Source: EIA.';
comment on column mart_us_state_industrial_price.year is 'Calendar year of the price (the latest year with a price for the state). [year] Source: EIA.';
comment on column mart_us_state_industrial_price.sector is 'EIA end-use sector: always industrial here. [text]';
comment on column mart_us_state_industrial_price.price_usd_per_mwh is 'Average retail price to industrial customers, revenue / sales, total electric industry (EIA cents/kWh x 10). [USD/MWh, nominal] Source: EIA.';
comment on column mart_us_state_industrial_price.rn is 'Row number within the state ordered by year descending (always 1 here; kept from the view''s window). [count]';

comment on view mart_ba_demand_hourly is 'Hourly electricity demand per EIA-930 balancing authority; ISO BAs are the sum of their sub-regions, hours where not every sub-region reported are left out (source eia930: Ruggles, Farnham & Wongel 2025, EIA Cleaned Hourly Electricity Demand Data v1.4, CC BY 4.0).';
comment on column mart_ba_demand_hourly.ba_code is 'EIA-930 balancing-authority code, e.g. PJM, SOCO. [text] Source: eia930.';
comment on column mart_ba_demand_hourly.datetime_utc is 'End of the hour the demand is the mean of. [timestamp, UTC] Source: eia930.';
comment on column mart_ba_demand_hourly.demand_mw is 'Cleaned demand (raw, or MICE-imputed where the raw value was flagged), summed over the BA''s series that hour. [MW] Source: eia930 (Ruggles et al. 2025).';
comment on column mart_ba_demand_hourly.n_series is 'Number of published series (the BA itself, or its sub-regions) summed into demand_mw. [count] Source: eia930.';

comment on view mart_latest_run_site_results is 'Per-site results of the latest completed scoring run (gridscout score/run: written by gridscout itself from the published sources; the run folder''s scores.parquet is the full record).';
comment on column mart_latest_run_site_results.run_id is 'Id of the scoring run (its folder name under reports/). [text] Source: gridscout run.';
comment on column mart_latest_run_site_results.finished_at is 'When the run finished. [timestamp with time zone] Source: gridscout run.';
comment on column mart_latest_run_site_results.profile is 'Scoring profile name, e.g. balanced (data/profiles/<name>.toml). [text] Source: gridscout run.';
comment on column mart_latest_run_site_results.candidates is 'Path of the candidate-site file scored. [text] Source: gridscout run.';
comment on column mart_latest_run_site_results.site_id is 'Candidate site id as given in the candidate file. [text] Source: candidate file.';
comment on column mart_latest_run_site_results.site_name is 'Candidate site name as given in the candidate file. [text] Source: candidate file.';
comment on column mart_latest_run_site_results.score is 'Composite suitability score under the profile; null when the site is excluded by a gate. [0-100, dimensionless] Source: gridscout scoring (scoring/engine.py).';
comment on column mart_latest_run_site_results.rank is 'Rank among non-excluded sites, 1 = best (ties share the lower rank); null when excluded. [rank] Source: gridscout scoring.';
comment on column mart_latest_run_site_results.excluded is 'True when a profile gate excluded the site. [boolean] Source: gridscout scoring (scoring/gates.py).';
comment on column mart_latest_run_site_results.pue_annual is 'Modelled annual power usage effectiveness of the design at the site (total facility energy / IT energy). [dimensionless, >= 1] Source: gridscout hourly cooling model (models/).';
comment on column mart_latest_run_site_results.carbon_g_per_kwh is 'Grid carbon intensity used for the site (its zone and analysis year). [gCO2eq/kWh] Source: carbon_yearly (Electricity Maps) via features/.';
comment on column mart_latest_run_site_results.price_usd_per_mwh is 'Electricity price used for the site (state industrial retail price in the US, Eurostat non-household price x ECB annual USD/EUR in Europe). [USD/MWh, nominal] Source: EIA / Eurostat / ECB via features/prices.py.';
