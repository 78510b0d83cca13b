-- mart_ba_demand_hourly summed the EIA-930 series of each BA and hour on every read (a 5 M-row group-by:
-- 1.3-1.5 s of every screening and scoring command). The sums are now a derived table
-- (gridscout/warehouse/derived.py: recomputed in the transaction of every load or retirement of eia930,
-- and once after this migration), and the mart reads it.
create table ba_demand_hourly_total (
    ba_code        varchar not null,                  -- EIA-930 BA code (PJM for its sub-regions' sum)
    datetime_utc   timestamp with time zone not null, -- end of the hour the demand is the mean of
    demand_mw      double not null,                   -- the BA's series summed that hour [MW]
    n_series       bigint not null,                   -- series summed (the BA's full set: partial hours are left out)
    eia930_vintage varchar not null                   -- vintage of source eia930 the sums are of
);

create or replace view mart_ba_demand_hourly as
select ba_code, datetime_utc, demand_mw, n_series from ba_demand_hourly_total;

comment on view mart_ba_demand_hourly is 'Hourly electricity demand per EIA-930 balancing authority; ISO BAs are the sum of their sub-regions, hours where not every sub-region reported are left out (source eia930: Ruggles, Farnham & Wongel 2025, EIA Cleaned Hourly Electricity Demand Data v1.4, CC BY 4.0).';
comment on column mart_ba_demand_hourly.ba_code is 'EIA-930 balancing-authority code, e.g. PJM, SOCO. [text] Source: eia930.';
comment on column mart_ba_demand_hourly.datetime_utc is 'End of the hour the demand is the mean of. [timestamp, UTC] Source: eia930.';
comment on column mart_ba_demand_hourly.demand_mw is 'Cleaned demand (raw, or MICE-imputed where the raw value was flagged), summed over the BA''s series that hour. [MW] Source: eia930 (Ruggles et al. 2025).';
comment on column mart_ba_demand_hourly.n_series is 'Number of published series (the BA itself, or its sub-regions) summed into demand_mw. [count] Source: eia930.';
