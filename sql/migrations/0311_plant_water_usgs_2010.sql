-- USGS 2010 per-plant thermoelectric water (source usgs_thermoelectric_2010), beside the 2015 edition (0310).
create table plant_water_usgs_2010 (
    source_id                     varchar not null,
    vintage                       varchar not null,
    plant_id                      varchar not null,   -- EIA plant code
    plant_name                    varchar,
    state                         varchar,
    cooling_type                  varchar,            -- USGS MODEL TYPE (finer than 2015: river / lake / pond once-through)
    water_type_code               varchar,            -- USGS: FR | SA | BR | BE | OT
    water_kind                    varchar,
    withdrawal_mgal_per_day       double,
    consumption_mgal_per_day      double,
    consumption_min_mgal_per_day  double,
    consumption_max_mgal_per_day  double,
    net_generation_mwh            double,             -- EIA-reported 2010 [MWh]
    consumption_l_per_kwh         double,
    consumption_min_l_per_kwh     double,
    consumption_max_l_per_kwh     double,
    primary key (source_id, vintage, plant_id)
);

create view stg_plant_water_usgs_2010 as
select t.* from plant_water_usgs_2010 t join current_vintages c using (source_id, vintage);
