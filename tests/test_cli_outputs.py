"""CLI outputs an analyst relies on (issue 16): `score` prints the top table, a bad region leaves no
run folder behind, report.html is world-readable like the other outputs."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _cli(*args: str, env_db: Path) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "GRIDSCOUT_DB": str(env_db)}
    return subprocess.run([sys.executable, "-m", "gridscout.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("region", ["XYZ", "US-ZZ", "bbox:1,2"])
def test_a_bad_region_is_refused_before_any_folder_is_made(first_slice_db, tmp_path, region):
    out = tmp_path / "screen_out"
    res = _cli("screen", "--region", region, "--resolution", "5", "--out", str(out), "--db", str(first_slice_db),
               env_db=first_slice_db)
    assert res.returncode != 0
    assert "region" in (res.stdout + res.stderr).lower() or "bbox" in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()
    if region == "XYZ":
        assert "ingest" not in (res.stdout + res.stderr)  # the boundaries are loaded: the code is wrong


def test_score_prints_the_top_table_and_report_is_0644(first_slice_db, tmp_path):
    out = tmp_path / "run"
    res = _cli("score", "--out", str(out), "--db", str(first_slice_db), "--mc-draws", "20", env_db=first_slice_db)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "top 10 sites" in res.stdout
    # a score resting on an UNKNOWN factor is marked as in the report, and only such a score
    import polars as pl

    top = pl.read_parquet(out / "scores.parquet").filter(~pl.col("excluded")).sort("rank").head(10)
    lines = res.stdout.splitlines()
    for r in top.iter_rows(named=True):
        line = next(ln for ln in lines if f" {r['site_name']} " in ln)
        assert (f" {r['score']:.1f} * " in line) == r["score_rests_on_unknown"], line
        assert (f" {r['score']:.1f} │" in line) != r["score_rests_on_unknown"], line
    # the generation column is the one the power criterion scores (distance-weighted, issue 13)
    assert "MW nearby" in res.stdout and "MW ≤50 km" not in res.stdout
    first = next(ln for ln in lines if f" {top['site_name'][0]} " in ln)
    assert f"{top['capacity_weighted_mw'][0]:,.0f} │" in first, first
    if top["score_rests_on_unknown"].any():
        assert "* the score rests on an UNKNOWN factor" in res.stdout
    # the temporary Prefect server's boilerplate is silenced unless --verbose (issue 16)
    assert "Starting temporary server" not in res.stderr and "docs.prefect.io" not in res.stderr
    assert "Beginning flow run" not in res.stderr
    from gridscout.report.render import render_report

    path = render_report(out)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE((out / "scores.parquet").stat().st_mode) == 0o644


def test_a_score_that_fails_leaves_no_run_folder(first_slice_db, tmp_path, monkeypatch):
    """A crash after the inputs were accepted (here: the scoring engine raising) leaves no empty
    run folder behind; the folder is created only when there are results to write (issue 16)."""
    import gridscout.scoring.engine as engine
    from gridscout.jobs.score import score_candidates

    def boom(*a, **k):
        raise RuntimeError("scoring crashed")

    monkeypatch.setattr(engine, "score_deterministic", boom)  # the job's score step (score_sites = it + add_robustness)
    out = tmp_path / "run"
    with pytest.raises(RuntimeError, match="scoring crashed"):
        score_candidates(None, "balanced", out, db=first_slice_db, mc_draws=10)
    assert not out.exists()
    # a bad --out is still refused before any work is done
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    from gridscout.errors import GridscoutError

    with pytest.raises(GridscoutError, match="not a gridscout run folder"):
        score_candidates(None, "balanced", foreign, db=first_slice_db, mc_draws=10)
