"""The hourly model against Lei & Masanet (2022)'s published PUE and WUE ranges by US climate zone.

Published values: Lei, N. & Masanet, E. (2022), Climate- and technology-specific PUE and WUE
estimations for U.S. data centers using a hybrid statistical and thermodynamics-based approach,
*Resources, Conservation & Recycling* 182, 106323 — 5th and 95th percentile annual PUE and WUE of
their Monte Carlo runs (inputs drawn over their published parameter ranges, TMY3 weather) per
ASHRAE 169 climate zone and cooling case, as the authors publish them with their calculator:
github.com/nuoaleon/UEcalculator_dash_app, ``src/data/UE.csv`` (commit 85cbc822d8b9), columns PUE,
WUE, Climate Zone, Case, Quantile. Neither this paper nor Lei & Masanet (2020), *Energy* 201,
117556 could be read (searched 2026-12-03: only abstracts and bibliographic records are stored —
Northwestern Scholars and EconPapers for 2020, OUCI for 2022; no author copy, preprint text or
arXiv version), so no table or page number is cited here: the CSV is the authors' own release of
the results, and the model's inputs are read from the authors' code (calculator ``src/app.py``,
commit 715e097a9d2e, ``dynamic_controls``: the sampled input ranges per case; the thermodynamic
model ``simulation_funs_DC.py`` of github.com/nuoaleon/Data-Center-Water-footprint, read from its
fork kienvu140196/Data-Center-Water-footprint, commit 2cc53bee89b0: ``Cooling_Tower``,
``PUE_WUE_Chiller_Watereconomier``, ``PUE_WUE_AE_Chiller``).

Cases compared (same cooling type): case 1 "Large-scale, airside economizer & adiabatic cooling"
↔ ``air_evaporative``; case 2 "Large-scale, water-cooled chiller (waterside economizer)" ↔
``waterside_economizer_tower``; case 6 "Midsize, air-cooled chiller (airside economizer)" ↔
``legacy_enterprise``. Our designs' parameters are taken within the paper's input ranges where
``data/designs/cooling.toml`` cites them, so their annual PUE should fall inside the published 5th-95th band
of the zone (the stated tolerance is that band, 0.09-0.62 PUE wide). Weather: the TMY3 year of the
largest station of each zone (the same TMY3 family the paper used); the zone is the station
index's ASHRAE 169 zone for the WMO id.

Known departures (asserted as such, so a change shows): Las Vegas (2B) ``air_evaporative`` sits
0.003 below case 1's 5th percentile, and ``legacy_enterprise`` in the two hottest zones (Miami 1A,
Las Vegas 2B) is 0.005 and 0.012 below case 6's 5th percentile (cause not investigated; the
other 11 zones are inside).
"""

from __future__ import annotations

import polars as pl
import pytest

from gridscout.models import pue
from gridscout.models.designs import get_design
from gridscout.sources import weather_epw_tmy3, weather_stations

#: (5th, 95th) percentile annual PUE, Lei & Masanet (2022) UE.csv, by zone and case.
PUBLISHED = {
    1: {"1A": (1.168778594, 1.34161001), "2A": (1.167221032, 1.307072274), "2B": (1.125016139, 1.253373306),
        "3A": (1.131943355, 1.25108422), "3B": (1.108655643, 1.226675581), "3C": (1.090086296, 1.233754104),
        "4A": (1.109270684, 1.2229656), "4B": (1.095413393, 1.195759215), "4C": (1.086045242, 1.202081461),
        "5A": (1.099911269, 1.213025076), "5B": (1.088857128, 1.19503872), "6A": (1.104479539, 1.203328477),
        "6B": (1.083847189, 1.179072303)},
    2: {"1A": (1.106980543, 1.290444576), "2A": (1.09889183, 1.250156431), "2B": (1.083599853, 1.200920688),
        "3A": (1.08686738, 1.214853669), "3B": (1.079865667, 1.1916989), "3C": (1.074122687, 1.182618024),
        "4A": (1.084191498, 1.202450181), "4B": (1.079923759, 1.193304067), "4C": (1.074658777, 1.183491754),
        "5A": (1.082783862, 1.1958826), "5B": (1.079867705, 1.193522223), "6A": (1.081149938, 1.191825407),
        "6B": (1.077936422, 1.19010353)},
    6: {"1A": (1.622380103, 2.246070933), "2A": (1.577250626, 2.018165449), "2B": (1.587003977, 2.05690531),
        "3A": (1.47086716, 1.782668227), "3B": (1.537043492, 1.981052529), "3C": (1.324038133, 1.603037423),
        "4A": (1.428950327, 1.698325547), "4B": (1.425297759, 1.706981118), "4C": (1.310511801, 1.545864274),
        "5A": (1.403327617, 1.654755092), "5B": (1.413153266, 1.681870493), "6A": (1.384611984, 1.613501293),
        "6B": (1.33721985, 1.580522669)},
}
#: (5th, 95th) percentile annual on-site WUE [L/kWh IT], UE.csv, case 2 (large-scale water-cooled
#: chiller with waterside economizer), by zone.
PUBLISHED_WUE_CASE2 = {
    "1A": (1.760808265, 2.62901392), "2A": (1.754706741, 2.623000266), "2B": (1.748862452, 2.617240132),
    "3A": (1.748077906, 2.616466898), "3B": (1.743018422, 2.611480274), "3C": (1.745528947, 2.613954629),
    "4A": (1.743394578, 2.611851029), "4B": (1.738466005, 2.606993435), "4C": (1.74171536, 2.610195976),
    "5A": (1.739613983, 2.608124897), "5B": (1.736056517, 2.604579482), "6A": (1.734712344, 2.603164111),
    "6B": (1.733102831, 2.601469182)}
CASE = {"air_evaporative": 1, "waterside_economizer_tower": 2, "legacy_enterprise": 6}
#: the largest TMY3 station of each zone in weather_epw_tmy3
STATIONS = ("Miami Intl AP 722020", "Houston-Bush Intercontinental AP 722430", "Las Vegas-McCarran Intl AP 723860",
            "Atlanta-Hartsfield-Jackson Intl AP 722190", "San Diego-Lindbergh Field 722900",
            "San Francisco Intl AP 724940", "Baltimore-Washington Intl AP 724060", "Albuquerque Intl AP 723650",
            "Seattle-Tacoma Intl AP 727930", "Chicago-OHare Intl AP 725300", "Denver Intl AP 725650",
            "Minneapolis-St Paul Intl AP 726580", "Helena Rgnl AP 727720")
#: (design, station) -> how far below the published 5th percentile the model is allowed to be (see above)
DEPARTURES = {("air_evaporative", "723860"): 0.005, ("legacy_enterprise", "722020"): 0.015,
              ("legacy_enterprise", "723860"): 0.015}


@pytest.fixture(scope="module")
def modelled(raw_dir):
    folder = raw_dir / "weather_epw_tmy3"
    parsed = weather_epw_tmy3.parse({f"{s} (TMY3).zip": folder / f"{s} (TMY3).zip" for s in STATIONS}).tables
    index = weather_stations.parse({p.name: p for p in (raw_dir / "weather_stations").iterdir()}).tables[
        "weather_stations"].unique("wmo", keep="first", maintain_order=True)
    files = parsed["weather_files"].select("station_key", pl.col("wmo").cast(pl.Utf8)).join(
        index.select("wmo", pl.col("ashrae_climate_zone").str.split(" ").list.first().alias("zone")), on="wmo")
    assert files.height == len(STATIONS)
    out = pue.estimate_pue_designs(parsed["weather_hourly"], list(CASE))
    return {name: files.join(frame.select("station_key", "pue_annual", "wue_onsite_l_per_kwh"), on="station_key")
            for name, frame in zip(CASE, out)}


def test_zones_cover_the_published_table(modelled):
    zones = modelled["air_evaporative"]["zone"].to_list()
    assert sorted(zones) == sorted(PUBLISHED[1])  # one station per zone 1A ... 6B


@pytest.mark.parametrize("design", list(CASE))
def test_annual_pue_within_published_zone_range(modelled, design):
    bands = PUBLISHED[CASE[design]]
    for r in modelled[design].iter_rows(named=True):
        lo, hi = bands[r["zone"]]
        slack = DEPARTURES.get((design, r["wmo"]), 0.0)
        assert lo - slack <= r["pue_annual"] <= hi, (design, r["station_key"], r["zone"], r["pue_annual"], lo, hi)
        if slack:  # a documented departure: still below the band, by less than stated
            assert r["pue_annual"] < lo, (design, r["station_key"], "now inside the band: drop it from DEPARTURES")


@pytest.mark.xfail(strict=True, reason=(
    "tower WUE below Lei & Masanet's case-2 band in 10 of 13 zones (ours 1.36-2.02 L/kWh, theirs 1.73-2.63): "
    "their Cooling_Tower evaporates ALL the tower heat (evaporation = Q / h_fg(T), with Q the data centre's "
    "heat every hour) while ours evaporates the hourly latent share of it (tower_latent_fraction: 67-99 %, "
    "74 % at Baltimore 4A), and ours omits drift: their windage = m_CT * phi_w, m_CT = Q / (4.184 dT_CT), "
    "phi_w 0.005-0.5 % (calculator input range), draw-off = max(evaporation / (C - 1) - windage, 0); "
    "plus humidifier water Q (1/SHR - 1) / 2266 kg/s at SHR 0.95-0.99. Proposed (models/water.py, "
    "models/pue.py): add drift; all-latent is their simplification (a tower also rejects sensible heat, "
    "more of it in cold air), so it alone would not be adopted - see the issue 12 report"))
def test_tower_wue_within_published_zone_range(modelled):
    """On-site WUE of ``waterside_economizer_tower`` inside case 2's published 5th-95th band per zone."""
    for r in modelled["waterside_economizer_tower"].iter_rows(named=True):
        lo, hi = PUBLISHED_WUE_CASE2[r["zone"]]
        assert lo <= r["wue_onsite_l_per_kwh"] <= hi, (r["station_key"], r["zone"], r["wue_onsite_l_per_kwh"], lo, hi)
