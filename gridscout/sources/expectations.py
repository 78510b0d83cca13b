"""What a load must look like before it may replace the previous one: the one declaration.

* :data:`RANGES`: plausible value ranges of loaded columns. The parsers refuse values outside them
  (:func:`bounds`) and the data checks are generated from the same entries
  (``warehouse/checks.py:range_checks``), so a value the parser accepts never fails a check later.
* :data:`ANCHORS`: unit sanity by known values: a known plant's capacity, a known zone's intensity.
  A file in GW instead of MW, or in kg instead of g, moves the anchor out of its band.
* :data:`ROW_BAND`: a load that would replace the current one (same vintage, or a vintage that
  sorts after it) has, per table, at most 20 % fewer rows (a file cut to half its rows is refused
  unless the user says ``--accept-shrink``); more than 20 % more rows is accepted with a warning. An
  older release loaded beside a newer one replaces nothing and is not compared.
* No year after the current one (``year`` columns): a future year is a typo or a projection,
  never an observation, and it would otherwise name the vintage.

``warehouse/load.py`` checks all of it inside the load's transaction, before commit; a refused load
rolls back, so the previous load stays current. Not a source module (excluded from the registry).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    """``table.column`` within ``[lo, hi]`` (nulls pass: unknown is not an error). ``check`` names the
    generated data check; ``key`` is the SQL expression that names a bad row."""

    check: str
    table: str
    column: str
    lo: float
    hi: float
    key: str
    why: str


@dataclass(frozen=True)
class Anchor:
    """A row identified by ``key`` whose ``column`` must lie in ``[lo, hi]`` (skipped when the row is absent)."""

    source_id: str
    table: str
    key: tuple[tuple[str, object], ...]
    column: str
    lo: float
    hi: float
    cite: str


RANGES: tuple[Range, ...] = (
    Range("plants_capacity", "power_plants", "capacity_mw", 0, 25_000, "plant_id",
          "a single plant above 25 GW: the largest, Three Gorges, is 22.5 GW (GPPD v1.2 row WRI1000452)"),
    Range("carbon_range", "zone_carbon_yearly", "carbon_g_per_kwh", 0, 2_000, "zone_key || ':' || year",
          "grid carbon intensity outside 0-2,000 gCO2eq/kWh (lignite plants are about 1,100-1,300)"),
)

ANCHORS: tuple[Anchor, ...] = (
    Anchor("gppd", "power_plants", (("plant_id", "WRI1000452"),), "capacity_mw", 20_000, 25_000,
           "Three Gorges Dam, 22,500 MW in GPPD v1.2 (gppd_v1.2_reduced_global_power_plant_database.csv); "
           "a value near 22.5 means the file is in GW"),
    Anchor("carbon_yearly", "zone_carbon_yearly", (("zone_key", "PL"), ("year", 2023)), "carbon_g_per_kwh", 500, 1_000,
           "Poland 2023, 726 gCO2eq/kWh in electricitymaps_yearly_zone_2021_2025.csv; a value near 0.7 means "
           "kg/kWh"),
)

#: relative change of a table's rows against the previous load of the source that is accepted
ROW_BAND = 0.20


def bounds(table: str, column: str) -> tuple[float, float]:
    """``(lo, hi)`` of the declared range (parsers call this instead of writing the numbers again)."""
    for r in RANGES:
        if r.table == table and r.column == column:
            return r.lo, r.hi
    raise KeyError(f"no declared range for {table}.{column}")
