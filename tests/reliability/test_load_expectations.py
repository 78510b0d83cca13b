"""Issue 19 (1) and (2): a bad raw file never replaces good data. Each load is checked before its
commit against the one declaration in ``sources/expectations.py`` (the data checks' ranges, unit
anchors, no future years, rows within ±20 % of the previous load); a refused load names the file,
the expectation and the numbers, and the previous load stays current. A vintage can be retired.

Real files: the shipped GPPD v1.2 extract and the Electricity Maps yearly zone file, altered the way
the adversary of issue 19 altered them (cut mid-row, cut to half, GW for MW, one 26,000 MW plant,
a 2099 row)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from gridscout.errors import GridscoutError, SourceFormatError
from gridscout.jobs.ingest import ingest_source, retire_vintage
from tests.reliability.faults import failing_checks, fingerprint

GPPD_FILE = "gppd_v1.2_reduced_global_power_plant_database.csv"
CARBON_FILE = "electricitymaps_yearly_zone_2021_2025.csv"


def _current(db: Path, source_id: str) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute("select vintage from current_vintages where source_id = ?",
                                          [source_id]).fetchall()]
    finally:
        con.close()


@pytest.fixture
def loaded(tmp_path, raw_dir):
    """A fresh warehouse with the real carbon_yearly and GPPD v1.2 loads, and a raw folder to spoil."""
    raw, db = tmp_path / "raw", tmp_path / "wh.duckdb"
    for sid, name in (("carbon_yearly", CARBON_FILE), ("gppd", GPPD_FILE)):
        (raw / sid).mkdir(parents=True)
        shutil.copyfile(raw_dir / sid / name, raw / sid / name)
        assert ingest_source(sid, db=db, raw=raw).status == "loaded"
    return {"raw": raw, "db": db, "carbon": (raw / "carbon_yearly" / CARBON_FILE).read_bytes(),
            "gppd": (raw / "gppd" / GPPD_FILE).read_bytes()}


def _spoil_and_ingest(loaded, sid: str, body: bytes, **kw):
    name = CARBON_FILE if sid == "carbon_yearly" else GPPD_FILE
    (loaded["raw"] / sid / name).write_bytes(body)
    before = fingerprint(loaded["db"])
    with pytest.raises(SourceFormatError) as err:
        ingest_source(sid, db=loaded["db"], raw=loaded["raw"], **kw)
    assert fingerprint(loaded["db"]) == before  # nothing replaced: the previous load stays current
    assert failing_checks(loaded["db"]) == {}  # and `gridscout check` still passes
    return str(err.value)


def _gppd(loaded) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(loaded["gppd"]), infer_schema=False)


def test_carbon_file_cut_mid_row_is_refused(loaded):
    body = loaded["carbon"]
    cut = body[: body.index(b"\n", len(body) // 2) - 5]  # mid-row: the last row loses its last fields
    msg = _spoil_and_ingest(loaded, "carbon_yearly", cut)
    assert CARBON_FILE in msg and "the last line is cut (5 of 6 fields" in msg, msg
    df = pl.read_csv(io.BytesIO(body), infer_schema=False)  # every other zone gone, all years still there
    half = df.filter(pl.col("zone_key").is_in(df["zone_key"].unique().sort().gather_every(2).to_list()))
    msg = _spoil_and_ingest(loaded, "carbon_yearly", half.write_csv().encode())
    assert "zone_carbon_yearly:" in msg and "rows against 1,7" in msg and "outside ±20%" in msg, msg
    assert _current(loaded["db"], "carbon_yearly") == ["2021-2025"]


def test_gppd_cut_to_half_its_rows_is_refused_unless_accepted(loaded):
    lines = loaded["gppd"].splitlines(keepends=True)
    half = b"".join(lines[: len(lines) // 2])
    msg = _spoil_and_ingest(loaded, "gppd", half)
    assert "power_plants: 14,95" in msg and "against 29,910" in msg and "-50%" in msg and "--accept-shrink" in msg
    rep = ingest_source("gppd", db=loaded["db"], raw=loaded["raw"], accept_shrink=True)  # the user says it is real
    assert rep.status == "loaded" and rep.rows == len(lines) // 2 - 1 and "accepted: --accept-shrink" in rep.message


def test_gppd_in_gw_instead_of_mw_is_refused_by_the_three_gorges_anchor(loaded):
    gw = _gppd(loaded).with_columns((pl.col("capacity_mw").cast(pl.Float64) / 1000).alias("capacity_mw"))
    msg = _spoil_and_ingest(loaded, "gppd", gw.write_csv().encode())
    assert "unit anchor power_plants.capacity_mw at plant_id=WRI1000452: 22.5, expected 20000-25000" in msg, msg


def test_a_plant_the_check_would_reject_is_refused_by_the_parser_with_the_same_bound(loaded):
    from gridscout.sources.expectations import bounds

    df = _gppd(loaded)
    bad = df.with_columns(pl.when(pl.col("gppd_idnr") == "WRI1000452").then(pl.lit("26000"))
                          .otherwise(pl.col("capacity_mw")).alias("capacity_mw"))
    msg = _spoil_and_ingest(loaded, "gppd", bad.write_csv().encode())
    assert "capacity_mw" in msg and "26000" in msg and GPPD_FILE in msg, msg
    assert bounds("power_plants", "capacity_mw") == (0, 25_000)


def test_a_value_only_a_data_check_rejects_is_refused_before_commit(loaded, tmp_path):
    """Rows that reach the load without the parser's bound (a parser that forgot it, a direct load)
    with the 26,000 MW plant of issue 19: the data check runs inside the load and refuses it,
    instead of committing it and blocking scoring afterwards."""
    from gridscout.sources import get
    from gridscout.sources.base import ParseResult
    from gridscout.sources.fetch import locate
    from gridscout.warehouse import open_warehouse
    from gridscout.warehouse.load import load

    (loaded["raw"] / "gppd" / GPPD_FILE).write_bytes(loaded["gppd"])
    spec = get("gppd")
    files = locate(spec, loaded["raw"], allow_download=False)
    full = spec.parse({f.name: f.path for f in files})
    plants = full.tables["power_plants"]
    big = plants.with_columns(pl.when(pl.col("plant_id") == "WRI1000452").then(26_000.0)
                              .otherwise(pl.col("capacity_mw")).alias("capacity_mw"))
    before = fingerprint(loaded["db"])
    with open_warehouse(loaded["db"]) as con, pytest.raises(
            SourceFormatError, match=r"data check plants_capacity: 1 row\(s\) fail, e.g. WRI1000452: capacity_mw 26000"):
        load(con, spec, files, ParseResult({"power_plants": big}, full.vintage, []), force=True)
    assert fingerprint(loaded["db"]) == before


def test_a_future_year_is_refused_and_never_names_the_vintage(loaded):
    df = pl.read_csv(io.BytesIO(loaded["carbon"]), infer_schema=False)
    future = pl.concat([df, df.head(1).with_columns(pl.lit("2099").alias("year"))])
    msg = _spoil_and_ingest(loaded, "carbon_yearly", future.write_csv().encode())
    assert "zone_carbon_yearly: 1 row(s) for years after" in msg and "up to 2099" in msg, msg
    assert _current(loaded["db"], "carbon_yearly") == ["2021-2025"]


def test_a_bad_vintage_can_be_retired(loaded):
    """An older release (2021-2024) and the current one (2021-2025); retiring the current one
    makes the older one current again; a vintage that was never loaded is a message."""
    df = pl.read_csv(io.BytesIO(loaded["carbon"]), infer_schema=False)
    older = df.filter(pl.col("year") != "2025").write_csv().encode()
    (loaded["raw"] / "carbon_yearly" / CARBON_FILE).write_bytes(older)
    assert ingest_source("carbon_yearly", db=loaded["db"], raw=loaded["raw"]).vintage == "2021-2024"
    assert _current(loaded["db"], "carbon_yearly") == ["2021-2025"]
    removed = retire_vintage("carbon_yearly", "2021-2025", db=loaded["db"])
    assert removed == {"zone_carbon_yearly": df.height}
    assert _current(loaded["db"], "carbon_yearly") == ["2021-2024"]
    assert failing_checks(loaded["db"]) == {}
    with pytest.raises(GridscoutError, match=r"no loaded vintage '2099'; loaded: \['2021-2024'\]"):
        retire_vintage("carbon_yearly", "2099", db=loaded["db"])
