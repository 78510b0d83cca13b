"""Schedules (pure): which flows run when.

* :func:`schedule_table` — the one declaration of every scheduled deployment (one ingest
  deployment per source family plus the scoring/report pipeline), with its cron schedule.
  ``flows/deployments.py`` (``serve``) and ``prefect.yaml`` (work pool + worker) are both built
  from it.
* :func:`schedule_gaps` — sources with a data-age limit that no schedule keeps fresh (file-only, API key
  not set, or a schedule slower than the limit).

Nothing here talks to Prefect; the flows are thin wrappers over these functions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from gridscout.errors import GridscoutError

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
    """Sources with a data-age limit that no schedule keeps fresh: file-only sources (no download URL
    tracking the latest release, no live API: only an operator can update them), API sources whose key
    is not set, and sources whose family's schedule runs less often than their limit.

    An empty list means every source with a limit is re-checked by a schedule before it can go stale.
    """
    from gridscout.sources import registry

    entries = entries if entries is not None else schedule_table(env)
    period = {e.parameters.get("family"): e.period_days for e in entries if "family" in e.parameters}
    gaps = []
    for sid, spec in registry().items():
        if spec.max_age_days is None:
            continue
        key = API_KEY_ENV.get(sid)
        if not spec.refreshable:
            gaps.append(f"{sid}: file-only (max data age {spec.max_age_days} d): no schedule can refresh it, "
                        "manual update needed when stale (`gridscout sources` says what to download)")
            continue
        if key and not spec.download_files and not _has_env(key, env):
            gaps.append(f"{sid}: needs {key} to refresh: no schedule can refresh it while the key is not set")
            continue
        p = period.get(spec.family)
        if p is None:
            gaps.append(f"{sid}: family {spec.family!r} has no scheduled ingest")
        elif p > spec.max_age_days:
            gaps.append(f"{sid}: max age {spec.max_age_days} d but {spec.family!r} ingest runs every {p:g} d")
    return gaps
