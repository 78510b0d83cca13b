"""The contract every data source implements.

A source is declared once (:class:`SourceSpec`): who publishes it, under which licence, where its
canonical files live, which vintage they are, which warehouse tables it fills and which pure
``parse`` function turns the located raw files into those tables. The stages are kept apart, as in
pvlib's ``iotools`` and PUDL's extract/transform split:

``locate/fetch`` (I/O only, :mod:`gridscout.sources.fetch`) → ``parse`` (pure, this module's
contract) → ``validate`` (:func:`validate_table`, schema by column name and value ranges) →
``load`` (idempotent, one transaction, provenance; :mod:`gridscout.warehouse.load`).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import polars as pl

from gridscout.errors import SourceFormatError


@dataclass(frozen=True)
class RawFile:
    """One file a source reads, relative to ``<raw>/<source_id>/``.

    ``name`` may be a glob (``*.epw``) for sources that take any number of files of one format;
    such entries are never downloaded. ``url`` is the canonical download address of a single file.
    """

    name: str
    url: str | None = None
    required: bool = True
    sha256: str | None = None
    max_bytes: int = 2_000_000_000
    #: when ``url`` is a zip archive: the archive member that is this file
    member: str | None = None
    #: other file names that stand in for this one when present (e.g. an older release's file)
    alternatives: tuple[str, ...] = ()

    @property
    def is_glob(self) -> bool:
        return any(ch in self.name for ch in "*?[")


@dataclass(frozen=True)
class Rejection:
    """Rows a parser refused, with the reason (reported by the ingest flow, never silently dropped).

    ``superseded=True``: not bad rows but older records of something whose newest record was kept
    (e.g. older TMYx periods of a station); reported as such, not counted as rejected."""

    table: str
    rows: int
    reason: str
    superseded: bool = False


@dataclass
class ParseResult:
    """What ``parse`` returns: tables by warehouse name, the data vintage, and rejected rows."""

    tables: dict[str, pl.DataFrame]
    vintage: str | None = None
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(df.height for df in self.tables.values())

    @property
    def rows_rejected(self) -> int:
        """Rows refused as bad (superseded older records are not counted: see :class:`Rejection`)."""
        return sum(r.rows for r in self.rejections if not r.superseded)

    @property
    def rows_superseded(self) -> int:
        return sum(r.rows for r in self.rejections if r.superseded)


#: parse(files) -> ParseResult, where files maps each RawFile.name (or each glob match's name)
#: to its located path. Pure: reads the files, touches nothing else.
Parser = Callable[[Mapping[str, Path]], ParseResult]

#: Length in days of one publication period per cadence (the longest gap between two releases);
#: None: no new release is expected (static reference data, discontinued or one-off publications),
#: so the data has no age limit.
CADENCE_DAYS: dict[str, float | None] = {
    "hourly-api": 1 / 24, "daily": 1.0, "monthly": 31.0, "quarterly": 92.0, "semiannual": 184.0,
    "annual": 366.0, "biennial": 731.0, "quadrennial": 1461.0, "quinquennial": 1827.0,
    "static": None, "discontinued": None, "one-off": None,
}


@dataclass(frozen=True)
class Publication:
    """How often a publisher releases new data, and how the data period end of a vintage is known.

    ``cadence``: a key of :data:`CADENCE_DAYS`. ``lag_days``: days from the end of a data period to
    its publication (Eurostat publishes a semester about 4 months after it ends). ``why``: one line,
    the publisher's cadence with its source. ``period_end``: ``"vintage"`` (read from the vintage
    string: :func:`vintage_period_end`), ``"<table>.<column>"`` (the latest date, timestamp or
    year in that column of the parsed rows) or ``"fetched"`` (a snapshot of a publisher's latest file:
    the day its oldest file was fetched; a 304 re-check or a forced reload does not change it),
    recorded at load time in ``source_loads.period_end``.

    The data of a vintage is stale when its period ended more than one period plus the lag ago
    (:attr:`max_data_age_days`): by then the publisher should have released newer data.
    """

    cadence: str
    why: str
    lag_days: int = 0
    period_end: str = "vintage"
    #: the download URL names one release (a version, a commit): a refresh re-checks that release
    #: only, so newer data needs a manual update like a file-only source
    pinned_release: bool = False

    def __post_init__(self) -> None:
        if self.cadence not in CADENCE_DAYS:
            raise ValueError(f"unknown cadence {self.cadence!r}; known: {', '.join(CADENCE_DAYS)}")

    @property
    def max_data_age_days(self) -> int | None:
        days = CADENCE_DAYS[self.cadence]
        return None if days is None else int(round(days + self.lag_days))


@dataclass(frozen=True)
class SourceSpec:
    """Declaration of one source: identity, licence, files, vintage, tables and parser."""

    id: str
    title: str
    authority: str
    licence: str
    homepage: str
    family: str  # grid | prices | carbon | climate | renewables | water | places
    vintage: str
    files: tuple[RawFile, ...]
    tables: tuple[str, ...]
    parse: Parser
    #: publication cadence and how the data period end is known (decides the data age limit)
    publication: Publication | None = None
    extra_hosts: tuple[str, ...] = ()
    notes: str = ""
    #: raw sub-folder when it differs from ``id`` (several sources may share one publisher folder)
    folder: str | None = None
    #: live-API connector (I/O only): ``fetcher(folder, **request) -> saved paths``. It saves each API
    #: response in the source's raw folder with :func:`gridscout.sources.fetch.save_response` (so
    #: ``parse`` stays pure and loads record the real file, hash and size) and returns the paths.
    #: Called with no request by ``fetch.locate`` when none of the source's files is present (the
    #: whole-source fetch; empty when it cannot fetch, e.g. no API key or no default request), and
    #: with a request (a site, a zone's window) through ``fetch.fetch_live``; per-request responses
    #: go under ``<folder>/requests/`` and are loaded by that request only.
    fetcher: Callable[..., list[Path]] | None = None
    #: why this source's tables have no reader in ``warehouse/readers/`` (loaded for reference and
    #: cross-checks only); None when features/models/report read them. A source that fills both read
    #: and unread tables names the unread ones here. Enforced by ``tests/test_table_readers.py``.
    reference_only: str | None = None

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """Hosts downloads may come from: those of the declared URLs plus ``extra_hosts``."""
        hosts = {urlparse(f.url).hostname for f in self.files if f.url}
        return frozenset(h for h in hosts | set(self.extra_hosts) if h)

    @property
    def max_age_days(self) -> int | None:
        """Largest data age (days since the data period ended) before the data counts as stale;
        None: no limit (static reference data, or no publication declared)."""
        return self.publication.max_data_age_days if self.publication else None

    @property
    def download_files(self) -> tuple[RawFile, ...]:
        """Files with a canonical download URL (re-checked by a refresh)."""
        return tuple(f for f in self.files if f.url and not f.is_glob)

    @property
    def refreshable(self) -> bool:
        """True when software can fetch newer data: a file with a download URL or a live-API fetcher.
        False: file-only, an operator downloads new releases by hand."""
        pinned = self.publication is not None and self.publication.pinned_release
        return (bool(self.download_files) and not pinned) or self.fetcher is not None

    def file(self, name: str) -> RawFile:
        for f in self.files:
            if f.name == name or (f.is_glob and fnmatch.fnmatch(name, f.name)):
                return f
        raise KeyError(name)


#: sub-folder of a source's raw folder for responses a live fetcher saved for one request (a site, a
#: zone's time window): loaded by that request under its own vintage, never matched by the file globs
REQUESTS_DIR = "requests"


def request_file(files: Mapping[str, Path], *, what: str) -> Path | None:
    """The one per-request response among ``files`` (names under ``requests/``), or None when they are
    the source's ordinary files. Per-request responses carry their own vintage (one site, one window),
    so a parser reads them one load at a time: several at once is a :class:`SourceFormatError`."""
    if not files or not all(name.startswith(REQUESTS_DIR + "/") for name in files):
        return None
    if len(files) != 1:
        raise SourceFormatError(f"{what} responses are loaded one request at a time; got {sorted(files)}")
    return next(iter(files.values()))


def require_columns(df: pl.DataFrame, required: list[str] | tuple[str, ...], *, file: str | Path) -> None:
    """Raise :class:`SourceFormatError` naming the file and every missing column."""
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SourceFormatError(
            f"{file}: missing column(s) {missing}; found {df.columns[:30]}. "
            "The publisher may have changed the format: check the file against the source's README."
        )


def check_range(
    df: pl.DataFrame,
    column: str,
    lo: float | None,
    hi: float | None,
    *,
    file: str | Path,
    row_offset: int = 2,
) -> None:
    """Raise :class:`SourceFormatError` naming the first row whose ``column`` is outside [lo, hi].

    ``row_offset`` converts a 0-based frame index to the file's line number (2 for a CSV with one
    header line). Nulls are allowed (unknown is not an error; it is carried as null).
    """
    cond = pl.lit(False)
    if lo is not None:
        cond = cond | (pl.col(column) < lo)
    if hi is not None:
        cond = cond | (pl.col(column) > hi)
    bad = df.with_row_index("_row").filter(cond)
    if bad.height:
        first = bad.row(0, named=True)
        raise SourceFormatError(
            f"{file}: line {first['_row'] + row_offset}, column {column!r}: value {first[column]!r} "
            f"outside [{lo}, {hi}] ({bad.height} row(s) in all). The file may be corrupt or in other units."
        )


def looks_like_html(path: Path) -> bool:
    """True when a file that should be data is an HTML page (a portal's error or login page)."""
    with open(path, "rb") as fh:
        head = fh.read(512).lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


def read_csv_checked(path: Path, *, required: list[str] | tuple[str, ...] = (), **kwargs) -> pl.DataFrame:
    """Read a CSV with Polars, failing with a clear message on HTML pages, empty files or bad bytes."""
    if path.stat().st_size == 0:
        raise SourceFormatError(f"{path}: file is empty. Delete it so it is downloaded again.")
    if looks_like_html(path):
        raise SourceFormatError(
            f"{path}: is an HTML page, not CSV (a portal's error or login page?). Delete it and re-fetch."
        )
    try:
        kwargs.setdefault("infer_schema_length", 20000)
        df = pl.read_csv(path, **kwargs)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError) as exc:
        raise SourceFormatError(f"{path}: cannot be read as CSV: {exc}") from exc
    if required:
        require_columns(df, required, file=path)
    _refuse_cut_last_line(path, df.width, kwargs.get("separator", ","))
    return df


def _refuse_cut_last_line(path: Path, width: int, sep: str) -> None:
    """A file that ends inside a row (no final newline, fewer fields than the header) was cut short
    (a truncated download or copy): refuse it rather than load its last row with missing or partial values."""
    import csv

    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 65536))
        tail = fh.read()
    if tail.endswith((b"\n", b"\r")):
        return
    last = tail.splitlines()[-1].decode("utf-8", "replace") if tail else ""
    fields = next(csv.reader([last], delimiter=sep), [])
    if len(fields) < width:
        raise SourceFormatError(f"{path}: the last line is cut ({len(fields)} of {width} fields, no final newline): "
                                f"{last[:80]!r}; the file is truncated: fetch or copy it again")


def json_body(obj, file: str):
    """A JSON response body (text or bytes) as Python objects; already-parsed objects pass through.
    Not JSON is a :class:`SourceFormatError` naming ``file``."""
    if isinstance(obj, (str, bytes)):
        import json

        try:
            return json.loads(obj)
        except json.JSONDecodeError as exc:
            raise SourceFormatError(f"{file}: not JSON ({exc})") from exc
    return obj


_YMD = re.compile(r"y((?:19|20)\d{2})m(\d{2})d(\d{2})")  # WRI style: y2023m07d05
_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:-(S[12]|Q[1-4]|\d{2})(?:-(\d{2}))?)?(?!\d)")


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))


def vintage_period_end(vintage: str | None) -> dt.date | None:
    """Last day of the data period a vintage string names, from its last year: ``2019`` → 2019-12-31,
    ``1990-2019`` → 2019-12-31, ``2015-01..2025-12`` → 2025-12-31, ``2007-S1..2024-S2`` → 2024-12-31,
    ``2025-01-23`` → 2025-01-23, ``eGRID2023`` → 2023-12-31, ``4.0-y2023m07d05`` → 2023-07-05.
    None when it names no year (``1.3.0``, ``live``): unknown, not zero."""
    if not vintage:
        return None
    ymd = _YMD.findall(vintage)
    if ymd:
        y, m, d = ymd[-1]
        return dt.date(int(y), int(m), int(d))
    found = _PERIOD.findall(vintage)
    if not found:
        return None
    year, part, day = found[-1]
    y = int(year)
    if not part:
        return dt.date(y, 12, 31)
    if part[0] == "S":
        return _month_end(y, 6 * int(part[1]))
    if part[0] == "Q":
        return _month_end(y, 3 * int(part[1]))
    month = int(part)
    if not 1 <= month <= 12:
        return dt.date(y, 12, 31)  # "2021-2025" is caught above as two years; this is a safety net
    return dt.date(y, month, int(day)) if day else _month_end(y, month)


def data_period_end(spec: SourceSpec, parsed: ParseResult | None, vintage: str | None,
                    fetched_at: list[float] | None = None) -> dt.date | None:
    """End of the data period of a load (pure): from the vintage string, from the latest value of the
    declared ``<table>.<column>`` in the parsed rows (a date, a timestamp or a year), or (``"fetched"``)
    the UTC day the oldest of the files was fetched (``fetched_at``: POSIX seconds)."""
    how = spec.publication.period_end if spec.publication else "vintage"
    if how == "fetched":
        return dt.datetime.fromtimestamp(min(fetched_at), dt.UTC).date() if fetched_at else None
    if how == "vintage" or parsed is None:
        return vintage_period_end(vintage)
    table, column = how.split(".", 1)
    df = parsed.tables.get(table)
    if df is None or column not in df.columns or df.height == 0:
        return vintage_period_end(vintage)
    top = df.get_column(column).max()
    if top is None:
        return vintage_period_end(vintage)
    if isinstance(top, dt.datetime):
        return top.date()
    if isinstance(top, dt.date):
        return top
    return dt.date(int(top), 12, 31)  # a year
