"""Issue 19 (7): every CLI command given a bad path (missing, a directory, a FIFO, unreadable, under
a file, read-only) exits 2 with a one-line ``error:`` message and no traceback, and ``--out`` is
refused before any flow (and so any Prefect server) starts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = os.geteuid() == 0
FLOWS = {"flows.score": "score_flow", "flows.run": "run_flow", "flows.report": "report_flow",
         "flows.ingest": "ingest_flow", "flows.screen": "screen_flow"}


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> dict[str, Path]:
    """One path of each bad kind."""
    d = tmp_path_factory.mktemp("bad")
    (d / "file.txt").write_text("x")
    (d / "dir").mkdir()
    os.mkfifo(d / "fifo")
    if ROOT:  # root reads any file chmod forbids: /proc/self/mem is a regular file whose first byte cannot be read
        unreadable = Path("/proc/self/mem")
        read_only = Path("/sys/kernel/gridscout-out")  # sysfs: not even root creates a folder there
    else:
        unreadable = d / "unreadable.csv"
        unreadable.write_text("name,latitude,longitude\n")
        unreadable.chmod(0)
        (d / "ro").mkdir()
        (d / "ro").chmod(0o555)
        read_only = d / "ro" / "out"
    return {"missing": d / "nope" / "missing.csv", "directory": d / "dir", "fifo": d / "fifo",
            "unreadable": unreadable, "under_a_file": d / "file.txt" / "x.csv", "read_only": read_only,
            "a_file": d / "file.txt"}


INPUT_KINDS = ("missing", "directory", "fifo", "unreadable", "under_a_file")
OUT_KINDS = ("a_file", "fifo", "under_a_file", "read_only")
CASES = [
    *[("score", "--candidates", k) for k in INPUT_KINDS],
    *[("score", "--profile", k) for k in INPUT_KINDS],
    *[("score", "--out", k) for k in OUT_KINDS],
    *[("score", "--db", k) for k in INPUT_KINDS],
    *[("run", "--candidates", k) for k in INPUT_KINDS],
    *[("run", "--profile", k) for k in INPUT_KINDS],
    *[("run", "--out", k) for k in OUT_KINDS],
    *[("run", "--db", k) for k in ("directory", "fifo", "unreadable", "under_a_file")],
    *[("run", "--raw", k) for k in ("a_file", "fifo", "under_a_file")],
    *[("check", "--db", k) for k in INPUT_KINDS],
    *[("sources", "--db", k) for k in ("directory", "fifo", "unreadable", "under_a_file")],
    *[("sources", "--raw", k) for k in ("a_file", "fifo", "under_a_file")],
    *[("ingest", "--db", k) for k in ("directory", "fifo", "unreadable", "under_a_file")],
    *[("ingest", "--raw", k) for k in ("a_file", "fifo", "under_a_file")],
    *[("report", None, k) for k in ("missing", "a_file", "fifo", "under_a_file")],
    *[("report", "--compare-to", k) for k in ("missing", "a_file", "fifo")],
    *[("screen", "--out", k) for k in OUT_KINDS],
    *[("screen", "--profile", k) for k in INPUT_KINDS],
    *[("screen", "--db", k) for k in INPUT_KINDS],
]


@pytest.fixture
def no_flows(monkeypatch):
    """Any flow that starts fails the test: refusals must come before a flow (and its server)."""
    import importlib

    for mod, name in FLOWS.items():
        def started(*a, _n=name, **k):
            raise AssertionError(f"{_n} started")
        monkeypatch.setattr(importlib.import_module(mod), name, started)


@pytest.fixture
def good_run(tmp_path) -> Path:
    import json

    import polars as pl

    run = tmp_path / "good_run"
    run.mkdir()
    pl.DataFrame({"site_id": ["a"], "site_name": ["A"], "latitude": [50.1], "longitude": [8.7]}).write_parquet(
        run / "scores.parquet")
    (run / "run.json").write_text(json.dumps({"run_id": "r"}))
    return run


@pytest.mark.parametrize(("command", "option", "kind"), CASES, ids=[f"{c}-{o or 'RUN_DIR'}-{k}" for c, o, k in CASES])
def test_bad_path_is_one_line_exit_2(command, option, kind, bad, no_flows, good_run, tmp_path, monkeypatch):
    from gridscout.cli import app

    monkeypatch.setenv("GRIDSCOUT_DB", str(tmp_path / "absent.duckdb"))
    monkeypatch.setenv("GRIDSCOUT_OFFLINE", "1")
    value = str(bad[kind])
    if command == "report":
        args = ["report", value] if option is None else ["report", str(good_run), option, value]
    elif command == "screen":
        args = ["screen", "--region", "US-VA", option, value]
    else:
        args = [command, option, value]
    res = CliRunner().invoke(app, args)
    text = res.output  # stdout and stderr, as a terminal shows them
    assert res.exit_code == 2, (args, res.exit_code, text, res.exception)
    assert "Traceback" not in text and not isinstance(res.exception, AssertionError), text
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), lines
    assert Path(value).name in lines[0] or Path(value).parent.name in lines[0], lines[0]  # names the path


def test_out_refused_in_a_real_process_before_any_server(bad, tmp_path):
    """`gridscout run --out <under a file>` as a user runs it: one line on stderr, exit 2, quickly,
    and no Prefect server process left behind."""
    exe = Path(sys.executable).parent / "gridscout"
    env = {**os.environ, "GRIDSCOUT_OFFLINE": "1", "GRIDSCOUT_DB": str(tmp_path / "wh.duckdb")}
    env.pop("PREFECT_API_URL", None)
    p = subprocess.run([str(exe), "run", "--out", str(bad["under_a_file"])], capture_output=True, text=True,
                       timeout=120, env=env)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    assert [ln for ln in p.stderr.splitlines() if ln.strip()] == [
        f"error: --out {bad['under_a_file']} is under a file, not a folder ({bad['a_file']} is a file)"]
    assert "prefect" not in (p.stderr + p.stdout).lower()
    assert not (tmp_path / "wh.duckdb").exists()


def test_a_socket_as_candidates_is_named_as_such(tmp_path):
    from gridscout.candidates import load_candidates
    from gridscout.errors import CandidateError

    s = socket.socket(socket.AF_UNIX)
    path = tmp_path / "s.csv"
    s.bind(str(path))
    try:
        with pytest.raises(CandidateError, match="is a socket, not a file"):
            load_candidates(path)
    finally:
        s.close()


def test_geojson_with_nested_or_mixed_properties_is_a_message_or_a_note(tmp_path):
    import json

    from gridscout.candidates import load_candidates
    from gridscout.errors import CandidateError

    pt = {"type": "Point", "coordinates": [8.68417, 50.11552]}
    mixed = tmp_path / "mixed.geojson"
    mixed.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "A", "meta": {"a": 1}, "it_load_mw": 50}, "geometry": pt},
        {"type": "Feature", "properties": {"name": "B", "meta": [1, 2], "it_load_mw": "60"}, "geometry": pt}]}))
    c = load_candidates(mixed)
    assert c.sites["site_name"].to_list() == ["A", "B"] and c.sites["it_load_mw"].to_list() == [50.0, 60.0]
    assert any("nested properties ignored" in n and "'meta' (first in feature 1)" in n for n in c.notes)
    deep = tmp_path / "deep.geojson"
    deep.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "A", "x": '
                    + "[" * 100_000 + "]" * 100_000 + '}, "geometry": {"type": "Point", "coordinates": [8, 50]}}]}')
    with pytest.raises(CandidateError, match="nested too deeply"):
        load_candidates(deep)


def test_a_min_max_constraint_on_a_text_column_is_a_profile_error():
    import tomllib

    import polars as pl

    from gridscout.errors import ProfileError
    from gridscout.scoring.gates import evaluate_gates
    from gridscout.scoring.profiles import parse_profile, profile_path

    doc = tomllib.loads(profile_path("balanced").read_text())
    doc.setdefault("constraints", {})["min_country"] = 1
    prof = parse_profile(doc, "text_constraint.toml")
    with pytest.raises(ProfileError, match="min_country.*text, not a number"):
        evaluate_gates(pl.DataFrame({"country": ["DEU"], "on_land": [True]}), prof)
