"""Electricity Maps API: hourly grid carbon intensity by zone (live; needs a key).

API v3 (https://docs.electricitymaps.com/): ``GET <base>/carbon-intensity/history?zone=FR`` (last
24 h) and ``GET <base>/carbon-intensity/past-range?zone=..&start=..&end=..``, header
``auth-token: <key>``. Each record: ``zone, carbonIntensity [gCO2eq/kWh], datetime (UTC),
updatedAt, createdAt, emissionFactorType (lifecycle|direct), isEstimated, estimationMethod``.

The key comes only from the environment variable ``ELECTRICITYMAPS_API_KEY``; without it the
connector is inactive (:func:`is_active` is False and fetches raise a clear error). The key is
never logged, never stored and scrubbed from every exception message.

The registered file source has no files (this is a live API): it loads nothing from the raw
folder; hourly rows come from :func:`load_carbon_history`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

import httpx
import polars as pl

from gridscout.errors import SourceFetchError, SourceFormatError
from gridscout.sources import http
from gridscout.sources.base import ParseResult, SourceSpec

BASE_URL = "https://api.electricitymaps.com/v3"
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


def fetch_carbon_history(zone: str, *, start: dt.datetime | None = None, end: dt.datetime | None = None,
                         base_url: str = BASE_URL, client: httpx.Client | None = None,
                         retry_delays: tuple[float, ...] = http.RETRY_DELAYS_S) -> pl.DataFrame:
    """Hourly carbon intensity of ``zone``: the last 24 h, or ``start``..``end`` via past-range.

    Raises :class:`SourceFetchError` when no key is set, on HTTP errors (401/403 = bad key) and on
    bad bodies; the key never appears in any message.
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
    else:
        path = "carbon-intensity/history"
    try:
        body = http.get_json(f"{base_url.rstrip('/')}/{path}", params=params, headers={"auth-token": key},
                             client=client, retry_delays=retry_delays, secrets=[key])
        return parse_history(body, file=f"Electricity Maps {path} zone={zone}")
    except (SourceFetchError, SourceFormatError) as exc:
        raise type(exc)(http.scrub(str(exc), [key])) from None


def load_carbon_history(con, zone: str, *, start: dt.datetime | None = None, end: dt.datetime | None = None,
                        base_url: str = BASE_URL, client: httpx.Client | None = None, force: bool = False,
                        retry_delays: tuple[float, ...] = http.RETRY_DELAYS_S):
    """Fetch and load hourly intensities of ``zone`` into zone_carbon_hourly (idempotent per zone/day).

    Vintage ``<zone>:<first UTC date>``: re-loading the same window replaces those rows only.
    """
    from gridscout.sources.fetch import LocatedFile
    from gridscout.warehouse.load import load

    df = fetch_carbon_history(zone, start=start, end=end, base_url=base_url, client=client, retry_delays=retry_delays)
    if df.is_empty():
        raise SourceFetchError(f"Electricity Maps returned no hourly records for zone {zone}")
    first = df["datetime_utc"].min()
    csv = df.write_csv().encode()
    name = f"carbon_intensity_{zone}_{first:%Y%m%dT%H}.json"
    located = LocatedFile(name=name, path=Path(name), url=f"{base_url}/carbon-intensity?zone={zone}",
                          sha256=hashlib.sha256(csv).hexdigest(), bytes=len(csv),
                          fetched_at=dt.datetime.now(dt.UTC).timestamp())
    parsed = ParseResult({"zone_carbon_hourly": df}, vintage=f"{zone}:{first:%Y-%m-%dT%H}")
    return load(con, SPEC, [located], parsed, force=force)


def parse(files: Mapping[str, Path]) -> ParseResult:
    """No raw files: an empty, typed zone_carbon_hourly (rows come from :func:`load_carbon_history`)."""
    return ParseResult({"zone_carbon_hourly": pl.DataFrame(schema=SCHEMA)})


SPEC = SourceSpec(
    id="electricitymaps_api",
    title="Electricity Maps API: hourly carbon intensity by zone",
    authority="Electricity Maps ApS",
    licence="Electricity Maps API terms (free tier: non-commercial); data per their terms",
    homepage="https://www.electricitymaps.com/",
    family="carbon",
    vintage="live",
    files=(),
    tables=("zone_carbon_hourly",),
    parse=parse,
    max_age_days=1,
    extra_hosts=("api.electricitymaps.com", "api-access.electricitymaps.com"),
    notes=f"Live only; needs {ENV_KEY}. Offline substitute: carbon_yearly (annual, lifecycle).",
    reference_only="zone_carbon_hourly (live hourly intensity, needs a key) is loaded for reference; scoring "
                   "uses annual zone intensity from carbon_yearly (no hourly carbon matching yet).",
)
