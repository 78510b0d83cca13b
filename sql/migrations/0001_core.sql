-- Core bookkeeping: every load of every source, and every scoring run.
create table source_loads (
    load_id      varchar not null,           -- one id per load of one source
    source_id    varchar not null,
    vintage      varchar not null,           -- the publisher's release / data period
    file         varchar not null,           -- path relative to <raw>/<source_id>/
    url          varchar,                    -- canonical download URL (null: no public link)
    sha256       varchar not null,
    bytes        bigint not null,
    rows         bigint not null,            -- rows written by the whole load (all tables)
    rows_rejected bigint not null default 0,
    fetched_at   timestamp with time zone,   -- when the raw file was written to disk
    loaded_at    timestamp with time zone not null default current_timestamp,
    code_version varchar not null,
    primary key (load_id, file)
);

create table source_load_tables (
    load_id    varchar not null,
    table_name varchar not null,
    rows       bigint not null,
    primary key (load_id, table_name)
);

create table source_load_rejections (
    load_id    varchar not null,
    table_name varchar not null,
    rows       bigint not null,
    reason     varchar not null
);

create table runs (
    run_id       varchar primary key,
    started_at   timestamp with time zone not null,
    finished_at  timestamp with time zone,
    status       varchar not null,           -- running | completed | failed
    profile      varchar,
    candidates   varchar,
    out_dir      varchar,
    manifest     json
);
