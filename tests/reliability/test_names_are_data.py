"""Issue 19 (5) and (6): every ASCII control character in a name is refused at validation with its
row and column (before any renderer sees it), and CSV outputs neutralise formula prefixes (OWASP
"CSV Injection": a cell starting ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a ``'``)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from gridscout.candidates import load_candidates
from gridscout.errors import CandidateError

CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f"]
FORMULAS = ["=HYPERLINK(\"http://x.test\",\"a\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\tTab", "\rCR"]


def test_every_control_character_in_a_name_is_refused_with_row_and_column(tmp_path):
    # an interior control character (at the ends, blanks and tabs are trimmed like any padding);
    # in batches of 11, as a message lists at most 20 problems
    for start in range(0, len(CONTROLS), 11):
        batch = CONTROLS[start:start + 11]
        names = ["Good site"] + [f"Site{c}X" for c in batch]
        p = tmp_path / f"c{start}.parquet"  # Parquet carries every byte, NUL and CR/LF included
        pl.DataFrame({"name": names, "latitude": [53.3] * len(names), "longitude": [-6.2] * len(names)}).write_parquet(p)
        with pytest.raises(CandidateError) as err:
            load_candidates(p)
        msg = str(err.value)
        assert f"{len(batch)} problem(s)" in msg, msg
        for i, c in enumerate(batch):
            assert f"row {i + 3}, column 'name': control character U+{ord(c):04X} at position 5" in msg, (c, msg)


def test_nul_and_esc_in_csv_and_geojson_are_refused(tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_bytes(b"name,latitude,longitude,site_id\nOK,53.3,-6.2,ok\nEvil\x1b[31m,53.3,-6.2,e\nA,1,2,nul\x00id\n")
    with pytest.raises(CandidateError) as err:
        load_candidates(csv)
    assert "row 3, column 'name': control character U+001B" in str(err.value)
    assert "row 4, column 'site_id': control character U+0000" in str(err.value)
    gj = tmp_path / "c.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "a\u0000b"}, "geometry": {"type": "Point", "coordinates": [8.7, 50.1]}}]}))
    with pytest.raises(CandidateError, match="row 2, column 'name': control character U\\+0000"):
        load_candidates(gj)


def test_printable_unicode_names_still_pass(tmp_path):
    p = tmp_path / "ok.csv"
    p.write_text("name,latitude,longitude\nLuleå — Norrbotten,65.58,22.15\n東京,35.68,139.69\n", encoding="utf-8")
    assert load_candidates(p).sites["site_name"].to_list() == ["Luleå — Norrbotten", "東京"]


def test_scores_csv_neutralises_formula_prefixes(tmp_path):
    from gridscout.report.outputs import SCORES_CSV, write_gis_outputs

    run = tmp_path / "run"
    run.mkdir()
    n = len(FORMULAS)
    pl.DataFrame({"site_id": [f"s{i}" for i in range(n)], "site_name": FORMULAS, "latitude": [50.1] * n,
                  "longitude": [8.7] * n, "score": [-1.5] * n}).write_parquet(run / "scores.parquet")
    (run / "run.json").write_text(json.dumps({"run_id": "r"}))
    write_gis_outputs(run)
    back = pl.read_csv(run / SCORES_CSV, infer_schema=False)
    assert back["site_name"].to_list() == ["'" + f for f in FORMULAS]
    assert back["score"].to_list() == ["-1.5"] * n  # numbers are numbers, not text to neutralise
    assert back["site_id"].to_list() == [f"s{i}" for i in range(n)]
    # the Parquet outputs keep the names exactly
    assert pl.read_parquet(run / "sites.geoparquet", columns=["site_name"])["site_name"].to_list() == FORMULAS
