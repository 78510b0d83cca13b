"""Zone assignment respects borders: a point takes a grid zone of its own country where one exists
(Electricity Maps zone polygons vs Natural Earth countries, on the real first-slice warehouse)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from gridscout.features.assemble import cell_features
from gridscout.features.location import locate
from gridscout.geo import hexgrid
from gridscout.geo.regions import region_geometry

PLACES = {  # name: (lat, lon, country ISO3, expected zone or zone prefix)
    "singapore_changi": (1.3644, 103.9915, "SGP", "SG"),
    "kehl_de": (48.5734, 7.8150, "DEU", "DE"),            # across the Rhine from Strasbourg
    "strasbourg_fr": (48.5734, 7.7521, "FRA", "FR"),
    "basel_ch": (47.5596, 7.5886, "CHE", "CH"),
    "riehen_ch": (47.5788, 7.6468, "CHE", "CH"),           # Swiss, with Germany on three sides
    "weil_am_rhein_de": (47.5947, 7.6108, "DEU", "DE"),
    "detroit_us": (42.3314, -83.0458, "USA", "US-"),
    "windsor_ca": (42.3149, -83.0364, "CAN", "CA-ON"),
    "tijuana_mx": (32.5149, -117.0382, "MEX", "MX"),
    "san_diego_us": (32.7157, -117.1611, "USA", "US-CAL-"),
}


@pytest.fixture(scope="module")
def ref(first_slice_db):
    from gridscout.warehouse.readers.reference import read_reference

    return read_reference(first_slice_db)


@pytest.fixture(scope="module")
def located(ref):
    sites = pl.DataFrame({"site_id": list(PLACES), "latitude": [v[0] for v in PLACES.values()],
                          "longitude": [v[1] for v in PLACES.values()]})
    return {r["site_id"]: r for r in locate(sites, ref).iter_rows(named=True)}


@pytest.mark.parametrize("name", list(PLACES))
def test_border_places_take_their_own_countrys_zone(located, ref, name):
    _, _, iso3, zone = PLACES[name]
    r = located[name]
    assert r["country"] == iso3
    assert r["grid_zone"] == zone or (zone.endswith("-") and r["grid_zone"].startswith(zone)), r["grid_zone"]
    cc = ref.zones.filter(pl.col("zone_key") == r["grid_zone"])["country_key"].item()
    iso2 = ref.boundaries.filter((pl.col("layer") == "country") & (pl.col("code") == iso3))["iso_a2"].item()
    assert cc == iso2


def test_no_german_cell_takes_a_foreign_zone(ref):
    """Every on-land cell of Germany (H3 res 6) gets a German zone; offshore cells only UNKNOWN or German."""
    cells, lat, lon = hexgrid.polyfill(region_geometry("DEU", ref.boundaries), 6)
    f = cell_features(cells, lat, lon, ref)
    assert f.height > 8000
    de = f.filter(pl.col("country") == "DEU")
    assert de.height > 0.99 * f.height
    zones = set(de["grid_zone"].drop_nulls().to_list())
    assert zones == {"DE"}, zones - {"DE"}
    assert de["grid_zone"].null_count() == 0
    assert np.isfinite(de["carbon_g_per_kwh"].to_numpy()).all()


def test_a_territorys_own_zone_is_kept(ref):
    """A territory with its own Electricity Maps zone that the 1:50m boundaries fold into a country keeps
    that zone: Gibraltar (zone ``GI``) lies in Spain's polygon, within reach of Spain's zone, French Guiana
    (``GF``) and Guadeloupe (``GP``) in France's; Seville and Paris take their countries' zones."""
    towns = {"gibraltar": (36.1408, -5.3536, "ESP", "GI"), "seville": (37.3891, -5.9845, "ESP", "ES"),
             "cayenne": (4.9372, -52.3260, "FRA", "GF"), "pointe_a_pitre": (16.2411, -61.5331, "FRA", "GP"),
             "paris": (48.8566, 2.3522, "FRA", "FR")}
    sites = pl.DataFrame({"site_id": list(towns), "latitude": [v[0] for v in towns.values()],
                          "longitude": [v[1] for v in towns.values()]})
    got = {r["site_id"]: (r["country"], r["grid_zone"]) for r in locate(sites, ref).iter_rows(named=True)}
    assert got == {k: v[2:] for k, v in towns.items()}
