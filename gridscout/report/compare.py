"""Compare two runs: rank changes, score deltas, profile and source-vintage differences."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from gridscout.report.fields import fmt_number, is_missing, sort_key
from gridscout.report.profile_view import profile_settings
from gridscout.report.rundir import RunData


def _display(v: Any) -> str:
    if is_missing(v):
        return "UNKNOWN"
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v, default=str, ensure_ascii=False)
    return str(v)


def _pick(df: pl.DataFrame, suffix: str) -> pl.DataFrame:
    cols = [c for c in ("site_id", "site_name", "rank", "score", "excluded", "exclusion_reason") if c in df.columns]
    return df.select(cols).rename({c: f"{c}{suffix}" for c in cols if c != "site_id"})


def compare_runs(this: RunData, other: RunData) -> dict[str, Any]:
    """Everything the comparison section shows (this run vs ``other``); values never filled in."""
    a, b = _pick(this.scores, "_a"), _pick(other.scores, "_b")
    joined = a.join(b, on="site_id", how="full", coalesce=True)
    ids_a, ids_b = set(this.scores["site_id"].to_list()), set(other.scores["site_id"].to_list())
    rows = []
    for r in joined.to_dicts():
        ra, rb, sa, sb = r.get("rank_a"), r.get("rank_b"), r.get("score_a"), r.get("score_b")
        xa, xb = bool(r.get("excluded_a")), bool(r.get("excluded_b"))  # excluded: no rank, by a gate
        d_rank = None if is_missing(ra) or is_missing(rb) else int(rb) - int(ra)  # + = moved up in this run
        d_score = None if is_missing(sa) or is_missing(sb) else float(sa) - float(sb)
        in_a, in_b = r["site_id"] in ids_a, r["site_id"] in ids_b
        presence = "both" if in_a and in_b else "this run only" if in_a else "other run only"
        rows.append({
            "site_id": r["site_id"], "site_name": r.get("site_name_a") or r.get("site_name_b") or r["site_id"],
            "rank_a": "excluded" if xa else fmt_number(ra), "rank_b": "excluded" if xb else fmt_number(rb),
            "score_a": fmt_number(sa, 1), "score_b": fmt_number(sb, 1),
            "d_rank": "—" if (xa or xb) and d_rank is None else "UNKNOWN" if d_rank is None else f"{d_rank:+d}",
            "title": {"rank_a": str(r.get("exclusion_reason_a") or "") if xa else "",
                      "rank_b": str(r.get("exclusion_reason_b") or "") if xb else "",
                      "d_rank": "excluded in one run: no rank to compare" if (xa or xb) and d_rank is None else ""},
            "d_score": "UNKNOWN" if d_score is None else f"{d_score:+.1f}",
            "sort": {"rank_a": sort_key(ra), "rank_b": sort_key(rb), "d_rank": sort_key(d_rank),
                     "d_score": sort_key(d_score), "score_a": sort_key(sa), "score_b": sort_key(sb)},
            "presence": presence, "_order": (ra if not is_missing(ra) else 1e9, rb if not is_missing(rb) else 1e9),
        })
    rows.sort(key=lambda r: r.pop("_order"))
    pa, pb = profile_settings(this.run.get("profile")), profile_settings(other.run.get("profile"))
    keys = list(dict.fromkeys([*pa, *pb]))
    profile_diff = [{"key": k, "a": pa.get(k, "not set"), "b": pb.get(k, "not set")}
                    for k in keys if pa.get(k) != pb.get(k) and k != "sha256"]
    va = {s.get("source_id"): s.get("vintage") for s in this.run.get("sources") or [] if isinstance(s, dict)}
    vb = {s.get("source_id"): s.get("vintage") for s in other.run.get("sources") or [] if isinstance(s, dict)}
    source_diff = [{"key": str(k), "a": _display(va.get(k)), "b": _display(vb.get(k))}
                   for k in sorted(set(va) | set(vb), key=str) if va.get(k) != vb.get(k)]
    moved = [r for r in rows if r["d_rank"] not in ("UNKNOWN", "+0", "—")]
    return {
        "run_a": this.run_id, "run_b": other.run_id, "rows": rows, "profile_diff": profile_diff,
        "source_diff": source_diff, "n_moved": len(moved),
        "only_a": sum(r["presence"] == "this run only" for r in rows),
        "only_b": sum(r["presence"] == "other run only" for r in rows),
    }
