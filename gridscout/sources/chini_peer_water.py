"""Water consumption intensity of electricity per country, 2010–2018 (Chini & Peer 2020), and the
per-country hydropower water rates it uses (Mekonnen, Gerbens-Leenes & Hoekstra 2015).

* ``ElectricityWaterIntensity.csv`` → ``country_water_intensity``: freshwater consumption per MWh
  of a country's *total* generation [m³/MWh = L/kWh], median / min / max, 147 countries × 2010–2018.
  Method (Chini & Peer 2020): IEA generation mix; thermal generation split by Davies et al. (2013)
  regional cooling shares (sea-water-cooled share excluded) × Macknick et al. (2012) median, min
  and max factors; hydro × the Mekonnen country rate (gross reservoir evaporation, which dominates
  hydro-rich countries: Norway 12.7, Brazil 42.5 in 2018). Spot values 2018: USA 2.488 / 2.184 /
  2.827; Germany 1.532 / 1.204 / 2.054; Ireland 1.035 / 0.826 / 1.321.
* ``Mekonnen-hydro-water-rates.csv`` → ``country_hydro_water``: gross hydropower water consumption
  per country [m³/MWh] (USA 20.86, Norway 13.28), the "gross evaporation" convention beside NETL's
  allocated one (:mod:`gridscout.models.water`).

Country names are IEA/Comtrade spellings (``USA``, ``Korea``, ``Viet Nam``); they are turned into
ISO 3166-1 alpha-3 with pycountry plus :data:`NAME_TO_ISO3` for the spellings it does not know;
an unmatched name is a rejection, never a guess. ``NA`` (2 rows) is null.

Source: Chini, C.M. & Peer, R.A.M. (2020), "The traded water footprint of global energy from 2010
to 2018", *Scientific Data* 7, 397, https://doi.org/10.1038/s41597-020-00795-6 ; data and scripts
Zenodo https://doi.org/10.5281/zenodo.3891722. Hydro rates: Mekonnen, M.M., Gerbens-Leenes, P.W. &
Hoekstra, A.Y. (2015), *Environ. Sci.: Water Res. Technol.* 1, 285, doi:10.1039/c5ew00026b.
**Licence not verified** (see :data:`SPEC`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

import polars as pl
import pycountry

from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

INTENSITY = "ElectricityWaterIntensity.csv"
HYDRO = "Mekonnen-hydro-water-rates.csv"
MED, LO, HI = "WCR.med.m3perMWh", "WCR.min.m3perMWh", "WCR.max.m3perMWh"
HYDRO_RATE = "water.consumption.m3.MWh"
#: IEA/Comtrade spellings pycountry does not resolve (or resolves wrongly: "Korea" is the Republic)
NAME_TO_ISO3 = {
    "Bosnia Herzegovina": "BIH", "Brunei": "BRN", "Cape Verde": "CPV", "Central African Rep.": "CAF",
    "China, Hong Kong SAR": "HKG", "Dem. People's Rep. of Korea": "PRK", "Dem. Rep. of the Congo": "COD",
    "Ivory Coast": "CIV", "Korea": "KOR", "Kosovo": "XKX", "Kyrgyz Rep.": "KGZ", "Lao People's Dem. Rep.": "LAO",
    "Macau": "MAC", "Rep. of Moldova": "MDA", "Samoa (Western)": "WSM", "Srilanka": "LKA", "St Lucia": "LCA",
    "St Vincent and Grenadines": "VCT", "Swaziland": "SWZ", "Trinidad": "TTO", "Turkey": "TUR",
    "United Rep. of Tanzania": "TZA", "USA": "USA",
}
#: above this [m³/MWh] a value is not a national intensity (README: maximum over all rows 1,057.9)
MAX_M3_PER_MWH = 5_000.0


@cache
def iso3_from_name(name: str | None) -> str | None:
    """ISO alpha-3 of an IEA/Comtrade country name; None when unknown (never a fuzzy guess)."""
    if not name:
        return None
    name = name.strip()
    if name in NAME_TO_ISO3:
        return NAME_TO_ISO3[name]
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


def _num(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().replace({"": None, "NA": None}).cast(pl.Float64, strict=False)


def _with_iso3(df: pl.DataFrame, table: str, rejections: list[Rejection]) -> pl.DataFrame:
    df = df.with_columns(pl.col("country_name").map_elements(iso3_from_name, return_dtype=pl.Utf8)
                         .alias("country_alpha3"))
    unknown = df.filter(pl.col("country_alpha3").is_null())
    if unknown.height:
        names = sorted(unknown["country_name"].unique().to_list())
        rejections.append(Rejection(table, unknown.height, f"country name without an ISO code: {names}"))
    return df.filter(pl.col("country_alpha3").is_not_null())


def parse(files: Mapping[str, Path]) -> ParseResult:
    rejections: list[Rejection] = []
    path = files[INTENSITY]
    raw = read_csv_checked(path, required=("Country", "Year", MED, LO, HI), infer_schema=False)
    df = raw.select(pl.col("Country").str.strip_chars().alias("country_name"),
                    pl.col("Year").str.strip_chars().cast(pl.Int32, strict=False).alias("year"),
                    _num(MED).alias("consumption_l_per_kwh"), _num(LO).alias("consumption_min_l_per_kwh"),
                    _num(HI).alias("consumption_max_l_per_kwh"))
    for c in ("consumption_l_per_kwh", "consumption_min_l_per_kwh", "consumption_max_l_per_kwh"):
        check_range(df, c, 0, MAX_M3_PER_MWH, file=path)
    check_range(df, "year", 1990, 2100, file=path)
    na = df.filter(pl.col("consumption_l_per_kwh").is_null())
    if na.height:
        rejections.append(Rejection("country_water_intensity", na.height, "NA (no value published)"))
    df = _with_iso3(df.filter(pl.col("consumption_l_per_kwh").is_not_null()), "country_water_intensity", rejections)
    hpath = files[HYDRO]
    hraw = read_csv_checked(hpath, required=("country", HYDRO_RATE), infer_schema=False, encoding="utf8-lossy")
    hydro = hraw.select(pl.col("country").str.strip_chars().alias("country_name"),
                        _num(HYDRO_RATE).alias("hydro_m3_per_mwh"))
    check_range(hydro, "hydro_m3_per_mwh", 0, 100_000, file=hpath)
    hydro = _with_iso3(hydro.filter(pl.col("hydro_m3_per_mwh").is_not_null()), "country_hydro_water", rejections)
    hydro = hydro.unique("country_alpha3", keep="first", maintain_order=True)
    return ParseResult({"country_water_intensity": df.unique(["country_alpha3", "year"], keep="first"),
                        "country_hydro_water": hydro}, vintage="2010..2018", rejections=rejections)


SPEC = SourceSpec(
    id="chini_peer_electricity_water",
    title="Water consumption intensity of electricity per country 2010-2018 (Chini & Peer 2020) and hydro rates "
          "(Mekonnen et al. 2015)",
    authority="Chini & Peer (2020), Scientific Data; hydro rates Mekonnen, Gerbens-Leenes & Hoekstra (2015)",
    licence="NOT VERIFIED: the offline GitHub copy has no licence file and the Zenodo record's licence "
            "(doi:10.5281/zenodo.3891722) could not be read offline; cite the authors; check before redistributing",
    homepage="https://doi.org/10.5281/zenodo.3891722",
    family="water",
    vintage="2010..2018",
    files=(RawFile(INTENSITY, url=None), RawFile(HYDRO, url=None)),
    tables=("country_water_intensity", "country_hydro_water"),
    parse=parse,
    publication=Publication("one-off", "Chini & Peer (2021, Scientific Data): a one-off dataset of 2010-2018, not re-released"),
    notes="Offline copy from GitHub bhanot91/Hydrology-VWN @5324ffa (a re-upload of the Zenodo dataset's inputs "
          "and outputs). Country level only; a modelled estimate (generic factors × regional cooling shares).",
)
