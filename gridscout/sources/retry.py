"""The one retry loop for every HTTP request gridscout makes (downloads and live APIs).

What is worth retrying is decided here, once: a timeout, a dropped or truncated connection, HTTP 5xx
and HTTP 429 (:class:`Retryable`). Everything else fails at once: another 4xx (a bad parameter or a
refused key does not get better by asking again), a host that cannot be reached at all (the machine
is offline; waiting only delays the message), too many redirects.

Attempts: one plus one per delay; the default ``RETRY_DELAYS_S = (1, 3, 9)`` gives **4 attempts over
about 13 s** per request. Prefect tasks that call this code do not retry on top of it (see
``flows/ingest.py``), so 4 is also the number of attempts a scheduled ingest makes per file.

Not a source module: ``retry`` is excluded from the registry.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

import httpx

from gridscout.errors import SourceFetchError

log = logging.getLogger(__name__)

T = TypeVar("T")

#: waits between attempts, in seconds: 4 attempts in all
RETRY_DELAYS_S: tuple[float, ...] = (1.0, 3.0, 9.0)


class Retryable(Exception):
    """A failure that may pass on a later attempt (timeout, dropped connection, HTTP 5xx or 429)."""


def check_status(status: int) -> None:
    """Raise :class:`Retryable` for HTTP 5xx and 429 (the caller decides what other 4xx mean)."""
    if status >= 500 or status == 429:
        raise Retryable(f"HTTP {status}")


def transport_error(exc: httpx.HTTPError, url: str) -> Exception:
    """The exception to raise for an httpx error during a request to ``url``: :class:`Retryable` for
    timeouts and dropped/truncated connections, :class:`SourceFetchError` for the rest."""
    from urllib.parse import urlparse

    if isinstance(exc, httpx.ConnectError):
        return SourceFetchError(f"cannot connect to {urlparse(url).hostname} ({exc}); is this machine offline?")
    if isinstance(exc, httpx.RemoteProtocolError):
        return Retryable(f"truncated body ({exc})")
    if isinstance(exc, (httpx.TimeoutException, httpx.TransportError)):
        return Retryable(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, httpx.TooManyRedirects):
        return SourceFetchError(f"{url}: too many redirects ({exc}); the publisher's link is broken")
    return SourceFetchError(f"request to {url} failed: {type(exc).__name__}: {exc}")


def with_retries(attempt: Callable[[], T], *, what: str, delays: Iterable[float] = RETRY_DELAYS_S,
                 scrub: Callable[[str], str] = str) -> T:
    """Call ``attempt`` until it returns, retrying (after each of ``delays``) while it raises
    :class:`Retryable`; any other exception propagates at once.

    After the last attempt raise :class:`SourceFetchError` ``"<what> failed after N attempts: <last
    error>"``. ``scrub`` cleans every logged or raised message (API keys).
    """
    delays = tuple(delays)
    last: Retryable | None = None
    for number, delay in enumerate((0.0, *delays), start=1):
        if delay:
            time.sleep(delay)
        try:
            return attempt()
        except Retryable as exc:
            last = exc
            if number <= len(delays):
                log.warning("%s: attempt %d of %d failed (%s); retrying in %.3g s", scrub(what), number,
                            len(delays) + 1, scrub(str(exc)), delays[number - 1])
    raise SourceFetchError(scrub(f"{what} failed after {len(delays) + 1} attempts: {last}"))
