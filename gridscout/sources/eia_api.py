"""EIA API v2 ``electricity/retail-sales``: annual average retail price by state and sector.

Connector (I/O): :func:`fetch_retail_sales` pages through ``/v2/electricity/retail-sales/data/``
(``offset``/``length`` ≤ 5000 rows per call) through the one retrying GET (:mod:`gridscout.sources.http`), and sends
the API key in the ``X-Api-Key`` header, never in a URL, so neither httpx's request log nor an
error message can carry it (every message is scrubbed of the key as well). The key comes only from
the environment variable ``EIA_API_KEY`` (free: https://www.eia.gov/opendata/register.php).

Parser (pure): :func:`records_to_retail_prices` turns response rows (numbers come as strings) into
``retail_prices``: cents/kWh × 10 = USD/MWh; ``stateid`` "US" is the national figure (country
USA); census-division ids (NEW, MAT, ...) are rejected; 0 or blank prices are null (no sales).

The source's raw files are saved responses ``retail_sales*.json`` in ``<raw>/eia_api/`` (written by
:func:`download_retail_sales`), so loads keep file provenance. With no saved file, ingest fetches
live and saves the response first (:func:`fetch_saved`, the spec's ``fetcher``) when ``EIA_API_KEY``
is set and downloads are allowed; otherwise ``parse`` says to set it.

Source: U.S. Energy Information Administration, Open Data API v2, https://www.eia.gov/opendata/
(public domain). Response shape per EIA's documentation example (Colorado, residential, 2001:
"price": "7.47" cents per kilowatthour).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx
import polars as pl

from gridscout.errors import SourceFetchError, SourceFormatError, SourceMissingError
from gridscout.sources import http
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range
from gridscout.sources.fetch import save_response
from gridscout.sources.retry import RETRY_DELAYS_S

log = logging.getLogger(__name__)

API_KEY_ENV = "EIA_API_KEY"
BASE_URL = "https://api.eia.gov/v2"
#: optional override of BASE_URL (a mirror, or a local replay server in tests)
URL_ENV = "GRIDSCOUT_EIA_API_URL"
ROUTE = "electricity/retail-sales"
MAX_LENGTH = 5000  # EIA: at most 5000 rows per JSON call
TIMEOUT = httpx.Timeout(30.0, read=60.0)
SAVED = "retail_sales*.json"
#: EIA sectorid → retail_prices.sector
SECTORS = {"RES": "residential", "COM": "commercial", "IND": "industrial", "TRA": "transportation",
           "OTH": "other", "ALL": "total"}
US_STATES = frozenset(
    ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR"])


def api_key_from_env() -> str | None:
    """The EIA API key from ``EIA_API_KEY`` (None when unset or blank)."""
    return (os.environ.get(API_KEY_ENV) or "").strip() or None


def _params(states, sectors, start, end, frequency, offset, length) -> list[tuple[str, str]]:
    p = [("frequency", frequency), ("data[0]", "price")]
    p += [("facets[stateid][]", s) for s in states or ()]
    p += [("facets[sectorid][]", s) for s in sectors or ()]
    if start:
        p.append(("start", str(start)))
    if end:
        p.append(("end", str(end)))
    # A total order makes offset paging stable between calls.
    p += [("sort[0][column]", "period"), ("sort[0][direction]", "asc"),
          ("sort[1][column]", "stateid"), ("sort[1][direction]", "asc"),
          ("sort[2][column]", "sectorid"), ("sort[2][direction]", "asc"),
          ("offset", str(offset)), ("length", str(length))]
    return p


def _get_page(client: httpx.Client, url: str, params, api_key: str, retry_delays) -> dict:
    """One page (the one HTTP GET with retries, :mod:`gridscout.sources.http`); the key in a header only."""
    try:
        body = http.get_json(url, params=params, headers={"X-Api-Key": api_key}, client=client, timeout=TIMEOUT,
                             retry_delays=retry_delays, secrets=[api_key])
    except SourceFetchError as exc:
        hint = f" (check {API_KEY_ENV})" if "HTTP 401" in str(exc) or "HTTP 403" in str(exc) else ""
        raise SourceFetchError(f"EIA API: {exc}{hint}") from None
    if not isinstance(body, dict):
        raise SourceFetchError(f"EIA API {url}: unexpected response shape ({type(body).__name__})")
    if "error" in body:
        raise SourceFetchError(http.scrub(f"EIA API error: {body['error']}", [api_key]))
    return body


def fetch_retail_sales(api_key: str, base_url: str = BASE_URL, states: Iterable[str] | None = None,
                       sector: str | Iterable[str] | None = None, start: str | int | None = None,
                       end: str | int | None = None, client: httpx.Client | None = None, *,
                       frequency: str = "annual", page_length: int = MAX_LENGTH,
                       retry_delays: tuple[float, ...] = RETRY_DELAYS_S) -> list[dict]:
    """All rows of ``electricity/retail-sales`` for the given facets, every page.

    ``sector``: EIA sector id(s) (RES, COM, IND, TRA, OTH, ALL); None: all. ``states``: USPS codes;
    None: all. Rows come back as the API sends them (numbers as strings). Raises
    :class:`SourceFetchError` (key scrubbed) on 4xx, API errors, or 5xx/timeouts after retries.
    """
    if not api_key:
        raise SourceMissingError(f"EIA API key missing: set {API_KEY_ENV} (free: https://www.eia.gov/opendata/register.php)")
    if not 1 <= page_length <= MAX_LENGTH:
        raise ValueError(f"page_length must be 1..{MAX_LENGTH}")
    sectors = [sector] if isinstance(sector, str) else list(sector) if sector else None
    url = f"{base_url.rstrip('/')}/{ROUTE}/data/"
    own = client is None
    client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=True)
    rows: list[dict] = []
    try:
        offset = 0
        while True:
            body = _get_page(client, url, _params(states, sectors, start, end, frequency, offset, page_length),
                             api_key, retry_delays)
            try:
                resp = body["response"]
                page = resp["data"]
                total = int(resp.get("total") or 0)
            except (KeyError, TypeError, ValueError) as exc:
                raise SourceFetchError(f"EIA API {url}: unexpected response shape ({exc!r})") from None
            rows.extend(page)
            offset += len(page)
            log.info("EIA API %s: %d of %d rows", url, offset, total)
            if not page or offset >= total:
                break
    finally:
        if own:
            client.close()
    return rows


def download_retail_sales(dest_dir: Path, api_key: str, **kwargs) -> Path:
    """Fetch (all pages) and save as ``retail_sales_<frequency>.json`` in the API's own shape."""
    rows = fetch_retail_sales(api_key, **kwargs)
    url = f"{kwargs.get('base_url', BASE_URL).rstrip('/')}/{ROUTE}/data/"
    body = json.dumps({"response": {"total": str(len(rows)), "data": rows}}).encode()
    return save_response(dest_dir / f"retail_sales_{kwargs.get('frequency', 'annual')}.json", body, url)


def records_to_retail_prices(rows: list[dict], *, origin: str = "EIA API") -> ParseResult:
    """Pure: API rows → ``retail_prices`` (annual rows only; cents/kWh → USD/MWh)."""
    if not rows:
        raise SourceFormatError(f"{origin}: no rows in the response")
    df = pl.DataFrame(rows, infer_schema_length=None)
    missing = [c for c in ("period", "stateid", "sectorid", "price") if c not in df.columns]
    if missing:
        raise SourceFormatError(f"{origin}: response rows lack {missing}; found {df.columns}")
    df = df.with_columns(pl.col("period", "stateid", "sectorid", "price").cast(pl.Utf8))
    rejections = []
    if "price-units" in df.columns:
        units = set(df["price-units"].drop_nulls().unique())
        if units - {"cents per kilowatthour", "cents per kilowatt-hour"}:
            raise SourceFormatError(f"{origin}: column 'price-units' is {sorted(units)}, expected cents per kilowatthour")
    annual = df.filter(pl.col("period").str.contains(r"^\d{4}$"))
    if annual.height < df.height:
        rejections.append(Rejection("retail_prices", df.height - annual.height, "not an annual period (YYYY)"))
    known = annual.filter(pl.col("sectorid").is_in(list(SECTORS)))
    if known.height < annual.height:
        rejections.append(Rejection("retail_prices", annual.height - known.height, "unknown sectorid"))
    region = known.filter(pl.col("stateid").is_in(list(US_STATES)) | (pl.col("stateid") == "US"))
    if region.height < known.height:
        rejections.append(Rejection("retail_prices", known.height - region.height, "census division, not a state"))
    cents = pl.col("price").str.strip_chars().replace("", None).cast(pl.Float64, strict=False)
    out = region.select(
        pl.when(pl.col("stateid") == "US").then(pl.lit("country")).otherwise(pl.lit("us_state")).alias("region_kind"),
        pl.when(pl.col("stateid") == "US").then(pl.lit("USA")).otherwise(pl.col("stateid")).alias("region_code"),
        pl.col("period").cast(pl.Int32).alias("year"),
        pl.col("sectorid").replace_strict(SECTORS).alias("sector"),
        pl.when(cents > 0).then(cents * 10.0).alias("price_usd_per_mwh"),  # 1 ¢/kWh = 10 USD/MWh
    )
    nulls = out.filter(pl.col("price_usd_per_mwh").is_null()).height
    if nulls:
        rejections.append(Rejection("retail_prices", nulls, "no price (blank or 0: no sales) → price null"))
    check_range(out, "price_usd_per_mwh", 0, 2000, file=origin)
    dupes = out.height - out.unique(["region_kind", "region_code", "year", "sector"]).height
    if dupes:
        rejections.append(Rejection("retail_prices", dupes, "duplicate state-year-sector (first kept)"))
        out = out.unique(["region_kind", "region_code", "year", "sector"], keep="first", maintain_order=True)
    return ParseResult({"retail_prices": out}, vintage=f"{out['year'].min()}-{out['year'].max()}",
                       rejections=rejections)


def read_saved(path: Path) -> list[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["response"]["data"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SourceFormatError(f"{path}: not a saved EIA API v2 response ({exc!r})") from exc


def fetch_saved(folder: Path, **request) -> list[Path]:
    """Connector for ``fetch.locate``: with ``EIA_API_KEY`` set, fetch every annual row and save it
    in ``folder`` (see :func:`download_retail_sales`); without a key, nothing (``parse`` says why)."""
    key = api_key_from_env()
    return [download_retail_sales(folder, key, base_url=os.environ.get(URL_ENV) or BASE_URL, **request)] if key else []


def parse(files: Mapping[str, Path]) -> ParseResult:
    """Saved responses (pure). None saved: :class:`SourceMissingError` saying how to get them."""
    if not files:
        raise SourceMissingError(
            f"source 'eia_api': no saved response {SAVED} in <raw>/eia_api/ (the folder under "
            f"GRIDSCOUT_RAW_DIR). Set {API_KEY_ENV} (free key: https://www.eia.gov/opendata/register.php) and "
            "run `gridscout ingest eia_api` to fetch and save one, or copy saved responses there.")
    rows = [r for name in sorted(files) for r in read_saved(files[name])]
    return records_to_retail_prices(rows, origin=", ".join(str(files[n]) for n in sorted(files)))


SPEC = SourceSpec(
    id="eia_api",
    title="EIA API v2 retail sales: annual price by state and sector",
    authority="U.S. Energy Information Administration",
    licence="US public domain",
    homepage="https://www.eia.gov/opendata/",
    family="prices",
    vintage="api",
    files=(RawFile(SAVED, required=False),),
    tables=("retail_prices",),
    parse=parse,
    fetcher=fetch_saved,
    publication=Publication("annual", "EIA API retail-sales annual state prices: final with the Electric Power Annual, about October of the next year (eia.gov/electricity/annual)", lag_days=300),
    extra_hosts=("api.eia.gov",),
    notes=f"Needs {API_KEY_ENV} unless saved responses are in <raw>/eia_api/. Key sent as X-Api-Key header.",
)
