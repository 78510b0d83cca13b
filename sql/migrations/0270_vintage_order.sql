-- Current vintage = the greatest by a parsed key, not by text (issue 18): as text '1.9' > '1.10',
-- '2021-2025' sorts by its start year, and a mistyped future year ('2205', '2030-01') wins.
-- vintage_key(v) orders vintages by, in turn:
--   1. plausible: no year later than the current year (a future year never makes a vintage current
--      while a plausible one exists; alone, it is still the source's only, so current, vintage);
--   2. end_year: the last year named (4-digit run 1800..2999): '2021-2025' → 2025;
--   3. end_part: the numbers from that year on ('2015-01..2025-12' → [2025, 12]; dates: [y, m, d]);
--   4. start_year: the first year named ('2021-2025' → 2021);
--   5. numbers: every number in order, compared as numbers ('1.10' → [1, 10] > '1.9' → [1, 9]);
--   6. the label itself.
-- Labels with no number at all ('tmy', 'recorded') rank below any with one.
create or replace macro vintage_runs(v) as regexp_extract_all(v, '[0-9]+');
create or replace macro vintage_is_year(x) as length(x) = 4 and cast(x as integer) between 1800 and 2999;
create or replace macro vintage_years(v) as
    list_transform(list_filter(vintage_runs(v), x -> vintage_is_year(x)), x -> cast(x as integer));
create or replace macro vintage_numbers(v) as
    list_transform(vintage_runs(v), x -> coalesce(try_cast(x as hugeint), 0));
create or replace macro vintage_key(v) as struct_pack(
    plausible := coalesce(list_max(vintage_years(v)) <= year(current_date), true),
    end_year := coalesce(list_max(vintage_years(v)), 0),
    end_part := coalesce(list_slice(vintage_numbers(v),
        len(vintage_runs(v)) + 1
            - list_position(list_reverse(list_transform(vintage_runs(v), x -> vintage_is_year(x))), true),
        len(vintage_runs(v))), []),
    start_year := coalesce(list_min(vintage_years(v)), 0),
    numbers := vintage_numbers(v),
    label := v);

-- Per-site loads of live API sources (vintage 'site:<lat>_<lon>:<period>') all stay current; any
-- other source has one current vintage, the greatest by vintage_key. loaded_at is the latest load
-- of that vintage (so freshness counts from the current vintage, not from a re-load of an old one).
-- Every stg_* view joins this view, so they all follow.
create or replace view current_vintages as
with loads as (
    select source_id, vintage, max(loaded_at) as loaded_at from source_loads group by source_id, vintage
), ranked as (
    select *, row_number() over (partition by source_id order by vintage_key(vintage) desc) as rn
    from loads where vintage not like 'site:%'
)
select source_id, vintage, loaded_at from loads where vintage like 'site:%'
union all
select source_id, vintage, loaded_at from ranked where rn = 1;
