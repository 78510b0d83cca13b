-- Eurostat nrg_pc_205: electricity prices for non-household consumers, bi-annual, by consumption band and
-- tax level (source eurostat_prices). EUR only (PPS and national-currency sheets are not loaded).
create table nonhousehold_electricity_prices (
    source_id         varchar not null,
    vintage           varchar not null,
    region_kind       varchar not null,        -- country | aggregate (EU27_2020, EA)
    region_code       varchar not null,        -- ISO 3166-1 alpha-3; Eurostat code for aggregates and XK
    region_name       varchar,                 -- Eurostat geo label
    consumption_band  varchar not null,        -- Eurostat nrg_cons band: IA .. IG (the offline file: IC)
    band_min_mwh      double,                  -- band's lowest annual consumption [MWh/yr]
    band_max_mwh      double,                  -- band's highest annual consumption [MWh/yr]; null: open
    tax_level         varchar not null,        -- Eurostat tax code: X_TAX | X_VAT | I_TAX
    tax_label         varchar,
    period            varchar not null,        -- semester, e.g. 2024-S2
    year              integer not null,
    semester          tinyint not null,        -- 1 (Jan-Jun) | 2 (Jul-Dec)
    price_eur_per_kwh double,                  -- null: ':' not available
    flag              varchar,                 -- Eurostat observation flag (e.g. p provisional, e estimated)
    primary key (source_id, vintage, region_code, consumption_band, tax_level, period)
);

create view stg_nonhousehold_electricity_prices as
select t.* from nonhousehold_electricity_prices t join current_vintages c using (source_id, vintage);
