"""Parsers of the off-site water sources on the real files, checked against the folder READMEs' spot values."""

from __future__ import annotations

import polars as pl
import pytest

from gridscout.errors import SourceFormatError
from gridscout.sources import chini_peer_water, eia860_cooling, netl_plant_water, usgs_thermoelectric

GAL_PER_MWH = 3.785411784 / 1000.0  # L/kWh per gal/MWh


@pytest.fixture(scope="module")
def usgs(raw_dir):
    d = raw_dir / "usgs_thermoelectric_2015"
    return usgs_thermoelectric.parse({usgs_thermoelectric.FILE: d / usgs_thermoelectric.FILE}).tables["plant_water_usgs"]


def _row(df: pl.DataFrame, plant_id: str) -> dict:
    return df.filter(pl.col("plant_id") == plant_id).row(0, named=True)


def test_usgs_2015_spot_values(usgs):
    # README: 1,122 plants; BOM and thousands separators handled (Barry's "11,387,562" MWh)
    assert usgs.height == 1122 and usgs["plant_id"].n_unique() == 1122
    assert _row(usgs, "3")["net_generation_mwh"] == 11_387_562
    vogtle = _row(usgs, "649")  # README: 27.7 Mgal/d over 19,341,208 MWh = 523 gal/MWh (1.98 L/kWh)
    assert vogtle["cooling_type"] == "RECIRCULATING TOWER" and vogtle["water_kind"] == "fresh"
    assert vogtle["consumption_l_per_kwh"] == pytest.approx(523 * GAL_PER_MWH, rel=2e-3)
    assert vogtle["consumption_l_per_kwh"] == pytest.approx(1.98, abs=0.005)
    surry = _row(usgs, "3806")  # README: once-through saline, consumption 0
    assert surry["cooling_type"] == "ONCE-THROUGH SALINE" and surry["water_kind"] == "saline"
    assert surry["consumption_l_per_kwh"] == 0.0
    assert _row(usgs, "210")["consumption_l_per_kwh"] == pytest.approx(486 * GAL_PER_MWH, rel=3e-3)  # Wolf Creek
    assert _row(usgs, "6168")["consumption_l_per_kwh"] == pytest.approx(408 * GAL_PER_MWH, rel=3e-3)  # North Anna
    # README totals: consumption 2,723 Mgal/d; generation-weighted over all plants 1.17 L/kWh
    assert usgs["consumption_mgal_per_day"].sum() == pytest.approx(2723, rel=1e-3)
    g = usgs.filter(pl.col("net_generation_mwh") > 0)
    all_l_per_kwh = (g["consumption_mgal_per_day"].sum() * usgs_thermoelectric.MGAL_PER_DAY_TO_L_PER_YEAR
                     / (g["net_generation_mwh"].sum() * 1000))
    assert all_l_per_kwh == pytest.approx(1.17, abs=0.005)
    # min <= median <= max wherever known; the one plant with generation <= 0 has a null intensity
    k = usgs.drop_nulls("consumption_l_per_kwh")
    assert (k["consumption_min_l_per_kwh"] <= k["consumption_l_per_kwh"] + 1e-12).all()
    assert (k["consumption_l_per_kwh"] <= k["consumption_max_l_per_kwh"] + 1e-12).all()
    assert usgs.filter(pl.col("net_generation_mwh") <= 0)["consumption_l_per_kwh"].null_count() == 1


def test_usgs_header_drift_is_named(tmp_path, raw_dir):
    text = (raw_dir / "usgs_thermoelectric_2015" / usgs_thermoelectric.FILE).read_text(encoding="utf-8-sig")
    bad = tmp_path / usgs_thermoelectric.FILE
    bad.write_text(text.replace("CONSUMPTION,", "CONSUMPTION_MGD,", 1), encoding="utf-8")
    with pytest.raises(SourceFormatError, match="CONSUMPTION"):
        usgs_thermoelectric.parse({usgs_thermoelectric.FILE: bad})


def test_eia860_cooling_spot_values(raw_dir):
    d = raw_dir / "eia860_cooling"
    r = eia860_cooling.parse({eia860_cooling.FILE: d / eia860_cooling.FILE})
    c = r.tables["plant_cooling_systems"]
    assert c.height == 1893 and c["plant_id"].n_unique() == 967  # README: 1,893 systems at 967 plants
    assert r.rows_rejected == 1  # the NOTE footnote
    barry = {x["cooling_id"]: x for x in c.filter(pl.col("plant_id") == "3").iter_rows(named=True)}
    assert (barry["1-3"]["cooling_type_1"], barry["1-3"]["water_kind"]) == ("ON", "fresh")
    assert (barry["U6C"]["cooling_type_1"], barry["U6C"]["water_type_code"]) == ("RI", "BE")
    assert set(c.filter(pl.col("plant_id") == "3806")["water_type_code"]) == {"BR"}  # Surry: brackish in EIA-860
    assert set(c.filter(pl.col("plant_id") == "210")["cooling_type_1"]) == {"RC"}  # Wolf Creek: pond
    assert c.filter(pl.col("cooling_type_1") == "DC").height == 83


def test_netl_hydro_and_thermal_spot_values(raw_dir):
    d = raw_dir / "netl_plant_water_2016"
    t = netl_plant_water.parse({f.name: d / f.name for f in netl_plant_water.SPEC.files}).tables
    h = t["hydro_plant_water"]
    assert h.height == 1061 and h.filter(pl.col("water_m3") == 0).height == 409
    assert _row(h, "154")["water_m3_per_mwh"] == pytest.approx(233, rel=5e-3)  # Hoover Dam
    assert _row(h, "153")["water_m3_per_mwh"] == pytest.approx(42.2, rel=5e-3)  # Glen Canyon
    assert _row(h, "6163")["water_m3"] == pytest.approx(3.630e8, rel=1e-3)  # Grand Coulee
    assert _row(h, "3075")["water_m3"] == 0  # Bonneville (run of river)
    n = dict(t["hydro_nerc_water"].select("nerc_region", "water_m3_per_mwh").iter_rows())
    assert (n["WECC"], n["TRE"], n["NPCC"]) == (pytest.approx(27.7, abs=0.05), pytest.approx(498.8, abs=0.05),
                                                pytest.approx(28.1, abs=0.05))
    th = t["plant_water_netl"]
    assert _row(th, "649")["consumption_gal_per_mwh"] == pytest.approx(692, abs=1)  # Vogtle
    assert _row(th, "210")["consumption_gal_per_mwh"] == pytest.approx(830, abs=1)  # Wolf Creek
    assert _row(th, "3")["consumption_gal_per_mwh"] == pytest.approx(175, abs=1)  # Barry
    assert th.filter(pl.col("plant_id").is_in(["6168", "3806"])).height == 0  # README: absent from NETL


def test_chini_peer_spot_values(raw_dir):
    d = raw_dir / "chini_peer_electricity_water"
    r = chini_peer_water.parse({f.name: d / f.name for f in chini_peer_water.SPEC.files})
    c = r.tables["country_water_intensity"]
    usa = c.filter((pl.col("country_alpha3") == "USA") & (pl.col("year") == 2018)).row(0, named=True)
    assert (usa["consumption_l_per_kwh"], usa["consumption_min_l_per_kwh"], usa["consumption_max_l_per_kwh"]) == \
        pytest.approx((2.488, 2.184, 2.827), abs=5e-4)
    by = {(x["country_alpha3"], x["year"]): x["consumption_l_per_kwh"] for x in c.iter_rows(named=True)}
    assert by[("NOR", 2018)] == pytest.approx(12.733, abs=5e-4) and by[("IRL", 2018)] == pytest.approx(1.035, abs=5e-4)
    assert by[("KOR", 2018)] is not None and ("PRK", 2018) in by  # "Korea" is the Republic, not the DPRK
    assert c.height == 1321  # 1,323 rows less the 2 NA ones
    hyd = dict(r.tables["country_hydro_water"].select("country_alpha3", "hydro_m3_per_mwh").iter_rows())
    assert hyd["USA"] == pytest.approx(20.86, abs=0.01) and hyd["NOR"] == pytest.approx(13.28, abs=0.01)
    assert chini_peer_water.SPEC.licence.startswith("NOT VERIFIED")  # the declaration says so


def test_usgs_2010_spot_values_and_agreement_with_2015(raw_dir, usgs):
    from gridscout.sources import usgs_thermoelectric_2010 as u10

    t = u10.parse({u10.FILE: raw_dir / "usgs_thermoelectric_2010" / u10.FILE}).tables["plant_water_usgs_2010"]
    assert t.height == 1290  # README: 1,290 plants
    assert t["consumption_mgal_per_day"].sum() == pytest.approx(3516.5, rel=1e-3)
    vogtle = _row(t, "649")  # README: 32.1 Mgal/d, 19,610,477 MWh
    assert (vogtle["consumption_mgal_per_day"], vogtle["net_generation_mwh"]) == (32.1, pytest.approx(19_610_477, abs=1))
    assert _row(t, "3806")["consumption_l_per_kwh"] == 0.0 and _row(t, "3806")["water_kind"] == "saline"
    # the two editions agree on the nuclear tower plant within 20 % (same model, other year)
    assert vogtle["consumption_l_per_kwh"] == pytest.approx(_row(usgs, "649")["consumption_l_per_kwh"], rel=0.2)


def test_eia923_schedule8_cross_check(raw_dir, usgs):
    from gridscout.sources import eia923_cooling

    t = eia923_cooling.parse({eia923_cooling.FILE: raw_dir / "eia923_schedule8_cooling" / eia923_cooling.FILE}
                             ).tables["cooling_water_eia923"]
    assert t["plant_id"].n_unique() == 865 and t.height == 1430  # README: 865 plants, 1,430 systems

    def cons(plant: str, system: str | None = None) -> float:
        x = t.filter((pl.col("plant_id") == plant) & ((pl.col("cooling_id") == system) if system else pl.lit(True)))
        return x["consumption_mgal"].sum()

    assert cons("649", "PLANT") == pytest.approx(16_070.4, abs=0.1)  # Vogtle
    assert cons("3", "4-5") == pytest.approx(3_507.6, abs=0.1) and cons("3", "1-3") == 0  # Barry
    # cooling-lake plants report 0 where USGS models lake evaporation: the reason EIA-923 is a cross-check only
    assert cons("6168") == 0 and _row(usgs, "6168")["consumption_mgal_per_day"] == pytest.approx(18.2)
    assert cons("210") == 0 and _row(usgs, "210")["consumption_mgal_per_day"] == pytest.approx(11.5)
