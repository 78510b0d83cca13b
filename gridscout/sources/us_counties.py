"""US county boundaries (Census 2017 cartographic boundaries 1:10m), table ``us_counties``.

Used to put a point in its county (interconnection-queue MW per county, :mod:`gridscout.features.queues`),
where the nearest EIA-860 plant's county is a poor stand-in (Abilene TX, in Taylor County, is
nearest to a Shackelford County plant centroid). One row per county: ``fips`` (5 digits, state +
county FIPS), ``state`` (USPS, FIPS PUB 5-2 via :data:`gridscout.sources.boundaries.FIPS_TO_USPS`),
``county`` as the Census writes it ("Loudoun").

Source: US Census Bureau cartographic boundary files 2017, 1:10,000,000, via the ``us-atlas``
npm package v3.0.1 (TopoJSON, ISC licence; the data are public domain), read with pyogrio (GDAL's
TopoJSON driver), the file the ``boundaries`` source's README names.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl
import shapely

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec
from gridscout.sources.boundaries import FIPS_TO_USPS

COUNTIES = "us-atlas_counties-10m.json"
TABLE = "us_counties"


def parse(files: Mapping[str, Path]) -> ParseResult:
    import pyogrio

    path = files[COUNTIES]
    try:
        df = pyogrio.read_dataframe(path, layer="counties")
    except Exception as exc:  # GDAL raises its own error types for unreadable files or missing layers
        raise SourceFormatError(f"{path}: cannot read TopoJSON layer 'counties' ({exc})") from exc
    missing = [c for c in ("id", "name") if c not in df.columns]
    if missing:
        raise SourceFormatError(f"{path}: layer 'counties' lacks properties {missing}; found {list(df.columns)}")
    rows, bad = [], 0
    for fips, name, geom in zip(df["id"], df["name"], df.geometry):
        fips = str(fips).zfill(5) if fips is not None else None
        if fips is None or fips[:2] not in FIPS_TO_USPS or geom is None or geom.is_empty:
            bad += 1
            continue
        rows.append({"fips": fips, "state": FIPS_TO_USPS[fips[:2]], "county": name,
                     "geometry_wkb": shapely.to_wkb(shapely.make_valid(geom))})
    out = pl.DataFrame(rows, schema={"fips": pl.Utf8, "state": pl.Utf8, "county": pl.Utf8, "geometry_wkb": pl.Binary})
    bad += out.filter(pl.col("county").is_null()).height
    out = out.filter(pl.col("county").is_not_null())
    rej = [Rejection(TABLE, bad, "county with no FIPS id or name, unknown state FIPS or no geometry")] if bad else []
    return ParseResult({TABLE: out}, rejections=rej)


SPEC = SourceSpec(
    id="us_counties",
    title="US counties (Census 2017 cartographic boundaries 1:10m)",
    authority="US Census Bureau",
    licence="public domain (us-atlas packaging: ISC)",
    homepage="https://www.census.gov/geographies/mapping-files/time-series/geo/carto-boundary-file.html",
    family="places",
    vintage="census2017",
    files=(RawFile(COUNTIES, url=None),),
    tables=(TABLE,),
    parse=parse,
    publication=Publication("static", "US Census 2017 county boundaries (us-atlas): reference geography, no data-age limit"),
    folder="boundaries",
    notes="TopoJSON from the us-atlas npm package (v3.0.1), in the boundaries/ folder.",
)
