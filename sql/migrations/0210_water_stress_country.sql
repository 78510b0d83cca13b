-- SDG 6.4.2 "level of water stress" per country and year (FAO via Our World in Data; source
-- water_stress_sdg642): freshwater withdrawal as a share of available freshwater resources after
-- environmental flows [%]. A country figure, never a basin figure (Aqueduct basins: water_stress).
create table water_stress_country (
    source_id        varchar not null,
    vintage          varchar not null,
    country_alpha3   varchar not null,             -- ISO 3166-1 alpha-3
    country_name     varchar,
    year             integer not null,             -- the year of this value (FAO carries last values forward)
    water_stress_pct double not null,              -- SDG 6.4.2 [%]; above 100 % is real
    primary key (source_id, vintage, country_alpha3, year)
);

create view stg_water_stress_country as
select t.* from water_stress_country t join current_vintages c using (source_id, vintage);
