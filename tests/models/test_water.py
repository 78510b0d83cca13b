"""Water: latent-heat consistency of evaporation, blowdown, Macknick off-site factors."""

import numpy as np
import polars as pl
import pytest

from gridscout.models import psychro, pue, water
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
    assert (d.tower_fan_kw_per_kw_heat, d.tower_liquid_gas_ratio) == (0.0127, 1.2)
    h = pue.hourly_pue(weather_all, d)
    rejected = (h["pue"] - d.pump_power_frac) / (1.0 + d.tower_fan_kw_per_kw_heat)
    # the tower rejects at least what the servers dissipate (1 kW per kW IT) every hour
    assert rejected.min() > 1.0
    w = weather_all.sort("station_key", "hour_of_year")
    t, p = w["dry_bulb_c"].to_numpy(), w["pressure_pa"].fill_null(101325.0).to_numpy()
    hum = psychro.humidity_ratio_from_weather(t, p, dew_point_c=w["dew_point_c"].to_numpy(),
                                              rh_pct=w["rh_pct"].to_numpy())
    share = pue.tower_latent_fraction(d, t, hum, p)
    ok = np.isfinite(share)
    assert np.allclose(h["evap_heat_kwh_per_kwh_it"].to_numpy()[ok], (share * rejected.to_numpy())[ok], rtol=1e-3)
    wue = water.wue_annual(h)
    # evaporation is 3.6 MJ/kWh / h_fg per kWh of latent heat; IAPWS-95: h_fg = 2.454 MJ/kg at 20 °C
    assert (wue["wue_evaporation_l_per_kwh"] / wue["evap_heat_kwh_per_kwh_it"]).to_list() == \
        pytest.approx([3.6 / 2.454] * wue.height, rel=2e-3)


def test_tower_latent_share_follows_the_air():
    """Perry's rule (Perry's Chemical Engineers' Handbook, cooling towers): evaporation ≈ 0.00085 of
    the circulating flow per °F of range in summer, i.e. 0.00085 × 2,450 kJ/kg / (4.186/1.8 kJ/kg)
    ≈ 0.90 of the heat. Typical humid summer hours (30 °C / 24 °C and 25 °C / 20 °C dry / wet bulb)
    give that within 0.07; cold air takes much of the heat sensibly, hot dry air is itself cooled."""
    d = get_design("waterside_economizer_tower")
    p = np.full(4, 101325.0)
    t = np.array([30.0, 25.0, -10.0, 42.0])
    w = psychro.humidity_ratio_from_wet_bulb(t, np.array([24.0, 20.0, -11.0, 18.0]), p)
    warm, mild, winter, desert = pue.tower_latent_fraction(d, t, w, p)
    perry = 0.00085 * 2450 / (4.186 / 1.8)
    assert warm == pytest.approx(perry, abs=0.07) and mild == pytest.approx(perry, abs=0.07)
    assert winter < 0.5 and desert > 1.0


def test_tower_wue_varies_with_climate(weather_all):
    r = {x["station_key"]: x["wue_onsite_l_per_kwh"]
         for x in pue.estimate_pue(weather_all, "waterside_economizer_tower").iter_rows(named=True)}
    assert r["sand_point"] < r["chicago"] < r["miami"]
    assert r["miami"] - r["sand_point"] > 0.3


def test_evaporative_water_band_lei_masanet_2022(raw_dir):
    """Evaporative designs: hot-dry places in the published 0.1-1.8 L/kWh band (Lei & Masanet 2022,
    RCR 182:106323, as summarised in /work/shared/docs/models.md), near zero in cold places."""
    from gridscout.sources import weather_epw_tmy3

    zips = {"vegas": "Las Vegas-McCarran Intl AP 723860 (TMY3).zip", "el_paso": "El Paso Intl AP 722700 (TMY3).zip",
            "minneapolis": "Minneapolis-St Paul Intl AP 726580 (TMY3).zip"}
    folder = raw_dir / "weather_epw_tmy3"
    hourly = weather_epw_tmy3.parse({z: folder / z for z in zips.values()}).tables["weather_hourly"]
    for name in ("air_evaporative", "hyperscale_best"):
        r = {k: pue.estimate_pue(hourly, name).filter(pl.col("station_key") == f"weather_epw_tmy3:{z}")
             ["wue_onsite_l_per_kwh"][0] for k, z in zips.items()}
        assert 0.1 <= r["vegas"] <= 1.8 and 0.1 <= r["el_paso"] <= 1.8, (name, r)
        assert r["minneapolis"] < 0.05, (name, r)


def test_evaporation_stops_at_the_envelope_humidity_limit():
    """Partial evaporation: a warm hour whose full evaporation would push the supply air above the
    A1 dew-point limit (17 °C) evaporates only up to that limit, not all or nothing."""
    d = get_design("air_evaporative")
    p = np.full(3, 101325.0)
    t = np.array([33.0, 33.0, 33.0])
    dew = np.array([5.0, 14.0, 16.9])  # dry, moist, near the limit
    w = psychro.humidity_ratio_from_dew_point(dew, p)
    k = pue.cooling_kernel(d, t, psychro.wet_bulb_c(t, w, p), w, p)
    w_limit = psychro.humidity_ratio_from_dew_point(17.0, p[0])
    added = k["evap_heat_kwh"] / ((1.0 + d.electrical.loss_frac + d.electrical.lighting_misc_frac + d.fan_power_frac)
                                  / d.it_delta_t_k) * pue.CP_AIR_KJ * 1e3 / water.LATENT_HEAT_J_PER_KG
    assert np.all(w + added <= w_limit * (1 + 1e-4))
    assert k["evap_heat_kwh"][2] > 0.0 and k["evap_heat_kwh"][1] > k["evap_heat_kwh"][2]  # partial, not zero
    assert k["mech_frac"][2] > k["mech_frac"][1] >= k["mech_frac"][0]  # less evaporation, more chiller


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
