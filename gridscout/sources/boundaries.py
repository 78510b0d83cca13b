"""Country and US-state boundaries for locating sites (country, state) and drawing maps.

Sources: Natural Earth 1:50m admin-0 countries v4.1.0 (public domain, via world-atlas), and US
Census Bureau 2017 cartographic boundaries 1:10m (public domain, via us-atlas).
US state FIPS → USPS codes: FIPS PUB 5-2 (ANSI INCITS 38:2009).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import polars as pl
import shapely
from shapely.geometry import shape

from gridscout.errors import SourceFormatError
from gridscout.geo.polygons import fix_antimeridian
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec
from gridscout.sources.common import alpha2_from_iso3, iso3_from_numeric

COUNTRIES = "countries_ne50m_v4.1.0.geojson"
STATES = "us_states_census2017_10m.geojson"

#: FIPS PUB 5-2 state codes → USPS abbreviations (50 states, DC, Puerto Rico and territories).
FIPS_TO_USPS = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT", "10": "DE", "11": "DC",
    "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL", "18": "IN", "19": "IA", "20": "KS", "21": "KY",
    "22": "LA", "23": "ME", "24": "MD", "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT",
    "31": "NE", "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND", "39": "OH",
    "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD", "47": "TN", "48": "TX", "49": "UT",
    "50": "VT", "51": "VA", "53": "WA", "54": "WV", "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP",
    "72": "PR", "78": "VI",
}


def _features(path: Path) -> list[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["features"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SourceFormatError(f"{path}: not a GeoJSON FeatureCollection ({exc})") from exc


def parse(files: Mapping[str, Path]) -> ParseResult:
    rows, unmatched = [], 0
    for feat in _features(files[COUNTRIES]):
        props = feat.get("properties") or {}
        iso3 = iso3_from_numeric(props.get("id")) if props.get("id") not in (None, "-99") else None
        if iso3 is None or not feat.get("geometry"):
            unmatched += 1
            continue
        rows.append({"layer": "country", "code": iso3, "name": props.get("name"), "iso_a2": alpha2_from_iso3(iso3),
                     "geometry_wkb": shapely.to_wkb(fix_antimeridian(shapely.make_valid(shape(feat["geometry"]))))})
    for feat in _features(files[STATES]):
        props = feat.get("properties") or {}
        usps = FIPS_TO_USPS.get(str(props.get("id")).zfill(2))
        if usps is None:
            raise SourceFormatError(f"{files[STATES]}: unknown state FIPS id {props.get('id')!r}")
        rows.append({"layer": "us_state", "code": usps, "name": props.get("name"), "iso_a2": "US",
                     "geometry_wkb": shapely.to_wkb(fix_antimeridian(shapely.make_valid(shape(feat["geometry"]))))})
    df = pl.DataFrame(rows).unique(["layer", "code"], keep="first", maintain_order=True)
    rej = [Rejection("boundaries", unmatched, "Natural Earth feature with no ISO 3166 numeric code")] if unmatched else []
    return ParseResult({"boundaries": df}, rejections=rej)


SPEC = SourceSpec(
    id="boundaries",
    title="Natural Earth countries (1:50m) and US Census states (1:10m)",
    authority="Natural Earth; US Census Bureau",
    licence="public domain",
    homepage="https://www.naturalearthdata.com/",
    family="places",
    vintage="ne4.1.0-census2017",
    files=(RawFile(COUNTRIES, url=None), RawFile(STATES, url=None)),
    tables=("boundaries",),
    parse=parse,
    publication=Publication("static", "Natural Earth and US Census cartographic boundaries: reference geography, no data-age limit"),
    notes="Converted to GeoJSON from the world-atlas/us-atlas TopoJSON packages.",
)
