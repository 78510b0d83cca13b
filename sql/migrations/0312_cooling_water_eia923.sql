-- EIA-923 2015 schedule 8D reported cooling water per plant and cooling system, summed over the year
-- (source eia923_schedule8_cooling; a cross-check of the USGS 2015 estimates).
create table cooling_water_eia923 (
    source_id                varchar not null,
    vintage                  varchar not null,
    plant_id                 varchar not null,   -- EIA plant code
    cooling_id               varchar not null,   -- '' when blank
    year                     integer not null,
    cooling_system_type      varchar,
    months_reported          integer,
    months_with_consumption  integer,            -- months with a numeric consumption volume ('.' is missing)
    withdrawal_mgal          double,             -- sum of numeric monthly volumes [million gallons / yr]
    consumption_mgal         double,
    primary key (source_id, vintage, plant_id, cooling_id, year)
);

create view stg_cooling_water_eia923 as
select t.* from cooling_water_eia923 t join current_vintages c using (source_id, vintage);
