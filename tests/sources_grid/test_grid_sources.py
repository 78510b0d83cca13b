"""Grid-capacity and price sources parsed from the real files in the shared raw folder."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from gridscout.errors import SourceFormatError
from gridscout.sources import egrid, eia860, ember_prices, entsoe_gridkit, gppd_usa, reeds


def _row(df: pl.DataFrame, **eq) -> dict:
    rows = df.filter(pl.all_horizontal(pl.col(k) == v for k, v in eq.items())).to_dicts()
    assert len(rows) == 1, f"expected one row for {eq}, got {len(rows)}"
    return rows[0]


# --- eia860 ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def eia(raw_dir):
    return eia860.parse({eia860.PLANT_CSV: raw_dir / "eia860" / eia860.PLANT_CSV})


def test_eia860_bankhead_dam_real_values(eia):
    p = _row(eia.tables["eia860_plants"], plant_id="2")
    assert p["plant_name"] == "Bankhead Dam"
    assert (p["state"], p["county"], p["nerc_region"], p["balancing_authority_code"]) == ("AL", "Tuscaloosa", "SERC", "SOCO")
    assert p["grid_voltage_kv"] == 115.0 and p["grid_voltage_2_kv"] is None  # blank " " is unknown, not 0
    assert (p["latitude"], p["longitude"]) == (33.458665, -87.356823)
    pp = _row(eia.tables["power_plants"], plant_id="2")
    assert pp["capacity_mw"] is None and pp["fuel"] == "unknown" and pp["country"] == "USA"


def test_eia860_counts_and_rejections(eia):
    assert eia.tables["eia860_plants"].height == 11_833
    # 28 blank coordinates + one latitude of 425.2 (a typo in EIA-860 2019): out of power_plants only
    assert eia.tables["power_plants"].height == 11_833 - 29
    assert [(r.table, r.rows) for r in eia.rejections] == [("power_plants", 29)]
    assert eia.vintage == "2019"


def test_eia860_missing_column_names_file_and_column(tmp_path):
    bad = tmp_path / eia860.PLANT_CSV
    bad.write_text("Utility ID,Plant Code,Plant Name\n1,2,x\n")
    with pytest.raises(SourceFormatError, match=r"eia860_2019_plant\.csv.*Grid Voltage \(kV\)"):
        eia860.parse({eia860.PLANT_CSV: bad})


# --- gppd_usa -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def usa(raw_dir):
    return gppd_usa.parse({gppd_usa.USA: raw_dir / "gppd" / gppd_usa.USA})


def test_gppd_usa_real_plants(usa):
    plants = usa.tables["power_plants"]
    b = _row(plants, plant_id="USA0000002")
    assert (b["plant_name"], b["capacity_mw"], b["fuel"], b["commissioning_year"]) == ("Bankhead Dam", 53.9, "hydro", 1963.0)
    gc = plants.sort("capacity_mw", descending=True).row(0, named=True)
    assert (gc["plant_name"], gc["capacity_mw"], gc["fuel"]) == ("Grand Coulee", 6809.0, "hydro")
    gen = usa.tables["plant_generation_yearly"].filter(pl.col("plant_id") == "USA0000002").sort("year")
    assert gen["generation_gwh"].to_list()[:2] == [211.342, 47.391]  # 2013, 2014


def test_gppd_usa_rejects_idle_and_unlocated_rows(usa):
    assert usa.tables["power_plants"].height == 11_879 - 32 - 2029 + 28  # 28 idle rows also lack coordinates
    reasons = {r.reason: r.rows for r in usa.rejections}
    assert reasons["no coordinates"] == 32
    assert reasons["0 MW and no primary fuel: no operating capacity in 2019"] == 2029
    assert usa.tables["power_plants"]["fuel"].is_in(
        ["coal", "gas", "oil", "nuclear", "hydro", "wind", "solar", "biomass", "geothermal", "storage", "other"]).all()


# --- entsoe_gridkit -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gridkit(raw_dir):
    d = raw_dir / "entsoe_gridkit"
    return entsoe_gridkit.parse({n: d / n for n in (entsoe_gridkit.BUSES, entsoe_gridkit.LINES, entsoe_gridkit.GENERATORS)})


def test_gridkit_counts_and_real_bus(gridkit):
    buses, lines = gridkit.tables["grid_buses"], gridkit.tables["grid_lines"]
    assert buses.height == 8_807 and lines.height == 11_151
    b = _row(buses, bus_id="3371")  # a 380 kV substation in Bavaria
    assert (b["voltage_kv"], b["country"], b["is_substation"]) == (380.0, "DEU", True)
    assert (b["latitude"], b["longitude"]) == (48.852065, 11.36261)
    assert _row(buses, bus_id="5")["voltage_kv"] is None  # DC terminal without a voltage: unknown
    assert buses.filter(pl.col("symbol") == "joint")["is_substation"].any() is False


def test_gridkit_real_line_and_generator(gridkit):
    line = _row(gridkit.tables["grid_lines"], line_id="4250")
    assert (line["bus0"], line["bus1"], line["voltage_kv"], line["circuits"]) == ("10", "13", 380.0, 1)
    assert line["length_km"] == pytest.approx(13.4949101643949)
    assert line["geometry_wkb"][:1] == b"\x01"  # little-endian WKB
    gen = _row(gridkit.tables["grid_generators"], generator_id="1")
    assert (gen["name"], gen["country"], gen["capacity_mw"]) == ("Jeddah", "SAU", None)  # -1 → unknown


# --- reeds ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reeds_parsed(raw_dir):
    d = raw_dir / "reeds"
    return reeds.parse({n: d / n for n in (reeds.AREAS, reeds.MEMBERSHIP, reeds.AC_BA, reeds.AC_STATE, reeds.NONAC_BA)})


def test_reeds_areas(reeds_parsed):
    areas = reeds_parsed.tables["reeds_areas"]
    assert areas.height == 134
    p1 = _row(areas, area_code="p1")
    assert (p1["ba_code"], p1["state"], p1["interconnect"]) == ("BPAT", "WA", "western")


def test_reeds_transfer_limits_real_values(reeds_parsed):
    t = reeds_parsed.tables["transfer_limits"]
    assert _row(t, area_kind="ba", from_area="p1", to_area="p2", line_type="AC")["capacity_mw"] == 8287.031
    assert _row(t, area_kind="ba", from_area="p2", to_area="p1", line_type="AC")["capacity_mw"] == 9392.247
    assert _row(t, area_kind="ba", from_area="p5", to_area="p10", line_type="LCC")["capacity_mw"] == 2780.0
    ar_la = _row(t, area_kind="state", from_area="AR", to_area="LA", line_type="AC")  # AR||LA 3464 + LA||AR 895
    assert (ar_la["capacity_mw"], ar_la["direction"]) == (3464.0 + 895.0, "both")
    assert t.filter(pl.col("area_kind") == "ba", pl.col("line_type") == "AC").height == 2 * 292


# --- interconnection queues: tests/sources_grid/test_iso_queues.py (all seven ISOs, PJM included)


# --- egrid ----------------------------------------------------------------------------------

def test_egrid_crosswalks(raw_dir):
    d = raw_dir / "egrid"
    r = egrid.parse({n: d / n for n in (egrid.BA, egrid.SUBREGIONS, egrid.INTERCONNECT, egrid.TRANSMISSION,
                                        egrid.UTILITY, egrid.NERC, egrid.STATES)})
    ba = r.tables["egrid_ba_subregion"]
    assert _row(ba, balancing_authority_code="SOCO")["subregion"] == "SRSO"
    assert _row(ba, balancing_authority_code="ERCO")["subregion"] == "ERCT"
    assert _row(ba, balancing_authority_code="PJM")["subregion"] is None  # PJM spans subregions: by TDSO
    sub = r.tables["egrid_subregions"]
    assert sub.height == 27
    assert _row(sub, subregion="SRSO") == {"subregion": "SRSO", "subregion_name": "SERC South", "interconnect": "Eastern"}
    assert any("U.S." in x.reason for x in r.rejections)
    assert r.tables["egrid_state_interconnect"].filter(pl.col("state") == "TX").height == 3


# --- ember_prices ---------------------------------------------------------------------------

def test_ember_wholesale_germany_jan_2023(raw_dir):
    r = ember_prices.parse({ember_prices.MONTHLY: raw_dir / "ember" / ember_prices.MONTHLY})
    w = r.tables["wholesale_prices"]
    de = _row(w, region_code="DEU", month=dt.date(2023, 1, 1))
    assert de["price_eur_per_mwh"] == 117.22 and de["price_usd_per_mwh"] is None  # no rate table: unknown
    assert w.height == 3_745 and w["region_code"].n_unique() == 31
    assert r.vintage == "2015-01..2025-12"
