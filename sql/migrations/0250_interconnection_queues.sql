-- Interconnection queues of the seven US ISOs/RTOs in one normalised table (issue 13).
-- Replaces the PJM-only layout of 0100: one row per queue position, one source per ISO
-- (iso_queue_caiso, _ercot, _isone, _miso, _nyiso, _pjm, _spp); the PJM export in iso_queues/
-- supersedes the older pjm_queue/ source. Rows of the old layout are dropped (re-ingest refills).
drop view if exists stg_interconnection_queue;
drop table if exists interconnection_queue;

create table interconnection_queue (
    source_id        varchar not null,
    vintage          varchar not null,
    iso              varchar not null,   -- CAISO | ERCOT | ISO-NE | MISO | NYISO | PJM | SPP
    project_id       varchar not null,   -- the ISO's queue position / request number
    project_name     varchar,
    state            varchar,            -- USPS code
    county           varchar,            -- as published (with or without "County")
    fuel             varchar not null,   -- canonical (hybrids: first fuel named); unknown when none
    fuel_published   varchar,
    capacity_mw      double,             -- MW the request adds to the grid (per ISO: see the source)
    status           varchar not null,   -- active | suspended | withdrawn | in_service
    status_published varchar,
    queue_date       date,               -- interconnection request entered the queue
    withdrawn_date   date,
    in_service_date  date,               -- reached commercial operation (completed projects only)
    primary key (source_id, vintage, project_id)
);

create view stg_interconnection_queue as
select t.* from interconnection_queue t join current_vintages c using (source_id, vintage);
