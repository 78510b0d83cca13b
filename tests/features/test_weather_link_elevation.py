"""An hourly weather year stands for a site only within 50 km AND 300 m of the site's elevation.

Real stations: the EnergyPlus SWERA/TMY3 zips (weather_epw_tmy3) and the station index
(weather_stations). El Salvador's international airport at Comalapa (WMO 786660, 31 m) lies 30 km
from the San Salvador-Ilopango weather year (621 m): 590 m higher, so not used; Bishoftu (WMO
634510, 1,876 m) lies 35 km from Addis Ababa-Bole (2,355 m).
"""

from __future__ import annotations

import polars as pl
import pytest

from gridscout.features.weather_link import HOURLY_WEATHER_MAX_DZ_M, weather_choice, weather_links
from gridscout.reference import Reference
from gridscout.sources import weather_epw_tmy3, weather_stations

ZIPS = ("San Salvador-Ilopango 786630 (SWERA).zip", "Guatemala-La Aurora 786410 (SWERA).zip",
        "San Jose 786470 (SWERA).zip", "Addis Ababa-Bole 634500 (SWERA).zip")


@pytest.fixture(scope="module")
def ref(raw_dir):
    st_dir = raw_dir / "weather_stations"
    stations = weather_stations.parse({p.name: p for p in st_dir.iterdir()}).tables["weather_stations"]
    files = weather_epw_tmy3.parse({z: raw_dir / "weather_epw_tmy3" / z for z in ZIPS}).tables["weather_files"]
    e = pl.DataFrame()
    return Reference(zones=e, zone_carbon=e, zone_capacity=e, us_state_prices=e, plants=e, stations=stations,
                     weather_files=files, boundaries=e, vintages=e)


def _link(ref, rows, **extra):
    sites = pl.DataFrame({"site_id": [r[0] for r in rows], "latitude": [r[1] for r in rows],
                          "longitude": [r[2] for r in rows], **extra})
    return {r["site_id"]: r for r in weather_choice(weather_links(sites, ref)).iter_rows(named=True)}


def test_station_elevation_far_from_the_file_falls_back_to_the_station_index(ref):
    out = _link(ref, [("comalapa", 13.441, -89.056), ("ilopango", 13.70, -89.12), ("bishoftu", 8.733, 39.0)])
    c = out["comalapa"]
    assert c["site_elevation_m"] == 31.0 and c["site_elevation_source"] == "weather_stations WMO 786660"
    assert c["weather_source"] == "station_index" and c["weather_station_key"] == "wmo:786660"
    assert "San Salvador-Ilopango" in c["weather_file_skipped"] and "+590 m" in c["weather_file_skipped"]
    i = out["ilopango"]  # at the file's own station: same elevation
    assert i["weather_source"] == "hourly_file" and i["weather_elevation_m"] == 621.0
    assert abs(i["site_elevation_m"] - 621.0) <= HOURLY_WEATHER_MAX_DZ_M and i["weather_file_skipped"] is None
    b = out["bishoftu"]
    assert b["site_elevation_m"] == 1876.0 and b["weather_source"] == "station_index"
    assert "Addis Ababa-Bole" in b["weather_file_skipped"] and "+479 m" in b["weather_file_skipped"]


def test_candidate_elevation_wins_and_a_farther_file_within_range_is_taken(ref):
    # a point 38.9 km from San Jose (2 m) and 41.5 km from Guatemala-La Aurora (1,489 m); the
    # elevations are test inputs given as the candidate's own elevation_m
    out = _link(ref, [("coast", 14.25, -90.70), ("slope", 14.25, -90.70)], elevation_m=[150.0, 1300.0])
    coast, slope = out["coast"], out["slope"]
    assert coast["site_elevation_source"] == "candidate elevation_m"
    assert coast["weather_station_key"] == "weather_epw_tmy3:San Jose 786470 (SWERA)"
    assert coast["weather_distance_km"] == pytest.approx(38.9, abs=0.1) and coast["weather_file_skipped"] is None
    # San Jose is nearer but 1,298 m lower: La Aurora (189 m higher) stands for the site
    assert slope["weather_station_key"] == "weather_epw_tmy3:Guatemala-La Aurora 786410 (SWERA)"
    assert slope["weather_distance_km"] == pytest.approx(41.5, abs=0.1)
    assert "San Jose" in slope["weather_file_skipped"] and "-1298 m" in slope["weather_file_skipped"]


def test_no_elevation_known_means_no_hourly_file_except_one_for_the_point(ref):
    nostation = Reference(**{**ref.__dict__, "stations": ref.stations.head(0)})
    out = {r["site_id"]: r for r in weather_links(
        pl.DataFrame({"site_id": ["far", "here"], "latitude": [14.25, 13.92], "longitude": [-90.70, -90.82]}),
        nostation).iter_rows(named=True)}
    assert out["far"]["site_elevation_m"] is None and out["far"]["weather_station_key"] is None
    assert out["far"]["weather_file_skipped"] == "weather_epw_tmy3:San Jose 786470 (SWERA) at 39 km: site elevation unknown"
    assert out["here"]["weather_station_key"] == "weather_epw_tmy3:San Jose 786470 (SWERA)"  # within 1 km
