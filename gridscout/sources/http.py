"""Shared HTTP client helpers for live API connectors (I/O only).

One GET used by every live connector (PVGIS, NASA POWER, Electricity Maps, EIA API):

* a timeout on every request;
* retries through :mod:`gridscout.sources.retry` (the one retry loop: timeouts, dropped connections,
  HTTP 5xx and 429; never other 4xx);
* a host allow-list, checked on every redirect *before* it is followed; a request that carries a
  secret (an API key header or query parameter) follows a redirect only within its own origin
  (scheme, host and port), so a key is never sent anywhere else (httpx itself only drops
  ``Authorization`` across origins, not ``X-Api-Key`` or ``auth-token``);
* secrets (API keys in query parameters or headers) scrubbed from every message it raises, so an
  exception, a log line or a report never carries a key.

Not a source module: ``http`` is excluded from the registry.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlparse

import httpx

from gridscout.errors import SourceFetchError
from gridscout.sources.retry import RETRY_DELAYS_S, check_status, transport_error, with_retries

log = logging.getLogger(__name__)

TIMEOUT_S = httpx.Timeout(30.0, read=120.0)
#: query parameters / headers whose values are secrets wherever they appear
SECRET_PARAMS = ("api_key", "apikey", "api-key", "auth-token", "token", "key", "access_token", "password")
_SECRET_RE = re.compile(r"(?i)\b(" + "|".join(re.escape(p) for p in SECRET_PARAMS) + r")(=|:\s*|\"\s*:\s*\")([^&\s\"',;]+)")


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every known secret value and every ``api_key=...``-style value replaced by ``***``."""
    out = _SECRET_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}***", str(text))
    for s in secrets:
        if s:
            out = out.replace(s, "***")
    return out


def get(url: str, *, params: Mapping[str, object] | Sequence[tuple[str, object]] | None = None,
        headers: Mapping[str, str] | None = None, allowed_hosts: Iterable[str] | None = None, client: httpx.Client | None = None,
        timeout: httpx.Timeout | float = TIMEOUT_S, retry_delays: tuple[float, ...] = RETRY_DELAYS_S,
        secrets: Iterable[str | None] = ()) -> httpx.Response:
    """GET ``url`` and return the (2xx) response; raise :class:`SourceFetchError` otherwise.

    ``allowed_hosts`` defaults to the host of ``url`` itself (redirects may not leave it).
    ``secrets`` are values (API keys) to scrub from any error message; header values whose names
    look secret (``auth-token``, ``api-key``...) are scrubbed automatically.
    """
    host = urlparse(url).hostname
    allowed = frozenset(allowed_hosts) if allowed_hosts is not None else frozenset({host})
    hidden = [*secrets, *(v for k, v in (headers or {}).items() if k.lower() in SECRET_PARAMS)]
    pairs = params.items() if isinstance(params, Mapping) else (params or ())
    hidden += [str(v) for k, v in pairs if k.lower() in SECRET_PARAMS]
    if host not in allowed:
        raise SourceFetchError(scrub(f"refusing to GET {url}: host {host!r} is not among {sorted(allowed)}", hidden))
    own = client is None
    client = client or httpx.Client(timeout=timeout)
    try:
        return with_retries(lambda: _get_once(client, url, params, headers, allowed, timeout, hidden),
                            what=f"GET {url}", delays=retry_delays, scrub=lambda t: scrub(t, hidden))
    finally:
        if own:
            client.close()


#: redirects one request may follow (httpx's own default is 20)
MAX_REDIRECTS = 5


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme)


def _get_once(client, url, params, headers, allowed, timeout, hidden) -> httpx.Response:
    """One GET, following redirects by hand: each target is checked before it is asked."""
    request = client.build_request("GET", url, params=params, headers=headers, timeout=timeout)
    origin = _origin(request.url)
    carries_secret = bool([h for h in hidden if h])
    for _ in range(MAX_REDIRECTS + 1):
        try:
            resp = client.send(request, follow_redirects=False)
        except httpx.HTTPError as exc:
            err = transport_error(exc, url)
            raise type(err)(scrub(str(err), hidden)) from None
        if not resp.has_redirect_location:
            break
        target = resp.next_request
        resp.close()
        if target is None or target.url.host not in allowed:
            where = target.url if target is not None else resp.headers.get("location")
            raise SourceFetchError(scrub(f"{url} redirected to {where}, outside the allowed hosts; not followed",
                                         hidden))
        if carries_secret and _origin(target.url) != origin:
            raise SourceFetchError(scrub(
                f"{url} redirected to {target.url}, another origin; not followed, so the API key is not sent there",
                hidden))
        request = target
    else:
        raise SourceFetchError(scrub(f"{url}: more than {MAX_REDIRECTS} redirects; the link is broken", hidden))
    check_status(resp.status_code)
    if resp.status_code >= 400:
        raise SourceFetchError(scrub(
            f"GET {resp.url} failed: HTTP {resp.status_code}: {error_detail(resp, secrets=hidden)}", hidden))
    return resp


def excerpt(text: str, secrets: Iterable[str | None] = (), limit: int = 200) -> str:
    """At most ``limit`` characters of ``text`` with secrets scrubbed *before* the cut (a cut key
    would no longer match, and its first half would leak)."""
    return scrub(text, secrets)[:limit]


def error_detail(resp: httpx.Response, limit: int = 300, secrets: Iterable[str | None] = ()) -> str:
    """A short human-readable reason from an error body (JSON ``message``/``error`` or text, HTML
    stripped), secrets scrubbed before it is cut."""
    hidden = list(secrets)
    text = resp.text or ""
    try:
        body = resp.json()
    except (json.JSONDecodeError, ValueError):
        body = None
    if isinstance(body, dict):
        for key in ("message", "error", "messages", "detail"):
            if key in body:
                return excerpt(str(body[key]), hidden, limit)
    if is_html(text):
        title = re.search(r"(?is)<title>(.*?)</title>", text)
        return excerpt(f"HTML page{': ' + title.group(1).strip() if title else ''}", hidden, limit)
    return excerpt(text.strip(), hidden, limit)


def is_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def get_json(url: str, **kwargs) -> object:
    """:func:`get` and decode JSON; an HTML page or non-JSON body is a :class:`SourceFetchError`."""
    return decode_json(get(url, **kwargs), kwargs.get("secrets", ()))


def decode_json(resp: httpx.Response, secrets: Iterable[str | None] = ()) -> object:
    """The JSON body of ``resp``; an HTML page or non-JSON body is a :class:`SourceFetchError`."""
    hidden = list(secrets)
    if is_html(resp.text):
        raise SourceFetchError(scrub(f"GET {resp.url} returned an HTML page, not JSON: {error_detail(resp, secrets=hidden)}", hidden))
    try:
        return resp.json()
    except (json.JSONDecodeError, ValueError) as exc:
        raise SourceFetchError(scrub(f"GET {resp.url} returned invalid JSON ({exc}): {excerpt(resp.text, hidden)!r}",
                                     hidden)) from None
