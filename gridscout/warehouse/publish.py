"""The analysts' copy of the warehouse: every mart as Parquet plus a read-only DuckDB snapshot.

DuckDB lets one process write a database file, and any open connection holds a lock on it: one
analyst session left open on the live warehouse made scheduled writers wait 300 s and fail
(issue 17). So analysts never open the live warehouse. After every successful ingest and score
(``jobs/ingest.py:publish_after_ingest``, ``jobs/score.py:complete_run``) and on
``gridscout publish``, :func:`publish_snapshot` writes, into the publish folder
(``config.publish_dir``: ``$GRIDSCOUT_PUBLISH_DIR``, else ``published/`` beside the warehouse):

* ``<mart>.parquet`` for every ``mart_*`` view or table of the warehouse (a new mart is published
  with no edit here);
* ``gridscout.duckdb``: a self-contained DuckDB file with the same marts as tables, their table and
  column comments (unit, source) and ``published_vintages`` (the current vintage of every source);
* ``published.json``: the manifest (``published_at``, what triggered it, schema version, rows and
  columns per mart, source vintages).

The current-vintage ``stg_*`` views are not published: some are large (``stg_weather_hourly``,
``stg_ba_demand_hourly``, millions of rows) and would make every ingest copy them; what analysts read
belongs in a mart (with comments), which is then published automatically.

Every file is written in a private staging folder and renamed into place (``safe_write.move_in``):
an analyst sees the old file or the new one, never half of one, and one holding the old snapshot
open keeps reading it (the renamed-over inode lives until closed) and never delays the rename. The
warehouse itself is open read-only only while the marts are copied out (``COPY … TO``).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from gridscout import config
from gridscout.errors import WarehouseError
from gridscout.paths import writable_dir
from gridscout.safe_write import child_path, move_in, staging_dir, write_text
from gridscout.warehouse.db import connect, ensure_migrated

SNAPSHOT = "gridscout.duckdb"
MANIFEST = "published.json"
_NAME = re.compile(r"^mart_[a-z0-9_]+$")


def published_relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the warehouse's marts (views or tables named ``mart_*``), sorted."""
    rows = con.execute(
        "select view_name from duckdb_views() where database_name = current_database() and not internal "
        "and view_name like 'mart\\_%' escape '\\' union select table_name from duckdb_tables() "
        "where database_name = current_database() and table_name like 'mart\\_%' escape '\\' order by 1").fetchall()
    names = [r[0] for r in rows]
    bad = [n for n in names if not _NAME.match(n)]
    if bad:
        raise WarehouseError(f"mart names must be lowercase mart_<name>: {bad}")
    return names


def relation_comments(con: duckdb.DuckDBPyConnection, names: list[str]) -> tuple[dict, dict]:
    """``({relation: comment}, {(relation, column): comment})`` of ``names`` (None where not commented)."""
    rel = dict(con.execute(
        "select view_name, comment from duckdb_views() where database_name = current_database() and "
        "view_name in (select unnest(?)) union all select table_name, comment from duckdb_tables() where "
        "database_name = current_database() and table_name in (select unnest(?))", [names, names]).fetchall())
    cols = {(t, c): cm for t, c, cm in con.execute(
        "select table_name, column_name, comment from duckdb_columns() where database_name = current_database() "
        "and table_name in (select unnest(?))", [names]).fetchall()}
    return rel, cols


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_snapshot(db: str | Path | None = None, out: str | Path | None = None, *,
                     trigger: str = "publish") -> dict:
    """Publish every mart of the warehouse ``db`` to ``out`` (default ``config.publish_dir(db)``);
    return the manifest (also written as ``published.json``)."""
    target = writable_dir(Path(out) if out else config.publish_dir(db), "publish folder")
    target.mkdir(parents=True, exist_ok=True)
    target = target.resolve()
    ensure_migrated(db)
    with staging_dir(target) as stage:
        con = connect(db, read_only=True)
        try:
            marts = published_relations(con)
            rel_comments, col_comments = relation_comments(con, marts)
            vintages = con.execute("select source_id, vintage, cast(loaded_at as varchar) from current_vintages "
                                   "order by source_id").fetchall()
            schema_version = con.execute("select max(version) from schema_migrations").fetchone()[0]
            for m in marts:
                con.execute(f"copy (select * from {m}) to {_quote(str(stage / f'{m}.parquet'))} "
                            "(format parquet, compression zstd)")
        finally:
            con.close()
        published_at = datetime.now(UTC).isoformat(timespec="seconds")
        info: dict[str, dict] = {}
        snap = duckdb.connect(str(stage / SNAPSHOT))
        try:
            for m in marts:
                snap.execute(f"create table {m} as select * from read_parquet({_quote(str(stage / f'{m}.parquet'))})")
                columns = [c for c, in snap.execute(
                    "select column_name from duckdb_columns() where table_name = ? order by column_index",
                    [m]).fetchall()]
                if rel_comments.get(m):
                    snap.execute(f"comment on table {m} is {_quote(rel_comments[m])}")
                for c in columns:
                    if col_comments.get((m, c)):
                        snap.execute(f'comment on column {m}."{c}" is {_quote(col_comments[(m, c)])}')
                info[m] = {"file": f"{m}.parquet", "rows": snap.execute(f"select count(*) from {m}").fetchone()[0],
                           "columns": columns}
            snap.execute("create table published_vintages (source_id varchar, vintage varchar, loaded_at varchar)")
            if vintages:
                snap.executemany("insert into published_vintages values (?, ?, ?)", vintages)
            snap.execute("comment on table published_vintages is "
                         + _quote(f"current vintage of every loaded source when this snapshot was published "
                                  f"({published_at}, after {trigger})"))
            snap.execute("checkpoint")
        finally:
            snap.close()
        for m in marts:
            move_in(target, stage / f"{m}.parquet", f"{m}.parquet")
        move_in(target, stage / SNAPSHOT, SNAPSHOT)
    for old in target.glob("mart_*.parquet"):  # a mart that no longer exists is no longer published
        if old.stem not in info and not old.is_symlink():
            child_path(target, old.name).unlink()
    manifest = {"published_at": published_at, "trigger": trigger, "warehouse": str(config.db_path(db)),
                "schema_version": schema_version, "snapshot": SNAPSHOT, "marts": info,
                "vintages": [{"source_id": s, "vintage": v, "loaded_at": t} for s, v, t in vintages]}
    write_text(target, MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(out: str | Path | None = None, db: str | Path | None = None) -> dict | None:
    """The manifest of the last publish into ``out`` (default ``config.publish_dir(db)``), or None."""
    path = Path(out or config.publish_dir(db)) / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
