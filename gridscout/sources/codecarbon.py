"""Grid carbon intensity by US state (EPA eGRID2023) and by country (OWID/Ember), via CodeCarbon.

Files (CodeCarbon 3.3.2 ``codecarbon/data``, MIT; flattened to CSV in the raw folder):

* ``us_state_egrid2023_co2e_rate.csv`` — EPA eGRID2023 field ``STC2ERTA``, the state annual CO2
  equivalent *total output emission rate* [lb CO2e/MWh]. eGRID output emission rates count the
  stack (combustion) emissions of the plants in the state divided by their net generation; no
  upstream fuel-chain or construction emissions, so the basis is **direct**. Converted with the
  exact pound (0.45359237 kg): lb/MWh × 0.45359237 = g/kWh.
* ``global_energy_mix_by_country.csv`` — Our World in Data energy data (Ember + Energy Institute):
  ``carbon_intensity`` [gCO2eq/kWh] = OWID ``carbon_intensity_elec``, computed by Ember with IPCC
  AR5 lifecycle emission factors, so the basis is **lifecycle**; generation by fuel [TWh].
  Each country carries its own latest year (2009–2023).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

EGRID_FILE = "us_state_egrid2023_co2e_rate.csv"
MIX_FILE = "global_energy_mix_by_country.csv"
LB_PER_MWH_TO_G_PER_KWH = 0.45359237
EGRID_YEAR = 2023

#: OWID ``<fuel>_TWh`` columns → canonical fuel of region_generation_mix (disjoint; sum = total)
MIX_FUELS = {"coal_TWh": "coal", "gas_TWh": "gas", "oil_TWh": "oil", "nuclear_TWh": "nuclear",
             "hydroelectricity_TWh": "hydro", "wind_TWh": "wind", "solar_TWh": "solar",
             "biofuel_TWh": "biomass", "other_renewable_exc_biofuel_TWh": "other_renewable"}


def parse_egrid_states(path: Path) -> pl.DataFrame:
    """eGRID state CO2e output emission rates → region_carbon_yearly rows (direct basis).

    The US-total row (``usa``) becomes ``region_kind='country', region_code='USA'``.
    """
    df = read_csv_checked(path, required=("state", "state_code", "co2e_lb_per_mwh"))
    df = df.with_columns(pl.col("co2e_lb_per_mwh").cast(pl.Float64, strict=False))
    check_range(df, "co2e_lb_per_mwh", 0, 4000, file=path)
    code = pl.col("state_code").str.strip_chars().str.to_uppercase()
    national = code == "USA"  # the file's last row is the US total ("usa"), not a state
    return df.select(
        pl.when(national).then(pl.lit("country")).otherwise(pl.lit("us_state")).alias("region_kind"),
        code.alias("region_code"),
        pl.when(national).then(pl.lit("United States")).otherwise(pl.col("state").str.to_titlecase()).alias("region_name"),
        pl.lit(EGRID_YEAR, pl.Int32).alias("year"),
        (pl.col("co2e_lb_per_mwh") * LB_PER_MWH_TO_G_PER_KWH).alias("carbon_g_per_kwh"),
        pl.lit("direct").alias("carbon_basis"),
    )


def parse_country_mix(path: Path) -> tuple[pl.DataFrame, pl.DataFrame, list[Rejection]]:
    """OWID country mix → (region_carbon_yearly rows, region_generation_mix rows, rejections)."""
    df = read_csv_checked(path, required=("iso_code", "country_name", "year", "carbon_intensity", "total_TWh",
                                          *MIX_FUELS))
    df = df.with_columns(pl.col("carbon_intensity", "total_TWh", *MIX_FUELS).cast(pl.Float64, strict=False),
                         pl.col("year").cast(pl.Int32, strict=False))
    ok = (pl.col("iso_code").str.len_chars() == 3) & pl.col("year").is_not_null()
    bad = df.filter(~ok.fill_null(False)).height
    rej = [Rejection("region_carbon_yearly", bad, "no ISO alpha-3 code or year")] if bad else []
    df = df.filter(ok.fill_null(False))
    check_range(df, "carbon_intensity", 0, 2000, file=path)
    carbon = df.select(
        pl.lit("country").alias("region_kind"), pl.col("iso_code").alias("region_code"),
        pl.col("country_name").alias("region_name"), "year",
        pl.col("carbon_intensity").alias("carbon_g_per_kwh"), pl.lit("lifecycle").alias("carbon_basis"))
    mix = mix_long(df.rename({"iso_code": "region_code"}), MIX_FUELS, total="total_TWh")
    return carbon, mix, rej


def mix_long(df: pl.DataFrame, fuels: Mapping[str, str], *, total: str) -> pl.DataFrame:
    """Wide generation-by-fuel [TWh] → long region_generation_mix rows with share of ``total``."""
    long = df.select("region_code", "year", total, *fuels).unpivot(
        index=["region_code", "year", total], on=list(fuels), variable_name="column", value_name="generation_twh")
    return long.select(
        pl.lit("country").alias("region_kind"), "region_code", "year",
        pl.col("column").replace_strict(dict(fuels)).alias("fuel"), "generation_twh",
        pl.when(pl.col(total) > 0).then(pl.col("generation_twh") / pl.col(total) * 100).alias("share_pct"),
    ).filter(pl.col("generation_twh").is_not_null())


def parse(files: Mapping[str, Path]) -> ParseResult:
    states = parse_egrid_states(files[EGRID_FILE])
    carbon, mix, rej = parse_country_mix(files[MIX_FILE])
    return ParseResult({"region_carbon_yearly": pl.concat([states, carbon]), "region_generation_mix": mix},
                       rejections=rej)


SPEC = SourceSpec(
    id="codecarbon",
    title="CodeCarbon grid tables: eGRID2023 state CO2e rates, OWID/Ember country mix and intensity",
    authority="US EPA eGRID2023; Our World in Data / Ember / Energy Institute (via CodeCarbon 3.3.2)",
    licence="MIT (CodeCarbon); eGRID US public domain; OWID/Ember CC BY 4.0",
    homepage="https://github.com/mlco2/codecarbon",
    family="carbon",
    vintage="codecarbon-3.3.2",
    files=(RawFile(EGRID_FILE, url=None), RawFile(MIX_FILE, url=None)),
    tables=("region_carbon_yearly", "region_generation_mix"),
    parse=parse,
    publication=Publication("annual", "codecarbon bundles yearly eGRID and Ember figures (github.com/mlco2/codecarbon, data/private_infra); about a year behind the data year", lag_days=400, period_end="region_carbon_yearly.year"),
    notes="Flattened CSV copies of codecarbon/data/private_infra/eGRID and global_energy_mix.json; "
          "eGRID is direct (stack) emissions, OWID/Ember is lifecycle.",
    reference_only="US-state (eGRID, direct) and country (OWID/Ember, lifecycle) intensity and mix loaded for "
                   "cross-checks in tests; scoring uses the zone intensity of carbon_yearly.",
)
