"""Fault injection on demand: bad inputs, failing sources, SIGKILLs — against the real data, a real
local HTTP server and real processes, in temporary folders. Prints what was tried and how many rows
of previously good loads went missing; exits 1 if any row was lost or any case misbehaved.

    uv run python benchmarks/fault_injection.py

"rows lost": for each fault, the rows of the warehouse as it was after the last good load that
are missing (or changed) afterwards, where the fault was refused; a fault that legitimately loads
a new complete release (500 then success) loses nothing by definition, and its row count must
equal the new file's. Uses GRIDSCOUT_RAW_DIR (default ../shared/data).

Issue 19 adds: API keys against a redirecting and echoing server, planted symbolic links in a run
folder, every ASCII control character and the CSV formula prefixes, every CLI command with bad
paths, spoiled loads (cut, halved, GW for MW, a plant over the checks' bound, a future year) and
self-contradicting inputs. Totals: tried / refused clearly / warned (accepted and said so, or
neutralised) / silently accepted / rows lost / tracebacks.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="gs_fi_prefect_"))

from gridscout import prefect_env  # noqa: E402

prefect_env.apply()

from tests.reliability import faults  # noqa: E402

FIRST_SLICE = ("boundaries", "carbon_yearly", "eia_prices", "electricitymaps_zones", "gppd", "weather_stations",
               "weather_hourly")


def main() -> int:
    from gridscout.candidates import load_candidates
    from gridscout.errors import CandidateError, GridscoutError
    from gridscout.jobs.ingest import ingest_source
    from gridscout.scoring.profiles import load_profile

    raw = Path(os.environ.get("GRIDSCOUT_RAW_DIR") or REPO.parent / "shared" / "data").resolve()
    t0 = time.perf_counter()
    stats = {"bad_inputs": 0, "bad_inputs_refused_clearly": 0, "faults": 0, "runs_completed": 0, "rows_lost": 0}
    totals = {"tried": 0, "refused clearly": 0, "warned": 0, "silently accepted": 0, "rows lost": 0, "tracebacks": 0}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gs_fault_") as tmp_s:
        tmp = Path(tmp_s)
        base = tmp / "base.duckdb"
        for sid in FIRST_SLICE:
            ingest_source(sid, db=base, raw=raw)
        print(f"warehouse: first slice loaded from {raw} ({time.perf_counter() - t0:.0f} s)")

        # 1. bad candidate files: in-process + through the real CLI; warehouse must not change
        wh = faults.copy_db(base, tmp / "cands" / "wh.duckdb")
        before = faults.fingerprint(wh)
        for path, expected in faults.write_bad_candidates(tmp / "cands" / "files").items():
            stats["bad_inputs"] += 1
            try:
                load_candidates(path)
                failures.append(f"candidates {path.name}: accepted")
                continue
            except CandidateError as exc:
                ok = expected in str(exc)
            proc = faults.cli("score", "--candidates", str(path), "--db", str(wh), "--out", str(tmp / "cands" / "o"))
            if ok and proc.returncode == 2 and "Traceback" not in proc.stderr:
                stats["bad_inputs_refused_clearly"] += 1
            else:
                failures.append(f"candidates {path.name}: rc={proc.returncode} {proc.stderr[-300:]!r}")
        big = faults.write_big_candidates(tmp / "cands" / "big.csv", bad_row=999_999)
        stats["bad_inputs"] += 1
        t = time.perf_counter()
        try:
            load_candidates(big)
            failures.append("1,000,000-row file with a bad row: accepted")
        except CandidateError as exc:
            if "row 999999, column 'latitude'" in str(exc):
                stats["bad_inputs_refused_clearly"] += 1
            print(f"1,000,000-row candidate file validated in {time.perf_counter() - t:.1f} s")
        after = faults.fingerprint(wh)
        stats["rows_lost"] += faults.rows_lost(before, after)

        # 2. bad profiles
        from tests.reliability.test_bad_profiles import BAD_PROFILES, BALANCED

        for name, (edit, expected) in BAD_PROFILES.items():
            stats["bad_inputs"] += 1
            p = tmp / f"{name}.toml"
            p.write_text(edit(BALANCED), encoding="utf-8")
            try:
                load_profile(p)
                failures.append(f"profile {name}: accepted")
            except GridscoutError as exc:
                if expected in str(exc):
                    stats["bad_inputs_refused_clearly"] += 1
                else:
                    failures.append(f"profile {name}: unclear message {exc}")

        # 3. failing sources through a real local HTTP server
        good = (raw / "carbon_yearly" / faults.CARBON_FILE).read_bytes()
        for fault in faults.SOURCE_FAULTS:
            stats["faults"] += 1
            o = faults.source_fault_round(fault, tmp / "src" / fault, good)
            stats["rows_lost"] += o.lost
            expect_fail = fault != "http_500_then_ok"
            if o.failed != expect_fail or (expect_fail and not o.unchanged) or o.extra["checks"]:
                failures.append(f"source fault {fault}: {o}")
            elif not expect_fail and o.rows_after != o.loaded_rows_expected:
                failures.append(f"source fault {fault}: partial load {o.rows_after} != {o.loaded_rows_expected}")
            else:
                stats["runs_completed"] += 1  # the ingest round ended cleanly (refused or loaded whole)
            print(f"  source fault {fault:22s} -> {'refused' if o.failed else 'loaded'}: {o.message[:110]}")

        # 4. corrupted warehouse copy: checks must find it, scoring must refuse
        import duckdb

        from tests.reliability.test_data_checks import CORRUPTIONS

        for check, sql in CORRUPTIONS.items():
            stats["faults"] += 1
            c = faults.copy_db(base, tmp / "chk" / f"{check}.duckdb")
            con = duckdb.connect(str(c))
            con.execute(sql)
            con.close()
            if check not in faults.failing_checks(c):
                failures.append(f"data check {check} did not fire")

        # 5. SIGKILL mid-ingest and mid-scoring
        wh = faults.copy_db(base, tmp / "kill" / "wh.duckdb")
        o = faults.kill_during_ingest(wh, raw)
        stats["faults"] += o.kills
        stats["rows_lost"] += o.lost
        stats["runs_completed"] += int(o.rerun_ok)
        failures += [f"ingest kill: {p}" for p in o.problems] + ([] if o.rerun_ok else ["ingest re-run failed"])
        print(f"  SIGKILL x{o.kills} during gppd loads: row counts seen {o.detail['row_counts_seen']}")
        import polars as pl

        from gridscout.config import DEFAULT_CANDIDATES

        cands = tmp / "kill" / "c.csv"
        pl.read_csv(DEFAULT_CANDIDATES).head(8).write_csv(cands)
        o = faults.kill_during_scoring(wh, cands, tmp / "kill" / "run")
        stats["faults"] += o.kills
        stats["rows_lost"] += o.lost
        stats["runs_completed"] += int(o.rerun_ok)
        failures += [f"scoring kill: {p}" for p in o.problems] + ([] if o.rerun_ok else ["scoring re-run failed"])
        print(f"  SIGKILL x{o.kills} during scoring, then re-run into the same --out: {'ok' if o.rerun_ok else 'FAILED'}")

        # 6-11. issue 19: secrets, run folders, names, CLI paths, spoiled loads, contradictions
        from benchmarks import faults19

        for section, outcomes in faults19.run_all(tmp, base, raw):
            for o in outcomes:
                totals["tried"] += 1
                totals[o.kind] += 1
                totals["rows lost"] += o.lost
                if o.kind in ("silently accepted", "tracebacks"):
                    failures.append(f"{section} {o.case}: {o.kind}: {o.detail[:200]}")
            n_ok = sum(o.kind in ("refused clearly", "warned") for o in outcomes)
            print(f"  {section:28s} {n_ok}/{len(outcomes)} refused clearly or warned")
        stats["rows_lost"] += totals["rows lost"]

    print()
    print(f"bad inputs tried:     {stats['bad_inputs']} ({stats['bad_inputs_refused_clearly']} refused with a clear message)")
    print(f"faults injected:      {stats['faults']}")
    print(f"runs completed:       {stats['runs_completed']}")
    print(f"rows lost:            {stats['rows_lost']}")
    print("issue 19 round totals: " + " / ".join(f"{k} {v}" for k, v in totals.items()))
    print(f"problems:             {len(failures)}")
    for f in failures:
        print("  -", f)
    print(f"time:                 {time.perf_counter() - t0:.0f} s")
    return 1 if stats["rows_lost"] or failures else 0


if __name__ == "__main__":
    sys.exit(main())
