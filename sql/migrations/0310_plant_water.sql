-- Off-site water of electricity from the real plants (issue 23): per-plant thermoelectric water
-- (USGS 2015; NETL 2016 cross-check), cooling systems (EIA-860 2015 schedule 6D), hydropower
-- reservoir water per plant and NERC region (NETL 2016), per-country intensities (Chini & Peer 2020).

create table plant_water_usgs (                -- source usgs_thermoelectric_2015
    source_id                     varchar not null,
    vintage                       varchar not null,
    plant_id                      varchar not null,   -- EIA plant code
    plant_name                    varchar,
    state                         varchar,            -- USPS code
    cooling_type                  varchar,            -- RECIRCULATING TOWER | ONCE-THROUGH FRESH | ONCE-THROUGH SALINE | RECIRCULATING POND | COMPLEX
    generation_type               varchar,            -- NGCC | COAL | GAS STEAM | BIOMASS | NUCLEAR | OIL | OIL CC | COMPLEX
    water_source_code             varchar,            -- SW | GW | PD | OT | -nr- (and combinations)
    water_type_code               varchar,            -- FR | SA | BR | BE | OT | -nr-
    water_kind                    varchar,            -- fresh | saline | brackish | reclaimed | other | mixed; null: not reported
    withdrawal_mgal_per_day       double,             -- annual average [Mgal/d]
    consumption_mgal_per_day      double,             -- annual average [Mgal/d]
    consumption_min_mgal_per_day  double,
    consumption_max_mgal_per_day  double,
    net_generation_mwh            double,             -- 2015, water-using generators [MWh]
    consumption_l_per_kwh         double,             -- null where net generation <= 0
    consumption_min_l_per_kwh     double,
    consumption_max_l_per_kwh     double,
    withdrawal_l_per_kwh          double,
    primary key (source_id, vintage, plant_id)
);

create view stg_plant_water_usgs as
select t.* from plant_water_usgs t join current_vintages c using (source_id, vintage);

create table plant_cooling_systems (           -- source eia860_cooling
    source_id             varchar not null,
    vintage               varchar not null,
    plant_id              varchar not null,   -- EIA plant code
    plant_name            varchar,
    state                 varchar,
    cooling_id            varchar not null,   -- '' when blank
    cooling_status        varchar,            -- OP operating | RE retired | SB | OS | CO | PL | ...
    cooling_type_1        varchar,            -- EIA codes: RI RF RN RC ON OC DC HRI HRF HRN OT
    cooling_type_2        varchar,
    cooling_type_3        varchar,
    cooling_type_4        varchar,
    percent_dry_cooling   double,             -- [%]
    cooling_water_source  varchar,
    water_source_code     varchar,
    water_type_code       varchar,
    water_kind            varchar,            -- fresh | saline | brackish | reclaimed | other
    primary key (source_id, vintage, plant_id, cooling_id)
);

create view stg_plant_cooling_systems as
select t.* from plant_cooling_systems t join current_vintages c using (source_id, vintage);

create table hydro_plant_water (               -- source netl_plant_water_2016
    source_id           varchar not null,
    vintage             varchar not null,
    plant_id            varchar not null,     -- EIA plant code
    plant_name          varchar,
    nerc_region         varchar,
    net_generation_mwh  double,               -- 2016 [MWh]
    water_m3            double,               -- consumptive water allocated to hydropower [m3/yr]
    water_m3_per_mwh    double,               -- = L/kWh; null where generation <= 0
    primary key (source_id, vintage, plant_id)
);

create view stg_hydro_plant_water as
select t.* from hydro_plant_water t join current_vintages c using (source_id, vintage);

create table hydro_nerc_water (                -- source netl_plant_water_2016
    source_id           varchar not null,
    vintage             varchar not null,
    nerc_region         varchar not null,
    net_generation_mwh  double,
    water_m3_per_mwh    double,               -- allocated hydro water per MWh of hydro [m3/MWh = L/kWh]
    primary key (source_id, vintage, nerc_region)
);

create view stg_hydro_nerc_water as
select t.* from hydro_nerc_water t join current_vintages c using (source_id, vintage);

create table plant_water_netl (                -- source netl_plant_water_2016 (cross-check only)
    source_id                 varchar not null,
    vintage                   varchar not null,
    plant_id                  varchar not null,
    plant_name                varchar,
    state                     varchar,
    water_type                varchar,        -- Fresh | Saline | Brackish | Reclaimed | Other (joined with + when several)
    cooling_types             varchar,        -- NETL's 860 Cooling Type 1 values (+-joined)
    technologies              varchar,
    consumption_gal_per_mwh   double,         -- generation-weighted adjusted intensity over 2016
    withdrawal_gal_per_mwh    double,
    net_generation_mwh        double,
    primary key (source_id, vintage, plant_id)
);

create view stg_plant_water_netl as
select t.* from plant_water_netl t join current_vintages c using (source_id, vintage);

create table country_water_intensity (         -- source chini_peer_electricity_water
    source_id                  varchar not null,
    vintage                    varchar not null,
    country_alpha3             varchar not null,
    country_name               varchar,        -- IEA/Comtrade spelling as published
    year                       integer not null,
    consumption_l_per_kwh      double,         -- median [m3/MWh = L/kWh], all generation incl. hydro (gross)
    consumption_min_l_per_kwh  double,
    consumption_max_l_per_kwh  double,
    primary key (source_id, vintage, country_alpha3, year)
);

create view stg_country_water_intensity as
select t.* from country_water_intensity t join current_vintages c using (source_id, vintage);

create table country_hydro_water (             -- source chini_peer_electricity_water (Mekonnen et al. 2015)
    source_id         varchar not null,
    vintage           varchar not null,
    country_alpha3    varchar not null,
    country_name      varchar,
    hydro_m3_per_mwh  double,                 -- gross reservoir evaporation per MWh of hydro
    primary key (source_id, vintage, country_alpha3)
);

create view stg_country_hydro_water as
select t.* from country_hydro_water t join current_vintages c using (source_id, vintage);
