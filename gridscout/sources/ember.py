"""Country electricity mix and carbon intensity, 1965–2021 (Ember + BP via Our World in Data).

File: ``owid_electricity_mix_bp_ember_2022.csv`` — OWID grapher dataset "Electricity mix from BP &
EMBER (2022)" (owid/energy-data commit e34747a), CC BY 4.0. Countries are named, not coded; names
are matched to ISO 3166-1 alpha-3 with pycountry plus the alias table below. OWID aggregates
(World, Africa, OECD, G20, income groups...) are rejected with that reason.

Basis: ``Carbon intensity of electricity (gCO2/kWh)`` is Ember's generation-weighted intensity
computed with IPCC AR5 WG3 Annex III *lifecycle* emission factors (Ember, "Global Electricity
Review" methodology; the column's ``Emissions (MtCO2)`` reproduces from the fuel mix with those
factors), so the basis is **lifecycle**.

Ember's latest annual averages by country (``carbon_yearly/ember_average_intensity_by_country.csv``)
belong to the ``carbon_yearly`` source folder and are not read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import polars as pl
import pycountry

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

MIX_FILE = "owid_electricity_mix_bp_ember_2022.csv"
INTENSITY = "Carbon intensity of electricity (gCO2/kWh)"
TOTAL = "Electricity generation (TWh)"
#: OWID TWh columns → canonical fuel (disjoint; their sum is the generation total)
MIX_FUELS = {
    "Electricity from coal (TWh)": "coal", "Electricity from gas (TWh)": "gas", "Electricity from oil (TWh)": "oil",
    "Electricity from nuclear (TWh)": "nuclear", "Electricity from hydro (TWh)": "hydro",
    "Electricity from wind (TWh)": "wind", "Electricity from solar (TWh)": "solar",
    "Electricity from bioenergy (TWh)": "biomass",
    "Electricity from other renewables excluding bioenergy (TWh)": "other_renewable",
}
#: OWID country names pycountry does not resolve exactly → ISO alpha-3 (XKX: Kosovo, user-assigned)
ALIASES = {
    "Bolivia": "BOL", "British Virgin Islands": "VGB", "Brunei": "BRN", "Cape Verde": "CPV", "Congo": "COG",
    "Cote d'Ivoire": "CIV", "Democratic Republic of Congo": "COD", "Faeroe Islands": "FRO", "Iran": "IRN",
    "Kosovo": "XKX", "Laos": "LAO", "Macao": "MAC", "Micronesia": "FSM", "Moldova": "MDA", "North Korea": "PRK",
    "Palestine": "PSE", "Russia": "RUS", "South Korea": "KOR", "Syria": "SYR", "Taiwan": "TWN", "Tanzania": "TZA",
    "Turkey": "TUR", "United States Virgin Islands": "VIR", "Venezuela": "VEN", "Vietnam": "VNM",
    "Falkland Islands": "FLK", "Reunion": "REU", "Czechia": "CZE", "Eswatini": "SWZ", "North Macedonia": "MKD",
    "Saint Kitts and Nevis": "KNA", "Saint Lucia": "LCA", "Saint Vincent and the Grenadines": "VCT",
}


@cache
def country_iso3(name: str) -> str | None:
    """ISO alpha-3 for an OWID/Ember country name; None for aggregates and unknown names."""
    if name in ALIASES:
        return ALIASES[name]
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


def parse_mix(path: Path) -> ParseResult:
    df = read_csv_checked(path, required=("Country", "Year", INTENSITY, TOTAL, *MIX_FUELS))
    df = df.with_columns(pl.col(INTENSITY, TOTAL, *MIX_FUELS).cast(pl.Float64, strict=False),
                         pl.col("Year").cast(pl.Int32, strict=False))
    check_range(df, INTENSITY, 0, 2000, file=path)
    check_range(df, TOTAL, 0, 100_000, file=path)  # World 2021: 28,466 TWh
    names = df["Country"].unique().to_list()
    codes = {n: country_iso3(n) for n in names}
    df = df.with_columns(pl.col("Country").replace_strict(codes, return_dtype=pl.Utf8).alias("region_code"))
    unmatched = df.filter(pl.col("region_code").is_null())
    rej = []
    if unmatched.height:
        sample = ", ".join(sorted(unmatched["Country"].unique().to_list())[:8])
        rej.append(Rejection("region_carbon_yearly", unmatched.height,
                             f"aggregate or unknown region, no ISO 3166 code (e.g. {sample})"))
    df = df.filter(pl.col("region_code").is_not_null())
    dupes = df.group_by("region_code", "Year").len().filter(pl.col("len") > 1)
    if dupes.height:
        raise SourceFormatError(f"{path}: several country names map to the same ISO code/year: {dupes.head(5)}")
    carbon = df.filter(pl.col(INTENSITY).is_not_null()).select(
        pl.lit("country").alias("region_kind"), "region_code", pl.col("Country").alias("region_name"),
        pl.col("Year").alias("year"), pl.col(INTENSITY).alias("carbon_g_per_kwh"),
        pl.lit("lifecycle").alias("carbon_basis"))
    long = df.select("region_code", pl.col("Year").alias("year"), TOTAL, *MIX_FUELS).unpivot(
        index=["region_code", "year", TOTAL], on=list(MIX_FUELS), variable_name="column", value_name="generation_twh")
    mix = long.filter(pl.col("generation_twh").is_not_null()).select(
        pl.lit("country").alias("region_kind"), "region_code", "year",
        pl.col("column").replace_strict(MIX_FUELS).alias("fuel"), "generation_twh",
        pl.when(pl.col(TOTAL) > 0).then(pl.col("generation_twh") / pl.col(TOTAL) * 100).alias("share_pct"))
    return ParseResult({"region_carbon_yearly": carbon, "region_generation_mix": mix}, rejections=rej)


def parse(files: Mapping[str, Path]) -> ParseResult:
    return parse_mix(files[MIX_FILE])


SPEC = SourceSpec(
    id="ember",
    title="Ember/BP country electricity mix and carbon intensity (Our World in Data, 2022)",
    authority="Ember; BP Statistical Review; Our World in Data",
    licence="CC BY 4.0",
    homepage="https://ember-energy.org/data/yearly-electricity-data/",
    family="carbon",
    vintage="owid-2022",
    files=(RawFile(MIX_FILE, url=None),),
    tables=("region_carbon_yearly", "region_generation_mix"),
    parse=parse,
    publication=Publication("annual", "Ember yearly electricity data (via OWID) for a year is published in the spring of the next (ember-energy.org/data/yearly-electricity-data)", lag_days=180,
                            period_end="region_carbon_yearly.year"),
    notes="OWID grapher export (no stable URL); newer data: Ember API carbon-intensity/yearly (key).",
    reference_only="Country carbon intensity and generation mix (1965-2021) loaded for cross-checks in tests; "
                   "scoring uses the zone intensity of carbon_yearly, not these country rows.",
)
