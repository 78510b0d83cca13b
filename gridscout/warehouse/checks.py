"""Data checks: SQL queries in ``sql/checks/`` that select bad rows (PUDL-style validation).

Each file selects ``source_id, vintage, key, problem``; an empty result passes. Checks run after
every ingest and before scoring (``gridscout check``); a failing check blocks scoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from gridscout import config
from gridscout.errors import DataCheckError

CHECKS_DIR = config.SQL_DIR / "checks"


@dataclass
class CheckResult:
    name: str
    bad_rows: int
    examples: list[tuple]


def run_checks(con: duckdb.DuckDBPyConnection, directory: Path = CHECKS_DIR) -> list[CheckResult]:
    results = []
    for path in sorted(directory.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        rows = con.execute(f"select * from ({sql}) limit 1000").fetchall()
        results.append(CheckResult(path.stem, len(rows), rows[:5]))
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
