"""NASA POWER point data (hourly, daily, climatology): parsers and a live connector.

NASA Langley Research Center POWER project, API v2 (https://power.larc.nasa.gov/docs/services/api/):
``GET <base>/temporal/{hourly|daily|monthly|climatology}/point?parameters=..&community=..&longitude=..
&latitude=..&start=YYYYMMDD&end=YYYYMMDD&format={JSON|CSV}&time-standard={UTC|LST}``. Missing values
are the header's fill value (-999) and become null. Parameters used for the canonical hourly frame
(POWER parameter dictionary): ``T2M`` [°C], ``T2MDEW`` [°C], ``RH2M`` [%], ``PS`` [kPa → Pa ×1000],
``WS10M`` [m/s], ``ALLSKY_SFC_SW_DWN`` GHI [W/m² hourly; kWh/m²/day daily],
``ALLSKY_SFC_SW_DNI`` [W/m²], ``ALLSKY_SFC_SW_DIFF`` [W/m²].

Hourly POWER values are averages over the hour that *begins* at ``HR`` (MERRA-2 time-averaged
fields); they are stamped hour-ending (``HR+1``) like EPW/TMY3. Request ``time-standard=UTC``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx
import pandas as pd
import polars as pl

from gridscout.errors import SourceFetchError, SourceFormatError
from gridscout.sources import http
from gridscout.sources.base import ParseResult, Publication, REQUESTS_DIR, RawFile, Rejection, SourceSpec, json_body, request_file
from gridscout.sources.fetch import save_response
from gridscout.sources.pvlib_tmy import canonical_hourly, files_row, weather_result
from gridscout.sources.retry import RETRY_DELAYS_S

BASE_URL = "https://power.larc.nasa.gov/api"
#: optional override of BASE_URL (a mirror, or a local replay server in tests)
URL_ENV = "GRIDSCOUT_NASA_POWER_URL"
FILL_VALUE = -999.0
HOURLY_PARAMETERS = ("T2M", "T2MDEW", "RH2M", "PS", "WS10M", "ALLSKY_SFC_SW_DWN", "ALLSKY_SFC_SW_DNI",
                     "ALLSKY_SFC_SW_DIFF")
CANONICAL = {"T2M": "dry_bulb_c", "T2MDEW": "dew_point_c", "RH2M": "rh_pct", "PS": "pressure_pa",
             "WS10M": "wind_speed_m_per_s", "ALLSKY_SFC_SW_DWN": "ghi_w_per_m2",
             "ALLSKY_SFC_SW_DNI": "dni_w_per_m2", "ALLSKY_SFC_SW_DIFF": "dhi_w_per_m2"}
SCALE = {"pressure_pa": 1000.0}
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", "ANN")
TEMPORALS = ("hourly", "daily", "monthly", "climatology")


def _null_fill(df: pl.DataFrame, cols: Iterable[str], fill: float) -> pl.DataFrame:
    return df.with_columns([pl.when(pl.col(c) == fill).then(None).otherwise(pl.col(c)).cast(pl.Float64).alias(c)
                            for c in cols])


def parse_csv(text: str, *, file: str = "<nasa power csv>") -> tuple[pl.DataFrame, dict]:
    """A POWER CSV body → (frame, meta).

    Daily/hourly: a ``date`` (daily) or ``datetime_start_utc_or_lst`` (hourly) column plus one column per
    parameter. Climatology: long frame ``parameter, period (JAN..DEC, ANN), value``. ``meta`` holds
    ``latitude``, ``longitude``, ``elevation_m``, ``fill_value``, ``time_standard``.
    """
    if http.is_html(text):
        raise SourceFormatError(f"{file}: is an HTML page, not a NASA POWER CSV")
    if "-END HEADER-" not in text:
        raise SourceFormatError(f"{file}: no '-END HEADER-' line; not a NASA POWER CSV body")
    head, _, body = text.partition("-END HEADER-")
    meta: dict[str, object] = {"fill_value": FILL_VALUE}
    if m := re.search(r"(?i)latitude\s+(-?[\d.]+)\s+longitude\s+(-?[\d.]+)", head):
        meta["latitude"], meta["longitude"] = float(m.group(1)), float(m.group(2))
    if m := re.search(r"(?i)=\s*(-?[\d.]+)\s*meters", head):
        meta["elevation_m"] = float(m.group(1))
    if m := re.search(r"(?i)range:\s*(-?[\d.]+)", head):
        meta["fill_value"] = float(m.group(1))
    meta["time_standard"] = "LST" if re.search(r"\bLST\b", head) else "UTC"
    df = pl.read_csv(io.StringIO(body.strip()), infer_schema_length=10000)
    fill = float(meta["fill_value"])
    if "PARAMETER" in df.columns:
        months = [c for c in MONTHS if c in df.columns]
        df = _null_fill(df, months, fill).unpivot(index="PARAMETER", on=months, variable_name="period",
                                                    value_name="value").rename({"PARAMETER": "parameter"})
        return df, meta
    if "YEAR" not in df.columns:
        raise SourceFormatError(f"{file}: no YEAR or PARAMETER column; found {df.columns}")
    if "DOY" in df.columns:
        date = pl.date(pl.col("YEAR"), 1, 1) + pl.duration(days=pl.col("DOY") - 1)
        time_cols = ["YEAR", "DOY"]
    elif "MO" in df.columns and "DY" in df.columns:
        date = pl.date(pl.col("YEAR"), pl.col("MO"), pl.col("DY"))
        time_cols = ["YEAR", "MO", "DY"]
    else:
        raise SourceFormatError(f"{file}: no DOY or MO/DY columns; found {df.columns}")
    params = [c for c in df.columns if c not in (*time_cols, "HR")]
    df = _null_fill(df, params, fill)
    if "HR" in df.columns:
        return df.select(pl.datetime(pl.col("YEAR"), pl.col("MO"), pl.col("DY"), pl.col("HR"))
                         .alias("datetime_start"), *params), meta
    return df.select(date.alias("date"), *params), meta


def parse_json(obj: Mapping | str | bytes, *, file: str = "<nasa power json>") -> tuple[pl.DataFrame, dict]:
    """A POWER JSON (GeoJSON Feature) body → (frame, meta), same frame shapes as :func:`parse_csv`."""
    obj = json_body(obj, file)
    try:
        params = obj["properties"]["parameter"]
    except (KeyError, TypeError) as exc:
        msgs = obj.get("messages") or obj.get("message") if isinstance(obj, dict) else None
        raise SourceFormatError(f"{file}: no properties.parameter in the POWER response ({msgs or exc})") from exc
    header = obj.get("header", {})
    fill = float(header.get("fill_value", FILL_VALUE))
    coords = (obj.get("geometry") or {}).get("coordinates") or [None, None, None]
    meta = {"longitude": coords[0], "latitude": coords[1], "elevation_m": coords[2] if len(coords) > 2 else None,
            "fill_value": fill, "time_standard": header.get("time_standard", "UTC")}
    keys = list(next(iter(params.values())).keys()) if params else []
    if keys and keys[0] in MONTHS:
        df = pl.DataFrame([{"parameter": p, "period": k, "value": v} for p, s in params.items() for k, v in s.items()],
                          schema={"parameter": pl.Utf8, "period": pl.Utf8, "value": pl.Float64})
        return _null_fill(df, ["value"], fill), meta
    frame = pl.DataFrame({"key": keys, **{p: [s.get(k) for k in keys] for p, s in params.items()}},
                         schema_overrides={p: pl.Float64 for p in params})
    frame = _null_fill(frame, list(params), fill)
    if keys and len(keys[0]) == 10:
        return frame.select((pl.col("key") + "00").str.strptime(pl.Datetime("us"), "%Y%m%d%H%M").alias("datetime_start"),
                            *params), meta
    if keys and len(keys[0]) == 8:
        return frame.select(pl.col("key").str.strptime(pl.Date, "%Y%m%d").alias("date"), *params), meta
    return frame.rename({"key": "period"}), meta


def hourly_to_canonical(df: pl.DataFrame, station_key: str, *, file: str = "<nasa power hourly>",
                        utc_offset_h: float = 0.0) -> pl.DataFrame:
    """Hourly POWER frame (``datetime_start`` + parameters) → canonical hourly frame (hour-ending)."""
    if "datetime_start" not in df.columns:
        raise SourceFormatError(f"{file}: not an hourly POWER frame (no datetime_start)")
    tz = f"Etc/GMT{-int(utc_offset_h):+d}" if utc_offset_h else "UTC"
    start = pd.DatetimeIndex(df["datetime_start"].to_pandas())
    times = (start + pd.Timedelta(hours=1)).tz_localize(tz)
    values = {CANONICAL[p]: df[p].to_numpy() * SCALE.get(CANONICAL[p], 1.0) for p in CANONICAL if p in df.columns}
    return canonical_hourly(station_key, times, values, file=file, month=start.month.to_numpy())


# --- live connector (I/O only) -------------------------------------------------------------


def site_key(lat: float, lon: float) -> str:
    return f"{lat:.3f}_{lon:.3f}"


def save_point(folder: Path, name: str, parameters: Iterable[str], lat: float, lon: float,
               start: str | dt.date | None = None, end: str | dt.date | None = None, temporal: str = "hourly", *,
               community: str = "RE", fmt: str = "JSON", time_standard: str = "UTC", base_url: str = BASE_URL,
               client: httpx.Client | None = None, extra_params: Mapping[str, object] | None = None,
               retry_delays: tuple[float, ...] = RETRY_DELAYS_S) -> Path:
    """GET one POWER point request and save the body as received to ``<folder>/requests/<name>``
    (URL, sha256 and size in the sidecar); parse it with :func:`parse_json` / :func:`parse_csv`.

    ``start``/``end`` (``YYYYMMDD`` or dates) are required except for climatology. Retries on
    timeouts/5xx/429 (:mod:`gridscout.sources.retry`); a 4xx (e.g. 422 for a bad parameter) or an
    HTML page raises with POWER's own message and nothing is saved.
    """
    if temporal not in TEMPORALS:
        raise ValueError(f"temporal must be one of {TEMPORALS}, not {temporal!r}")
    params: dict[str, object] = {"parameters": ",".join(parameters), "community": community,
                                 "longitude": lon, "latitude": lat, "format": fmt, "time-standard": time_standard}
    if temporal != "climatology":
        if start is None or end is None:
            raise ValueError(f"{temporal} requests need start and end (YYYYMMDD)")
        params["start"] = start.strftime("%Y%m%d") if isinstance(start, dt.date) else str(start)
        params["end"] = end.strftime("%Y%m%d") if isinstance(end, dt.date) else str(end)
    params.update(extra_params or {})
    url = f"{base_url.rstrip('/')}/temporal/{temporal}/point"
    resp = http.get(url, params=params, client=client, retry_delays=retry_delays)
    if http.is_html(resp.text):
        raise SourceFetchError(f"GET {resp.url} returned an HTML page: {http.error_detail(resp)}")
    return save_response(folder / REQUESTS_DIR / name, resp.content, str(resp.url))


def fetch_saved(folder: Path, *, sites: Iterable[tuple[float, float]] = (), year: int | None = None,
                base_url: str | None = None, client: httpx.Client | None = None,
                retry_delays: tuple[float, ...] = RETRY_DELAYS_S) -> list[Path]:
    """The spec's ``fetcher``: one calendar year (UTC) of hourly POWER data for each ``(lat, lon)``
    in ``sites``, saved as ``requests/power_hourly_<lat>_<lon>_<year>.json``. POWER is fetched per
    site, so with no sites (a plain ingest) there is nothing to fetch."""
    sites = list(sites)
    if sites and year is None:
        raise ValueError("NASA POWER site requests need a year")
    base = base_url or os.environ.get(URL_ENV) or BASE_URL
    return [save_point(folder, f"power_hourly_{site_key(lat, lon)}_{year}.json", HOURLY_PARAMETERS, lat, lon,
                       f"{year}0101", f"{year}1231", "hourly", base_url=base, client=client,
                       retry_delays=retry_delays) for lat, lon in sites]


# --- file source ----------------------------------------------------------------------------


def parse_site(path: Path) -> ParseResult:
    """One saved per-site hourly JSON response → weather_hourly/weather_files with
    ``station_key = nasa_power:<lat>_<lon>`` (from the response's own coordinates) and the per-site
    vintage ``site:<lat>_<lon>:<year>`` (the year of the first hour)."""
    df, meta = parse_json(path.read_bytes(), file=str(path))
    if "datetime_start" not in df.columns or df.is_empty() or meta.get("latitude") is None:
        raise SourceFormatError(f"{path}: not an hourly POWER point response with coordinates")
    key = site_key(float(meta["latitude"]), float(meta["longitude"]))
    year = df["datetime_start"].min().year
    hourly = hourly_to_canonical(df, f"{SPEC.id}:{key}", file=str(path))
    info = {"station_name": f"NASA POWER {meta['latitude']:.3f},{meta['longitude']:.3f}", **meta,
            "utc_offset_h": 0.0, "data_kind": f"NASA POWER hourly {year}"}
    parsed = weather_result([hourly], [files_row(f"{SPEC.id}:{key}", path.name, hourly.height, info)])
    parsed.vintage = f"site:{key}:{year}"
    return parsed


def parse(files: Mapping[str, Path]) -> ParseResult:
    """Saved hourly POWER JSON responses in <raw>/nasa_power/ → weather_hourly; others are rejected.

    A response the live fetcher saved for one site (``requests/power_hourly_*.json``, one per load)
    is parsed by :func:`parse_site` (per-site station key and vintage).
    """
    if (site := request_file(files, what="NASA POWER site-year")) is not None:
        return parse_site(site)
    frames, rows, rejections = [], [], []
    for name, path in sorted(files.items()):
        df, meta = parse_json(path.read_bytes(), file=str(path))
        if "datetime_start" not in df.columns:
            rejections.append(Rejection("weather_hourly", df.height, f"{name}: not an hourly POWER response"))
            continue
        key = f"{SPEC.id}:{name}"
        hourly = hourly_to_canonical(df, key, file=str(path))
        info = {"station_name": f"NASA POWER {meta['latitude']},{meta['longitude']}", **meta,
                "utc_offset_h": 0.0, "data_kind": "NASA POWER hourly"}
        frames.append(hourly)
        rows.append(files_row(key, name, hourly.height, info))
    return weather_result(frames, rows, rejections)


SPEC = SourceSpec(
    id="nasa_power",
    title="NASA POWER hourly point weather (MERRA-2 meteorology, CERES/GEWEX irradiance)",
    authority="NASA Langley Research Center, POWER project",
    licence="NASA open data (no restrictions; cite the POWER project)",
    homepage="https://power.larc.nasa.gov/",
    family="climate",
    vintage="recorded",
    files=(RawFile("*.json", url=None, required=False),),
    tables=("weather_hourly", "weather_files"),
    parse=parse,
    fetcher=fetch_saved,
    publication=Publication("static", "recorded hourly weather of past years, fetched per site: past years do not change"),
    extra_hosts=("power.larc.nasa.gov",),
    notes="Per-site years are fetched live through the fetcher (request sites=[(lat, lon)], year=...) and "
          "saved in <raw>/nasa_power/requests/; saved hourly JSON responses in <raw>/nasa_power/ are loaded "
          "by the file source.",
)
