"""Build report run directories with the REAL scoring job on the real first-slice warehouse.

No scoring is computed here: :func:`gridscout.jobs.score.score_candidates` writes scores.parquet,
run.json, hourly/monthly/fuel-mix tables and boundaries exactly as ``gridscout score`` does. The
tests only add hostile user strings to the INPUTS (candidate names, a profile name) to prove the
report escapes them.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[2]
MARKETS = REPO / "data" / "candidates" / "markets.csv"
PROFILES = REPO / "data" / "profiles"

XSS_NAME = "<script>alert(1)</script>"
XSS_NAME_2 = "</script><script>alert(1)</script>"
#: a hostile name on a point in the open Atlantic: the engine excludes it (on_land gate FAIL)
XSS_REASON = "<img src=x onerror=alert(2)>"
XSS_PROFILE = "balanced </script><script>alert(3)</script>"
#: the real markets plus three hostile names at real coordinates (Chicago, Tokyo, mid-Atlantic)
N_SITES = 72 + 3


def hostile_candidates(path: Path) -> Path:
    """The 72 markets plus hostile site names (written to ``path``)."""
    sites = pl.read_csv(MARKETS)
    extra = pl.DataFrame({"site_id": ["xss-chicago", "xss-tokyo", "xss-atlantic"],
                          "name": [XSS_NAME, XSS_NAME_2, XSS_REASON],
                          "latitude": [41.88, 35.68, 0.0], "longitude": [-87.63, 139.69, -30.0]})
    pl.concat([sites, extra], how="diagonal_relaxed").write_csv(path)
    return path


def hostile_profile(path: Path, base: str = "balanced", name: str = XSS_PROFILE) -> Path:
    """A copy of a shipped profile whose name is a hostile string (TOML-escaped)."""
    text = (PROFILES / f"{base}.toml").read_text(encoding="utf-8")
    lines = [f'name = "{name}"' if ln.startswith("name = ") else ln for ln in text.splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_run_dir(out: Path, db: Path, candidates: Path, profile: str | Path, *, seed: int = 0,
                  mc_draws: int = 200) -> Path:
    """Run the scoring job (as ``gridscout score`` does) and return its run directory."""
    from gridscout.jobs.score import score_candidates

    return score_candidates(candidates, profile, out, db=db, mc_draws=mc_draws, seed=seed).run_dir
