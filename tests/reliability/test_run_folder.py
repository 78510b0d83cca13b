"""Issue 19 (4) and the run-folder half of (5)/(7): writes never escape ``--out`` through planted
symbolic links, a run marks ``_IN_PROGRESS`` first and ``_SUCCESS`` last, the warehouse records
"completed" only after ``_SUCCESS``, and an older run's files are never listed as the new run's."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from gridscout.errors import GridscoutError
from gridscout.safe_write import IN_PROGRESS, SUCCESS, write_file

PLANTED = ("scores.parquet.part", "run.json.part", "scores.csv", "sites.geoparquet", "scores.parquet", "run.json")


def _runs(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select run_id, status from runs order by started_at").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("name", PLANTED)
def test_a_planted_link_in_out_is_refused_and_its_target_untouched(wh, markets_small, tmp_path, name):
    from gridscout.jobs.score import score_candidates

    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    out = tmp_path / "run"
    out.mkdir()
    (out / IN_PROGRESS).touch()  # a folder a killed run left (so it is accepted as a run folder)
    (out / name).symlink_to(victim)
    runs_before = _runs(wh)
    with pytest.raises(GridscoutError, match="symbolic link"):
        score_candidates(markets_small, "balanced", out, db=wh, mc_draws=10)
    assert victim.read_bytes() == b"precious"
    assert _runs(wh) == runs_before


def test_a_link_planted_before_the_report_is_refused(tmp_path):
    """`gridscout report` on a run folder where someone planted scores.csv → /elsewhere."""
    from gridscout.report.outputs import write_gis_outputs

    run = tmp_path / "run"
    run.mkdir()
    pl.DataFrame({"site_id": ["ie-dublin"], "site_name": ["Dublin"], "latitude": [53.34980],
                  "longitude": [-6.26031], "score": [71.0]}).write_parquet(run / "scores.parquet")
    (run / "run.json").write_text(json.dumps({"run_id": "r1"}))
    victim = tmp_path / "victim.csv"
    victim.write_text("mine")
    (run / "scores.csv").symlink_to(victim)
    with pytest.raises(GridscoutError, match="symbolic link"):
        write_gis_outputs(run)
    assert victim.read_text() == "mine" and (run / "scores.csv").is_symlink()


def test_writes_use_fresh_temp_files_and_never_open_a_planted_part_file(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    for stale in ("x.txt.part", ".x.txt.part"):
        (tmp_path / stale).symlink_to(victim)
    write_file(tmp_path, "x.txt", lambda fh: fh.write(b"new"))
    assert (tmp_path / "x.txt").read_bytes() == b"new" and not (tmp_path / "x.txt").is_symlink()
    assert victim.read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".x.txt.part", "victim", "x.txt", "x.txt.part"]


def test_in_progress_first_success_last_and_recorded_only_after(wh, markets_small, tmp_path):
    from gridscout.jobs.score import complete_run, score_candidates

    out = tmp_path / "run"
    before = _runs(wh)
    res = score_candidates(markets_small, "balanced", out, db=wh, mc_draws=10, complete=False)  # the report is next
    assert (out / IN_PROGRESS).exists() and not (out / SUCCESS).exists()
    assert _runs(wh) == before  # not "completed" while the report step is still to come
    assert complete_run(out, wh) is True
    assert (out / SUCCESS).exists() and not (out / IN_PROGRESS).exists()
    assert json.loads((out / SUCCESS).read_text())["run_id"] == res.run_id
    assert _runs(wh) == [*before, (res.run_id, "completed")]
    assert complete_run(out, wh) is False  # a second report of a finished run records nothing


def test_an_older_runs_stale_files_are_removed_not_listed(wh, markets_small, tmp_path):
    from gridscout.jobs.score import score_candidates

    out = tmp_path / "run"
    out.mkdir()
    for stale in ("surface.parquet", "zones.parquet", "screen.json", ".scores.parquet.abc.part", SUCCESS):
        (out / stale).write_bytes(b"old")
    (out / "run.json").write_text(json.dumps({"run_id": "old", "outputs": ["surface.parquet", "zones.parquet"]}))
    res = score_candidates(markets_small, "balanced", out, db=wh, mc_draws=10)
    listed = res.manifest["outputs"]
    for stale in ("surface.parquet", "zones.parquet", "screen.json"):
        assert stale not in listed and not (out / stale).exists()
    assert not (out / ".scores.parquet.abc.part").exists()
    assert json.loads((out / SUCCESS).read_text())["run_id"] == res.run_id
    assert pl.read_parquet(out / "scores.parquet").height == res.scores.height


def test_out_under_a_file_or_read_only_is_a_message(tmp_path):
    import os

    from gridscout.runs import safe_out_dir

    (tmp_path / "f").write_text("x")
    with pytest.raises(GridscoutError, match="is under a file"):
        safe_out_dir(tmp_path / "f" / "run", "r")
    if os.geteuid() == 0:  # root writes through chmod; sysfs is read-only even for root
        ro = Path("/sys/kernel")
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
    with pytest.raises(GridscoutError, match="is not writable"):
        safe_out_dir(ro / "run", "r")
    assert not (ro / "run").exists()


def test_a_second_run_without_out_is_accepted_beside_the_first(tmp_path, monkeypatch):
    """Without --out, a run makes reports/<run id>/: the reports folder holding earlier runs is not a
    'non-empty folder that is not a run folder' (the CLI's second `gridscout screen` was refused),
    while an explicit --out of such a folder still is."""
    from gridscout.runs import check_out_dir, safe_out_dir

    monkeypatch.setenv("GRIDSCOUT_REPORTS_DIR", str(tmp_path / "reports"))
    first = safe_out_dir(None, "20261206T000000Z-aaaaaa")
    (first / "run.json").write_text("{}")
    assert check_out_dir(None) == (tmp_path / "reports").resolve()
    assert safe_out_dir(None, "20261206T000001Z-bbbbbb").parent == first.parent
    with pytest.raises(GridscoutError, match="not a gridscout run folder"):
        check_out_dir(tmp_path / "reports")
