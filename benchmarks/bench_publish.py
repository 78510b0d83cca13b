"""Benchmark the analysts' snapshot (issue 17): publish time and sizes, and an ingest with an analyst open.

    uv run python benchmarks/bench_publish.py                       # fresh warehouse: carbon_yearly, eia_prices, eia930
    uv run python benchmarks/bench_publish.py --db /path/warehouse.duckdb   # an existing warehouse (published to a temp dir)

Prints (1) ``publish_snapshot`` wall time, rows and bytes per mart and the snapshot file size, (2) a forced
re-ingest of ``eia_prices`` + republish, alone and with an analyst process holding a read-only
connection on the snapshot (after one query), with the number of lock waits each met, and (3) how long
a writer would wait with the analyst on the *live* warehouse instead (``connect`` with a 2 s lock wait:
it fails). Run on demand, never in tests; the 1-minute load average is printed (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HOLD = ("import sys, duckdb; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(c.execute(sys.argv[2]).fetchone()[0], flush=True); sys.stdin.read()")


def _hold(path: Path, sql: str) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(path), sql], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    p.stdout.readline()
    return p


def _release(p: subprocess.Popen) -> None:
    p.stdin.close()
    p.wait(timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="existing warehouse (default: build one in a temp dir)")
    ap.add_argument("--raw", default=os.environ.get("GRIDSCOUT_RAW_DIR", str(REPO.parent / "shared" / "data")))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_publish_"))
    try:
        run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path) -> None:
    from gridscout.errors import WarehouseError
    from gridscout.jobs.ingest import ingest_source, publish_after_ingest
    from gridscout.warehouse import db as dbm
    from gridscout.warehouse.publish import SNAPSHOT, publish_snapshot

    raw = Path(args.raw)
    db = Path(args.db) if args.db else tmp / "w.duckdb"
    if not args.db:
        for sid in ("carbon_yearly", "eia_prices", "eia930"):
            print(f"ingest {sid}: {ingest_source(sid, db=db, raw=raw).status}", flush=True)
    out = tmp / "published"
    print(f"load average (1 min): {os.getloadavg()[0]:.1f}")
    t0 = time.perf_counter()
    manifest = publish_snapshot(db, out)
    print(f"(1) publish_snapshot: {time.perf_counter() - t0:.2f} s")
    for name, m in manifest["marts"].items():
        print(f"    {name}: {m['rows']:,} rows, {(out / m['file']).stat().st_size / 1e6:.2f} MB parquet")
    print(f"    {SNAPSHOT}: {(out / SNAPSHOT).stat().st_size / 1e6:.2f} MB")
    if args.db:
        return

    waits: list[str] = []
    real = dbm._is_lock_error
    dbm._is_lock_error = lambda exc: (hit := real(exc)) and not waits.append(str(exc)) or hit

    def reingest() -> float:
        t = time.perf_counter()
        r = ingest_source("eia_prices", db=db, raw=raw, force=True)
        publish_after_ingest([{"source_id": "eia_prices", "status": r.status}], db)
        return time.perf_counter() - t

    publish_snapshot(db)  # the default folder, beside the warehouse
    alone = reingest()
    n_alone = len(waits)
    analyst = _hold(db.parent / "published" / SNAPSHOT, "select count(*) from mart_ba_demand_hourly")
    try:
        with_analyst = reingest()
    finally:
        _release(analyst)
    print(f"(2) re-ingest eia_prices + publish: {alone:.2f} s alone ({n_alone} lock waits), {with_analyst:.2f} s "
          f"with an analyst on the snapshot ({len(waits) - n_alone} lock waits)")
    live = _hold(db, "select count(*) from mart_ba_demand_hourly")
    t = time.perf_counter()
    try:
        dbm.connect(db, lock_wait_s=2.0).close()
        print("(3) unexpected: the writer opened the warehouse while an analyst held it")
    except WarehouseError as exc:
        print(f"(3) analyst on the live warehouse: a writer waited {time.perf_counter() - t:.1f} s and failed "
              f"({str(exc).split(':')[0]}; the default wait is {dbm.LOCK_WAIT_S:.0f} s)")
    finally:
        _release(live)
    print(f"load average (1 min): {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
