"""The issue-19 rounds of ``benchmarks/fault_injection.py``: hostile inputs the first battery did not
try, each classified as refused clearly / warned / silently accepted / traceback, with rows lost.

The cases are the tests' own (``tests/reliability/test_*``): the benchmark runs them all as one
battery on the real data, a real local HTTP server and real files."""

from __future__ import annotations

import io
import json
import shutil
import traceback
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from tests.reliability import faults


@dataclass
class Outcome:
    case: str
    kind: str  # refused clearly | warned | silently accepted | tracebacks
    lost: int = 0
    detail: str = ""


def _try(case: str, fn, *, expect: str, warn: bool = False) -> Outcome:
    """Run ``fn``; a :class:`GridscoutError` containing ``expect`` is "refused clearly" (or "warned"
    when ``fn`` returns a string containing ``expect`` and ``warn``); anything else is a finding."""
    from gridscout.errors import GridscoutError

    try:
        got = fn()
    except GridscoutError as exc:
        ok = expect in str(exc)
        return Outcome(case, "refused clearly" if ok else "silently accepted", detail=str(exc))
    except Exception:  # noqa: BLE001 - a traceback is what this battery counts
        return Outcome(case, "tracebacks", detail=traceback.format_exc()[-300:])
    if warn and isinstance(got, str) and expect in got:
        return Outcome(case, "warned", detail=got)
    return Outcome(case, "silently accepted", detail=repr(got)[:200])


def secrets() -> list[Outcome]:
    from gridscout.sources.eia_api import fetch_retail_sales
    from tests.httpserver import ScriptedServer

    out = []
    key = faults.SECRET_EIA
    route = "/v2/electricity/retail-sales/data/"
    echo = lambda req: (200, {"Content-Type": "text/plain"}, ("echo " + repr(req.headers)).encode())  # noqa: E731
    for case, script in {
        "redirect to another origin": [(302, {"Location": "http://localhost:{port}/stolen"}, b"")],
        "redirect to another port": None,
        "200 echoing the key, not JSON": [(200, {}, ("x" * 190 + f" key {key}").encode())],
        "403 echoing the key": [(403, {}, json.dumps({"error": f"bad key {key}"}).encode())],
    }.items():
        with ScriptedServer() as srv, ScriptedServer() as other:
            other.add("/stolen", echo)
            srv.add("/stolen", echo)
            if script is None:
                srv.add(route, (302, {"Location": other.url("/stolen")}, b""))
            else:
                srv.add(route, *[(st, {k: v.format(port=srv.port) for k, v in h.items()}, b) for st, h, b in script])
            o = _try(case, lambda: fetch_retail_sales(key, base_url=srv.url("/v2"), retry_delays=(0.01,)), expect="")
            leaked = any(key in repr(r.headers) for r in srv.requests + other.requests if r.path == "/stolen")
            if leaked or key in o.detail or key[:8] in o.detail:
                o = Outcome(case, "silently accepted", detail="the key left: " + o.detail[:150])
            out.append(o)
    return out


def run_folders(tmp: Path, db: Path, cands: Path) -> list[Outcome]:
    from gridscout.jobs.score import score_candidates
    from gridscout.safe_write import IN_PROGRESS

    out = []
    for name in ("scores.parquet.part", "run.json.part", "scores.csv", "sites.geoparquet", "run.json"):
        victim = tmp / f"victim-{name}"
        victim.write_bytes(b"precious")
        run = tmp / f"run-{name}"
        run.mkdir()
        (run / IN_PROGRESS).touch()
        (run / name).symlink_to(victim)
        o = _try(f"planted link {name}", lambda: score_candidates(cands, "balanced", run, db=db, mc_draws=10),
                 expect="symbolic link")
        if victim.read_bytes() != b"precious":
            o = Outcome(o.case, "silently accepted", detail="the link was written through")
        out.append(o)
    return out


def names(tmp: Path) -> list[Outcome]:
    from gridscout.candidates import load_candidates
    from gridscout.report.outputs import SCORES_CSV, write_gis_outputs
    from tests.reliability.test_names_are_data import CONTROLS, FORMULAS

    out = []
    for c in CONTROLS:
        p = tmp / f"ctl{ord(c)}.parquet"
        pl.DataFrame({"name": [f"Site{c}X"], "latitude": [53.3], "longitude": [-6.2]}).write_parquet(p)
        out.append(_try(f"U+{ord(c):04X} in a name", lambda: load_candidates(p),
                        expect=f"row 2, column 'name': control character U+{ord(c):04X}"))
    run = tmp / "formulas"
    run.mkdir()
    pl.DataFrame({"site_id": [f"s{i}" for i in range(len(FORMULAS))], "site_name": FORMULAS,
                  "latitude": [50.1] * len(FORMULAS), "longitude": [8.7] * len(FORMULAS)}).write_parquet(
        run / "scores.parquet")
    (run / "run.json").write_text(json.dumps({"run_id": "f"}))
    write_gis_outputs(run)
    back = pl.read_csv(run / SCORES_CSV, infer_schema=False)["site_name"].to_list()
    for f, b in zip(FORMULAS, back, strict=True):
        out.append(Outcome(f"formula {f[:12]!r} in scores.csv", "warned" if b == "'" + f else "silently accepted",
                           detail=f"written as {b!r} (neutralised)"))
    return out


def cli_paths(tmp: Path) -> list[Outcome]:
    import importlib
    import os

    from typer.testing import CliRunner

    from gridscout.cli import app
    from tests.reliability.test_cli_bad_paths import CASES, FLOWS

    d = tmp / "bad"
    d.mkdir()
    (d / "file.txt").write_text("x")
    (d / "dir").mkdir()
    os.mkfifo(d / "fifo")
    root = os.geteuid() == 0
    bad = {"missing": d / "nope" / "m.csv", "directory": d / "dir", "fifo": d / "fifo", "a_file": d / "file.txt",
           "unreadable": Path("/proc/self/mem") if root else d / "u.csv", "under_a_file": d / "file.txt" / "x.csv",
           "read_only": Path("/sys/kernel/gs-out") if root else d / "ro" / "out"}
    if not root:
        bad["unreadable"].write_text("x")
        bad["unreadable"].chmod(0)
        (d / "ro").mkdir()
        (d / "ro").chmod(0o555)
    run = tmp / "good_run"
    run.mkdir()
    pl.DataFrame({"site_id": ["a"], "site_name": ["A"], "latitude": [50.1], "longitude": [8.7]}).write_parquet(
        run / "scores.parquet")
    (run / "run.json").write_text(json.dumps({"run_id": "r"}))
    saved = {m: getattr(importlib.import_module(m), n) for m, n in FLOWS.items()}

    def no_flow(*a, **k):
        raise AssertionError("a flow started before the path was refused")

    os.environ["GRIDSCOUT_DB"] = str(tmp / "absent.duckdb")
    out = []
    try:
        for m, n in FLOWS.items():
            setattr(importlib.import_module(m), n, no_flow)
        for command, option, kind in CASES:
            value = str(bad[kind])
            args = (["report", value] if option is None else ["report", str(run), option, value]) \
                if command == "report" else (["screen", "--region", "US-VA", option, value] if command == "screen"
                                             else [command, option, value])
            res = CliRunner().invoke(app, args)
            lines = [ln for ln in res.output.splitlines() if ln.strip()]
            case = f"{command} {option or 'RUN_DIR'} {kind}"
            if "Traceback" in res.output or (res.exception and not isinstance(res.exception, SystemExit)):
                out.append(Outcome(case, "tracebacks", detail=repr(res.exception)))
            elif res.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error:"):
                out.append(Outcome(case, "refused clearly", detail=lines[0]))
            else:
                out.append(Outcome(case, "silently accepted", detail=f"exit {res.exit_code}: {res.output[:150]}"))
    finally:
        for m, n in FLOWS.items():
            setattr(importlib.import_module(m), n, saved[m])
        os.environ.pop("GRIDSCOUT_DB", None)
    return out


def loads(tmp: Path, raw: Path) -> list[Outcome]:
    from gridscout.jobs.ingest import ingest_source

    gppd_name, carbon_name = "gppd_v1.2_reduced_global_power_plant_database.csv", faults.CARBON_FILE
    r, db = tmp / "raw", tmp / "wh.duckdb"
    for sid, name in (("carbon_yearly", carbon_name), ("gppd", gppd_name)):
        (r / sid).mkdir(parents=True)
        shutil.copyfile(raw / sid / name, r / sid / name)
        ingest_source(sid, db=db, raw=r)
    gppd, carbon = (r / "gppd" / gppd_name).read_bytes(), (r / "carbon_yearly" / carbon_name).read_bytes()
    g = pl.read_csv(io.BytesIO(gppd), infer_schema=False)
    c = pl.read_csv(io.BytesIO(carbon), infer_schema=False)
    cut = carbon[: carbon.index(b"\n", len(carbon) // 2) - 5]
    spoiled = {
        "carbon cut mid-row": ("carbon_yearly", carbon_name, cut, "the last line is cut"),
        "carbon half the zones": ("carbon_yearly", carbon_name, c.filter(pl.col("zone_key").is_in(
            c["zone_key"].unique().sort().gather_every(2).to_list())).write_csv().encode(), "outside ±20%"),
        "carbon with a 2099 row": ("carbon_yearly", carbon_name, pl.concat(
            [c, c.head(1).with_columns(pl.lit("2099").alias("year"))]).write_csv().encode(), "years after"),
        "gppd cut to half its rows": ("gppd", gppd_name, b"".join(gppd.splitlines(keepends=True)[:14_956]),
                                      "--accept-shrink"),
        "gppd in GW": ("gppd", gppd_name, g.with_columns((pl.col("capacity_mw").cast(pl.Float64) / 1000)
                                                         .alias("capacity_mw")).write_csv().encode(), "unit anchor"),
        "gppd plant of 26,000 MW": ("gppd", gppd_name, g.with_columns(
            pl.when(pl.col("gppd_idnr") == "WRI1000452").then(pl.lit("26000")).otherwise(pl.col("capacity_mw"))
            .alias("capacity_mw")).write_csv().encode(), "capacity_mw"),
    }
    out = []
    for case, (sid, name, body, expect) in spoiled.items():
        before = faults.fingerprint(db)
        (r / sid / name).write_bytes(body)
        o = _try(case, lambda: ingest_source(sid, db=db, raw=r), expect=expect)
        after = faults.fingerprint(db)
        o.lost = faults.rows_lost(before, after)
        if after != before and o.kind == "refused clearly":
            o = Outcome(case, "silently accepted", o.lost, "refused but the warehouse changed")
        out.append(o)
        (r / sid / name).write_bytes(gppd if sid == "gppd" else carbon)
    return out


def contradictions(tmp: Path, db: Path) -> list[Outcome]:
    import tomllib

    from gridscout.candidates import load_candidates
    from gridscout.jobs.score import score_candidates
    from gridscout.scoring.profiles import parse_profile, profile_path

    out = []
    p = tmp / "dup.csv"
    p.write_text("name,Name ,latitude,longitude\nDublin,D,53.3498,-6.26031\n")
    out.append(_try("duplicate columns", lambda: load_candidates(p), expect="duplicate columns"))
    gj = tmp / "clash.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "F", "latitude": 8.68417, "longitude": 50.11552},
         "geometry": {"type": "Point", "coordinates": [8.68417, 50.11552]}}]}))
    out.append(_try("GeoJSON properties vs geometry", lambda: load_candidates(gj), expect="disagree"))
    cc = tmp / "country.csv"
    pl.DataFrame({"site_id": ["ie-dublin", "ug-kampala"], "name": ["Dublin", "Kampala"],
                  "latitude": [53.34980, 32.58219], "longitude": [-6.26031, 0.31628],
                  "country": ["FR", "UG"]}).write_csv(cc)

    def scored_notes() -> str:
        res = score_candidates(cc, "balanced", tmp / "cc_out", db=db, mc_draws=10)
        return " | ".join(n for n in res.manifest["candidates"]["notes"] if n.startswith("contradiction"))

    o = _try("country column vs coordinates (+ swapped)", scored_notes, expect="are they swapped?", warn=True)
    out.append(o)
    for case, edit in {"weight 1e308": lambda d: d["criteria"]["power"].update(weight=1e308),
                       "span that overflows": lambda d: d["criteria"]["power"]["sub"][0].update(zero=-1.7e308,
                                                                                              full=1.7e308)}.items():
        doc = tomllib.loads(profile_path("balanced").read_text())
        edit(doc)
        out.append(_try(f"profile {case}", lambda: parse_profile(doc, "x.toml"), expect="criteria.power"))
    return out


def run_all(tmp: Path, base: Path, raw: Path):
    """Every issue-19 section as (name, outcomes)."""
    import polars as pl

    from gridscout.config import DEFAULT_CANDIDATES

    root = tmp / "i19"
    root.mkdir()
    db = faults.copy_db(base, root / "wh.duckdb")
    cands = root / "c.csv"
    pl.read_csv(DEFAULT_CANDIDATES).head(6).write_csv(cands)
    yield "secrets (local server)", secrets()
    (root / "rf").mkdir()
    yield "planted links in --out", run_folders(root / "rf", db, cands)
    (root / "nm").mkdir()
    yield "control chars, formulas", names(root / "nm")
    (root / "cli").mkdir()
    yield "CLI bad paths", cli_paths(root / "cli")
    (root / "ld").mkdir()
    yield "spoiled loads", loads(root / "ld", raw)
    (root / "ct").mkdir()
    yield "contradictions", contradictions(root / "ct", db)
