-- EIA-930 hourly demand per balancing authority (BA) or ISO sub-region, cleaned (source eia930).
-- One row per published series and hour; ISO BAs (CISO, ERCO, ISNE, MISO, NYIS, PJM, SWPP) are
-- published only as sub-regions, so BA demand is their hourly sum (mart_ba_demand_hourly).
create table ba_demand_hourly (
    source_id    varchar not null,
    vintage      varchar not null,
    region_code  varchar not null,                 -- file name as published: BA (SOCO) or sub-region (PJM-DOM)
    ba_code      varchar not null,                 -- EIA-930 BA code the series belongs to (PJM for PJM-DOM)
    datetime_utc timestamp with time zone not null, -- end of the hour the demand is the mean of
    demand_mw    double not null,                  -- cleaned demand (raw, or MICE-imputed where flagged) [MW]
    category     varchar                           -- anomaly-screening label of the raw value (OKAY, MISSING, ...)
);
-- No primary-key index: (region_code, datetime_utc) is unique by construction (the parser rejects a file
-- that repeats an hour) and an ART index over 5 million rows made each load ~10x slower and ~1.5 GB larger in memory.

create view stg_ba_demand_hourly as
select t.* from ba_demand_hourly t join current_vintages c using (source_id, vintage);

-- BA-level hourly demand: the sum of a BA's series in each hour. n_series counts the series that
-- reported that hour; an hour where fewer series than the BA's full set reported is left out
-- (a partial sum would read as a low-demand hour, i.e. as spurious headroom).
create view mart_ba_demand_hourly as
with hourly as (
    select ba_code, datetime_utc, sum(demand_mw) as demand_mw, count(*) as n_series
    from stg_ba_demand_hourly group by ba_code, datetime_utc
), full_sets as (
    select ba_code, count(distinct region_code) as n_full from stg_ba_demand_hourly group by ba_code
)
select h.ba_code, h.datetime_utc, h.demand_mw, h.n_series
from hourly h join full_sets f using (ba_code)
where h.n_series = f.n_full;
