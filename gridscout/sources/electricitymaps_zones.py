"""Electricity Maps grid zones: polygons (incl. US balancing authorities) and installed capacity.

Source: electricitymaps-contrib (AGPL-3.0), geo/world.geojson and config/zones/*.yaml, snapshot
2026-08-21, https://github.com/electricitymaps/electricitymaps-contrib . Capacity values cite their
own sources per zone (EIA, ENTSO-E, national TSOs).
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
from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec, read_csv_checked

GEOJSON = "world_zones.geojson"
ZONES = "zones.csv"
BASE_URL = "https://raw.githubusercontent.com/electricitymaps/electricitymaps-contrib/master/"


def read_zone_polygons(path: Path) -> pl.DataFrame:
    """zone_key, country_key, country_name, geometry_wkb from the Electricity Maps world GeoJSON."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        feats = doc["features"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SourceFormatError(f"{path}: not a GeoJSON FeatureCollection ({exc})") from exc
    rows = []
    for i, feat in enumerate(feats):
        props = feat.get("properties") or {}
        if "zoneName" not in props:
            raise SourceFormatError(f"{path}: feature {i} has no 'zoneName' property (found {sorted(props)})")
        geom = fix_antimeridian(shapely.make_valid(shape(feat["geometry"]))) if feat.get("geometry") else None
        rows.append({
            "zone_key": props["zoneName"],
            "country_key": props.get("countryKey"),
            "country_name": props.get("countryName"),
            "geometry_wkb": shapely.to_wkb(geom) if geom is not None else None,
        })
    return pl.DataFrame(rows, schema={"zone_key": pl.Utf8, "country_key": pl.Utf8, "country_name": pl.Utf8,
                                      "geometry_wkb": pl.Binary})


def parse(files: Mapping[str, Path]) -> ParseResult:
    polys = read_zone_polygons(files[GEOJSON])
    meta = read_csv_checked(files[ZONES], required=("zone_key", "zone_name", "country", "region", "timezone"))
    cap_cols = [c for c in meta.columns if c.startswith("cap_mw_")]
    if not cap_cols:
        raise SourceFormatError(f"{files[ZONES]}: no cap_mw_<mode> columns; format changed?")
    zones = meta.select("zone_key", "zone_name", "region", "timezone",
                        pl.col("country").alias("meta_country")).join(polys, on="zone_key", how="full", coalesce=True)
    zones = zones.with_columns(pl.coalesce("country_key", "meta_country").alias("country_key")).drop("meta_country")
    capacity = (
        meta.select("zone_key", *[pl.col(c).cast(pl.Float64, strict=False) for c in cap_cols])
        .unpivot(index="zone_key", variable_name="mode", value_name="capacity_mw")
        .with_columns(pl.col("mode").str.strip_prefix("cap_mw_"))
        .filter(pl.col("capacity_mw").is_not_null())
    )
    return ParseResult({"grid_zones": zones, "zone_capacity": capacity})


SPEC = SourceSpec(
    id="electricitymaps_zones",
    title="Electricity Maps grid zones and installed capacity",
    authority="Electricity Maps (electricitymaps-contrib)",
    licence="AGPL-3.0 (repository); values cite their own sources",
    homepage="https://github.com/electricitymaps/electricitymaps-contrib",
    family="grid",
    vintage="2026-08-21",
    files=(RawFile(GEOJSON, url=BASE_URL + "geo/world.geojson"), RawFile(ZONES, url=None)),
    tables=("grid_zones", "zone_capacity"),
    parse=parse,
    publication=Publication("annual", "zone geometries in electricitymaps-contrib change a few times a year (github.com/electricitymaps/electricitymaps-contrib); a snapshot of master, so its data date is when the file was fetched",
                            period_end="fetched"),
    notes="zones.csv is flattened from config/zones/*.yaml (no single upstream file).",
)
