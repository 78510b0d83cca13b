"""SIGKILL mid-ingest and mid-scoring (real processes, several kill times, no hooks in gridscout):
afterwards the warehouse opens, passes its data checks, holds either the old or the new complete
load (never part of one), and a re-run completes — into the same ``--out`` too."""

from __future__ import annotations

from gridscout.runs import RUN_MARKER, safe_out_dir
from tests.reliability.faults import kill_during_ingest, kill_during_scoring


def test_sigkill_during_ingest_never_leaves_a_partial_load(wh, raw_dir):
    o = kill_during_ingest(wh, raw_dir)
    assert o.problems == []
    assert o.lost == 0 and o.rerun_ok
    assert set(o.detail["row_counts_seen"]) <= {20_000, 29_910}


def test_sigkill_during_scoring_then_rerun_into_same_out(wh, markets_small, tmp_path):
    o = kill_during_scoring(wh, markets_small, tmp_path / "run")
    assert o.problems == []
    assert o.lost == 0 and o.rerun_ok


def test_out_folder_of_a_killed_run_is_reused_but_foreign_folders_are_not(tmp_path):
    run = safe_out_dir(tmp_path / "run", "r1")
    assert (run / RUN_MARKER).exists()
    (run / "scores.parquet").write_bytes(b"PAR1")  # killed after the first output, before run.json
    assert safe_out_dir(tmp_path / "run", "r2") == run
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "scores.parquet").write_bytes(b"mine")
    import pytest

    from gridscout.errors import GridscoutError

    with pytest.raises(GridscoutError, match="not a gridscout run folder"):
        safe_out_dir(foreign, "r3")
