"""Connections to the DuckDB warehouse and the one migration runner.

DuckDB allows one writing process at a time (a file lock). gridscout is built for that: writers
hold a connection only for one short transaction, readers copy what they need into Polars and
close, and :func:`connect` waits and retries while another process holds the lock, so a scheduled
ingest and a one-off scoring run can overlap and both finish.
"""

from __future__ import annotations

import hashlib
import logging
import pathlib
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from gridscout import config
from gridscout.errors import GridscoutError, WarehouseError
from gridscout.paths import warehouse_file

MIGRATIONS_DIR = config.SQL_DIR / "migrations"
_MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
LOCK_WAIT_S = 300.0
log = logging.getLogger(__name__)


def _is_lock_error(exc: Exception) -> bool:
    msg = str(exc).lower()
    return "lock" in msg and ("could not set lock" in msg or "conflicting lock" in msg or "lock on file" in msg)


def connect(db: str | Path | None = None, *, read_only: bool = False,
            lock_wait_s: float = LOCK_WAIT_S) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, retrying with jittered backoff while another process holds its lock.

    A read-only connection to a warehouse that does not exist raises :class:`WarehouseError`
    telling the user to ingest first.
    """
    path = config.db_path(db)
    try:
        warehouse_file(path, must_exist=read_only)  # missing, a folder, a FIFO, unreadable, under a file…
    except FileNotFoundError:
        raise WarehouseError(f"no warehouse at {path}: run `gridscout ingest` first (or set {config.ENV_DB}).") from None
    except GridscoutError as exc:
        raise WarehouseError(str(exc)) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    deadline = start + lock_wait_s
    delay = 0.05
    waited = False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            if waited:
                log.warning("warehouse %s: got the lock after waiting %.1f s", path, time.monotonic() - start)
            return con
        except duckdb.IOException as exc:
            if _is_lock_error(exc) and not waited:
                waited = True  # say so once: a writer waiting silently for minutes looks like a hang
                log.warning("warehouse %s is locked by another process (%s); waiting up to %.0f s. If it is an "
                            "open analyst session (DuckDB CLI, notebook), close it or reopen it read-only; "
                            "scheduled writers queue on the Prefect limit 'duckdb-writer'.",
                            path, str(exc).splitlines()[0], lock_wait_s)
            if not _is_lock_error(exc) or time.monotonic() > deadline:
                if _is_lock_error(exc):
                    raise WarehouseError(
                        f"warehouse {path} stayed locked by another process for {lock_wait_s:.0f} s: {exc}"
                    ) from exc
                raise WarehouseError(f"warehouse {path} cannot be opened: {str(exc).splitlines()[0]}") from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 2.0)
        except duckdb.Error as exc:  # not a DuckDB file, a newer format, …
            raise WarehouseError(f"warehouse {path} cannot be opened: {str(exc).splitlines()[0]}") from None


@contextmanager
def open_warehouse(db: str | Path | None = None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Context manager: a migrated connection (writers) or a read-only one, always closed."""
    con = connect(db, read_only=read_only)
    try:
        if not read_only:
            migrate(con)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One write transaction on ``con``: committed when the block ends, rolled back when the block
    (or the commit) raises, the error re-raised — so a load, a retirement, a migration or a run's
    record is in the warehouse whole or not at all. The one implementation of the pattern."""
    con.execute("begin transaction")
    try:
        yield con
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def pending_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Versions of this gridscout's migrations not yet applied to the warehouse behind ``con``."""
    has_table = con.execute("select count(*) from information_schema.tables "
                            "where table_name = 'schema_migrations'").fetchone()[0]
    applied = {v for (v,) in con.execute("select version from schema_migrations").fetchall()} if has_table else set()
    return sorted({v for v, _, _ in migration_files()} - applied)


def ensure_migrated(db: str | Path | None = None) -> list[int]:
    """Bring an existing warehouse's schema up to this version of gridscout before a reader opens it
    read-only (a warehouse built by an older version lacks newer views). Returns the versions applied."""
    con = connect(db, read_only=True)
    try:
        pending = pending_migrations(con)
    finally:
        con.close()
    if not pending:
        return []
    con = connect(db)
    try:
        return migrate(con)
    finally:
        con.close()


def spatial_extension_path() -> Path:
    """Path of the spatial extension shipped in the ``duckdb-extension-spatial`` wheel."""
    import duckdb_extension_spatial as m

    return pathlib.Path(m.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "spatial.duckdb_extension"


def load_spatial(con: duckdb.DuckDBPyConnection) -> None:
    """Load DuckDB spatial from the wheel (``INSTALL spatial`` would need the internet)."""
    con.execute(f"LOAD '{spatial_extension_path()}'")


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, str, Path]]:
    out = []
    for p in sorted(directory.glob("*.sql")):
        m = _MIGRATION_RE.match(p.name)
        if not m:
            raise WarehouseError(f"{p}: migration files must be named NNNN_lowercase_name.sql")
        out.append((int(m.group(1)), m.group(2), p))
    versions = [v for v, _, _ in out]
    dupes = {v for v in versions if versions.count(v) > 1}
    if dupes:
        raise WarehouseError(f"duplicate migration numbers in {directory}: {sorted(dupes)}")
    return out


def migrate(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply pending numbered migrations in order, each in its own transaction; return those applied.

    Applied migrations are recorded in ``schema_migrations`` with their sha256; editing one after it
    was applied is an error (write a new migration instead). When any was applied to the project's
    own migrations, the derived tables are recomputed (:mod:`gridscout.warehouse.derived`).
    """
    con.execute(
        "create table if not exists schema_migrations (version integer primary key, name varchar not null, "
        "sha256 varchar not null, applied_at timestamp with time zone not null default current_timestamp)"
    )
    applied = {v: s for v, s in con.execute("select version, sha256 from schema_migrations").fetchall()}
    done = []
    for version, name, path in migration_files(directory):
        sql = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(sql.encode()).hexdigest()
        if version in applied:
            if applied[version] != digest:
                raise WarehouseError(
                    f"migration {path.name} was edited after it was applied to this warehouse; "
                    "add a new numbered migration instead (or rebuild the warehouse from raw files)."
                )
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("insert into schema_migrations (version, name, sha256) values (?, ?, ?)",
                        [version, name, digest])
        done.append(version)
    if done and directory == MIGRATIONS_DIR:
        _refresh_all_derived(con)
    return done


def _refresh_all_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every derived table (:mod:`gridscout.warehouse.derived`) in one transaction: a
    migration may have added one, or changed what one holds."""
    from gridscout.warehouse.derived import refresh_derived  # derived's readers import this module

    with transaction(con):
        refresh_derived(con)


def read_frame(db: str | Path | None, sql: str):
    """One query on a migrated warehouse as a Polars frame, through a short-lived read-only connection."""
    ensure_migrated(db)
    con = connect(db, read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()
