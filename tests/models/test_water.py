"""Water: latent-heat consistency of evaporation, blowdown, Macknick off-site factors."""

import polars as pl
import pytest

from gridscout.models import pue, water
from gridscout.models.designs import get_design


def test_latent_heat_constant():
    assert water.L_PER_KWH_HEAT == pytest.approx(1.47, abs=0.01)


@pytest.mark.parametrize("name", ["waterside_economizer_tower", "air_evaporative"])
def test_evaporation_consistent_with_heat_rejected(weather_all, name):
    h = pue.hourly_pue(weather_all, name)
    wet = h.filter(pl.col("evap_heat_kwh_per_kwh_it") > 0)
    assert wet.height > 0
    ratio = wet["evaporation_l_per_kwh_it"] / wet["evap_heat_kwh_per_kwh_it"]
    assert ratio.min() == pytest.approx(1.469, abs=0.002) and ratio.max() == pytest.approx(1.469, abs=0.002)
    d = get_design(name)
    blow = (wet["water_l_per_kwh_it"] - wet["evaporation_l_per_kwh_it"]) / wet["evaporation_l_per_kwh_it"]
    assert blow.mean() == pytest.approx(1.0 / (d.cycles_of_concentration - 1.0))


def test_tower_heat_rejected_is_energy_balance(weather_all):
    # The tower rejects IT + power losses + CRAH fans + chiller work (the heat the chilled water
    # picks up plus the compressor's); only the pumps and the tower's own fans are outside it, so
    # per kW of IT: heat into the tower water = PUE - pumps - tower fans, and the tower fans draw
    # tower_fan_kw_per_kw_heat per kW of that heat (ASHRAE 90.1-2019 Table 6.8.1-7: 0.0127).
    d = get_design("waterside_economizer_tower")
    assert (d.tower_fan_kw_per_kw_heat, d.latent_fraction) == (0.0127, 0.85)
    h = pue.hourly_pue(weather_all, d)
    rejected = h["evap_heat_kwh_per_kwh_it"] / d.latent_fraction  # Perry's rule: 85 % of it leaves as vapour
    tower_fan = d.tower_fan_kw_per_kw_heat * rejected
    heat_into_tower = h["pue"] - d.pump_power_frac - tower_fan
    assert (heat_into_tower - rejected).abs().max() < 1e-9
    # the tower rejects at least what the servers dissipate (1 kW per kW IT) every hour
    assert rejected.min() > 1.0
    wue = water.wue_annual(h)
    # Lei & Masanet (2022), RCR 182:106323: on-site WUE of US data centers ≈0.1-1.8 L/kWh (+5 %)
    assert wue["wue_onsite_l_per_kwh"].is_between(0.1, 1.9).all()
    # evaporation is 3.6 MJ/kWh / h_fg per kWh of latent heat; IAPWS-95: h_fg = 2.454 MJ/kg at 20 °C
    assert (wue["wue_evaporation_l_per_kwh"] / wue["evap_heat_kwh_per_kwh_it"]).to_list() == \
        pytest.approx([3.6 / 2.454] * wue.height, rel=2e-3)


def test_dry_designs_use_no_water(weather_all):
    for name in ("air_chiller_economizer", "direct_liquid", "immersion"):
        assert pue.hourly_pue(weather_all, name)["water_l_per_kwh_it"].max() == 0.0


def test_macknick_medians_reproduced():
    t = water.load_macknick()
    f = dict(zip(t["technology"], t["consumption_gal_per_mwh"]))
    assert (f["nuclear_tower"], f["coal_tower"], f["ngcc_tower"], f["ngcc_dry"], f["pv_utility"], f["wind"]) == \
        (672, 687, 198, 2, 1, 0)
    lk = dict(zip(t["technology"], t["consumption_l_per_kwh"]))
    assert lk["nuclear_tower"] == pytest.approx(672 * 0.003785, rel=1e-3)
    assert t["source"].null_count() == 0
    # every fuel × cooling row the plant model names exists in the table
    assert set(water.MACKNICK_ROW.values()) <= set(t["technology"])


def test_zone_water_arithmetic_on_a_hand_made_zone():
    """Hand-made plants (not real data) to pin the arithmetic: fresh vs saline apart, hydro volume apart,
    too much unknown generation → UNKNOWN (null), never 0."""
    plants = pl.DataFrame({
        "zone": ["a", "a", "a", "a", "b", "b"],
        "plant_id": ["1", "2", "3", "4", "5", "6"], "plant_name": ["tower", "saline", "hydro", "wind", "gas", "mystery"],
        "fuel": ["coal", "nuclear", "hydro", "wind", "gas", "other"],
        "generation_mwh": [1000.0, 1000.0, 1000.0, 1000.0, 700.0, 300.0],
        "consumption_l_per_kwh": [2.0, 0.5, None, 0.0, 1.0, None],
        "consumption_min_l_per_kwh": [1.5, 0.4, None, 0.0, 0.8, None],
        "consumption_max_l_per_kwh": [2.5, 0.6, None, 0.0, 1.2, None],
        "water_kind": ["fresh", "saline", None, None, None, None],
        "cooling": ["tower", "once-through", None, None, "tower", None],
        "water_method": ["usgs_2015", "usgs_2015", None, "macknick_fuel", "usgs_2015", None],
        "hydro_allocated_m3_per_year": [None, None, 4000.0, None, None, None],
        "hydro_gross_l_per_kwh": [None, None, 20.0, None, None, None],
        "hydro_allocated_l_per_kwh": [None, None, 4.0, None, None, None],
    })
    z = {r["zone"]: r for r in water.zone_water(plants, by="zone").iter_rows(named=True)}
    a = z["a"]
    assert a["water_offsite_l_per_kwh"] == pytest.approx(2.0 * 1000 / 4000)  # fresh coal only
    assert a["water_offsite_nonfresh_l_per_kwh"] == pytest.approx(0.5 * 1000 / 4000)  # saline apart
    assert (a["water_offsite_min_l_per_kwh"], a["water_offsite_max_l_per_kwh"]) == pytest.approx((0.375, 0.625))
    assert a["water_offsite_hydro_l_per_kwh"] == pytest.approx(4000 / 4000)  # m³ ÷ MWh = L/kWh
    assert a["water_offsite_hydro_gross_l_per_kwh"] == pytest.approx(20.0 * 1000 / 4000)
    assert a["water_offsite_plants"] == "tower (coal, tower, 2.0 L/kWh, 80%); saline (nuclear, once-through, saline " \
                                        "water, 0.5 L/kWh, 20%)"
    assert a["water_offsite_hydro_plants"] == "hydro (4.0 L/kWh allocated, 100%)"
    assert z["b"]["water_offsite_unknown_share"] == pytest.approx(0.3)
    assert z["b"]["water_offsite_l_per_kwh"] is None  # 30 % unknown > 20 %: UNKNOWN, not 0
