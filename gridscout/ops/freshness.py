"""Freshness and source status: files present or missing, loaded vintage, rows, two ages, and what to do.

Two ages per loaded source (issue 17):

* **data age**: days since the end of the data period of the current vintage (``source_loads.period_end``,
  recorded at load time from the parsed rows or the vintage; :func:`gridscout.sources.base.data_period_end`).
  It decides staleness: data older than the source's publication period plus its publication lag
  (``SourceSpec.max_age_days``, from its declared :class:`~gridscout.sources.base.Publication`) is stale,
  because the publisher should have released newer data by then. A forced reload of the same data
  keeps its period end, so ``--force`` cannot hide old data. Static reference data has no limit.
* **load age**: days since the latest load of the current vintage (shown, never a gate: a re-check that
  finds nothing new loads nothing).

A stale source is either **refreshable** (a file with a download URL that tracks the latest release, or a
live API whose key is set): its ingest deployment re-downloads it, and stale data blocks
``fail_on_stale`` scoring; or **file-only**: "manual update needed: download … from … into … then
``gridscout ingest <id>``", warned without blocking unless the profile says ``[freshness]
block_on_manual = true``.

* :func:`freshness` — per source: both ages, the limit, refreshable or not, stale, and the action.
* :func:`fail_on_stale` — raise :class:`~gridscout.errors.WarehouseError` naming each blocking stale source
  and what refreshes it (``fail_on_stale=True`` on the scoring path).
* :func:`source_status` — the table ``gridscout sources`` prints; :func:`stale_summary` its one-line verdict.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from gridscout import config
from gridscout.errors import WarehouseError
from gridscout.ops.schedules import API_KEY_ENV
from gridscout.sources import registry
from gridscout.sources.base import SourceSpec, vintage_period_end
from gridscout.sources.fetch import present, source_dir
from gridscout.warehouse.db import connect

MANUAL = "manual update needed"


def loaded_summary(db: str | Path | None = None) -> dict[str, dict]:
    """Per source: current vintage, rows of its latest load, when loaded, and the data period end."""
    if not config.db_path(db).exists():
        return {}
    con = connect(db, read_only=True)
    try:
        if not con.execute("select 1 from information_schema.tables where table_name = 'source_loads'").fetchone():
            return {}
        has_end = con.execute("select 1 from information_schema.columns where table_name = 'source_loads' "
                              "and column_name = 'period_end'").fetchone()
        end = "max(l.period_end)" if has_end else "null::date"
        rows = con.execute(
            "select c.source_id, c.vintage, max(l.rows) as rows, max(l.loaded_at) as loaded_at, min(l.fetched_at), "
            f"{end} from current_vintages c join source_loads l using (source_id, vintage) "
            "group by c.source_id, c.vintage order by c.source_id, max(l.loaded_at)"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: {"vintage": r[1], "rows": r[2], "loaded_at": r[3], "fetched_at": r[4], "period_end": r[5]}
            for r in rows}


def has_refresh_path(spec: SourceSpec, env: dict[str, str] | None = None) -> bool:
    """True when software can fetch newer data for ``spec`` now: a download URL that tracks the latest
    release, or a live API fetcher whose API key (if it needs one) is set."""
    if not spec.refreshable:
        return False
    key = API_KEY_ENV.get(spec.id)
    if key and not spec.download_files:
        env = os.environ if env is None else env
        return bool((env.get(key) or "").strip())
    return True


def refresh_action(spec: SourceSpec) -> str:
    """What re-downloads a refreshable source: its family's ingest deployment (conditional requests,
    then ingest) or the same from the command line."""
    return (f"run the deployment ingest-{spec.family} (or `gridscout ingest --refresh {spec.id}`), which "
            "re-downloads it when the publisher has a newer file")


def manual_action(spec: SourceSpec, raw: Path | None = None) -> str:
    """What an operator does for a file-only (or pinned-release, or API-key-less) source."""
    key = API_KEY_ENV.get(spec.id)
    if spec.fetcher is not None and key and not spec.download_files:
        return (f"{MANUAL}: set {key} (the ingest-{spec.family} deployment then refreshes it) and run "
                f"`gridscout ingest --refresh {spec.id}`")
    folder = source_dir(spec, raw)
    names = [f.name for f in spec.files if f.required] or [f.name for f in spec.files]
    pinned = spec.publication is not None and spec.publication.pinned_release
    where = spec.homepage if pinned or not spec.download_files else spec.download_files[0].url
    return (f"{MANUAL}: download the newer data from {where} into {folder}/ as {', '.join(names)} "
            f"then `gridscout ingest {spec.id}`")


@dataclass(frozen=True)
class SourceFreshness:
    """Freshness of one source in one warehouse."""

    source_id: str
    family: str
    vintage: str | None
    loaded_at: dt.datetime | None
    period_end: dt.date | None  # last day of the data period of the current vintage; None: unknown
    data_age_days: float | None  # days since period_end
    load_age_days: float | None  # days since loaded_at
    max_age_days: int | None  # data-age limit: publication period + lag (None: no limit)
    cadence: str | None
    refreshable: bool  # a deployment can fetch newer data (else file-only: manual update)
    stale: bool  # loaded, has a limit, and its data is older than it
    action: str = ""  # what refreshes it, when stale

    @property
    def status(self) -> str:
        if self.loaded_at is None:
            return "not loaded"
        if self.max_age_days is None:
            return "no limit"
        if self.data_age_days is None:
            return "data age UNKNOWN"
        if not self.stale:
            return "ok"
        return "STALE" if self.refreshable else MANUAL

    def blocks(self, block_on_manual: bool = False) -> bool:
        """Whether this source stops ``fail_on_stale`` scoring."""
        return self.stale and (self.refreshable or block_on_manual)

    def describe(self) -> str:
        """One line: the source, its data period, both ages and the limit."""
        return (f"{self.source_id} ({self.family}): vintage {self.vintage}, data to {self.period_end}, "
                f"data age {self.data_age_days:.0f} d > max {self.max_age_days} d ({self.cadence}), "
                f"loaded {self.load_age_days:.0f} d ago")


def age_days(since: dt.date | dt.datetime | None, now: dt.datetime) -> float | None:
    """Days from ``since`` to ``now``; a date counts from the end of that day (UTC). None stays None."""
    if since is None:
        return None
    if not isinstance(since, dt.datetime):
        since = dt.datetime.combine(since + dt.timedelta(days=1), dt.time(), dt.UTC)
    elif since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return (now - since).total_seconds() / 86400


def freshness(db: str | Path | None = None, *, now: dt.datetime | None = None,
              sources: list[str] | None = None, raw: Path | None = None,
              env: dict[str, str] | None = None) -> list[SourceFreshness]:
    """Per registered source (or ``sources``): both ages, the data-age limit, refreshable, stale, action.

    The period end is the one recorded at load time, else (loads from before migration 0320) the one the
    vintage string names. ``env`` (default ``os.environ``) decides whether an API source has its key.
    """
    loaded = loaded_summary(db)
    now = now or dt.datetime.now(dt.UTC)
    out = []
    for sid, spec in registry().items():
        if sources is not None and sid not in sources:
            continue
        info = loaded.get(sid, {})
        loaded_at = info.get("loaded_at")
        end = info.get("period_end") or (vintage_period_end(info.get("vintage")) if loaded_at else None)
        data_age = age_days(end, now) if loaded_at else None
        limit = spec.max_age_days
        stale = loaded_at is not None and limit is not None and data_age is not None and data_age > limit
        refreshable = has_refresh_path(spec, env)
        action = (refresh_action(spec) if refreshable else manual_action(spec, raw)) if stale else ""
        out.append(SourceFreshness(sid, spec.family, info.get("vintage"), loaded_at, end, data_age,
                                   age_days(loaded_at, now), limit,
                                   spec.publication.cadence if spec.publication else None, refreshable, stale,
                                   action))
    return out


def stale_sources(db: str | Path | None = None, *, now: dt.datetime | None = None,
                  sources: list[str] | None = None) -> list[SourceFreshness]:
    return [f for f in freshness(db, now=now, sources=sources) if f.stale]


def stale_summary(rows: list[SourceFreshness]) -> str | None:
    """One line naming the stale sources by kind, or None when none is stale."""
    stale = [f for f in rows if f.stale]
    if not stale:
        return None
    refresh = [f.source_id for f in stale if f.refreshable]
    manual = [f.source_id for f in stale if not f.refreshable]
    parts = []
    if refresh:
        parts.append(f"{len(refresh)} to refresh by their ingest deployment ({', '.join(refresh)})")
    if manual:
        parts.append(f"{len(manual)} {MANUAL} ({', '.join(manual)})")
    return f"{len(stale)} stale source(s): " + "; ".join(parts)


def fail_on_stale(db: str | Path | None = None, *, now: dt.datetime | None = None,
                  sources: list[str] | None = None, block_on_manual: bool = False,
                  raw: Path | None = None, env: dict[str, str] | None = None) -> list[SourceFreshness]:
    """Raise :class:`WarehouseError` naming every stale source that blocks; return the freshness rows otherwise.

    Stale refreshable sources block (their deployment can fetch newer data); stale file-only sources
    block only with ``block_on_manual`` (the profile's ``[freshness] block_on_manual``), otherwise the
    caller warns with their ``action`` ("manual update needed: …"). Sources never loaded are not
    "stale" (scoring reports them as missing on its own).
    """
    rows = freshness(db, now=now, sources=sources, raw=raw, env=env)
    blocking = [f for f in rows if f.blocks(block_on_manual)]
    if blocking:
        lines = [f"  {f.describe()}\n    {f.action}" for f in blocking]
        raise WarehouseError(
            f"{len(blocking)} stale source(s) in {config.db_path(db)} block scoring:\n" + "\n".join(lines) +
            "\n  or score without fail_on_stale to accept old data.")
    return rows


def source_status(db: str | Path | None = None, raw: Path | None = None, *,
                  now: dt.datetime | None = None) -> list[dict]:
    """One row per source for ``gridscout sources``: files, vintage, rows, data period end, both ages,
    the limit, status (ok / STALE / manual update needed / not loaded / no limit) and the action."""
    loaded = loaded_summary(db)
    out = []
    for f in freshness(db, now=now, raw=raw):
        spec = registry()[f.source_id]
        have = present(spec, raw)
        n_have = sum(have.values())
        out.append({
            "source_id": f.source_id, "family": f.family,
            "files": f"{n_have}/{len(have)} present" + ("" if n_have == len(have) else " (missing: " +
                                                         ", ".join(k for k, v in have.items() if not v) + ")"),
            "vintage": f.vintage, "rows": loaded.get(f.source_id, {}).get("rows"),
            "loaded_at": f"{f.loaded_at:%Y-%m-%d %H:%M}" if f.loaded_at else None,
            "period_end": f.period_end, "data_age_days": f.data_age_days, "load_age_days": f.load_age_days,
            "max_age_days": f.max_age_days, "refreshable": f.refreshable, "status": f.status, "action": f.action,
        })
    return out
