"""A scoring profile (run.json ``profile``) in words: one readable line per setting.

Used by the Profile section and by the comparison's "Profile differences", so both say the same
thing in the same words and neither prints raw JSON or a Python repr.
"""

from __future__ import annotations

from typing import Any

DIRECTION = {"lower": "lower is better", "higher": "higher is better"}


def _num(v: Any) -> str:
    if v is None:
        return "UNKNOWN"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float) and v.is_integer():
        return f"{int(v):,}"
    return f"{v:,.4g}" if isinstance(v, (int, float)) else str(v)


def _sub_text(sub: dict[str, Any]) -> str:
    col = sub.get("column", "?")
    parts = [f"{col}: {DIRECTION.get(sub.get('direction'), str(sub.get('direction')))}"]
    norm = sub.get("normalisation")
    if norm == "utility":
        parts.append(f"0 points at {_num(sub.get('zero'))}, 100 points at {_num(sub.get('full'))}")
    elif norm == "minmax" and (sub.get("lo") is not None or sub.get("hi") is not None):
        parts.append(f"scaled between {_num(sub.get('lo'))} and {_num(sub.get('hi'))}")
    elif norm:
        parts.append(f"{norm} normalisation over the sites scored together")
    return ", ".join(parts)


#: an UNKNOWN factor under each policy of :class:`gridscout.scoring.profiles.UnknownPolicy`, in words
_POLICY_TEXT = {
    "penalty": "scores the penalty {pen} of 100",
    "neutral": "scores the median of the sites that know it (the penalty {pen} when none does)",
    "uncertain": ("scores the median of the sites that know it and, in each robustness draw, a known site's "
                  "value, so its rank interval widens (the penalty {pen} when no site knows it)"),
    "exclude": "excludes the site",
}


def unknown_policy_text(unknown: dict[str, Any] | None) -> str:
    """What the ``[unknown]`` table does, in words, e.g. 'an UNKNOWN input scores the penalty 25 of
    100; price and water_stress_score: scores the median …'."""
    if not isinstance(unknown, dict) or not unknown:
        return "UNKNOWN (run.json records no unknown policy)"
    pen = _num(unknown.get("penalty_score"))
    policy = str(unknown.get("policy"))
    text = "an input with no data " + _POLICY_TEXT.get(policy, "is scored under policy " + policy).format(pen=pen)
    if policy == "penalty":
        text += " (never better than the midpoint)"
    factors = unknown.get("factors") if isinstance(unknown.get("factors"), dict) else {}
    by_policy: dict[str, list[str]] = {}
    for k, v in factors.items():
        if v != policy:
            by_policy.setdefault(str(v), []).append(str(k))
    for pol, keys in by_policy.items():
        text += f"; except {' and '.join(keys)}: " + _POLICY_TEXT.get(pol, "policy " + pol).format(pen=pen)
    text += "; every score resting on an UNKNOWN is marked *"
    gate = unknown.get("gate")
    if gate == "conditional":
        text += "; a gate that cannot be checked keeps the site, flagged (never a pass)"
    elif gate == "exclude":
        text += "; a gate that cannot be checked excludes the site"
    return text


def _constraint_text(c: dict[str, Any]) -> str:
    kind, col = c.get("kind"), c.get("column")
    if kind == "min":
        return f"{col} ≥ {_num(c.get('limit'))}"
    if kind == "max":
        return f"{col} ≤ {_num(c.get('limit'))}"
    if kind == "on_land":
        return "the point is on land (always applied)"
    if kind == "excluded_countries":
        return "country not in " + ", ".join(map(str, c.get("values") or []))
    if kind == "required_countries":
        return "country in " + ", ".join(map(str, c.get("values") or []))
    return str(kind)


def profile_settings(profile: dict[str, Any] | None) -> dict[str, str]:
    """``{setting: text}`` in display order; every value is plain text (no JSON, no repr)."""
    p = profile if isinstance(profile, dict) else {}
    out: dict[str, str] = {}
    for k in ("name", "version", "description"):
        if p.get(k) is not None:
            out[k] = str(p[k])
    crits = [c for c in p.get("criteria") or [] if isinstance(c, dict)]
    total = sum(float(c.get("weight") or 0) for c in crits) or 1.0
    for c in crits:
        name = c.get("name", "?")
        w = float(c.get("weight") or 0)
        out[f"{name} weight"] = f"{_num(w)} ({100 * w / total:.0f} % of the score)"
        subs = [s for s in c.get("subs") or [] if isinstance(s, dict)]
        sw = sum(float(s.get("weight") or 0) for s in subs) or 1.0
        for s in subs:
            text = f"{_sub_text(s).removeprefix(str(s.get('column')) + ': ')}; " \
                   f"{100 * float(s.get('weight') or 0) / sw:.0f} % of {name}"
            fb = s.get("fallback")
            while isinstance(fb, dict):
                text += f"; when UNKNOWN, {_sub_text(fb)}"
                fb = fb.get("fallback")
            out[f"{name} · {s.get('column')}"] = text
    for c in p.get("constraints") or []:
        if isinstance(c, dict):
            out[f"gate {c.get('name')}"] = _constraint_text(c)
    if p.get("tolerance") is not None:
        out["gate tolerance"] = (f"within {100 * float(p['tolerance']):.0f} % of a limit a gate is CONDITIONAL "
                                 "(kept, flagged), beyond it FAIL (excluded)")
    out["unknown policy"] = unknown_policy_text(p.get("unknown"))
    if p.get("carbon_year") is not None:
        out["carbon year"] = f"{p['carbon_year']} (grid carbon intensity of that year; --carbon-year overrides)"
    fac = p.get("facility") if isinstance(p.get("facility"), dict) else {}
    units = {"it_load_mw": "MW"}
    for k, v in fac.items():
        out[f"facility {k}"] = f"{_num(v)} {units.get(k, '')}".rstrip()
    rob = p.get("robustness") if isinstance(p.get("robustness"), dict) else {}
    if rob.get("weight_concentration") is not None:
        out["robustness weight spread"] = f"Dirichlet concentration {_num(rob['weight_concentration'])} × weights"
    if rob.get("top_k") is not None:
        out["robustness top-k"] = f"P(top {rob['top_k']}) is reported"
    for k, v in (rob.get("sigma") or {}).items():
        out[f"robustness uncertainty {k}"] = f"±{100 * float(v):.0f} % (1σ, lognormal)"
    if p.get("sha256"):
        out["sha256"] = str(p["sha256"])
    return out
