-- First slice of sources. Every data table carries source_id and vintage (the load key):
-- a re-load of the same source and vintage replaces its rows; a new vintage sits beside the old.

create table power_plants (
    source_id          varchar not null,
    vintage            varchar not null,
    plant_id           varchar not null,     -- publisher's id (GPPD gppd_idnr, EIA plant code)
    plant_name         varchar,
    country            varchar,              -- ISO 3166-1 alpha-3
    capacity_mw        double,
    latitude           double not null,
    longitude          double not null,
    primary_fuel       varchar,              -- as published
    fuel               varchar not null,     -- canonical: coal gas oil nuclear hydro wind solar biomass geothermal storage other
    commissioning_year double,
    owner              varchar,
    primary key (source_id, vintage, plant_id)
);

create table grid_zones (
    source_id    varchar not null,
    vintage      varchar not null,
    zone_key     varchar not null,           -- Electricity Maps zone key (e.g. US-MIDA-PJM, DE)
    zone_name    varchar,
    country_key  varchar,                    -- ISO 3166-1 alpha-2
    country_name varchar,
    region       varchar,
    timezone     varchar,
    geometry_wkb blob,                       -- MultiPolygon, EPSG:4326, lon/lat; null: no polygon
    primary key (source_id, vintage, zone_key)
);

create table zone_capacity (
    source_id   varchar not null,
    vintage     varchar not null,
    zone_key    varchar not null,
    mode        varchar not null,            -- biomass coal gas geothermal hydro nuclear oil solar wind unknown ...
    capacity_mw double not null,
    primary key (source_id, vintage, zone_key, mode)
);

create table zone_carbon_yearly (
    source_id        varchar not null,
    vintage          varchar not null,
    zone_key         varchar not null,
    year             integer not null,
    carbon_g_per_kwh double,                 -- gCO2eq/kWh
    carbon_basis     varchar not null,       -- lifecycle | direct
    renewable_pct    double,
    carbon_free_pct  double,
    primary key (source_id, vintage, zone_key, year)
);

create table retail_prices (
    source_id         varchar not null,
    vintage           varchar not null,
    region_kind       varchar not null,      -- us_state | country
    region_code       varchar not null,      -- USPS code / ISO alpha-3
    year              integer not null,
    sector            varchar not null,      -- residential commercial industrial transportation other total
    price_usd_per_mwh double,
    primary key (source_id, vintage, region_kind, region_code, year, sector)
);

create table weather_stations (
    source_id           varchar not null,
    vintage             varchar not null,
    wmo                 varchar not null,
    country             varchar,             -- ISO alpha-3
    state               varchar,
    city                varchar,
    data_source         varchar,             -- SRC-TMYx, ERA5, ISD ...
    latitude            double not null,
    longitude           double not null,
    utc_offset_h        double,
    elevation_m         double,
    epw_url             varchar,
    file_period         varchar,
    ashrae_climate_zone varchar,
    heating_design_db_c double,              -- 99 % heating design dry-bulb
    cooling_design_db_c double,              -- 1 % cooling design dry-bulb
    hdd18               double,              -- heating degree-days base 18 °C [K·day]
    cdd10               double,              -- cooling degree-days base 10 °C [K·day]
    primary key (source_id, vintage, wmo)
);

create table weather_files (
    source_id    varchar not null,
    vintage      varchar not null,
    station_key  varchar not null,           -- <source_id>:<file>
    file         varchar not null,
    station_name varchar,
    wmo          varchar,
    country      varchar,
    latitude     double not null,
    longitude    double not null,
    elevation_m  double,
    utc_offset_h double,
    data_kind    varchar,                    -- TMY3, TMYx, IWEC, PVGIS-TMY ...
    hours        integer not null,
    primary key (source_id, vintage, station_key)
);

create table weather_hourly (
    source_id          varchar not null,
    vintage            varchar not null,
    station_key        varchar not null,
    hour_of_year       integer not null,     -- 0..8759, in file order (local standard time)
    datetime_utc       timestamp with time zone not null,
    month              tinyint not null,
    dry_bulb_c         double,
    dew_point_c        double,
    rh_pct             double,
    pressure_pa        double,
    ghi_w_per_m2       double,
    dni_w_per_m2       double,
    dhi_w_per_m2       double,
    wind_speed_m_per_s double,               -- at 10 m
    primary key (source_id, vintage, station_key, hour_of_year)
);

create table boundaries (
    source_id    varchar not null,
    vintage      varchar not null,
    layer        varchar not null,           -- country | us_state
    code         varchar not null,           -- ISO alpha-3 / USPS code
    name         varchar,
    iso_a2       varchar,
    geometry_wkb blob not null,              -- EPSG:4326 lon/lat
    primary key (source_id, vintage, layer, code)
);
