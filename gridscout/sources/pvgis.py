"""PVGIS typical meteorological year (TMY) and hourly series: recorded files and a live connector.

PVGIS (European Commission JRC), API v5.3, https://joint-research-centre.ec.europa.eu/pvgis-online-tool
("PVGIS non-interactive service", API entry points ``/tmy`` and ``/seriescalc``). TMY fields
(from the response's own ``meta``): ``T2m`` 2-m air temperature [°C], ``RH`` relative humidity [%],
``G(h)`` global horizontal [W/m²], ``Gb(n)`` direct normal [W/m²], ``Gd(h)`` diffuse horizontal
[W/m²], ``IR(h)`` infrared [W/m²], ``WS10m`` 10-m wind speed [m/s], ``WD10m`` [°], ``SP`` surface
pressure [Pa]; ``time(UTC)`` stamped ``YYYYMMDD:HHMM`` in UTC. PVGIS gives no dew point, so
``dew_point_c`` is null (derive it from dry-bulb and RH where needed; not invented here).

* ``parse_tmy_json`` / ``parse_tmy_csv`` / EPW (via :func:`weather_hourly.read_epw`) → the
  canonical hourly frame; ``parse_hourly_json`` → the seriescalc frame (PV power, in-plane
  irradiance, temperature, wind).
* ``save_tmy`` (live, I/O only; the spec's ``fetcher`` with request ``sites=[(lat, lon)]``) saves
  the response as received under ``<raw>/pvgis/requests/``; :func:`parse_site` (pure) reads it with
  ``station_key = pvgis:<lat>_<lon>`` and one vintage per site and period; the normal load follows
  (:func:`gridscout.jobs.ingest.ingest_source` with ``request={"sites": [(lat, lon)]}``).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx
import pandas as pd
import polars as pl

from gridscout.errors import SourceFetchError, SourceFormatError
from gridscout.sources import http
from gridscout.sources.base import ParseResult, Publication, REQUESTS_DIR, RawFile, SourceSpec, json_body, request_file
from gridscout.sources.fetch import save_response
from gridscout.sources.pvlib_tmy import canonical_hourly, files_row, parse_weather_files, weather_result
from gridscout.sources.retry import RETRY_DELAYS_S
from gridscout.sources.weather_hourly import read_epw

BASE_URL = "https://re.jrc.ec.europa.eu/api/v5_3"
#: optional override of BASE_URL (a mirror, or a local replay server in tests)
URL_ENV = "GRIDSCOUT_PVGIS_URL"
TMY_VARIABLES = {"T2m": "dry_bulb_c", "RH": "rh_pct", "SP": "pressure_pa", "G(h)": "ghi_w_per_m2",
                 "Gb(n)": "dni_w_per_m2", "Gd(h)": "dhi_w_per_m2", "WS10m": "wind_speed_m_per_s"}
HOURLY_VARIABLES = {"P": "pv_power_w", "G(i)": "poa_global_w_per_m2", "H_sun": "sun_height_deg",
                    "T2m": "dry_bulb_c", "WS10m": "wind_speed_m_per_s", "Int": "is_reconstructed"}


def _times(stamps: list[str], *, file: str | Path) -> pd.DatetimeIndex:
    try:
        return pd.DatetimeIndex(pd.to_datetime(stamps, format="%Y%m%d:%H%M", utc=True))
    except (ValueError, TypeError) as exc:
        raise SourceFormatError(f"{file}: timestamps not in PVGIS form YYYYMMDD:HHMM ({exc})") from exc


def _tmy_frame(records: pd.DataFrame, station_key: str, *, file: str | Path, row_offset: int) -> pl.DataFrame:
    missing = [c for c in ("time(UTC)", *TMY_VARIABLES) if c not in records.columns]
    if missing:
        raise SourceFormatError(f"{file}: missing PVGIS TMY field(s) {missing}; found {list(records.columns)}")
    times = _times(records["time(UTC)"].astype(str).tolist(), file=file)
    values = {dst: pd.to_numeric(records[src], errors="coerce").to_numpy() for src, dst in TMY_VARIABLES.items()}
    return canonical_hourly(station_key, times, values, file=file, row_offset=row_offset)


def _location_meta(lat: float, lon: float, elevation: float | None, radiation_db: str | None = None,
                   meteo_db: str | None = None) -> dict:
    kind = "PVGIS-TMY" + (f" ({radiation_db}/{meteo_db})" if radiation_db or meteo_db else "")
    return {"station_name": f"PVGIS {lat:.3f},{lon:.3f}", "wmo": None, "country": None, "latitude": lat,
            "longitude": lon, "elevation_m": elevation, "utc_offset_h": 0.0, "data_kind": kind}


def parse_tmy_json(obj: Mapping | str | bytes, station_key: str, *, file: str = "<pvgis tmy json>") -> tuple[pl.DataFrame, dict]:
    """PVGIS ``/tmy?outputformat=json`` body (parsed or raw) → (canonical hourly frame, weather_files metadata)."""
    obj = json_body(obj, file)
    try:
        loc = obj["inputs"]["location"]
        rows = obj["outputs"]["tmy_hourly"]
        meteo = obj["inputs"].get("meteo_data", {})
    except (KeyError, TypeError) as exc:
        raise SourceFormatError(f"{file}: not a PVGIS TMY JSON response (no {exc})") from exc
    df = _tmy_frame(pd.DataFrame(rows), station_key, file=file, row_offset=1)
    meta = _location_meta(float(loc["latitude"]), float(loc["longitude"]), loc.get("elevation"),
                          meteo.get("radiation_db"), meteo.get("meteo_db"))
    meta["period"] = f"{meteo.get('year_min')}-{meteo.get('year_max')}"
    return df, meta


def parse_tmy_csv(path: Path, station_key: str, *, latitude: float | None = None,
                  longitude: float | None = None) -> tuple[pl.DataFrame, dict]:
    """PVGIS ``/tmy?outputformat=csv`` file → (frame, metadata).

    The location comes from the file's ``Latitude``/``Longitude`` header lines; files saved without
    them (an older pvlib test file) need ``latitude``/``longitude`` or raise SourceFormatError.
    """
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    head: dict[str, float] = {}
    start = None
    for i, line in enumerate(lines):
        if line.startswith("time(UTC)"):
            start = i
            break
        if ":" in line:
            k, _, v = line.partition(":")
            try:
                head[k.split("(")[0].strip().lower()] = float(v.strip())
            except ValueError:
                pass
    if start is None:
        raise SourceFormatError(f"{path}: no 'time(UTC)' header line; not a PVGIS TMY CSV")
    end = next((j for j in range(start + 1, len(lines)) if not lines[j].strip()), len(lines))
    records = pd.read_csv(io.StringIO("\n".join(lines[start:end])))
    lat = head.get("latitude", latitude)
    lon = head.get("longitude", longitude)
    if lat is None or lon is None:
        raise SourceFormatError(f"{path}: no Latitude/Longitude header lines; the location of this TMY is unknown")
    df = _tmy_frame(records, station_key, file=path, row_offset=start + 2)
    return df, _location_meta(lat, lon, head.get("elevation"))


def parse_hourly_json(obj: Mapping | str | bytes, *, file: str = "<pvgis seriescalc json>") -> pl.DataFrame:
    """PVGIS ``/seriescalc`` JSON → datetime_utc + PV power [W], in-plane irradiance [W/m²], sun
    height [°], dry-bulb [°C], wind [m/s], ``is_reconstructed`` (``Int`` = 1: irradiance reconstructed).
    """
    if isinstance(obj, (str, bytes)):
        obj = json.loads(obj)
    try:
        rows = obj["outputs"]["hourly"]
    except (KeyError, TypeError) as exc:
        raise SourceFormatError(f"{file}: not a PVGIS seriescalc JSON response (no {exc})") from exc
    records = pd.DataFrame(rows)
    if "time" not in records.columns:
        raise SourceFormatError(f"{file}: hourly records carry no 'time' field")
    times = _times(records["time"].astype(str).tolist(), file=file)
    cols = {dst: pd.to_numeric(records[src], errors="coerce").to_numpy()
            for src, dst in HOURLY_VARIABLES.items() if src in records.columns}
    df = pl.DataFrame({"datetime_utc": pl.Series(times.tz_localize(None).to_numpy()).cast(pl.Datetime("us"))
                       .dt.replace_time_zone("UTC"), **{k: pl.Series(k, v, dtype=pl.Float64, nan_to_null=True)
                                                        for k, v in cols.items()}})
    if "is_reconstructed" in df.columns:
        df = df.with_columns(pl.col("is_reconstructed").cast(pl.Boolean))
    return df


# --- live connector (I/O only) -------------------------------------------------------------


def site_key(lat: float, lon: float) -> str:
    return f"{lat:.3f}_{lon:.3f}"


def save_tmy(folder: Path, lat: float, lon: float, *, base_url: str = BASE_URL, client: httpx.Client | None = None,
             startyear: int | None = None, endyear: int | None = None, usehorizon: bool = True,
             retry_delays: tuple[float, ...] = RETRY_DELAYS_S) -> Path:
    """GET ``<base_url>/tmy?lat=..&lon=..&outputformat=json`` and save the body as received to
    ``<folder>/requests/tmy_<lat>_<lon>.json`` (with its URL, sha256 and size in the sidecar).

    Retries timeouts, 5xx and 429 (:mod:`gridscout.sources.retry`); a 4xx (e.g. PVGIS's 400
    "Location over the sea"), an HTML page or a body without ``outputs`` raises
    :class:`SourceFetchError` with the API's own message, and nothing is saved.
    """
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"latitude {lat} / longitude {lon} out of range")
    params: dict[str, object] = {"lat": f"{lat:.4f}", "lon": f"{lon:.4f}", "outputformat": "json",
                                 "usehorizon": int(usehorizon)}
    if startyear:
        params["startyear"] = startyear
    if endyear:
        params["endyear"] = endyear
    resp = http.get(f"{base_url.rstrip('/')}/tmy", params=params, client=client, retry_delays=retry_delays)
    body = http.decode_json(resp)
    if not isinstance(body, dict) or "outputs" not in body:
        raise SourceFetchError(f"PVGIS /tmy for {lat},{lon} returned no 'outputs': {str(body)[:200]}")
    return save_response(folder / REQUESTS_DIR / f"tmy_{site_key(lat, lon)}.json", resp.content, str(resp.url))


def fetch_saved(folder: Path, *, sites: Iterable[tuple[float, float]] = (), base_url: str | None = None,
                client: httpx.Client | None = None, retry_delays: tuple[float, ...] = RETRY_DELAYS_S) -> list[Path]:
    """The spec's ``fetcher``: save the TMY of each ``(lat, lon)`` in ``sites`` (:func:`save_tmy`).
    PVGIS is fetched per site, so with no sites (a plain ingest) there is nothing to fetch."""
    base = base_url or os.environ.get(URL_ENV) or BASE_URL
    return [save_tmy(folder, lat, lon, base_url=base, client=client, retry_delays=retry_delays) for lat, lon in sites]


# --- parsers (pure) -------------------------------------------------------------------------


def parse_site(path: Path) -> ParseResult:
    """One saved per-site ``/tmy`` JSON response → weather_hourly/weather_files with
    ``station_key = pvgis:<lat>_<lon>`` (3 decimals, from the response's own ``inputs.location``)
    and the per-site vintage ``site:<lat>_<lon>:<year_min>-<year_max>``, so loading one site never
    replaces another and loading the same response twice changes nothing."""
    try:
        loc = json.loads(path.read_bytes())["inputs"]["location"]
        key = site_key(float(loc["latitude"]), float(loc["longitude"]))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise SourceFormatError(f"{path}: not a PVGIS TMY JSON response with inputs.location ({exc!r})") from exc
    df, meta = parse_tmy_json(path.read_bytes(), f"{SPEC.id}:{key}", file=str(path))
    parsed = weather_result([df], [files_row(f"{SPEC.id}:{key}", path.name, df.height, meta)])
    parsed.vintage = f"site:{key}:{meta['period']}"
    return parsed


def parse(files: Mapping[str, Path]) -> ParseResult:
    """Recorded PVGIS TMY responses in <raw>/pvgis/ (JSON, CSV, EPW) → weather_hourly/weather_files.

    Files saved for one site by the live fetcher (``requests/tmy_<lat>_<lon>.json``, one per load)
    are parsed by :func:`parse_site` (per-site station key and vintage).
    """
    if (site := request_file(files, what="PVGIS site")) is not None:
        return parse_site(site)
    return parse_weather_files(files, SPEC.id, read_tmy_file, unlocated="location of this TMY is unknown")


def read_tmy_file(path: Path, key: str) -> tuple[pl.DataFrame, dict]:
    """One PVGIS TMY file by its suffix: the JSON API response, the EPW or the CSV download."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return parse_tmy_json(path.read_bytes(), key, file=str(path))
    if suffix == ".epw":
        df, meta = read_epw(path, key)
        meta["data_kind"] = meta.get("data_kind") or "PVGIS-TMY (EPW)"
        return df, meta
    return parse_tmy_csv(path, key)


SPEC = SourceSpec(
    id="pvgis",
    title="PVGIS typical meteorological years (ERA5 + SARAH)",
    authority="European Commission Joint Research Centre (PVGIS 5.3)",
    licence="PVGIS © European Union, 2001–2025; free reuse with attribution (Commission Decision 2011/833/EU)",
    homepage="https://joint-research-centre.ec.europa.eu/photovoltaic-geographical-information-system-pvgis_en",
    family="climate",
    vintage="recorded",
    files=(RawFile("tmy_*.json", url=None, required=False), RawFile("tmy_*.csv", url=None, required=False),
           RawFile("tmy_*.epw", url=None, required=False), RawFile("pvgis_tmy*.csv", url=None, required=False)),
    tables=("weather_hourly", "weather_files"),
    parse=parse,
    fetcher=fetch_saved,
    publication=Publication("static", "PVGIS typical meteorological years (fixed 2005-2023 base): past weather does not change"),
    extra_hosts=("re.jrc.ec.europa.eu",),
    notes="Per-site TMYs are fetched live through the fetcher (request sites=[(lat, lon)]) and saved in "
          "<raw>/pvgis/requests/; saved responses in <raw>/pvgis/ (tmy_<lat>_<lon>_<y0>_<y1>.json/.csv/.epw) "
          "are loaded by the file source.",
)
