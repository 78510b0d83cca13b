"""Source status: files present or missing, loaded vintage, rows, age and freshness."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gridscout import config
from gridscout.sources import registry
from gridscout.sources.fetch import present
from gridscout.warehouse.db import connect


def loaded_summary(db: str | Path | None = None) -> dict[str, dict]:
    """Per source: current vintage, rows of its latest load, when loaded."""
    if not config.db_path(db).exists():
        return {}
    con = connect(db, read_only=True)
    try:
        if not con.execute("select 1 from information_schema.tables where table_name = 'source_loads'").fetchone():
            return {}
        rows = con.execute(
            "select c.source_id, c.vintage, max(l.rows) as rows, max(l.loaded_at) as loaded_at, min(l.fetched_at) "
            "from current_vintages c join source_loads l using (source_id, vintage) group by c.source_id, c.vintage"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: {"vintage": r[1], "rows": r[2], "loaded_at": r[3], "fetched_at": r[4]} for r in rows}


def source_status(db: str | Path | None = None, raw: Path | None = None) -> list[dict]:
    from gridscout.ops import evaluate

    loaded = loaded_summary(db)
    now = dt.datetime.now(dt.UTC)
    out = []
    for sid, spec in registry().items():
        have = present(spec, raw)
        n_have = sum(have.values())
        info = loaded.get(sid, {})
        loaded_at = info.get("loaded_at")
        age, stale = evaluate(loaded_at, spec.max_age_days, now)
        fresh = "-" if age is None or spec.max_age_days is None else ("STALE" if stale else "ok")
        out.append({
            "source_id": sid, "family": spec.family,
            "files": f"{n_have}/{len(have)} present" + ("" if n_have == len(have) else " (missing: " +
                                                         ", ".join(k for k, v in have.items() if not v) + ")"),
            "vintage": info.get("vintage"), "rows": info.get("rows"),
            "loaded_at": f"{loaded_at:%Y-%m-%d %H:%M}" if loaded_at else None, "age_days": age,
            "max_age_days": spec.max_age_days, "fresh": fresh,
        })
    return out
