"""One test of "unchanged" (gridscout.warehouse.load.unchanged_vintage), asked before parsing and at load."""

from __future__ import annotations

import shutil

import polars as pl

from gridscout.sources import get
from gridscout.sources.fetch import locate
from gridscout.warehouse.db import connect
from gridscout.warehouse.load import is_unchanged, load, unchanged_vintage


def test_before_parse_and_at_load_agree(tmp_path, raw_dir):
    spec = get("carbon_yearly")
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir / "carbon_yearly", raw / "carbon_yearly")
    db = tmp_path / "w.duckdb"
    files = locate(spec, raw, allow_download=False)
    assert is_unchanged(spec, files, db) is None  # no warehouse yet
    con = connect(db)
    try:
        from gridscout.warehouse.db import migrate

        migrate(con)
        parsed = spec.parse({f.name: f.path for f in files})
        assert unchanged_vintage(con, spec, files) is None
        assert load(con, spec, files, parsed).status == "loaded"
        # the same files and parser: unchanged before parsing (any vintage) and at load (this vintage)
        assert unchanged_vintage(con, spec, files) == "2021-2025"
        assert unchanged_vintage(con, spec, files, "2021-2025") == "2021-2025"
        assert load(con, spec, files, parsed).status == "unchanged"
        assert unchanged_vintage(con, spec, files, "2021-2024") is None  # never loaded as that vintage
    finally:
        con.close()
    assert is_unchanged(spec, files, db) == "2021-2025"
    # the publisher's next file (the real rows without 2021): changed for both questions
    path = raw / "carbon_yearly" / "electricitymaps_yearly_zone_2021_2025.csv"
    pl.read_csv(path).filter(pl.col("year") > 2021).write_csv(path)
    changed = locate(spec, raw, allow_download=False)
    assert is_unchanged(spec, changed, db) is None
    con = connect(db)
    try:
        assert unchanged_vintage(con, spec, changed) is None
        report = load(con, spec, changed, spec.parse({f.name: f.path for f in changed}))
    finally:
        con.close()
    assert (report.status, report.vintage) == ("loaded", "2022-2025")
