"""A warehouse built by an older gridscout (fewer migrations) is upgraded before it is read."""

from __future__ import annotations

import shutil

import pytest

from gridscout.warehouse.db import MIGRATIONS_DIR, connect, ensure_migrated, migrate, migration_files


def test_reader_upgrades_an_older_warehouse(tmp_path):
    old_dir = tmp_path / "old_migrations"
    old_dir.mkdir()
    files = migration_files()
    assert 160 in [v for v, _, _ in files]  # stg_places
    for v, _, path in files:
        if v < 160:  # a gridscout from before stg_places (later migrations may exist too)
            shutil.copy(path, old_dir / path.name)
    db = tmp_path / "w.duckdb"
    con = connect(db)
    migrate(con, old_dir)  # what an older version of gridscout left behind
    con.close()
    con = connect(db, read_only=True)
    with pytest.raises(Exception, match="stg_places"):
        con.execute("select * from stg_places")
    con.close()

    assert ensure_migrated(db) == [v for v, _, _ in files if v >= 160]
    assert ensure_migrated(db) == []  # nothing pending: read-only, no write
    from gridscout.warehouse.readers.reference import read_reference

    ref = read_reference(db)  # an empty but current warehouse reads, places empty
    assert ref.places.height == 0 and MIGRATIONS_DIR.is_dir()
