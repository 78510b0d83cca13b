"""Small helpers shared by source parsers: fuel names, country codes."""

from __future__ import annotations

from functools import cache

import pycountry

#: Canonical fuel for each published fuel name (GPPD ``primary_fuel``, EIA energy sources, ...).
FUEL_MAP = {
    "coal": "coal", "petcoke": "oil", "oil": "oil", "gas": "gas", "nuclear": "nuclear", "hydro": "hydro",
    "wind": "wind", "solar": "solar", "biomass": "biomass", "geothermal": "geothermal", "storage": "storage",
    "waste": "other", "cogeneration": "other", "wave and tidal": "other", "other": "other",
}
#: Firm (dispatchable) fuels; wind and solar are variable.
FIRM_FUELS = ("coal", "gas", "oil", "nuclear", "hydro", "biomass", "geothermal")
VARIABLE_FUELS = ("wind", "solar")
CANONICAL_FUELS = ("coal", "gas", "oil", "nuclear", "hydro", "wind", "solar", "biomass", "geothermal",
                   "storage", "other", "unknown")  # unknown: the source names no fuel (e.g. EIA-860 plant file)


def canonical_fuel(name: str | None) -> str:
    if not name:
        return "other"
    return FUEL_MAP.get(name.strip().lower(), "other")


@cache
def iso3_from_numeric(numeric: str) -> str | None:
    c = pycountry.countries.get(numeric=str(numeric).zfill(3))
    return c.alpha_3 if c else None


@cache
def iso3_from_alpha2(alpha2: str | None) -> str | None:
    if not alpha2:
        return None
    c = pycountry.countries.get(alpha_2=alpha2.upper())
    return c.alpha_3 if c else None


@cache
def alpha2_from_iso3(alpha3: str | None) -> str | None:
    if not alpha3:
        return None
    c = pycountry.countries.get(alpha_3=alpha3.upper())
    return c.alpha_2 if c else None
