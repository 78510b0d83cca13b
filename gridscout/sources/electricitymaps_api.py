"""Electricity Maps API: hourly grid carbon intensity by zone (live; needs a key).

API v3 (https://docs.electricitymaps.com/): ``GET <base>/carbon-intensity/history?zone=FR`` (last
24 h) and ``GET <base>/carbon-intensity/past-range?zone=..&start=..&end=..``, header
``auth-token: <key>``. Each record: ``zone, carbonIntensity [gCO2eq/kWh], datetime (UTC),
updatedAt, createdAt, emissionFactorType (lifecycle|direct), isEstimated, estimationMethod``.

The key comes only from the environment variable ``ELECTRICITYMAPS_API_KEY``; without it the
connector is inactive (:func:`is_active` is False and fetches raise a clear error). The key is
never logged, never stored and scrubbed from every exception message.

Live requests go through the spec's ``fetcher`` (:func:`save_carbon_history`: the response is saved
as received under ``<raw>/electricitymaps_api/requests/``), then the pure :func:`parse` reads the
saved file and the normal load writes it (:func:`gridscout.jobs.ingest.ingest_source` with
``request={"zones": [...]}``). Responses
saved by hand as ``carbon_intensity_*.json`` in the raw folder are loaded by a plain ingest.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx
import polars as pl

from gridscout.errors import SourceFetchError, SourceFormatError
from gridscout.sources import http
from gridscout.sources.base import ParseResult, Publication, REQUESTS_DIR, RawFile, SourceSpec
from gridscout.sources.fetch import save_response
from gridscout.sources.retry import RETRY_DELAYS_S

BASE_URL = "https://api.electricitymaps.com/v3"
#: optional override of BASE_URL (a mirror, or a local replay server in tests)
URL_ENV = "GRIDSCOUT_ELECTRICITYMAPS_URL"
ENV_KEY = "ELECTRICITYMAPS_API_KEY"
SCHEMA = {"zone_key": pl.Utf8, "datetime_utc": pl.Datetime("us", "UTC"), "carbon_g_per_kwh": pl.Float64,
          "carbon_basis": pl.Utf8, "is_estimated": pl.Boolean, "estimation_method": pl.Utf8}


def api_key() -> str | None:
    return os.environ.get(ENV_KEY) or None


def is_active() -> bool:
    """True when ``ELECTRICITYMAPS_API_KEY`` is set."""
    return api_key() is not None


def parse_history(obj: Mapping | str | bytes, *, file: str = "<electricitymaps history>") -> pl.DataFrame:
    """``/carbon-intensity/history`` or ``/past-range`` body (or a single ``/latest`` record) → zone_carbon_hourly rows."""
    if isinstance(obj, (str, bytes)):
        try:
            obj = json.loads(obj)
        except json.JSONDecodeError as exc:
            raise SourceFormatError(f"{file}: not JSON ({exc})") from exc
    if not isinstance(obj, Mapping):
        raise SourceFormatError(f"{file}: expected a JSON object, got {type(obj).__name__}")
    records = obj.get("history", obj.get("data"))
    if records is None and "carbonIntensity" in obj:
        records = [obj]
    if not isinstance(records, list):
        raise SourceFormatError(f"{file}: no 'history' list in the response (keys {sorted(obj)[:10]})")
    rows = []
    for i, r in enumerate(records):
        try:
            zone = r.get("zone") or obj["zone"]
            when = dt.datetime.fromisoformat(r["datetime"].replace("Z", "+00:00")).astimezone(dt.UTC)
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceFormatError(f"{file}: record {i}: bad zone/datetime ({exc})") from exc
        basis = r.get("emissionFactorType") or "lifecycle"
        if basis not in ("lifecycle", "direct"):
            raise SourceFormatError(f"{file}: record {i}: emissionFactorType {basis!r} is not lifecycle|direct")
        ci = r.get("carbonIntensity")
        if ci is not None and not 0 <= float(ci) <= 3000:
            raise SourceFormatError(f"{file}: record {i}, column 'carbonIntensity': value {ci} outside [0, 3000]")
        rows.append({"zone_key": zone, "datetime_utc": when, "carbon_g_per_kwh": None if ci is None else float(ci),
                     "carbon_basis": basis, "is_estimated": r.get("isEstimated"),
                     "estimation_method": r.get("estimationMethod")})
    return pl.DataFrame(rows, schema=SCHEMA).unique(["zone_key", "datetime_utc"], keep="last", maintain_order=True)


def save_carbon_history(folder: Path, zone: str, *, start: dt.datetime | None = None,
                        end: dt.datetime | None = None, base_url: str = BASE_URL, client: httpx.Client | None = None,
                        retry_delays: tuple[float, ...] = RETRY_DELAYS_S) -> Path:
    """Hourly carbon intensity of ``zone`` (the last 24 h, or ``start``..``end`` via past-range),
    saved as received to ``<folder>/requests/carbon_intensity_<zone>_<window>.json`` (URL without
    the key, sha256 and size in the sidecar).

    Raises :class:`SourceFetchError` when no key is set, on HTTP errors (401/403 = bad key) and on
    bodies that are not JSON; nothing is saved then, and the key never appears in any message.
    """
    key = api_key()
    if key is None:
        raise SourceFetchError(f"Electricity Maps connector is inactive: set {ENV_KEY} "
                               "(free key at https://portal.electricitymaps.com/)")
    params: dict[str, object] = {"zone": zone}
    if start is not None or end is not None:
        if start is None or end is None:
            raise ValueError("give both start and end, or neither")
        path = "carbon-intensity/past-range"
        params |= {"start": start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ"),
                   "end": end.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")}
        window = f"{start.astimezone(dt.UTC):%Y%m%dT%H}_{end.astimezone(dt.UTC):%Y%m%dT%H}"
    else:
        path = "carbon-intensity/history"
        window = "last24h"
    try:
        resp = http.get(f"{base_url.rstrip('/')}/{path}", params=params, headers={"auth-token": key},
                        client=client, retry_delays=retry_delays, secrets=[key])
        http.decode_json(resp, [key])
    except SourceFetchError as exc:
        raise SourceFetchError(http.scrub(str(exc), [key])) from None
    name = f"carbon_intensity_{re.sub(r'[^A-Za-z0-9-]', '_', zone)}_{window}.json"
    return save_response(folder / REQUESTS_DIR / name, resp.content, http.scrub(str(resp.url), [key]))


def fetch_saved(folder: Path, *, zones: Iterable[str] = (), start: dt.datetime | None = None,
                end: dt.datetime | None = None, base_url: str | None = None, client: httpx.Client | None = None,
                retry_delays: tuple[float, ...] = RETRY_DELAYS_S) -> list[Path]:
    """The spec's ``fetcher``: save the hourly history of each zone in ``zones``
    (:func:`save_carbon_history`). With no zones (a plain ingest) there is nothing to fetch."""
    base = base_url or os.environ.get(URL_ENV) or BASE_URL
    return [save_carbon_history(folder, z, start=start, end=end, base_url=base, client=client,
                                retry_delays=retry_delays) for z in zones]


def parse(files: Mapping[str, Path]) -> ParseResult:
    """Saved ``/carbon-intensity/history`` or ``/past-range`` responses → zone_carbon_hourly (pure).

    Vintage ``<zone(s)>:<first UTC hour>`` (zones joined by ``+``): re-loading the same window
    replaces those rows only; another window or zone is another vintage.
    """
    frames = [parse_history(path.read_bytes(), file=str(path)) for _, path in sorted(files.items())]
    if not frames:
        return ParseResult({"zone_carbon_hourly": pl.DataFrame(schema=SCHEMA)})
    df = pl.concat(frames).unique(["zone_key", "datetime_utc"], keep="last", maintain_order=True)
    if df.is_empty():
        raise SourceFormatError(f"{', '.join(sorted(files))}: no hourly records in the response(s)")
    zones = "+".join(sorted(df["zone_key"].unique()))
    return ParseResult({"zone_carbon_hourly": df}, vintage=f"{zones}:{df['datetime_utc'].min():%Y-%m-%dT%H}")


SPEC = SourceSpec(
    id="electricitymaps_api",
    title="Electricity Maps API: hourly carbon intensity by zone",
    authority="Electricity Maps ApS",
    licence="Electricity Maps API terms (free tier: non-commercial); data per their terms",
    homepage="https://www.electricitymaps.com/",
    family="carbon",
    vintage="live",
    files=(RawFile("carbon_intensity_*.json", required=False),),
    tables=("zone_carbon_hourly",),
    parse=parse,
    fetcher=fetch_saved,
    publication=Publication("hourly-api", "live hourly carbon intensity; the API serves the past 24 hours (api.electricitymaps.com/v3, carbon-intensity/history)", lag_days=1, period_end="zone_carbon_hourly.datetime_utc"),
    extra_hosts=("api.electricitymaps.com", "api-access.electricitymaps.com"),
    notes=f"Live; needs {ENV_KEY}. Zone windows are fetched through the fetcher (request zones=[...], "
          "start/end) and saved in <raw>/electricitymaps_api/requests/. Offline substitute: carbon_yearly "
          "(annual, lifecycle).",
    reference_only="zone_carbon_hourly (live hourly intensity, needs a key) is loaded for reference; scoring "
                   "uses annual zone intensity from carbon_yearly (no hourly carbon matching yet).",
)
