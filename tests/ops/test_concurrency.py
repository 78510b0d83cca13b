"""Two real processes on one warehouse file at once: DuckDB allows one writer process; connect()
waits and retries while the other holds the lock, loads are single transactions, readers copy and
close. Nothing may fail and no row may be lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from gridscout.sources import get
from gridscout.sources.fetch import locate
from gridscout.warehouse.db import connect, open_warehouse

REPO = Path(__file__).resolve().parents[2]

WRITER = r"""
import json, sys, time
from pathlib import Path
from gridscout.jobs.ingest import ingest_source
db, raw, go, ids = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4].split(",")
while not go.exists():  # start together
    time.sleep(0.01)
out = [ingest_source(sid, db=db, raw=raw).__dict__ for sid in ids]
print(json.dumps([{k: r[k] for k in ("source_id", "status", "rows", "tables")} for r in out]))
"""

READER = r"""
import json, sys, time
from pathlib import Path
from gridscout.warehouse.db import connect
db, go, done = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
while not go.exists():
    time.sleep(0.01)
reads, torn, seen = 0, [], 0
for _ in range(3000):  # bounded: stops by itself
    finished = done.exists()
    con = connect(db, read_only=True)
    try:
        recorded = con.execute(
            "select l.source_id, t.table_name, t.rows from source_load_tables t "
            "join (select distinct load_id, source_id from source_loads) l using (load_id)").fetchall()
        for sid, table, rows in recorded:
            actual = con.execute(f'select count(*) from "{table}" where source_id = ?', [sid]).fetchone()[0]
            if actual != rows:
                torn.append([sid, table, rows, actual])
        seen = max(seen, len({r[0] for r in recorded}))
    finally:
        con.close()
    reads += 1
    if finished:
        break
    time.sleep(0.2)
print(json.dumps({"reads": reads, "torn": torn, "sources_seen": seen}))
"""

A = ["gppd", "boundaries", "electricitymaps_zones", "entsoe_gridkit"]
B = ["ember", "carbon_yearly", "weather_stations", "eia860", "cities"]


def _env() -> dict:
    return {**os.environ, "GRIDSCOUT_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


def _spawn(code: str, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=REPO, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(p: subprocess.Popen, what: str):
    out, err = p.communicate(timeout=600)
    assert p.returncode == 0, f"{what} failed ({p.returncode}):\n{err[-3000:]}"
    return json.loads(out.strip().splitlines()[-1])


def _expected_rows(raw_dir: Path, ids: list[str]) -> dict[str, dict[str, int]]:
    out = {}
    for sid in ids:
        spec = get(sid)
        parsed = spec.parse({f.name: f.path for f in locate(spec, raw_dir, allow_download=False)})
        out[sid] = {t: df.height for t, df in parsed.tables.items()}
    return out


def test_two_ingest_processes_write_one_warehouse_at_once(tmp_path, raw_dir):
    db, go = tmp_path / "shared.duckdb", tmp_path / "go"
    pa = _spawn(WRITER, db, raw_dir, go, ",".join(A))
    pb = _spawn(WRITER, db, raw_dir, go, ",".join(B))
    time.sleep(3)  # both imported and waiting: release them together
    go.touch()
    ra, rb = _finish(pa, "writer A"), _finish(pb, "writer B")
    assert [r["status"] for r in ra + rb] == ["loaded"] * (len(A) + len(B))
    expected = _expected_rows(raw_dir, A + B)
    con = connect(db, read_only=True)
    try:
        loads = dict(con.execute("select source_id, count(distinct load_id) from source_loads group by 1").fetchall())
        assert loads == {sid: 1 for sid in A + B}  # one load per source, none lost, none doubled
        for sid, tables in expected.items():
            for table, n in tables.items():
                got = con.execute(f'select count(*) from "{table}" where source_id = ?', [sid]).fetchone()[0]
                assert got == n, (sid, table, got, n)
                rec = con.execute("select t.rows from source_load_tables t join source_loads l using (load_id) "
                                  "where l.source_id = ? and t.table_name = ? limit 1", [sid, table]).fetchone()[0]
                assert rec == n
        total = con.execute("select sum(rows) from (select distinct load_id, rows from source_loads)").fetchone()[0]
        assert total == sum(n for t in expected.values() for n in t.values())
    finally:
        con.close()


def test_a_reader_process_reads_consistent_snapshots_while_another_ingests(tmp_path, raw_dir):
    db, go, done = tmp_path / "shared.duckdb", tmp_path / "go", tmp_path / "done"
    with open_warehouse(db):  # migrated, empty warehouse the reader can open from the start
        pass
    writer = _spawn(WRITER, db, raw_dir, go, ",".join(B + ["gppd"]))
    reader = _spawn(READER, db, go, done)
    time.sleep(3)
    go.touch()
    w = _finish(writer, "writer")
    done.touch()
    r = _finish(reader, "reader")
    assert [x["status"] for x in w] == ["loaded"] * (len(B) + 1)
    assert r["reads"] >= 2 and r["torn"] == []  # every snapshot had whole loads only
    assert r["sources_seen"] == len(B) + 1  # its last read (after the writer ended) saw every load
