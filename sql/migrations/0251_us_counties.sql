-- US county polygons (Census 2017 cartographic boundaries 1:10m, source us_counties): puts a point
-- in its county for the interconnection-queue features. A table of its own, not a layer of
-- `boundaries`, so the report's outline map and the country/state lookups are unchanged.
create table us_counties (
    source_id    varchar not null,
    vintage      varchar not null,
    fips         varchar not null,   -- 5 digits: state FIPS + county FIPS
    state        varchar not null,   -- USPS code
    county       varchar not null,   -- Census name ("Loudoun", "St. Louis")
    geometry_wkb blob not null,      -- EPSG:4326 lon/lat
    primary key (source_id, vintage, fips)
);

create view stg_us_counties as
select t.* from us_counties t join current_vintages c using (source_id, vintage);
