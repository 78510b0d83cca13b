"""Every warehouse table is read by the read API, or is bookkeeping, or its sources say why not.

Tables come from ``sql/migrations/*.sql`` (their ``create table`` statements); the views built on them
(``stg_*``, ``mart_*``, ``current_vintages``) are resolved to the tables they select from, through
chains of views. Reader SQL is every string literal in the read-API modules (:data:`READER_GLOBS`)
that contains ``select``; a table is read when such SQL names it or a view built on it. A table
nothing reads must be provenance/bookkeeping (:data:`BOOKKEEPING`) or filled only by sources whose
:attr:`~gridscout.sources.base.SourceSpec.reference_only` gives the reason (a source that fills
read and unread tables names the unread ones in it). A source that declares ``reference_only`` but
whose tables are all read must drop the declaration.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from gridscout.sources import registry

REPO = Path(__file__).resolve().parents[1]
MIGRATIONS = REPO / "sql" / "migrations"
#: the read API: modules whose SQL feeds features, models and the report
READER_GLOBS = ("gridscout/warehouse/readers/**/*.py",)

#: tables that record the warehouse's own history, written by loads and jobs, not data to read
BOOKKEEPING = {
    "schema_migrations": "applied migrations and their hashes (warehouse/db.py)",
    "source_loads": "provenance of every load: source, vintage, file, sha256, code version",
    "source_load_tables": "rows loaded per table and load",
    "source_load_rejections": "rows a parser refused, with the reason",
    "runs": "one row per scoring run: inputs, versions, outputs",
    "run_site_results": "each run's scored sites, kept for comparing runs",
}

_CREATE = re.compile(r"\bcreate\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?(table|view)\s+(?:if\s+not\s+exists\s+)?"
                     r"\"?([a-z_][a-z0-9_]*)\"?(.*?);", re.IGNORECASE | re.DOTALL)


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


@cache
def _schema() -> tuple[frozenset[str], dict[str, str]]:
    """(tables, {view: its latest definition}) from the migrations, in order."""
    tables: set[str] = set()
    views: dict[str, str] = {}
    for path in sorted(MIGRATIONS.glob("*.sql")):
        for kind, name, body in _CREATE.findall(_strip_comments(path.read_text())):
            name = name.lower()
            if kind.lower() == "table":
                tables.add(name)
            else:
                views[name] = body.lower()
    return frozenset(tables), views


def _names_in(sql: str, names) -> set[str]:
    return {n for n in names if re.search(rf"(?<![a-z0-9_]){re.escape(n)}(?![a-z0-9_])", sql)}


@cache
def _view_tables() -> dict[str, frozenset[str]]:
    """Each view -> the base tables it reads, through other views."""
    tables, views = _schema()
    direct = {v: _names_in(body, tables | set(views) - {v}) for v, body in views.items()}

    def resolve(v: str, seen: frozenset[str]) -> set[str]:
        out: set[str] = set()
        for n in direct[v]:
            if n in tables:
                out.add(n)
            elif n not in seen:
                out |= resolve(n, seen | {n})
        return out

    return {v: frozenset(resolve(v, frozenset({v}))) for v in views}


@cache
def _reader_files() -> tuple[Path, ...]:
    return tuple(sorted({p for g in READER_GLOBS for p in REPO.glob(g) if p.name != "__init__.py"}))


def _sql_literals(path: Path) -> list[str]:
    """String literals containing ``select`` (docstrings never do; f-string parts are included)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return [n.value.lower() for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and re.search(r"\bselect\b", n.value, re.I)]


@cache
def _read_tables() -> dict[str, frozenset[str]]:
    """Base table -> reader files whose SQL reads it (directly or through views)."""
    tables, views = _schema()
    vt = _view_tables()
    out: dict[str, set[str]] = {}
    for path in _reader_files():
        rel = str(path.relative_to(REPO))
        for sql in _sql_literals(path):
            for n in _names_in(sql, tables | set(views)):
                for t in ({n} if n in tables else vt[n]):
                    out.setdefault(t, set()).add(rel)
    return {t: frozenset(f) for t, f in out.items()}


def _fillers() -> dict[str, list]:
    out: dict[str, list] = {}
    for spec in registry().values():
        for t in spec.tables:
            out.setdefault(t, []).append(spec)
    return out


def test_the_walk_sees_known_tables_views_and_readers():
    tables, views = _schema()
    assert {"power_plants", "weather_hourly", "source_loads", "zone_carbon_yearly"} <= tables
    assert "stg_power_plants" in views and "power_plants" not in views
    # marts reach their base tables through the stg views
    assert _view_tables()["mart_zone_carbon_latest"] == {"zone_carbon_yearly", "source_loads"}
    assert _reader_files(), f"no reader module matches {READER_GLOBS}"
    read = _read_tables()
    assert {"power_plants", "zone_carbon_yearly", "retail_prices", "weather_hourly"} <= set(read)


def test_every_table_has_a_reader_or_a_declared_reason():
    tables, _ = _schema()
    read = _read_tables()
    fillers = _fillers()
    problems = []
    for t in sorted(tables - set(read) - set(BOOKKEEPING)):
        specs = fillers.get(t, [])
        if not specs:
            problems.append(f"{t}: no source fills it and nothing reads it (drop it, or fill and read it)")
            continue
        for spec in specs:
            partial = any(u in read for u in spec.tables)
            if not spec.reference_only:
                problems.append(f"{t}: no reader reads it; add one in gridscout/warehouse/readers/ or set "
                                f"reference_only=\"<why>\" on source {spec.id!r}")
            elif partial and not _names_in(spec.reference_only.lower(), {t}):
                problems.append(f"{t}: source {spec.id!r} fills tables that are read too, so its reference_only "
                                f"must name the unread table {t!r}")
    assert not problems, "\n".join(problems)


def test_reference_only_is_not_stale():
    read = _read_tables()
    problems = []
    for spec in registry().values():
        if spec.reference_only is None:
            continue
        assert spec.reference_only.strip(), f"{spec.id}: reference_only must give the reason"
        unread = [t for t in spec.tables if t not in read]
        if not unread:
            problems.append(f"{spec.id}: every table it fills is read now ({', '.join(spec.tables)}): "
                            "remove reference_only")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("table", sorted(BOOKKEEPING))
def test_bookkeeping_tables_exist(table):
    # schema_migrations is created by the migration runner itself, the others by migrations
    tables, _ = _schema()
    if table == "schema_migrations":
        assert "schema_migrations" in (REPO / "gridscout" / "warehouse" / "db.py").read_text()
    else:
        assert table in tables
