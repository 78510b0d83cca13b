-- The end of the data period of each load (issue 17): freshness counts data age from it, so a forced
-- reload of the same data does not make old data look new. Filled at load time from the parsed rows or
-- the vintage (gridscout.sources.base.data_period_end); null for loads made before this migration
-- (freshness then reads the period end from the vintage string) or when the data names no period.
alter table source_loads add column period_end date;
