"""Operations helpers (pure): which flows run when, and whether the warehouse is fresh enough.

* :func:`schedule_table` — the one declaration of every scheduled deployment (one ingest
  deployment per source family plus the scoring/report pipeline), with its cron schedule.
  ``flows/deployments.py`` (``serve``) and ``prefect.yaml`` (work pool + worker) are both built
  from it.
* :func:`freshness` — per source: loaded vintage, when it was loaded, its age and its declared
  ``max_age_days``, and whether it is stale.
* :func:`fail_on_stale` — raise :class:`~gridscout.errors.WarehouseError` naming each stale
  source and the command that refreshes it (for ``fail_on_stale=True`` on the scoring path).

Nothing here talks to Prefect; the flows are thin wrappers over these functions.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from gridscout.errors import GridscoutError, WarehouseError

#: Source families, in the order deployments are listed (``SourceSpec.family`` takes one of these).
FAMILIES = ("grid", "prices", "carbon", "climate", "renewables", "water", "places")

#: Environment variables holding API keys, per source that needs one to refresh itself.
API_KEY_ENV = {"electricitymaps_api": "ELECTRICITYMAPS_API_KEY", "eia_api": "EIA_API_KEY"}

#: Period of each cadence in days (the longest gap between two runs of its cron expression).
PERIOD_DAYS = {"hourly": 1 / 24, "daily": 1.0, "weekly": 7.0, "monthly": 31.0, "yearly": 366.0}

PIPELINE_DEPLOYMENT = "score-report-weekly"


@dataclass(frozen=True)
class ScheduleEntry:
    """One scheduled deployment: its name, the flow entrypoint, parameters and cron (UTC)."""

    name: str
    entrypoint: str  # path/to/file.py:flow_function, relative to the repository root
    flow_name: str
    parameters: dict
    cron: str
    cadence: str  # hourly | daily | weekly | monthly | yearly (see PERIOD_DAYS)
    description: str
    tags: tuple[str, ...] = ()

    @property
    def period_days(self) -> float:
        return PERIOD_DAYS[self.cadence]


def _has_env(name: str, env: dict[str, str] | None) -> bool:
    env = os.environ if env is None else env
    return bool((env.get(name) or "").strip())


def family_cadence(family: str, env: dict[str, str] | None = None) -> tuple[str, str, str]:
    """(cadence, cron, why) for one family's ingest. Crons are UTC and staggered so runs do not overlap.

    * prices: daily when ``EIA_API_KEY`` is set (the EIA API publishes monthly data, checked daily
      and cheaply with conditional requests), else monthly (the yearly/monthly files change monthly).
    * carbon: hourly when ``ELECTRICITYMAPS_API_KEY`` is set (live carbon intensity), else monthly.
    * grid (power plants, queues, transmission): monthly.
    * climate, renewables, water, places: yearly (design-weather years, resource atlases, water
      stress and boundaries change at most yearly).
    """
    if family not in FAMILIES:
        raise GridscoutError(f"unknown source family {family!r}; known families: {', '.join(FAMILIES)}")
    if family == "prices":
        if _has_env(API_KEY_ENV["eia_api"], env):
            return "daily", "30 4 * * *", "EIA API key set: check daily (conditional requests)"
        return "monthly", "30 4 1 * *", "published monthly/yearly files"
    if family == "carbon":
        if _has_env(API_KEY_ENV["electricitymaps_api"], env):
            return "hourly", "7 * * * *", "Electricity Maps API key set: live carbon intensity"
        return "monthly", "0 5 1 * *", "no Electricity Maps key: yearly/monthly files only"
    if family == "grid":
        return "monthly", "0 3 1 * *", "plant inventories and interconnection queues change monthly"
    # yearly families, one day apart in early January
    day = {"climate": 2, "renewables": 3, "water": 4, "places": 5}[family]
    return "yearly", f"0 6 {day} 1 *", "published at most once a year"


def schedule_table(env: dict[str, str] | None = None) -> list[ScheduleEntry]:
    """Every scheduled deployment: one ingest deployment per family, then the pipeline.

    ``env`` defaults to ``os.environ`` (API keys decide the carbon and prices cadences).
    """
    out = []
    for fam in FAMILIES:
        cadence, cron, why = family_cadence(fam, env)
        out.append(ScheduleEntry(
            name=f"ingest-{fam}", entrypoint="flows/deployments.py:ingest_family_flow",
            flow_name="gridscout-ingest-family", parameters={"family": fam}, cron=cron, cadence=cadence,
            description=f"Ingest the {fam} sources ({cadence}: {why}).", tags=("ingest", fam)))
    out.append(ScheduleEntry(
        name=PIPELINE_DEPLOYMENT, entrypoint="flows/deployments.py:score_report_flow",
        flow_name="gridscout-score-report", parameters={"fail_on_stale": True}, cron="0 9 * * 1", cadence="weekly",
        description="Check freshness, score the default candidates under the default profile and render the "
                    "report (weekly, after the daily and monthly ingests; the ingests run on their own schedules).",
        tags=("pipeline",)))
    return out


def sources_of_family(family: str) -> list[str]:
    """Ids of the registered sources of ``family`` (may be empty); unknown family → clear error."""
    from gridscout.sources import registry

    if family not in FAMILIES:
        raise GridscoutError(f"unknown source family {family!r}; known families: {', '.join(FAMILIES)}")
    return [sid for sid, spec in registry().items() if spec.family == family]


def resolve_sources(sources: list[str] | None = None, families: list[str] | None = None) -> list[str]:
    """Validate source ids and families at a flow boundary; return the source ids (registry order).

    Both empty → every source. Unknown ids or families raise :class:`GridscoutError` listing the
    known ones.
    """
    from gridscout.sources import registry

    reg = registry()
    bad = [s for s in (sources or []) if s not in reg]
    if bad:
        raise GridscoutError(f"unknown source(s) {bad}; known sources: {', '.join(reg)}")
    bad_fam = [f for f in (families or []) if f not in FAMILIES]
    if bad_fam:
        raise GridscoutError(f"unknown source family(ies) {bad_fam}; known families: {', '.join(FAMILIES)}")
    if not sources and not families:
        return list(reg)
    wanted = set(sources or []) | {sid for f in (families or []) for sid in sources_of_family(f)}
    return [sid for sid in reg if sid in wanted]


def schedule_gaps(entries: list[ScheduleEntry] | None = None, env: dict[str, str] | None = None) -> list[str]:
    """Sources whose family's schedule runs less often than the source's ``max_age_days``.

    Sources that need an API key which is not set are left out (no schedule can refresh them).
    An empty list means every refreshable source is re-checked before it can go stale.
    """
    from gridscout.sources import registry

    entries = entries if entries is not None else schedule_table(env)
    period = {e.parameters.get("family"): e.period_days for e in entries if "family" in e.parameters}
    gaps = []
    for sid, spec in registry().items():
        key = API_KEY_ENV.get(sid)
        if spec.max_age_days is None or (key and not _has_env(key, env)):
            continue
        p = period.get(spec.family)
        if p is None:
            gaps.append(f"{sid}: family {spec.family!r} has no scheduled ingest")
        elif p > spec.max_age_days:
            gaps.append(f"{sid}: max age {spec.max_age_days} d but {spec.family!r} ingest runs every {p:g} d")
    return gaps


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
    from gridscout.sources import registry
    from gridscout.status import loaded_summary

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
        from gridscout import config

        lines = [f"  {f.source_id} ({f.family}): vintage {f.vintage}, loaded {f.loaded_at:%Y-%m-%d %H:%M} UTC, "
                 f"{f.age_days:.1f} days old > max {f.max_age_days} days" for f in stale]
        ids = " ".join(f.source_id for f in stale)
        fams = " ".join(sorted({f"ingest-{f.family}" for f in stale}))
        raise WarehouseError(
            f"{len(stale)} source(s) in {config.db_path(db)} are stale:\n" + "\n".join(lines) +
            f"\n  refresh them with `gridscout ingest {ids}` (or run the deployment(s) {fams}), "
            "or score without fail_on_stale to accept old data.")
    return rows
