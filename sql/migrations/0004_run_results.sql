-- Per-site results of each completed run (the run's scores.parquet is the full record).
create table run_site_results (
    run_id            varchar not null,
    site_id           varchar not null,
    site_name         varchar,
    score             double,
    rank              integer,
    excluded          boolean,
    pue_annual        double,
    carbon_g_per_kwh  double,
    price_usd_per_mwh double,
    primary key (run_id, site_id)
);
