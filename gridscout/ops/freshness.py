"""Freshness and source status: files present or missing, loaded vintage, rows, age, and whether it is stale.

* :func:`freshness` — per source: loaded vintage, when it was loaded, its age and its declared
  ``max_age_days``, and whether it is stale.
* :func:`fail_on_stale` — raise :class:`~gridscout.errors.WarehouseError` naming each stale
  source and the command that refreshes it (for ``fail_on_stale=True`` on the scoring path).
* :func:`source_status` — the table ``gridscout sources`` prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from gridscout import config
from gridscout.errors import WarehouseError
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


@dataclass(frozen=True)
class SourceFreshness:
    """Freshness of one source in one warehouse."""

    source_id: str
    family: str
    vintage: str | None
    loaded_at: dt.datetime | None
    age_days: float | None
    max_age_days: int | None
    stale: bool  # loaded, has a max age, and is older than it

    @property
    def status(self) -> str:
        if self.loaded_at is None:
            return "not loaded"
        if self.max_age_days is None:
            return "no limit"
        return "STALE" if self.stale else "ok"


def evaluate(loaded_at: dt.datetime | None, max_age_days: int | None,
             now: dt.datetime | None = None) -> tuple[float | None, bool]:
    """(age in days, stale) of a load made at ``loaded_at`` (tz-aware) for a ``max_age_days`` limit."""
    if loaded_at is None:
        return None, False
    now = now or dt.datetime.now(dt.UTC)
    if loaded_at.tzinfo is None:
        loaded_at = loaded_at.replace(tzinfo=dt.UTC)
    age = (now - loaded_at).total_seconds() / 86400
    return age, max_age_days is not None and age > max_age_days


def freshness(db: str | Path | None = None, *, now: dt.datetime | None = None,
              sources: list[str] | None = None) -> list[SourceFreshness]:
    """Per registered source (or ``sources``): vintage, loaded_at, age, max age and stale flag.

    Age counts from the latest load of the source's current vintage (``current_vintages``); a
    re-ingest of unchanged files does not reset it, so "stale" means "no new data was loaded
    within max_age_days": check the publisher (``gridscout ingest <id>``).
    """
    loaded = loaded_summary(db)
    now = now or dt.datetime.now(dt.UTC)
    out = []
    for sid, spec in registry().items():
        if sources is not None and sid not in sources:
            continue
        info = loaded.get(sid, {})
        age, stale = evaluate(info.get("loaded_at"), spec.max_age_days, now)
        out.append(SourceFreshness(sid, spec.family, info.get("vintage"), info.get("loaded_at"), age,
                                   spec.max_age_days, stale))
    return out


def stale_sources(db: str | Path | None = None, *, now: dt.datetime | None = None,
                  sources: list[str] | None = None) -> list[SourceFreshness]:
    return [f for f in freshness(db, now=now, sources=sources) if f.stale]


def fail_on_stale(db: str | Path | None = None, *, now: dt.datetime | None = None,
                  sources: list[str] | None = None) -> list[SourceFreshness]:
    """Raise :class:`WarehouseError` naming every stale loaded source; return the freshness rows otherwise.

    Sources never loaded are not "stale" (scoring reports them as missing on its own).
    """
    rows = freshness(db, now=now, sources=sources)
    stale = [f for f in rows if f.stale]
    if stale:
        lines = [f"  {f.source_id} ({f.family}): vintage {f.vintage}, loaded {f.loaded_at:%Y-%m-%d %H:%M} UTC, "
                 f"{f.age_days:.1f} days old > max {f.max_age_days} days" for f in stale]
        ids = " ".join(f.source_id for f in stale)
        fams = " ".join(sorted({f"ingest-{f.family}" for f in stale}))
        raise WarehouseError(
            f"{len(stale)} source(s) in {config.db_path(db)} are stale:\n" + "\n".join(lines) +
            f"\n  refresh them with `gridscout ingest {ids}` (or run the deployment(s) {fams}), "
            "or score without fail_on_stale to accept old data.")
    return rows
