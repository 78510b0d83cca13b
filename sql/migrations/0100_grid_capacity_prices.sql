-- Grid capacity, grid access and electricity-price sources (eia860, gppd_usa, entsoe_gridkit, reeds,
-- pjm_queue, egrid, ember_prices). Power plants from eia860 / gppd_usa go into power_plants and
-- EIA API v2 retail prices into retail_prices (their own source_id); everything else is new here.
-- Every table carries source_id and vintage (the load key), as in 0002.

-- EIA-860 plant file: where each US plant connects (BA, NERC region, grid voltage).
create table eia860_plants (
    source_id                varchar not null,
    vintage                  varchar not null,
    plant_id                 varchar not null,   -- EIA plant code (plant_id_eia)
    plant_name               varchar,
    utility_id               varchar,
    utility_name             varchar,
    state                    varchar,            -- USPS code
    county                   varchar,
    latitude                 double,             -- null: EIA gives no coordinates
    longitude                double,
    nerc_region              varchar,
    balancing_authority_code varchar,
    balancing_authority_name varchar,
    sector_name              varchar,
    transmission_owner       varchar,            -- transmission or distribution system owner
    transmission_owner_id    varchar,
    grid_voltage_kv          double,             -- voltage of the grid the plant connects to [kV]
    grid_voltage_2_kv        double,
    grid_voltage_3_kv        double,
    primary key (source_id, vintage, plant_id)
);

-- Annual net generation per plant (GPPD source databases: generation_gwh_<year>).
create table plant_generation_yearly (
    source_id      varchar not null,
    vintage        varchar not null,
    plant_id       varchar not null,
    year           integer not null,
    generation_gwh double,                       -- net; may be negative (plant consumed more than it made)
    primary key (source_id, vintage, plant_id, year)
);

-- High-voltage buses (substations, plant terminals) of the ENTSO-E map (GridKit extract).
create table grid_buses (
    source_id             varchar not null,
    vintage               varchar not null,
    bus_id                varchar not null,
    station_id            varchar,
    latitude              double not null,
    longitude             double not null,
    voltage_kv            double,               -- null: not published (mostly DC terminals)
    is_dc                 boolean,
    symbol                varchar,              -- as published: Substation, Converter Station, Nuclear ...
    is_substation         boolean not null,     -- symbol = Substation
    is_under_construction boolean,
    country               varchar,              -- ISO 3166-1 alpha-3 from the map tags; null: untagged
    primary key (source_id, vintage, bus_id)
);

create table grid_lines (
    source_id             varchar not null,
    vintage               varchar not null,
    line_id               varchar not null,
    bus0                  varchar not null,
    bus1                  varchar not null,
    voltage_kv            double,
    circuits              integer,
    length_km             double,
    is_underground        boolean,
    is_under_construction boolean,
    country               varchar,              -- ISO alpha-3 from the map tags; null: untagged
    geometry_wkb          blob,                 -- LineString, EPSG:4326 lon/lat
    primary key (source_id, vintage, line_id)
);

create table grid_generators (
    source_id  varchar not null,
    vintage    varchar not null,
    generator_id varchar not null,
    bus_id     varchar,
    name       varchar,
    technology varchar,                          -- as published
    fuel       varchar not null,                 -- canonical fuel (gridscout.sources.common)
    capacity_mw double,                          -- null where the map gives -1 or nothing
    latitude   double,
    longitude  double,
    country    varchar,                          -- ISO alpha-3
    primary key (source_id, vintage, generator_id)
);

-- ReEDS balancing areas (134 US model regions) and transfer limits between them.
create table reeds_areas (
    source_id           varchar not null,
    vintage             varchar not null,
    area_code           varchar not null,        -- p1 .. p134
    ba_code             varchar,                 -- EIA balancing authority the area belongs to
    state               varchar,                 -- USPS code
    nerc_region         varchar,
    transmission_region varchar,
    interconnect        varchar,                 -- eastern | western | ercot
    country             varchar,                 -- ISO alpha-3
    geometry_wkb        blob not null,           -- MultiPolygon, EPSG:4326 lon/lat
    primary key (source_id, vintage, area_code)
);

create table transfer_limits (
    source_id       varchar not null,
    vintage         varchar not null,
    area_kind       varchar not null,            -- ba (ReEDS area) | state
    from_area       varchar not null,
    to_area         varchar not null,
    line_type       varchar not null,            -- AC | LCC | B2B | VSC
    direction       varchar not null,            -- forward (published r→rr) | reverse (rr→r) | both (summed pair)
    interface       varchar,
    capacity_mw     double not null,             -- transfer limit from_area → to_area [MW]
    capacity_1_mw   double,                      -- published MW_f1/MW_r1 pair (all 0 in NARIS2024)
    primary key (source_id, vintage, area_kind, from_area, to_area, line_type)
);

-- Interconnection queue projects (PJM exports).
create table interconnection_queue (
    source_id                 varchar not null,
    vintage                   varchar not null,
    queue_id                  varchar not null,
    queue_file                varchar not null,  -- serial (PJMActiveProjects) | cycle (PJMCycleProjects)
    cycle                     varchar,
    stage                     varchar,
    project_name              varchar,
    developer                 varchar,
    state                     varchar,           -- USPS code
    county                    varchar,
    status                    varchar,           -- as published: Active, In Service, Withdrawn ...
    is_queued                 boolean not null,  -- still waiting (not in service, not withdrawn)
    project_type              varchar,
    transmission_owner        varchar,
    fuel_published            varchar,
    fuel                      varchar not null,  -- canonical (hybrids: first fuel named)
    capacity_mw               double,            -- MW Energy: energy injection requested
    capacity_rights_mw        double,            -- MW Capacity: capacity interconnection rights
    mfo_mw                    double,            -- maximum facility output
    in_service_mw             double,
    queue_date                date,              -- Submitted Date
    requested_in_service_date date,
    actual_in_service_date    date,
    withdrawn_date            date,
    primary key (source_id, vintage, queue_id)
);

-- EPA eGRID crosswalks.
create table egrid_subregions (
    source_id      varchar not null,
    vintage        varchar not null,
    subregion      varchar not null,             -- eGRID SUBRGN, e.g. SRSO
    subregion_name varchar,
    interconnect   varchar,
    primary key (source_id, vintage, subregion)
);

create table egrid_ba_subregion (
    source_id                varchar not null,
    vintage                  varchar not null,
    balancing_authority_code varchar not null,
    balancing_authority_name varchar,
    subregion                varchar,
    flag                     varchar,
    primary key (source_id, vintage, balancing_authority_code)
);

create table egrid_tdso_subregion (
    source_id                varchar not null,
    vintage                  varchar not null,
    nerc_region              varchar,
    balancing_authority_code varchar,
    transmission_owner_id    varchar,            -- null where eGRID writes -9999
    utility_id               varchar,            -- null: row from the transmission crosswalk
    subregion                varchar not null
);

create table egrid_nerc_regions (
    source_id varchar not null,
    vintage   varchar not null,
    nerc      varchar not null,
    nerc_name varchar,
    primary key (source_id, vintage, nerc)
);

create table egrid_state_interconnect (
    source_id    varchar not null,
    vintage      varchar not null,
    state        varchar not null,               -- USPS code
    state_name   varchar,
    interconnect varchar not null,               -- a state may lie in two (MT, NM, SD, TX ...)
    primary key (source_id, vintage, state, interconnect)
);

-- Wholesale (day-ahead spot) prices: not retail, so not in retail_prices.
create table wholesale_prices (
    source_id         varchar not null,
    vintage           varchar not null,
    region_kind       varchar not null,          -- country
    region_code       varchar not null,          -- ISO alpha-3
    region_name       varchar,
    month             date not null,             -- first day of the month
    price_eur_per_mwh double,
    price_usd_per_mwh double,                    -- null: no cited exchange-rate table applied
    primary key (source_id, vintage, region_kind, region_code, month)
);

-- Staging: current vintage of each source.
create view stg_eia860_plants as
select t.* from eia860_plants t join current_vintages c using (source_id, vintage);
create view stg_plant_generation_yearly as
select t.* from plant_generation_yearly t join current_vintages c using (source_id, vintage);
create view stg_grid_buses as
select t.* from grid_buses t join current_vintages c using (source_id, vintage);
create view stg_grid_lines as
select t.* from grid_lines t join current_vintages c using (source_id, vintage);
create view stg_grid_generators as
select t.* from grid_generators t join current_vintages c using (source_id, vintage);
create view stg_reeds_areas as
select t.* from reeds_areas t join current_vintages c using (source_id, vintage);
create view stg_transfer_limits as
select t.* from transfer_limits t join current_vintages c using (source_id, vintage);
create view stg_interconnection_queue as
select t.* from interconnection_queue t join current_vintages c using (source_id, vintage);
create view stg_egrid_subregions as
select t.* from egrid_subregions t join current_vintages c using (source_id, vintage);
create view stg_egrid_ba_subregion as
select t.* from egrid_ba_subregion t join current_vintages c using (source_id, vintage);
create view stg_egrid_tdso_subregion as
select t.* from egrid_tdso_subregion t join current_vintages c using (source_id, vintage);
create view stg_wholesale_prices as
select t.* from wholesale_prices t join current_vintages c using (source_id, vintage);
create view stg_egrid_nerc_regions as
select t.* from egrid_nerc_regions t join current_vintages c using (source_id, vintage);
create view stg_egrid_state_interconnect as
select t.* from egrid_state_interconnect t join current_vintages c using (source_id, vintage);
