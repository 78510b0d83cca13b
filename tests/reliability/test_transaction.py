"""``warehouse.db.transaction``: the one begin/commit/rollback of the project (loads, retirements,
migrations, derived tables and run records all write through it)."""

from __future__ import annotations

import duckdb
import pytest

from gridscout.warehouse.db import transaction


def test_a_block_that_ends_is_committed_and_one_that_raises_leaves_nothing(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create table t (k integer primary key, v varchar)")
    with transaction(con):
        con.execute("insert into t values (1, 'kept')")
    with pytest.raises(RuntimeError, match="halfway"):
        with transaction(con):
            con.execute("insert into t values (2, 'lost')")
            raise RuntimeError("killed halfway")
    with pytest.raises(duckdb.ConstraintException):  # the database's own error, e.g. a duplicate key
        with transaction(con):
            con.execute("insert into t values (3, 'lost too')")
            con.execute("insert into t values (1, 'duplicate')")
    con.close()
    # what a fresh connection sees: only the committed block, and no transaction left open
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert con.execute("select k, v from t order by k").fetchall() == [(1, "kept")]
    with transaction(con):
        con.execute("insert into t values (4, 'after')")
    assert con.execute("select count(*) from t").fetchone()[0] == 2


def test_every_write_transaction_goes_through_it():
    """No other module begins, commits or rolls back a transaction by hand."""
    from pathlib import Path

    import gridscout

    root = Path(gridscout.__file__).parent
    by_hand = [str(p.relative_to(root)) for p in root.rglob("*.py")
               if p.name != "db.py" and any(s in p.read_text(encoding="utf-8")
                                            for s in ('"begin transaction"', '"rollback"', '"commit"'))]
    assert by_hand == []
