"""The report's Methods section describes every cooling tier the run used, and only those."""

import polars as pl

from gridscout.report.render import methods_used
from gridscout.report.templates import METHODS


def _tiers(scores):
    return {m.get("tier") for m in methods_used(scores)} - {None}


def test_methods_follow_the_tiers_used():
    assert _tiers(pl.DataFrame({"pue_method": ["hourly", "hourly"]})) == {"hourly"}
    assert _tiers(pl.DataFrame({"pue_method": ["hourly", "climate_model", None]})) == {"hourly", "climate_model"}
    assert _tiers(pl.DataFrame({"pue_method": [None]}, schema={"pue_method": pl.String})) == set()
    general = [m for m in METHODS if "tier" not in m]
    assert all(m in methods_used(pl.DataFrame({"x": [1]})) for m in general)
    cm = next(m for m in METHODS if m.get("tier") == "climate_model")
    assert "leave-one-station-out" in cm["how"] and "169-2020" in cm["cite"]
