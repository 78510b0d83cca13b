"""Each grid/price file source ingests into a fresh warehouse, and a second ingest changes nothing."""

from __future__ import annotations

import pytest

from gridscout.jobs.ingest import ingest_source
from gridscout.sources import get
from gridscout.warehouse import connect

SOURCES = ("eia860", "gppd_usa", "entsoe_gridkit", "reeds", "iso_queue_pjm", "egrid", "ember_prices")


@pytest.mark.parametrize("source_id", SOURCES)
def test_ingest_twice_is_idempotent(source_id, raw_dir, tmp_path):
    spec = get(source_id)
    db = tmp_path / "w.duckdb"
    first = ingest_source(spec, db=db, raw=raw_dir)
    assert first.status == "loaded" and first.rows > 0
    con = connect(db, read_only=True)
    try:
        counts = {t: con.execute(f'select count(*) from "{t}" where source_id = ?', [spec.id]).fetchone()[0]
                  for t in spec.tables}
    finally:
        con.close()
    second = ingest_source(spec, db=db, raw=raw_dir)
    assert second.status == "unchanged"
    con = connect(db, read_only=True)
    try:
        again = {t: con.execute(f'select count(*) from "{t}" where source_id = ?', [spec.id]).fetchone()[0]
                 for t in spec.tables}
        loads = con.execute("select count(distinct load_id) from source_loads where source_id = ?", [spec.id]).fetchone()[0]
        stg = con.execute(f'select count(*) from "stg_{spec.tables[0]}" where source_id = ?', [spec.id]).fetchone()[0]
    finally:
        con.close()
    assert again == counts and sum(counts.values()) == first.rows
    assert loads == 1
    assert stg == counts[spec.tables[0]]  # the current-vintage view sees the load
