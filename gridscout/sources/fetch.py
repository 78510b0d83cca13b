"""Locate raw files, downloading missing ones from their canonical URL (I/O only).

Raw files live in ``<raw>/<source_id>/<file>`` (``GRIDSCOUT_RAW_DIR``). A file already there is
used as is. A missing file with a declared URL is downloaded with a progress bar into a ``.part``
file, checked (size cap, HTML error pages, declared sha256) and only then renamed into place, so a
killed or truncated download never leaves a file that looks complete. Downloads go only to the
source's declared hosts.

Conditional downloads: every download leaves a sidecar ``<file>.meta.json`` with the URL, the
server's ``ETag`` and ``Last-Modified``, the sha256 and the fetch time. :func:`refresh` re-checks
files that are already present with ``If-None-Match`` / ``If-Modified-Since``: a ``304 Not
Modified`` (or a body with the same sha256) leaves the file untouched, so scheduled ingests are
cheap and polite, and an unchanged file is never parsed again.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import time
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlparse

import httpx
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from gridscout import config
from gridscout.errors import SourceFetchError, SourceMissingError
from gridscout.sources.base import REQUESTS_DIR, RawFile, SourceSpec, looks_like_html
from gridscout.sources.retry import RETRY_DELAYS_S, Retryable, check_status, transport_error, with_retries

TIMEOUT_S = httpx.Timeout(30.0, read=120.0)
META_SUFFIX = ".meta.json"
#: bookkeeping files that live beside raw files and are never data
_NOT_DATA_SUFFIXES = (META_SUFFIX, ".part")


@dataclass(frozen=True)
class LocatedFile:
    """A raw file ready to parse, with its provenance."""

    name: str
    path: Path
    url: str | None
    sha256: str
    bytes: int
    fetched_at: float  # unix time the file was written (downloaded or copied in by the user)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def source_dir(spec: SourceSpec, raw: Path | None = None) -> Path:
    return (raw or config.raw_dir()) / (spec.folder or spec.id)


def _missing_message(spec: SourceSpec, f: RawFile, folder: Path, reason: str) -> str:
    url = f.url or "(no public download URL: the publisher offers no stable link)"
    return (
        f"source {spec.id!r} ({spec.title}): file {f.name!r} is missing from {folder} and {reason}.\n"
        f"  download it from: {url}\n"
        f"  and put it at:    {folder / f.name}\n"
        f"  or set {config.ENV_RAW_DIR} to a folder laid out <raw>/<source_id>/<file> that has it."
    )


@dataclass(frozen=True)
class FetchOutcome:
    """What one (conditional) download did."""

    path: Path
    sha256: str
    changed: bool  # False: 304 Not Modified, or the same bytes as before
    status: str  # downloaded | not-modified | same-content


def meta_path(dest: Path) -> Path:
    """The sidecar ``<file>.meta.json`` that keeps a downloaded file's validators and hash."""
    return dest.with_name(dest.name + META_SUFFIX)


def read_meta(dest: Path) -> dict | None:
    """The sidecar of ``dest`` (None when absent or unreadable)."""
    try:
        return json.loads(meta_path(dest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_meta(dest: Path, meta: dict) -> None:
    path = meta_path(dest)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def conditional_headers(url: str, dest: Path) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` for re-checking ``dest`` (empty: fetch unconditionally).

    Validators come from the sidecar when it describes this URL and the file still has the hash
    it records; a file without a sidecar (copied in by hand) is checked by its modification time.
    A file edited since it was downloaded gets no validators: it is fetched again.
    """
    if not dest.is_file():
        return {}
    meta = read_meta(dest)
    if meta is None:
        return {"If-Modified-Since": formatdate(dest.stat().st_mtime, usegmt=True)}
    if meta.get("url") != url or meta.get("sha256") != sha256_file(dest):
        return {}
    headers = {}
    if meta.get("etag"):
        headers["If-None-Match"] = meta["etag"]
    if meta.get("last_modified"):
        headers["If-Modified-Since"] = meta["last_modified"]
    return headers


def download(url: str, dest: Path, *, allowed_hosts: frozenset[str], max_bytes: int,
             expected_sha256: str | None = None, client: httpx.Client | None = None,
             retry_delays: tuple[float, ...] = RETRY_DELAYS_S, label: str | None = None) -> str:
    """Download ``url`` to ``dest`` atomically; return its sha256.

    Retries with backoff on connection errors, timeouts and HTTP 5xx/429; never retries 4xx.
    Raises :class:`SourceFetchError` on a host outside ``allowed_hosts``, a body larger than
    ``max_bytes``, a body shorter than its Content-Length, an HTML page, or a sha256 mismatch.
    Writes the sidecar ``<dest>.meta.json`` (validators and hash) for later conditional checks.
    """
    return fetch(url, dest, allowed_hosts=allowed_hosts, max_bytes=max_bytes, expected_sha256=expected_sha256,
                 client=client, retry_delays=retry_delays, label=label, conditional=False).sha256


def fetch(url: str, dest: Path, *, allowed_hosts: frozenset[str], max_bytes: int,
          expected_sha256: str | None = None, client: httpx.Client | None = None,
          retry_delays: tuple[float, ...] = RETRY_DELAYS_S, label: str | None = None,
          conditional: bool = True) -> FetchOutcome:
    """Like :func:`download`, but when ``conditional`` and ``dest`` exists, ask the server whether it
    changed (``If-None-Match`` / ``If-Modified-Since``). ``304`` or identical bytes → ``dest`` is
    left as it is (``changed=False``); new bytes replace it atomically.
    """
    host = urlparse(url).hostname
    if host not in allowed_hosts:
        raise SourceFetchError(f"refusing to download {url}: host {host!r} is not among {sorted(allowed_hosts)}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    own_client = client is None
    client = client or httpx.Client(timeout=TIMEOUT_S, follow_redirects=True)
    headers = conditional_headers(url, dest) if conditional else {}
    try:
        return with_retries(lambda: _download_once(client, url, dest, part, allowed_hosts, max_bytes, expected_sha256,
                                                   label, headers),
                            what=f"download of {url}", delays=retry_delays)
    finally:
        part.unlink(missing_ok=True)
        if own_client:
            client.close()


def _download_once(client, url, dest, part, allowed_hosts, max_bytes, expected_sha256, label,
                   headers=None) -> FetchOutcome:
    h = hashlib.sha256()
    try:
        with client.stream("GET", url, headers=headers or {}) as resp:
            final_host = resp.url.host
            if final_host not in allowed_hosts:
                raise SourceFetchError(f"{url} redirected to {resp.url}, outside the declared hosts")
            validators = {"etag": resp.headers.get("etag"), "last_modified": resp.headers.get("last-modified")}
            if resp.status_code == 304 and headers:
                return _not_modified(url, dest, validators)
            check_status(resp.status_code)
            if resp.status_code >= 400:
                raise SourceFetchError(f"download of {url} failed: HTTP {resp.status_code}")
            total = int(resp.headers.get("content-length") or 0) or None
            if total and total > max_bytes:
                raise SourceFetchError(f"{url} is {total} bytes, over the {max_bytes}-byte cap")
            got = 0
            with open(part, "wb") as out, Progress(
                TextColumn(label or dest.name), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                transient=True, disable=not os.isatty(2),
            ) as progress:
                task = progress.add_task("download", total=total)
                for chunk in resp.iter_bytes(1 << 16):
                    got += len(chunk)
                    if got > max_bytes:
                        raise SourceFetchError(f"{url} exceeded the {max_bytes}-byte cap; download stopped")
                    out.write(chunk)
                    h.update(chunk)
                    progress.update(task, advance=len(chunk))
            if total is not None and got < total:
                raise Retryable(f"truncated body: {got} of {total} bytes")
    except httpx.HTTPError as exc:
        raise transport_error(exc, url) from exc
    if got == 0:
        raise SourceFetchError(f"{url} returned an empty body")
    if looks_like_html(part) and not url.lower().endswith((".html", ".htm")):
        raise SourceFetchError(f"{url} returned an HTML page instead of data (error or login page)")
    digest = h.hexdigest()
    if expected_sha256 and digest != expected_sha256.lower():
        raise SourceFetchError(f"{url}: sha256 {digest} does not match the declared {expected_sha256}")
    now = time.time()
    meta = {"url": url, **validators, "sha256": digest, "bytes": got, "fetched_at": now, "checked_at": now}
    if dest.is_file() and sha256_file(dest) == digest:
        # the server ignored the validators (or has none) but sent the same bytes: keep the file as is
        old = read_meta(dest) or {}
        _write_meta(dest, {**meta, "fetched_at": old.get("fetched_at", dest.stat().st_mtime)})
        return FetchOutcome(dest, digest, changed=False, status="same-content")
    os.replace(part, dest)
    _write_meta(dest, meta)
    return FetchOutcome(dest, digest, changed=True, status="downloaded")


def _not_modified(url: str, dest: Path, validators: dict) -> FetchOutcome:
    """304: the file on disk is current; record when it was checked (and any new validators)."""
    digest = sha256_file(dest)
    old = read_meta(dest) or {"url": url, "sha256": digest, "bytes": dest.stat().st_size,
                              "fetched_at": dest.stat().st_mtime}
    meta = {**old, "url": url, "sha256": digest, "checked_at": time.time()}
    meta.update({k: v for k, v in validators.items() if v})
    _write_meta(dest, meta)
    return FetchOutcome(dest, digest, changed=False, status="not-modified")


def locate(spec: SourceSpec, raw: Path | None = None, *, allow_download: bool | None = None,
           client: httpx.Client | None = None) -> list[LocatedFile]:
    """Find every file of ``spec``; download missing ones unless offline.

    Glob entries match whatever files of that pattern are present (none is fine when not required).
    Raises :class:`SourceMissingError` naming source, file, URL and ``GRIDSCOUT_RAW_DIR``.
    """
    folder = source_dir(spec, raw)
    allow = (not config.offline()) if allow_download is None else allow_download
    found: list[LocatedFile] = []
    for f in spec.files:
        if f.is_glob:
            matches = sorted(p for p in folder.glob("**/*") if p.is_file() and _is_data(p, f.name, folder)) \
                if folder.is_dir() else []
            if not matches and f.required:
                raise SourceMissingError(_missing_message(spec, f, folder, "no file matches that pattern"))
            for p in matches:
                found.append(_located(p.relative_to(folder).as_posix(), p, f.url))
            continue
        path = folder / f.name
        alt = next((folder / a for a in f.alternatives if (folder / a).is_file()), None)
        if not path.is_file() and alt is not None:
            found.append(_located(alt.name, alt, None))
            continue
        if not path.is_file():
            if not f.required:
                continue
            if not f.url:
                raise SourceMissingError(_missing_message(spec, f, folder, "has no download URL"))
            if not allow:
                raise SourceMissingError(_missing_message(spec, f, folder, f"{config.ENV_OFFLINE} forbids downloads"))
            try:
                target = path.with_name(path.name + ".zip") if f.member else path
                download(f.url, target, allowed_hosts=spec.allowed_hosts, max_bytes=f.max_bytes,
                         expected_sha256=f.sha256, client=client, label=f"{spec.id}/{f.name}")
                if f.member:
                    _extract_member(target, f.member, path)
            except SourceFetchError as exc:
                raise SourceMissingError(_missing_message(spec, f, folder, f"could not be downloaded ({exc})")) from exc
        found.append(_located(f.name, path, f.url))
    if not found and spec.fetcher is not None and allow:
        try:
            found = fetch_live(spec, raw)
        except SourceFetchError as exc:
            raise SourceMissingError(f"source {spec.id!r} ({spec.title}): no saved response in {folder} and the "
                                     f"live fetch failed: {exc}") from exc
    return found


def _extract_member(archive: Path, member: str, dest: Path) -> None:
    """Extract one member of a downloaded zip (matched by its base name) atomically to ``dest``."""
    import shutil
    import zipfile

    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if n == member or n.endswith("/" + member)]
            if not names:
                raise SourceFetchError(f"{archive.name} has no member {member!r}; the publisher changed the archive")
            part = dest.with_name(dest.name + ".part")
            with zf.open(names[0]) as src, open(part, "wb") as out:
                shutil.copyfileobj(src, out)
            part.replace(dest)
    except zipfile.BadZipFile as exc:
        archive.unlink(missing_ok=True)
        raise SourceFetchError(f"{archive.name} is not a valid zip archive: {exc}") from exc


def _is_data(path: Path, pattern: str, folder: Path) -> bool:
    """A glob match that is a data file: not a sidecar, not a partial download, not a per-request
    response under ``requests/`` (those are loaded by their own request, see :func:`fetch_live`)."""
    return (fnmatch.fnmatch(path.name, pattern) and not path.name.endswith(_NOT_DATA_SUFFIXES)
            and path.relative_to(folder).parts[0] != REQUESTS_DIR)


@dataclass(frozen=True)
class RefreshResult:
    """Outcome of re-checking one present file against its publisher."""

    source_id: str
    file: str
    status: str  # downloaded | not-modified | same-content | failed | skipped
    message: str = ""


def refresh(spec: SourceSpec, raw: Path | None = None, *, client: httpx.Client | None = None,
            retry_delays: tuple[float, ...] = RETRY_DELAYS_S) -> list[RefreshResult]:
    """Re-check every present file of ``spec`` that has a download URL with a conditional request,
    and re-fetch a live-API source through its ``fetcher``.

    Unchanged files (304, or the same bytes) are left untouched; changed ones are replaced
    atomically (and a zip member re-extracted), so the next ingest sees new hashes and loads them.
    Failures are returned, not raised: a publisher that is down must not stop an ingest of the
    files already on disk. Missing files are left to :func:`locate`.
    """
    folder = source_dir(spec, raw)
    out: list[RefreshResult] = []
    own_client = client is None
    client = client or httpx.Client(timeout=TIMEOUT_S, follow_redirects=True)
    try:
        for f in spec.files:
            if f.is_glob or not f.url or not (folder / f.name).is_file():
                continue
            target = (folder / f.name).with_name(f.name + ".zip") if f.member else folder / f.name
            if not target.is_file():
                out.append(RefreshResult(spec.id, f.name, "skipped", "archive not kept: cannot check it"))
                continue
            try:
                res = fetch(f.url, target, allowed_hosts=spec.allowed_hosts, max_bytes=f.max_bytes,
                            expected_sha256=f.sha256, client=client, retry_delays=retry_delays,
                            label=f"{spec.id}/{f.name}", conditional=True)
                if res.changed and f.member:
                    _extract_member(target, f.member, folder / f.name)
                out.append(RefreshResult(spec.id, f.name, res.status))
            except SourceFetchError as exc:
                out.append(RefreshResult(spec.id, f.name, "failed", str(exc)))
        if spec.fetcher is not None:
            out.extend(_refresh_live(spec, folder))
    finally:
        if own_client:
            client.close()
    return out


def _refresh_live(spec: SourceSpec, folder: Path) -> list[RefreshResult]:
    """Re-fetch a live-API source through its ``fetcher`` (saved responses replaced atomically)."""
    before = {p.name: sha256_file(p) for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}
    try:
        saved = spec.fetcher(folder)
    except (SourceFetchError, SourceMissingError) as exc:
        return [RefreshResult(spec.id, "(live API)", "failed", str(exc))]
    if not saved:
        return [RefreshResult(spec.id, "(live API)", "skipped", "cannot fetch (no API key set)")]
    return [RefreshResult(spec.id, p.name, "same-content" if before.get(p.name) == sha256_file(p) else "downloaded")
            for p in saved]


def _located(name: str, path: Path, url: str | None) -> LocatedFile:
    st = path.stat()
    digest = sha256_file(path)
    meta = read_meta(path)
    if meta is not None and meta.get("sha256") == digest:  # the sidecar describes exactly these bytes
        url = url or meta.get("url")
    return LocatedFile(name=name, path=path, url=url, sha256=digest, bytes=st.st_size, fetched_at=st.st_mtime)


def save_response(dest: Path, body: bytes, url: str) -> Path:
    """Save a live API response body as a raw file, atomically, with its sidecar (URL, sha256, size,
    fetch time). ``url`` must carry no secret (keys go in headers). A body identical to the file
    already there leaves the file untouched (its hash, and so the next load's "unchanged", hold).

    Raises :class:`SourceFetchError` when the folder is not writable (``GRIDSCOUT_RAW_DIR``).
    """
    digest = hashlib.sha256(body).hexdigest()
    now = time.time()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_file() and sha256_file(dest) == digest:
            old = read_meta(dest) or {}
            _write_meta(dest, {"url": url, "sha256": digest, "bytes": len(body),
                               "fetched_at": old.get("fetched_at", dest.stat().st_mtime), "checked_at": now})
            return dest
        part = dest.with_name(dest.name + ".part")
        part.write_bytes(body)
        os.replace(part, dest)
        _write_meta(dest, {"url": url, "sha256": digest, "bytes": len(body), "fetched_at": now, "checked_at": now})
    except OSError as exc:
        raise SourceFetchError(f"cannot save the response of {url} as {dest} ({exc}); "
                               f"set {config.ENV_RAW_DIR} to a writable folder") from exc
    return dest


def fetch_live(spec: SourceSpec, raw: Path | None = None, **request) -> list[LocatedFile]:
    """Run the live fetcher of ``spec`` for one request (``spec.fetcher(folder, **request)``: I/O
    only, saves each response as a raw file) and return the saved files with their real sha256 and
    size, ready for the source's pure parser and the normal load."""
    if spec.fetcher is None:
        raise SourceFetchError(f"source {spec.id!r} has no live fetcher")
    folder = source_dir(spec, raw)
    return [_located(p.relative_to(folder).as_posix(), p, None) for p in spec.fetcher(folder, **request)]


def present(spec: SourceSpec, raw: Path | None = None) -> dict[str, bool]:
    """For each declared file (globs: whether any match), whether it is in the raw folder."""
    folder = source_dir(spec, raw)
    out = {}
    for f in spec.files:
        if f.is_glob:
            out[f.name] = folder.is_dir() and any(_is_data(p, f.name, folder) for p in folder.glob("**/*"))
        else:
            out[f.name] = (folder / f.name).is_file() or any((folder / a).is_file() for a in f.alternatives)
    return out
