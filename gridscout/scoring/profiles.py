"""Scoring profiles: versioned TOML files in ``data/profiles/`` that say what a good site is.

A profile names, for each of the five criteria (power, cooling, water, carbon, price), a weight
and one or more sub-criteria. A sub-criterion names a feature column, whether higher or lower is
better, a weight inside its criterion and a normalisation to a 0–100 sub-score:

``utility``
    Piecewise linear in physical units between ``zero`` (sub-score 0) and ``full`` (sub-score 100),
    clipped outside; e.g. carbon ``full = 200``, ``zero = 700`` [gCO2/kWh]. Pointwise: a site's
    sub-score does not depend on the other sites (needed for region screening and partitions).
``minmax``
    Linear between ``lo`` and ``hi``; if these are not given, between the smallest and largest
    known value among the scored sites (population dependent).
``rank``
    Percentile rank among the sites with a known value (population dependent; ties averaged).

A sub-criterion may carry a ``fallback`` sub-criterion (an inline table of the same shape) used,
row by row, where the primary column is absent or null: e.g. cooling uses ``pue_annual`` from the
physical model and falls back to the ASHRAE 1 % cooling design dry-bulb ``cooling_design_db_c``
from the station index. A value that is absent or null after every fallback is UNKNOWN; the
``[unknown]`` table says how UNKNOWN is scored, per factor (see :class:`UnknownPolicy`):

.. code-block:: toml

    [unknown]
    policy = "penalty"          # every factor not listed below: penalty | neutral | uncertain | exclude
    penalty_score = 25
    [unknown.factors]           # key: a criterion name or a sub-criterion column of this profile
    price = "uncertain"
    water_stress_score = "uncertain"

A profile that gives no ``policy`` gets :data:`DEFAULT_FACTOR_POLICIES` (price and water stress
``uncertain``) and ``penalty`` for the rest; a profile that gives ``policy`` gets exactly what it
writes.

``[freshness] block_on_manual = false`` (optional): whether a stale source that only an operator can
update (file-only: no download URL or live API; see :func:`gridscout.ops.freshness.fail_on_stale`)
blocks a run with ``fail_on_stale``. Default false: such a source is warned "manual update needed" and
scoring goes on; stale sources that a deployment refreshes always block.

``carbon_year = 2023`` (optional, top level): the analysis year of the grid carbon intensity; a zone
without data that year takes its nearest earlier year and says so. Absent: the latest complete year.
``gridscout run --carbon-year YEAR`` overrides it.

Hard constraints (``[constraints]``) are evaluated by :mod:`gridscout.scoring.gates`:
``min_<column>`` / ``max_<column>`` for any numeric column, ``excluded_countries`` /
``required_countries`` (ISO alpha-3), ``on_land``; ``tolerance`` is the CONDITIONAL band.

Every problem raises :class:`gridscout.errors.ProfileError` naming the file and the key.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gridscout.errors import GridscoutError, ProfileError
from gridscout.models.designs import ENVELOPE_NAMES as ENVELOPES
from gridscout.models.designs import design_ids
from gridscout.paths import readable_file

#: Repository directory holding the shipped profiles.
PROFILES_DIR = Path(__file__).resolve().parents[2] / "data" / "profiles"

CRITERIA = ("power", "cooling", "water", "carbon", "price")
NORMALISATIONS = ("utility", "minmax", "rank")
DIRECTIONS = ("higher", "lower")
#: An UNKNOWN value may never score above the midpoint (a demanding user: unknown is not good).
MAX_UNKNOWN_PENALTY_SCORE = 50.0
#: How an UNKNOWN factor is scored (see :class:`UnknownPolicy`).
UNKNOWN_POLICIES = ("penalty", "neutral", "uncertain", "exclude")
#: Per-factor policies of a profile that sets no ``[unknown] policy``: an unknown price or water stress is
#: an uncertainty to carry through the Monte Carlo, not a verdict (issue 14).
DEFAULT_FACTOR_POLICIES = {"price": "uncertain", "water_stress_score": "uncertain"}
#: plausible analysis years for ``carbon_year`` (annual grid data start in the 1990s)
MIN_CARBON_YEAR, MAX_CARBON_YEAR = 1990, 2100

_TOP_KEYS = {"name", "version", "description", "unknown", "facility", "robustness", "criteria", "constraints",
             "carbon_year", "zones", "freshness"}
_FRESHNESS_KEYS = {"block_on_manual", "note"}
_ZONE_KEYS = {"top_fraction", "min_area_km2", "max_area_km2", "note"}
_SUB_KEYS = {"column", "direction", "weight", "normalisation", "zero", "full", "lo", "hi", "fallback", "note"}
_CRIT_KEYS = {"weight", "sub", "note"}
_UNKNOWN_KEYS = {"policy", "penalty_score", "gate", "factors"}
_FACILITY_KEYS = {"cooling", "envelope", "it_load_mw", "utilisation", "score_reported_pue", "score_reported_wue"}
_ROBUST_KEYS = {"weight_concentration", "sigma", "top_k", "note"}
_LIST_CONSTRAINTS = {"excluded_countries", "required_countries"}


@dataclass(frozen=True)
class SubCriterion:
    """One column → 0–100 sub-score. Thresholds are in the column's physical unit."""

    column: str
    direction: str
    weight: float
    normalisation: str
    zero: float | None = None
    full: float | None = None
    lo: float | None = None
    hi: float | None = None
    fallback: SubCriterion | None = None

    @property
    def pointwise(self) -> bool:
        """True when a site's sub-score does not depend on the other sites (for every fallback too)."""
        own = self.normalisation == "utility" or (self.normalisation == "minmax" and self.lo is not None)
        return own and (self.fallback is None or self.fallback.pointwise)

    def chain(self) -> list[SubCriterion]:
        """This sub-criterion followed by its fallbacks, in order of preference."""
        out, s = [], self
        while s is not None:
            out.append(s)
            s = s.fallback
        return out


@dataclass(frozen=True)
class Criterion:
    name: str
    weight: float
    subs: tuple[SubCriterion, ...]


@dataclass(frozen=True)
class Constraint:
    """A hard gate. ``kind`` is ``min`` / ``max`` (numeric ``column`` vs ``limit``), ``excluded_countries``,
    ``required_countries`` (``values``, ISO alpha-3 on column ``country``) or ``on_land``."""

    name: str
    kind: str
    column: str
    limit: float | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnknownPolicy:
    """How UNKNOWN (absent or null after every fallback) inputs are scored, per factor.

    A *factor* is a sub-criterion; ``factors`` maps its column (or its criterion's name) to a policy,
    ``policy`` covers the rest. Policies (:data:`UNKNOWN_POLICIES`):

    ``penalty``
        The sub-score is ``penalty_score`` (0–50, default 0): unknown is never good.
    ``neutral``
        The sub-score is the median of the known sites' sub-scores for that factor (in the rows
        scored together; per draw in the Monte Carlo).
    ``uncertain``
        The deterministic score uses the same median; each Monte Carlo draw instead gives the site
        the sub-score of a known site picked uniformly at random (the empirical distribution of the
        known sites, which spans their range), so its rank interval ``rank_p05``..``rank_p95``
        widens by as much as the unknown could move it.
    ``exclude``
        The criterion score is null and the site is excluded (reason names the criterion).

    Under ``neutral`` and ``uncertain``, when no scored site knows the factor there is nothing to
    be neutral or uncertain about and ``penalty_score`` applies. The median depends on which rows are
    scored together; region screening scores every cell with the medians of a systematic sample of
    the whole region (:func:`gridscout.jobs.screen.region_medians`), so a cell's score is the same
    in memory, streamed or on Dask, whichever cells are scored with it. Every score resting on an UNKNOWN
    is flagged (``unknown_factors``, ``score_rests_on_unknown``; see :mod:`gridscout.scoring.engine`).

    ``gate = "conditional"`` (default) keeps a site with an UNKNOWN gate visible but flagged
    (``gate_status = UNKNOWN``, never PASS); ``gate = "exclude"`` excludes it.
    """

    policy: str = "penalty"
    penalty_score: float = 0.0
    gate: str = "conditional"
    factors: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FACTOR_POLICIES))

    def policy_for(self, criterion: str, sub: SubCriterion) -> str:
        """The policy of ``sub`` in ``criterion``: by its column (or a fallback's), else the criterion, else ``policy``."""
        for link in sub.chain():
            if link.column in self.factors:
                return self.factors[link.column]
        return self.factors.get(criterion, self.policy)


@dataclass(frozen=True)
class Facility:
    """The facility the profile is for: cooling design, ASHRAE envelope, IT load [MW], utilisation [-]
    (a candidate file's ``cooling_design`` / ``it_load_mw`` override the first and third per site).

    ``score_reported_pue`` / ``score_reported_wue`` (default false): score a site's operator-reported
    ``pue_reported`` / ``wue_reported`` (candidate file) where given instead of the model's
    ``pue_annual`` / ``wue_onsite_l_per_kwh``; the model's figures stay in the outputs either way."""

    cooling: str = "waterside_economizer_tower"
    envelope: str = "A1"
    it_load_mw: float = 50.0
    utilisation: float = 0.8
    score_reported_pue: bool = False
    score_reported_wue: bool = False


@dataclass(frozen=True)
class Robustness:
    """Monte Carlo settings: Dirichlet concentration κ (alpha = κ · normalised weights) and relative 1-σ
    (lognormal) input uncertainties by column."""

    weight_concentration: float = 50.0
    sigma: dict[str, float] = field(default_factory=dict)
    top_k: int = 5


@dataclass(frozen=True)
class Zones:
    """How region screening turns its surface into candidate zones (:func:`gridscout.scoring.zones.cluster_zones`):
    the best ``top_fraction`` of eligible cells, grouped by H3 adjacency; a group smaller than
    ``min_area_km2`` [km²] is not a zone (no border slivers); one larger than ``max_area_km2`` [km²] is split
    into compact parts no larger than it. ``[zones]`` in the profile TOML."""

    top_fraction: float = 0.10
    min_area_km2: float = 50.0
    max_area_km2: float = 500.0


@dataclass(frozen=True)
class Profile:
    name: str
    version: str
    description: str
    criteria: tuple[Criterion, ...]
    constraints: tuple[Constraint, ...] = ()
    tolerance: float = 0.10
    unknown: UnknownPolicy = UnknownPolicy()
    facility: Facility = Facility()
    robustness: Robustness = Robustness()
    source: str = ""
    sha256: str = ""
    #: analysis year of the grid carbon intensity (``carbon_yearly``); None: the latest complete year
    #: (:func:`gridscout.features.carbon.zone_carbon_for_year`); ``gridscout run --carbon-year`` overrides it
    carbon_year: int | None = None
    zones: Zones = Zones()
    #: ``[freshness] block_on_manual``: stale file-only sources block ``fail_on_stale`` runs too
    block_on_manual: bool = False

    @property
    def weights(self) -> dict[str, float]:
        """Criterion weights normalised to sum to 1."""
        tot = sum(c.weight for c in self.criteria)
        return {c.name: c.weight / tot for c in self.criteria}

    @property
    def pointwise(self) -> bool:
        return all(s.pointwise for c in self.criteria for s in c.subs)

    def criterion(self, name: str) -> Criterion:
        return next(c for c in self.criteria if c.name == name)

    def with_weights(self, **weights: float) -> Profile:
        """A copy with some criterion weights replaced (for sensitivity runs and tests)."""
        from dataclasses import replace

        crit = tuple(replace(c, weight=float(weights.get(c.name, c.weight))) for c in self.criteria)
        p = replace(self, criteria=crit)
        _check_weights(p.source or p.name, {c.name: c.weight for c in crit})
        return p

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["weights_normalised"] = self.weights
        return d


def _err(src: str, key: str, msg: str) -> ProfileError:
    return ProfileError(f"{src}: [{key}] {msg}")


#: weights are relative; a cap keeps their sum and products finite (normalised without overflow)
MAX_WEIGHT = 1e6


def _num(src: str, key: str, v: Any, *, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise _err(src, key, f"must be a finite number, got {v!r}")
    if lo is not None and v < lo:
        raise _err(src, key, f"must be ≥ {lo}, got {v}")
    if hi is not None and v > hi:
        raise _err(src, key, f"must be ≤ {hi}, got {v}")
    return float(v)


def _unknown_keys(src: str, where: str, d: dict, allowed: set[str]) -> None:
    extra = sorted(set(d) - allowed)
    if extra:
        raise _err(src, f"{where}.{extra[0]}" if where else extra[0],
                   f"unknown key; allowed keys here: {', '.join(sorted(allowed))}")


def _parse_sub(src: str, key: str, d: Any, *, need_weight: bool = True) -> SubCriterion:
    if not isinstance(d, dict):
        raise _err(src, key, "must be a table")
    _unknown_keys(src, key, d, _SUB_KEYS)
    col = d.get("column")
    if not isinstance(col, str) or not col:
        raise _err(src, f"{key}.column", "a feature column name is required")
    direction = d.get("direction")
    if direction not in DIRECTIONS:
        raise _err(src, f"{key}.direction", f"must be one of {DIRECTIONS}, got {direction!r}")
    weight = _num(src, f"{key}.weight", d.get("weight", 1.0), lo=0.0, hi=MAX_WEIGHT) if need_weight else 1.0
    norm = d.get("normalisation", "utility")
    if norm not in NORMALISATIONS:
        raise _err(src, f"{key}.normalisation", f"must be one of {NORMALISATIONS}, got {norm!r}")
    zero = full = lo = hi = None
    if norm == "utility":
        if "zero" not in d or "full" not in d:
            raise _err(src, f"{key}.{'zero' if 'zero' not in d else 'full'}",
                       "utility normalisation needs both 'zero' (sub-score 0) and 'full' (sub-score 100) thresholds")
        zero, full = _num(src, f"{key}.zero", d["zero"]), _num(src, f"{key}.full", d["full"])
        if zero == full:
            raise _err(src, f"{key}.full", f"'full' and 'zero' must differ (both {zero})")
        if not math.isfinite(full - zero):  # the span would overflow: every site would score the same
            raise _err(src, f"{key}.full", f"'full' - 'zero' overflows ({full} - {zero}); use physical thresholds")
        if (direction == "lower") != (full < zero):
            raise _err(src, f"{key}.full", f"direction '{direction}' needs full {'<' if direction == 'lower' else '>'} "
                                           f"zero (full={full}, zero={zero})")
    else:
        for k in ("zero", "full"):
            if k in d:
                raise _err(src, f"{key}.{k}", f"'{k}' applies to utility normalisation only (this is {norm!r})")
        if norm == "minmax" and ("lo" in d or "hi" in d):
            if "lo" not in d or "hi" not in d:
                raise _err(src, f"{key}.{'lo' if 'lo' not in d else 'hi'}", "minmax bounds need both 'lo' and 'hi'")
            lo, hi = _num(src, f"{key}.lo", d["lo"]), _num(src, f"{key}.hi", d["hi"])
            if not lo < hi:
                raise _err(src, f"{key}.hi", f"must be greater than lo (lo={lo}, hi={hi})")
        elif norm == "rank" and ("lo" in d or "hi" in d):
            raise _err(src, f"{key}.lo", "'lo'/'hi' apply to minmax normalisation only")
    fb = _parse_sub(src, f"{key}.fallback", d["fallback"], need_weight=False) if "fallback" in d else None
    return SubCriterion(col, direction, weight, norm, zero, full, lo, hi, fb)


def check_carbon_year(value: Any, src: str = "<profile>", key: str = "carbon_year") -> int | None:
    """A valid analysis year (or None); raises ProfileError naming ``src`` and ``key`` otherwise."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or not MIN_CARBON_YEAR <= value <= MAX_CARBON_YEAR):
        raise _err(src, key, f"must be a calendar year {MIN_CARBON_YEAR}..{MAX_CARBON_YEAR} (an integer, e.g. 2023), "
                             f"got {value!r}; leave it out for the latest complete year")
    return value


def _check_weights(src: str, weights: dict[str, float]) -> None:
    for k, w in weights.items():
        _num(src, f"criteria.{k}.weight", w, lo=0.0, hi=MAX_WEIGHT)
    if sum(weights.values()) <= 0:
        raise _err(src, "criteria", "criterion weights sum to 0; give at least one criterion a positive weight")


def _parse_constraints(src: str, d: Any) -> tuple[tuple[Constraint, ...], float]:
    if not isinstance(d, dict):
        raise _err(src, "constraints", "must be a table")
    out: list[Constraint] = []
    tol = _num(src, "constraints.tolerance", d.get("tolerance", 0.10), lo=0.0, hi=0.99)
    mins: dict[str, float] = {}
    maxs: dict[str, float] = {}
    for k, v in d.items():
        key = f"constraints.{k}"
        if k == "tolerance":
            continue
        if k in _LIST_CONSTRAINTS:
            if not isinstance(v, list) or not all(isinstance(x, str) and len(x) == 3 and x.isalpha() for x in v):
                raise _err(src, key, f"must be a list of ISO 3166 alpha-3 codes like [\"DEU\", \"USA\"], got {v!r}")
            if k == "required_countries" and not v:
                raise _err(src, key, "an empty list would exclude every site; remove the key instead")
            out.append(Constraint(k, k, "country", values=tuple(x.upper() for x in v)))
        elif k == "on_land":
            if v is not True:
                raise _err(src, key, f"must be true (a point in no country cannot be scored honestly, so the "
                                     f"on_land gate always applies; remove the key or set it true), got {v!r}")
        elif k.startswith(("min_", "max_")) and len(k) > 4:
            kind, col = k[:3], k[4:]
            lim = _num(src, key, v)
            if kind == "min":
                if lim < 0 and col.endswith(("_mw", "_km", "_kwh", "_mwh")):
                    raise _err(src, key, f"a minimum of a non-negative quantity cannot be negative ({lim})")
                mins[col] = lim
            else:
                if lim < 0 and col.endswith(("_mw", "_km", "_kwh", "_mwh", "_score")):
                    raise _err(src, key, f"no site can have {col} below 0, so max {lim} excludes everything")
                maxs[col] = lim
            out.append(Constraint(k, kind, col, limit=lim))
        else:
            raise _err(src, key, "unknown constraint; use min_<column>, max_<column>, excluded_countries, "
                                 "required_countries, on_land or tolerance")
    # A point in no country (after snapping generalised coastlines) is in the sea: nothing about it
    # can be scored honestly, whatever the profile says, so this gate is always there.
    out.append(Constraint("on_land", "on_land", "on_land"))
    for col in set(mins) & set(maxs):
        if mins[col] > maxs[col]:
            raise _err(src, f"constraints.min_{col}", f"impossible: min_{col} = {mins[col]} > max_{col} = {maxs[col]}")
    req = next((c for c in out if c.kind == "required_countries"), None)
    exc = next((c for c in out if c.kind == "excluded_countries"), None)
    if req and exc and set(req.values) <= set(exc.values):
        raise _err(src, "constraints.required_countries", "impossible: every required country is also excluded")
    return tuple(out), tol


def parse_profile(doc: dict[str, Any], source: str = "<profile>", sha256: str = "") -> Profile:
    """Validate a parsed TOML document into a :class:`Profile` (raises ProfileError naming the key)."""
    src = source
    _unknown_keys(src, "", doc, _TOP_KEYS)
    for k in ("name", "version", "description"):
        if not isinstance(doc.get(k), str) or not doc[k].strip():
            raise _err(src, k, "a non-empty string is required")
    crit_doc = doc.get("criteria")
    if not isinstance(crit_doc, dict) or not crit_doc:
        raise _err(src, "criteria", f"a [criteria.<name>] table is required for at least one of {CRITERIA}")
    criteria = []
    for cname, cd in crit_doc.items():
        key = f"criteria.{cname}"
        if cname not in CRITERIA:
            raise _err(src, key, f"unknown criterion; allowed: {', '.join(CRITERIA)}")
        if not isinstance(cd, dict):
            raise _err(src, key, "must be a table")
        _unknown_keys(src, key, cd, _CRIT_KEYS)
        if "weight" not in cd:
            raise _err(src, f"{key}.weight", "required")
        w = _num(src, f"{key}.weight", cd["weight"], lo=0.0, hi=MAX_WEIGHT)
        subs_doc = cd.get("sub")
        if not isinstance(subs_doc, list) or not subs_doc:
            raise _err(src, f"{key}.sub", "at least one [[criteria.<name>.sub]] sub-criterion is required")
        subs = tuple(_parse_sub(src, f"{key}.sub[{i}]", s) for i, s in enumerate(subs_doc))
        if sum(s.weight for s in subs) <= 0:
            raise _err(src, f"{key}.sub", "sub-criterion weights sum to 0")
        criteria.append(Criterion(cname, w, subs))
    _check_weights(src, {c.name: c.weight for c in criteria})

    ud = doc.get("unknown", {})
    if not isinstance(ud, dict):
        raise _err(src, "unknown", "must be a table")
    _unknown_keys(src, "unknown", ud, _UNKNOWN_KEYS)
    policy = ud.get("policy", "penalty")
    if policy not in UNKNOWN_POLICIES:
        raise _err(src, "unknown.policy", f"must be one of {', '.join(UNKNOWN_POLICIES)}, got {policy!r}")
    factors = {} if "policy" in ud else dict(DEFAULT_FACTOR_POLICIES)
    fdoc = ud.get("factors", {})
    if not isinstance(fdoc, dict):
        raise _err(src, "unknown.factors", "must be a table of factor = policy (factor: a criterion name or a "
                                           "sub-criterion column)")
    names = {c.name for c in criteria} | {link.column for c in criteria for s in c.subs for link in s.chain()}
    for k, v in fdoc.items():
        if k not in names:
            raise _err(src, f"unknown.factors.{k}", f"is neither a criterion nor a sub-criterion column of this "
                                                   f"profile; use one of {', '.join(sorted(names))}")
        if v not in UNKNOWN_POLICIES:
            raise _err(src, f"unknown.factors.{k}", f"must be one of {', '.join(UNKNOWN_POLICIES)}, got {v!r}")
        factors[k] = v
    pen = _num(src, "unknown.penalty_score", ud.get("penalty_score", 0.0), lo=0.0, hi=MAX_UNKNOWN_PENALTY_SCORE)
    gate = ud.get("gate", "conditional")
    if gate not in ("conditional", "exclude"):
        raise _err(src, "unknown.gate", f"must be 'conditional' or 'exclude', got {gate!r}")

    fd = doc.get("facility", {})
    if not isinstance(fd, dict):
        raise _err(src, "facility", "must be a table")
    _unknown_keys(src, "facility", fd, _FACILITY_KEYS)
    fac = Facility()
    cooling = fd.get("cooling", fac.cooling)
    if cooling not in (ids := design_ids()):
        raise _err(src, "facility.cooling", f"must be one of {ids}, got {cooling!r}")
    env = fd.get("envelope", fac.envelope)
    if env not in ENVELOPES:
        raise _err(src, "facility.envelope", f"must be one of {ENVELOPES}, got {env!r}")
    flags = {}
    for k in ("score_reported_pue", "score_reported_wue"):
        v = fd.get(k, False)
        if not isinstance(v, bool):
            raise _err(src, f"facility.{k}", f"must be true or false, got {v!r}")
        flags[k] = v
    fac = Facility(cooling, env, _num(src, "facility.it_load_mw", fd.get("it_load_mw", fac.it_load_mw), lo=1e-6),
                   _num(src, "facility.utilisation", fd.get("utilisation", fac.utilisation), lo=1e-6, hi=1.0), **flags)

    rd = doc.get("robustness", {})
    if not isinstance(rd, dict):
        raise _err(src, "robustness", "must be a table")
    _unknown_keys(src, "robustness", rd, _ROBUST_KEYS)
    sig = rd.get("sigma", {})
    if not isinstance(sig, dict):
        raise _err(src, "robustness.sigma", "must be a table of column = relative 1-sigma")
    sigma = {k: _num(src, f"robustness.sigma.{k}", v, lo=0.0, hi=2.0) for k, v in sig.items()}
    top_k = rd.get("top_k", 5)
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
        raise _err(src, "robustness.top_k", f"must be a positive integer, got {top_k!r}")
    rob = Robustness(_num(src, "robustness.weight_concentration", rd.get("weight_concentration", 50.0), lo=1e-3),
                     sigma, top_k)

    carbon_year = check_carbon_year(doc.get("carbon_year"), src)
    zones = _parse_zones(src, doc.get("zones", {}))
    block_on_manual = _parse_freshness(src, doc.get("freshness", {}))

    constraints, tol = _parse_constraints(src, doc.get("constraints", {}))
    if any(c.kind == "min" and c.column.startswith("capacity") and c.limit is not None and c.limit < 0 for c in constraints):
        raise _err(src, "constraints", "capacity minimum cannot be negative")
    return Profile(doc["name"], doc["version"], doc["description"], tuple(criteria), constraints, tol,
                   UnknownPolicy(policy, pen, gate, factors), fac, rob, source, sha256,
                   carbon_year, zones, block_on_manual)


def _parse_freshness(src: str, fd: Any) -> bool:
    if not isinstance(fd, dict):
        raise _err(src, "freshness", "must be a table")
    _unknown_keys(src, "freshness", fd, _FRESHNESS_KEYS)
    value = fd.get("block_on_manual", False)
    if not isinstance(value, bool):
        raise _err(src, "freshness.block_on_manual", f"must be true or false, got {value!r}")
    return value


def _parse_zones(src: str, zd: Any) -> Zones:
    if not isinstance(zd, dict):
        raise _err(src, "zones", "must be a table")
    _unknown_keys(src, "zones", zd, _ZONE_KEYS)
    z = Zones()
    top = _num(src, "zones.top_fraction", zd.get("top_fraction", z.top_fraction), lo=1e-6, hi=1.0)
    lo = _num(src, "zones.min_area_km2", zd.get("min_area_km2", z.min_area_km2), lo=0.0)
    hi = _num(src, "zones.max_area_km2", zd.get("max_area_km2", z.max_area_km2), lo=1e-6)
    if hi < 2 * lo:
        raise _err(src, "zones.max_area_km2", f"must be at least twice zones.min_area_km2 ({lo:g} km²) so a split "
                                              f"zone's parts can still be zones, got {hi:g}")
    return Zones(top, lo, hi)


def profile_path(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        return p
    return PROFILES_DIR / f"{name_or_path}.toml"


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def load_profile(name_or_path: str | Path) -> Profile:
    """Load and validate a profile by name (``data/profiles/<name>.toml``) or path."""
    path = profile_path(name_or_path)
    if not path.exists():
        raise ProfileError(f"profile {str(name_or_path)!r} not found at {path}; shipped profiles: "
                           f"{', '.join(available_profiles())}")
    try:
        readable_file(path, "profile")
    except GridscoutError as exc:
        raise ProfileError(str(exc)) from None
    raw = path.read_bytes()
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from exc
    return parse_profile(doc, str(path), hashlib.sha256(raw).hexdigest())
