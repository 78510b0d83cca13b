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

import fnmatch
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
    max_age_days: int | None = None
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
