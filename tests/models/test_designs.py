"""Design TOML: ASHRAE Table 2.1 limits, validation errors, rack-density checks, GPU load."""

import tomllib

import pytest

from gridscout.models import designs, load
from gridscout.models.designs import DesignError

# ASHRAE TC9.9 Thermal Guidelines 5th ed. (2021) Table 2.1
TABLE_2_1 = {
    "recommended": (18, 27, -9, 15, 70),
    "A1": (15, 32, -12, 17, 80),
    "A2": (10, 35, -12, 21, 80),
    "A3": (5, 40, -12, 24, 85),
    "A4": (5, 45, -12, 24, 90),
}


@pytest.mark.parametrize("name", list(TABLE_2_1))
def test_envelopes_match_ashrae_table_2_1(name):
    env = designs.load_envelopes()[name]
    assert (env.dry_bulb_min_c, env.dry_bulb_max_c, env.dew_point_min_c, env.dew_point_max_c,
            env.rh_max_pct) == TABLE_2_1[name]
    assert "Table 2.1" in env.source


def test_every_design_loads_and_cites():
    ds = designs.load_designs()
    assert set(ds) == {"air_chiller_economizer", "air_evaporative", "waterside_economizer_tower",
                       "direct_liquid", "immersion", "hyperscale_best", "tropical_air_cooled_chiller",
                       "legacy_enterprise"}
    text = designs.DEFAULT_DESIGNS_PATH.read_text()
    # every table states its evidence: [published] / [derived] / [assumption] tags in its block
    for block in text.split("\n[")[1:]:
        assert any(tag in block for tag in ("[published", "[derived", "[assumption")), block[:60]
    for ch in ds["waterside_economizer_tower"].chiller, ds["air_evaporative"].chiller:
        assert "ASHRAE 90.1-2019" in ch.source


def test_missing_key_error_names_the_key(tmp_path):
    raw = tomllib.loads(designs.DEFAULT_DESIGNS_PATH.read_text())
    text = designs.DEFAULT_DESIGNS_PATH.read_text().replace("tower_approach_k = 4.0", "")
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(DesignError, match="designs.waterside_economizer_tower: missing key 'tower_approach_k'"):
        designs.load_designs(p)
    assert raw["designs"]["waterside_economizer_tower"]["tower_approach_k"] == 4.0


def test_unknown_envelope_and_design():
    with pytest.raises(DesignError, match="unknown ASHRAE envelope"):
        designs.get_design("immersion", envelope="B7")
    with pytest.raises(DesignError, match="unknown cooling design"):
        designs.get_design("magic")


def test_rack_density_check():
    air = designs.get_design("air_chiller_economizer")
    load.check_rack_density(air, 15.0)
    with pytest.raises(DesignError, match="serves at most 20 kW/rack"):
        load.check_rack_density(air, 80.0)
    load.check_rack_density(designs.get_design("direct_liquid"), 80.0)
    with pytest.raises(DesignError):
        load.check_rack_density(designs.get_design("direct_liquid"), 200.0)
    load.check_rack_density(designs.get_design("immersion"), 200.0)


def test_gpu_fleet_it_load():
    assert load.server_overhead_factor() == pytest.approx(10.2 / 5.6)
    # one DGX H100 = 10.2 kW
    assert load.it_load_mw(load.Fleet("H100_SXM", 8)) == pytest.approx(0.0102)
    mw = load.it_load_mw(load.Fleet("B200_SXM", 100_000, server_overhead_factor=1.5, utilisation=0.8))
    assert mw == pytest.approx(1000 * 100_000 * 1.5 * 0.8 / 1e6)
    gpus = load.load_gpus()
    assert dict(zip(gpus["model"], gpus["board_power_w"])) == {
        "H100_SXM": 700, "H200_SXM": 700, "B200_SXM": 1000, "B300_SXM": 1400, "MI300X": 750}
    assert gpus["source"].null_count() == 0
    with pytest.raises(ValueError, match="unknown GPU model"):
        load.it_load_mw(load.Fleet("Z9000", 8))
