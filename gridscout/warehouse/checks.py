"""Data checks: SQL queries in ``sql/checks/`` that select bad rows (PUDL-style validation).

Each file selects ``source_id, vintage, key, problem``; an empty result passes. Checks run after
every ingest and before scoring (``gridscout check``); a failing check blocks scoring. One check is
generated rather than written: :func:`orphan_rows_sql` covers every data table (any table with
``source_id`` and ``vintage`` columns), so a new source's table is checked without editing a list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from gridscout import config
from gridscout.errors import DataCheckError
from gridscout.sources.expectations import RANGES

CHECKS_DIR = config.SQL_DIR / "checks"


@dataclass
class CheckResult:
    name: str
    bad_rows: int
    examples: list[tuple]


#: Tables with ``source_id``/``vintage`` columns that are bookkeeping, not loaded data.
NOT_DATA_TABLES = ("source_loads", "current_vintages", "runs", "run_site_results", "schema_migrations")


def orphan_rows_sql(con: duckdb.DuckDBPyConnection) -> str:
    """Data rows whose (source_id, vintage) has no provenance row in ``source_loads``: a half-finished
    load. Built over every base table that has both columns."""
    tables = [t for (t,) in con.execute(
        "select table_name from information_schema.columns where column_name in ('source_id', 'vintage') "
        "and table_name in (select table_name from information_schema.tables where table_type = 'BASE TABLE') "
        "group by table_name having count(*) = 2 order by table_name").fetchall() if t not in NOT_DATA_TABLES]
    union = "\n    union all ".join(f"select distinct source_id, vintage, '{t}' as tbl from {t}" for t in tables)
    return ("select t.source_id, t.vintage, t.tbl as key, 'rows without a source_loads record' as problem\n"
            f"from (\n    {union}\n) t\n"
            "left join (select distinct source_id, vintage from source_loads) l using (source_id, vintage)\n"
            "where l.source_id is null")


def range_checks() -> list[tuple[str, str]]:
    """(name, SQL) of the value-range checks, generated from :data:`gridscout.sources.expectations.RANGES`
    (the parsers use the same declaration, so a value a parser accepts never fails a check)."""
    out = []
    for r in RANGES:
        out.append((r.check, f"-- {r.why}\nselect source_id, vintage, cast({r.key} as varchar) as key, "
                             f"'{r.column} ' || {r.column} || ' outside [{r.lo:g}, {r.hi:g}]' as problem "
                             f"from {r.table} where {r.column} < {r.lo} or {r.column} > {r.hi}"))
    return out


def all_checks(con: duckdb.DuckDBPyConnection, directory: Path = CHECKS_DIR) -> list[tuple[str, str]]:
    """Every check as (name, SQL): the files in ``sql/checks/``, the declared ranges, orphan rows."""
    checks = [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.sql"))]
    checks += range_checks()
    checks.append(("orphan_rows", orphan_rows_sql(con)))
    return sorted(checks)


def run_checks(con: duckdb.DuckDBPyConnection, directory: Path = CHECKS_DIR,
               source_id: str | None = None) -> list[CheckResult]:
    """Run every check (only the rows of ``source_id`` when given: a load checks its own rows)."""
    results = []
    for name, sql in all_checks(con, directory):
        where = "" if source_id is None else " where source_id = $sid"
        rows = con.execute(f"select * from ({sql}){where} limit 1000",
                           {} if source_id is None else {"sid": source_id}).fetchall()
        results.append(CheckResult(name, len(rows), rows[:5]))
    return results


def require_clean(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Run every check; raise :class:`DataCheckError` listing each failing one."""
    results = run_checks(con)
    failed = [r for r in results if r.bad_rows]
    if failed:
        lines = [f"  {r.name}: {r.bad_rows}{'+' if r.bad_rows >= 1000 else ''} bad row(s), e.g. {r.examples[:3]}"
                 for r in failed]
        raise DataCheckError("data checks failed; scoring is blocked until the data is fixed or re-ingested:\n"
                             + "\n".join(lines))
    return results
