"""Fault-injection helpers shared by tests/reliability and benchmarks/fault_injection.py.

Everything here works on real files and real processes: a copy of a real warehouse, the real raw
data, a real local HTTP server (:mod:`tests.httpserver`), real ``SIGKILL``s. Nothing in gridscout
has a test-only hook.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import httpx

REPO = Path(__file__).resolve().parents[2]
GRIDSCOUT = Path(sys.executable).parent / "gridscout"
CARBON_FILE = "electricitymaps_yearly_zone_2021_2025.csv"
SECRET_EIA = "gskey-EIA-7f3c9e1d5b2a4680"
SECRET_EM = "gskey-EMAPS-0a1b2c3d4e5f6789"


# --------------------------------------------------------------------------- warehouse state

def fingerprint(db: str | Path, *, exclude: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """``{table: (row count, order-independent hash of all rows)}`` for every base table."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1").fetchall()
            if t not in exclude]
        out = {}
        for t in tables:
            n, h = con.execute(f'select count(*), coalesce(sum(hash(t))::hugeint, 0) from "{t}" t').fetchone()
            out[t] = (int(n), int(h))
        return out
    finally:
        con.close()


def rows_lost(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> int:
    """Rows of ``before`` missing from ``after`` when a table's content changed (0 when unchanged)."""
    lost = 0
    for t, (n, h) in before.items():
        n2, h2 = after.get(t, (0, 0))
        if (n2, h2) != (n, h):
            lost += max(n - n2, 0) or (n if n2 == n else 0)  # same count, other content: all suspect
    return lost


def table_rows(db: str | Path, table: str, source_id: str) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f'select count(*) from "{table}" where source_id = ?', [source_id]).fetchone()[0]
    finally:
        con.close()


def current_vintage(db: str | Path, source_id: str) -> str | None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("select vintage from source_loads where source_id = ? order by loaded_at desc limit 1",
                          [source_id]).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def failing_checks(db: str | Path) -> dict[str, int]:
    from gridscout.warehouse.checks import run_checks

    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r.name: r.bad_rows for r in run_checks(con) if r.bad_rows}
    finally:
        con.close()


def copy_db(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    wal = Path(str(src) + ".wal")
    if wal.exists():
        shutil.copyfile(wal, str(dst) + ".wal")
    return dst


def cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real ``gridscout`` console script."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([str(GRIDSCOUT), *args], capture_output=True, text=True, timeout=timeout, env=full_env,
                          cwd=REPO)


# --------------------------------------------------------------------------- bad candidate files

BAD_CANDIDATES: dict[str, tuple[bytes, str]] = {
    # name: (file bytes, text the error must contain)
    "missing_column.csv": (b"name,latitude\nA,1\n", "missing required column(s) ['longitude']"),
    "swapped.csv": (b"name,latitude,longitude\nAbilene,-99.73314,32.44874\n", "look swapped"),
    "out_of_range.csv": (b"name,latitude,longitude\nA,39.0,-277.5\n", "row 2, column 'longitude': -277.5 is outside"),
    "duplicate_ids.csv": (b"site_id,name,latitude,longitude\nx,A,1,2\nx,B,3,4\n", "duplicate site_id: 'x' on rows [2, 3]"),
    "duplicate_names.csv": (b"name,latitude,longitude\nA,1,2\nA,3,4\n", "duplicate name (site_id is derived from it)"),
    "empty.csv": (b"", "the file is empty"),
    "header_only.csv": (b"name,latitude,longitude\r\n", "no sites in the file"),
    "nan.csv": (b"name,latitude,longitude\nA,NaN,5\nB,1,inf\n",
                "row 2, column 'latitude': 'NaN' is not a number"),
    "blank.csv": (b"name,latitude,longitude\nA,,5\n ,1,2\n", "row 2, column 'latitude': blank latitude"),
    "non_utf8.csv": ("name,latitude,longitude\nA,1,2\nLule\xe5,65.58,22.15\n".encode("latin-1"), "line 3 is not UTF-8"),
    "semicolon.csv": (b"name;latitude;longitude\nA;1;2\n", "';'-delimited"),
    "tabs.csv": (b"name\tlatitude\tlongitude\nA\t1\t2\n", "'\\t'-delimited"),
    "ragged.csv": (b"name,latitude,longitude\nDublin, IE,53.3,-6.2\n", "line 2 has 4 fields but the header has 3"),
    "decimal_comma.csv": (b'name,latitude,longitude\nA,"52,1","4,9"\n', "row 2, column 'latitude': '52,1' is not a number"),
    "bad_it_load.csv": (b"name,latitude,longitude,it_load_mw\nA,1,2,-5\n", "row 2, column 'it_load_mw'"),
    "not_geojson.geojson": (b"[1, 2]", "a GeoJSON FeatureCollection"),
    "empty_geometry.geojson": (b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},'
                               b'"geometry":{"type":"Polygon","coordinates":[]}}]}', "feature 1 has an empty geometry"),
    "feature_not_object.geojson": (b'{"type":"FeatureCollection","features":[1]}', "feature 1 is not a GeoJSON Feature"),
    "geojson_out_of_range.geojson": (b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},'
                                     b'"geometry":{"type":"Point","coordinates":[200,95]}}]}', "95.0 is outside"),
    "unknown_type.xlsx": (b"PK\x03\x04", "unknown file type"),
}


def write_bad_candidates(folder: Path) -> dict[Path, str]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (body, expected) in BAD_CANDIDATES.items():
        p = folder / name
        p.write_bytes(body)
        out[p] = expected
    return out


def write_big_candidates(path: Path, n: int = 1_000_000, bad_row: int | None = None) -> Path:
    """``n`` real-looking sites (seeded); with ``bad_row``, that data row's latitude is 'abc'."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(0)
    lat = rng.uniform(-55, 70, n).round(5).astype(str).astype(object)
    if bad_row is not None:
        lat[bad_row - 2] = "abc"
    pl.DataFrame({"name": [f"Site {i}" for i in range(n)], "latitude": lat.tolist(),
                  "longitude": rng.uniform(-180, 180, n).round(5), "it_load_mw": rng.uniform(1, 500, n).round(1)}
                 ).write_csv(path)
    return path


# --------------------------------------------------------------------------- failing sources

@dataclass
class SourceFaultOutcome:
    fault: str
    failed: bool  # the faulty round was refused (True) or loaded a complete new version (False)
    message: str
    rows_before: int
    rows_after: int
    vintage_before: str | None
    vintage_after: str | None
    unchanged: bool  # warehouse fingerprint identical before/after the faulty round
    lost: int
    loaded_rows_expected: int | None = None
    extra: dict = field(default_factory=dict)


SOURCE_FAULTS = ("http_500_then_ok", "http_500_always", "timeout", "truncated", "checksum_mismatch", "html_page",
                 "schema_drift", "missing_column", "empty_file", "value_out_of_range", "wrong_host_redirect")


def _carbon_spec(url: str, sha256: str | None):
    from gridscout.sources import carbon_yearly
    from gridscout.sources.base import RawFile, SourceSpec

    return SourceSpec(id="carbon_yearly_mirror", title="carbon_yearly through a local mirror", authority="test",
                      licence="ODbL 1.0", homepage=url, family="carbon", vintage="2021-2025",
                      files=(RawFile(CARBON_FILE, url=url, sha256=sha256, max_bytes=50_000_000),),
                      tables=("zone_carbon_yearly",), parse=carbon_yearly.parse)


def source_fault_round(fault: str, workdir: Path, good: bytes) -> SourceFaultOutcome:
    """Load ``good`` from a local server, then run one ingest round with ``fault`` injected."""
    from gridscout.errors import GridscoutError
    from gridscout.jobs.ingest import ingest_source
    from gridscout.sources.fetch import refresh
    from tests.httpserver import ScriptedServer

    db, raw = workdir / "wh.duckdb", workdir / "raw"
    lines = good.decode().splitlines(keepends=True)
    changed = "".join(lines[:-1]).encode()  # the publisher's next release: one row fewer
    header = lines[0]
    drifted = (header.replace("carbon_intensity_gco2eq_per_kwh", "carbonIntensity") + "".join(lines[1:])).encode()
    import io

    import polars as pl

    frame = pl.read_csv(io.BytesIO(good), infer_schema=False)
    missing_col = frame.drop("renewable_pct").write_csv().encode()
    out_of_range = frame.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("-430"))
                                      .otherwise(pl.col("carbon_intensity_gco2eq_per_kwh"))
                                      .alias("carbon_intensity_gco2eq_per_kwh")).write_csv().encode()
    sha = hashlib.sha256(good).hexdigest() if fault == "checksum_mismatch" else None
    with ScriptedServer() as srv:
        srv.add("/carbon.csv", (200, {}, good, None))
        spec = _carbon_spec(srv.url("/carbon.csv"), sha)
        first = ingest_source(spec, db=db, raw=raw)
        assert first.status == "loaded", first
        before = fingerprint(db)
        n0, v0 = table_rows(db, "zone_carbon_yearly", spec.id), current_vintage(db, spec.id)
        expected_rows = None
        script = {
            "http_500_then_ok": [(500, {}, b"oops", None), (200, {}, changed, None)],
            "http_500_always": [(500, {}, b"oops", None)],
            "timeout": [(200, {}, changed, "hang")],
            "truncated": [(200, {}, changed[:5000], "truncate")],
            "checksum_mismatch": [(200, {}, changed, None)],
            "html_page": [(200, {"Content-Type": "text/html"},
                           b"<!DOCTYPE html><html><body>Service unavailable</body></html>", None)],
            "schema_drift": [(200, {}, drifted, None)],
            "missing_column": [(200, {}, missing_col, None)],
            "empty_file": [(200, {}, b"", None)],
            "value_out_of_range": [(200, {}, out_of_range, None)],
            "wrong_host_redirect": [(302, {"Location": f"http://localhost:{srv.port}/moved.csv"}, b"", None)],
        }[fault]
        srv.add("/moved.csv", (200, {}, changed, None))
        srv.add("/carbon.csv", *script)
        message, failed = "", False
        client = httpx.Client(timeout=httpx.Timeout(0.4), follow_redirects=True)
        try:
            res = refresh(spec, raw, client=client, retry_delays=(0.01, 0.01))
            bad = [r for r in res if r.status == "failed"]
            if bad:
                failed, message = True, f"source {bad[0].source_id!r} file {bad[0].file!r}: {bad[0].message}"
            rep = ingest_source(spec, db=db, raw=raw)
            if rep.status == "loaded":
                expected_rows = len(changed.decode().splitlines()) - 1
        except GridscoutError as exc:
            failed, message = True, f"source {spec.id!r}: {exc}"
        finally:
            client.close()
    after = fingerprint(db)
    return SourceFaultOutcome(fault, failed, message, n0, table_rows(db, "zone_carbon_yearly", spec.id), v0,
                              current_vintage(db, spec.id), before == after,
                              rows_lost(before, after) if failed else 0, expected_rows,
                              {"checks": failing_checks(db)})


# --------------------------------------------------------------------------- crashes

INGEST_CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from gridscout.sources import get
    from gridscout.sources.base import ParseResult
    from gridscout.sources.fetch import locate
    from gridscout.warehouse import open_warehouse
    from gridscout.warehouse.load import load

    db, raw, n_half = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    spec = get("gppd")
    files = locate(spec, raw, allow_download=False)
    full = spec.parse({f.name: f.path for f in files})
    half = ParseResult({"power_plants": full.tables["power_plants"].head(n_half)}, full.vintage, [])
    print("ready", flush=True)
    i = 0
    with open_warehouse(db) as con:
        while True:  # a new complete load of the same vintage after another, until killed
            load(con, spec, files, full if i % 2 else half, force=True, accept_shrink=True)  # a real smaller release
            i += 1
""")

SCORE_CHILD = textwrap.dedent("""
    import sys
    from gridscout.jobs.score import score_candidates

    cands, db, out = sys.argv[1], sys.argv[2], sys.argv[3]
    print("ready", flush=True)
    while True:
        score_candidates(cands, "balanced", out, db=db, mc_draws=100)
""")


def _start_and_kill(code: str, args: list[str], delay: float, ready_timeout: float = 120) -> float:
    """Start ``python -c code``, wait for its 'ready' line, sleep ``delay``, SIGKILL it."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=REPO)
    try:
        line = proc.stdout.readline()
        if line.strip() != "ready":
            proc.kill()
            raise RuntimeError(f"child did not start: {line!r} {proc.stderr.read()[-2000:]}")
        time.sleep(delay)
        if proc.poll() is not None:
            raise RuntimeError(f"child exited early ({proc.returncode}): {proc.stderr.read()[-2000:]}")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        return delay
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()


@dataclass
class CrashOutcome:
    kills: int
    problems: list[str]
    lost: int
    rerun_ok: bool
    detail: dict = field(default_factory=dict)


def kill_during_ingest(db: Path, raw: Path, delays=(0.1, 0.4, 0.9, 1.6, 2.5, 3.5), n_half: int = 20_000) -> CrashOutcome:
    """SIGKILL a process that keeps re-loading gppd (alternately complete and a 20,000-row release)."""
    from gridscout.jobs.ingest import ingest_source

    problems: list[str] = []
    before = fingerprint(db)
    full_rows = table_rows(db, "power_plants", "gppd")
    others = {t: v for t, v in before.items() if t not in ("power_plants", "source_loads", "source_load_tables",
                                                            "source_load_rejections")}
    seen = set()
    for d in delays:
        _start_and_kill(INGEST_CHILD, [str(db), str(raw), str(n_half)], d)
        con = duckdb.connect(str(db))  # opening replays or discards the write-ahead log
        try:
            n = con.execute("select count(*) from power_plants where source_id = 'gppd'").fetchone()[0]
            latest = con.execute(
                "select t.rows from source_loads l join source_load_tables t using (load_id) "
                "where l.source_id = 'gppd' order by l.loaded_at desc limit 1").fetchone()[0]
        finally:
            con.close()
        seen.add(n)
        if n not in (full_rows, n_half):
            problems.append(f"kill after {d}s: {n} gppd rows, neither the old ({full_rows}) nor the new ({n_half}) load")
        if n != latest:
            problems.append(f"kill after {d}s: {n} rows but the latest provenance says {latest}")
        if bad := failing_checks(db):
            problems.append(f"kill after {d}s: data checks fail {bad}")
        now = fingerprint(db)
        changed = [t for t in others if now.get(t) != others[t]]
        if changed:
            problems.append(f"kill after {d}s: unrelated tables changed {changed}")
    rep = ingest_source("gppd", db=db, raw=raw, force=True)
    rerun_ok = rep.status == "loaded" and table_rows(db, "power_plants", "gppd") == full_rows \
        and not failing_checks(db)
    after = fingerprint(db, exclude=("source_loads", "source_load_tables", "source_load_rejections"))
    lost = rows_lost({t: v for t, v in before.items() if t in after}, after)
    return CrashOutcome(len(delays), problems, lost, rerun_ok, {"row_counts_seen": sorted(seen)})


def kill_during_scoring(db: Path, candidates: Path, out: Path, delays=(0.5, 2.0, 4.0, 6.0)) -> CrashOutcome:
    """SIGKILL a process that keeps scoring into the same ``out`` folder, then check and re-run."""
    import polars as pl

    from gridscout.jobs.score import score_candidates

    problems: list[str] = []
    data_tables = ("runs", "run_site_results")
    before = fingerprint(db, exclude=data_tables)
    n_sites = pl.read_csv(candidates).height
    for d in delays:
        _start_and_kill(SCORE_CHILD, [str(candidates), str(db), str(out)], d)
        con = duckdb.connect(str(db))
        try:
            partial = con.execute(
                "select r.run_id, count(s.site_id) from runs r left join run_site_results s using (run_id) "
                "group by r.run_id having count(s.site_id) <> ?", [n_sites]).fetchall()
            orphans = con.execute("select count(*) from run_site_results where run_id not in (select run_id from runs)"
                                  ).fetchone()[0]
        finally:
            con.close()
        if partial or orphans:
            problems.append(f"kill after {d}s: partial run records {partial} / {orphans} orphan result rows")
        if bad := failing_checks(db):
            problems.append(f"kill after {d}s: data checks fail {bad}")
        if (out / "run.json").exists():
            try:
                json.loads((out / "run.json").read_text(encoding="utf-8"))
                pl.read_parquet(out / "scores.parquet")
            except Exception as exc:  # noqa: BLE001
                problems.append(f"kill after {d}s: run folder has a run.json but unreadable outputs: {exc}")
        for p in out.glob("*.parquet"):
            try:
                pl.read_parquet(p)
            except Exception as exc:  # noqa: BLE001
                problems.append(f"kill after {d}s: {p.name} is unreadable ({exc})")
    rerun_ok = True
    try:
        res = score_candidates(candidates, "balanced", out, db=db, mc_draws=100)
        rerun_ok = res.scores.height == n_sites and (out / "run.json").exists()
    except Exception as exc:  # noqa: BLE001
        rerun_ok = False
        problems.append(f"re-run into the same --out failed: {type(exc).__name__}: {exc}")
    after = fingerprint(db, exclude=data_tables)
    return CrashOutcome(len(delays), problems, rows_lost(before, after), rerun_ok)
