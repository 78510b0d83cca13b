"""Conditional downloads against a real local HTTP server that implements ETag / Last-Modified."""

from __future__ import annotations

import hashlib
import json
import os
from email.utils import formatdate, parsedate_to_datetime

import pytest

from gridscout.sources.base import RawFile, SourceSpec
from gridscout.sources.fetch import fetch, locate, meta_path, read_meta, refresh
from tests.httpserver import ScriptedServer

HOSTS = frozenset({"127.0.0.1"})


class Publisher:
    """A publisher on the one test HTTP server (:mod:`tests.httpserver`) serving one file per path with
    real HTTP validators.

    ``validators=False`` serves no ETag/Last-Modified and ignores conditional headers (like some portals).
    Every request's conditional headers are recorded.
    """

    def __init__(self, validators: bool = True):
        self.files: dict[str, tuple[bytes, float]] = {}
        self.requests: list[dict] = []
        self.fail_next = 0
        self.validators = validators
        self.srv = ScriptedServer()

    def _answer(self, req):
        inm, ims = req.header("If-None-Match"), req.header("If-Modified-Since")
        self.requests.append({"path": req.target, "if_none_match": inm, "if_modified_since": ims})
        if self.fail_next:
            self.fail_next -= 1
            return 503, {}, b""
        body, mtime = self.files[req.path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if not self.validators:
            return 200, {}, body
        unchanged = (inm == etag) if inm else (ims is not None and int(mtime) <= parsedate_to_datetime(ims).timestamp())
        if unchanged:
            return 304, {"ETag": etag}, b""
        return 200, {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True)}, body

    def publish(self, path: str, body: bytes, mtime: float) -> None:
        self.files[path] = (body, mtime)
        self.srv.add(path, self._answer)

    def url(self, path: str) -> str:
        return self.srv.url(path)

    def __enter__(self):
        self.srv.__enter__()
        return self

    def __exit__(self, *exc):
        self.srv.__exit__(*exc)


@pytest.fixture
def real_csv(raw_dir) -> bytes:
    return (raw_dir / "carbon_yearly" / "electricitymaps_yearly_zone_2021_2025.csv").read_bytes()


def _spec(url: str) -> SourceSpec:
    from gridscout.sources.carbon_yearly import parse

    return SourceSpec(id="carbon_cond", title="t", authority="a", licence="l", homepage="h", family="carbon",
                      vintage="v", files=(RawFile("electricitymaps_yearly_zone_2021_2025.csv", url=url),),
                      tables=("zone_carbon_yearly",), parse=parse)


def test_download_keeps_validators_and_hash_in_a_sidecar(tmp_path, real_csv):
    with Publisher() as pub:
        pub.publish("/c.csv", real_csv, 1_700_000_000)
        res = fetch(pub.url("/c.csv"), tmp_path / "c.csv", allowed_hosts=HOSTS, max_bytes=10**8)
    assert res.changed and res.status == "downloaded"
    meta = json.loads(meta_path(tmp_path / "c.csv").read_text())
    assert meta["sha256"] == hashlib.sha256(real_csv).hexdigest() == res.sha256
    assert meta["etag"].startswith('"') and meta["last_modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert meta["url"] == pub.url("/c.csv") and meta["bytes"] == len(real_csv)


def test_not_modified_leaves_the_file_untouched(tmp_path, real_csv):
    dest = tmp_path / "c.csv"
    with Publisher() as pub:
        pub.publish("/c.csv", real_csv, 1_700_000_000)
        fetch(pub.url("/c.csv"), dest, allowed_hosts=HOSTS, max_bytes=10**8)
        os.utime(dest, (1_600_000_000, 1_600_000_000))  # so a rewrite would show
        etag = read_meta(dest)["etag"]
        res = fetch(pub.url("/c.csv"), dest, allowed_hosts=HOSTS, max_bytes=10**8)
        assert pub.requests[-1]["if_none_match"] == etag
        assert pub.requests[-1]["if_modified_since"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert res.status == "not-modified" and not res.changed and res.sha256 == hashlib.sha256(real_csv).hexdigest()
    assert dest.stat().st_mtime == 1_600_000_000 and dest.read_bytes() == real_csv
    assert read_meta(dest)["checked_at"] >= read_meta(dest)["fetched_at"]
    assert not list(tmp_path.glob("*.part"))


def test_a_new_publication_replaces_the_file_and_the_sidecar(tmp_path, real_csv):
    dest = tmp_path / "c.csv"
    newer = real_csv + b"XX,2026,1.0\n"
    with Publisher() as pub:
        pub.publish("/c.csv", real_csv, 1_700_000_000)
        fetch(pub.url("/c.csv"), dest, allowed_hosts=HOSTS, max_bytes=10**8)
        pub.publish("/c.csv", newer, 1_800_000_000)
        res = fetch(pub.url("/c.csv"), dest, allowed_hosts=HOSTS, max_bytes=10**8)
    assert res.changed and res.status == "downloaded" and dest.read_bytes() == newer
    assert read_meta(dest)["sha256"] == hashlib.sha256(newer).hexdigest()


def test_server_without_validators_same_bytes_keeps_the_file(tmp_path, real_csv):
    dest = tmp_path / "c.csv"
    with Publisher(validators=False) as pub:
        pub.publish("/c.csv", real_csv, 1_700_000_000)
        fetch(pub.url("/c.csv"), dest, allowed_hosts=HOSTS, max_bytes=10**8)
        os.utime(dest, (1_600_000_000, 1_600_000_000))
        res = fetch(pub.url("/c.csv"), dest, allowed_hosts=HOSTS, max_bytes=10**8)
    assert res.status == "same-content" and not res.changed and dest.stat().st_mtime == 1_600_000_000


def test_a_file_copied_in_by_hand_is_checked_by_its_modification_time(tmp_path, real_csv):
    dest = tmp_path / "c.csv"
    dest.write_bytes(real_csv)
    os.utime(dest, (1_750_000_000, 1_750_000_000))  # newer than the publication
    with Publisher() as pub:
        pub.publish("/c.csv", real_csv, 1_700_000_000)
        res = fetch(pub.url("/c.csv"), dest, allowed_hosts=HOSTS, max_bytes=10**8)
        assert pub.requests[-1]["if_modified_since"] == formatdate(1_750_000_000, usegmt=True)
        assert pub.requests[-1]["if_none_match"] is None
    assert res.status == "not-modified" and read_meta(dest)["etag"]  # validators learnt from the 304


def test_a_locally_edited_file_is_fetched_again(tmp_path, real_csv):
    dest = tmp_path / "c.csv"
    with Publisher() as pub:
        pub.publish("/c.csv", real_csv, 1_700_000_000)
        fetch(pub.url("/c.csv"), dest, allowed_hosts=HOSTS, max_bytes=10**8)
        dest.write_bytes(real_csv[:5000])  # hash no longer matches the sidecar
        res = fetch(pub.url("/c.csv"), dest, allowed_hosts=HOSTS, max_bytes=10**8)
        assert pub.requests[-1]["if_none_match"] is None and pub.requests[-1]["if_modified_since"] is None
    assert res.changed and dest.read_bytes() == real_csv


def test_refresh_then_ingest_skips_unchanged_and_loads_new(tmp_path, real_csv):
    from gridscout.jobs.ingest import ingest_source

    raw, db = tmp_path / "raw", tmp_path / "w.duckdb"
    with Publisher() as pub:
        pub.publish("/c.csv", real_csv, 1_700_000_000)
        spec = _spec(pub.url("/c.csv"))
        files = locate(spec, raw, allow_download=True)  # first download (writes the sidecar)
        assert [f.name for f in files] == ["electricitymaps_yearly_zone_2021_2025.csv"]
        assert ingest_source(spec, db=db, raw=raw).status == "loaded"
        assert [r.status for r in refresh(spec, raw)] == ["not-modified"]
        assert ingest_source(spec, db=db, raw=raw).status == "unchanged"
        lines = real_csv.split(b"\n")
        pub.publish("/c.csv", b"\n".join(lines[:-50]) + b"\n", 1_800_000_000)  # a revised publication
        assert [r.status for r in refresh(spec, raw)] == ["downloaded"]
        assert ingest_source(spec, db=db, raw=raw).status == "loaded"
        pub.fail_next = 10
        failed = refresh(spec, raw, retry_delays=(0.01,))
        assert failed[0].status == "failed" and "503" in failed[0].message
    # the sidecar never counts as a data file
    assert sorted(p.name for p in (raw / "carbon_cond").iterdir()) == [
        "electricitymaps_yearly_zone_2021_2025.csv", "electricitymaps_yearly_zone_2021_2025.csv.meta.json"]


def test_glob_sources_ignore_sidecars(tmp_path):
    from gridscout.sources import get

    spec = get("nasa_power")  # files: *.json
    folder = tmp_path / (spec.folder or spec.id)
    folder.mkdir(parents=True)
    (folder / "point.json").write_text("{}")
    (folder / "point.json.meta.json").write_text("{}")
    names = [f.name for f in locate(spec, tmp_path, allow_download=False)]
    assert names == ["point.json"]
