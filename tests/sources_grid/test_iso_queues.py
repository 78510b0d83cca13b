"""The seven ISO interconnection queues parsed from the real raw exports (iso_queues/, Jan 2025).

Row counts and spot values are read off the files themselves (and iso_queues/README.md); the
drift tests edit a copy of a real file and expect a clear SourceFormatError.
"""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import polars as pl
import pytest

from gridscout.errors import SourceFormatError
from gridscout.sources import iso_queues as q
from gridscout.sources import registry


def _row(df: pl.DataFrame, project_id: str) -> dict:
    rows = df.filter(pl.col("project_id") == project_id).to_dicts()
    assert len(rows) == 1, f"expected one row for {project_id}, got {len(rows)}"
    return rows[0]


@pytest.fixture(scope="module")
def parsed(raw_dir):
    """ISO → ParseResult, each spec parsing its own file."""
    out = {}
    for spec in q.SPECS:
        files = {f.name: raw_dir / spec.folder / f.name for f in spec.files}
        res = spec.parse(files)
        out[res.tables[q.TABLE]["iso"][0]] = res
    return out


def _t(parsed, iso) -> pl.DataFrame:
    return parsed[iso].tables[q.TABLE]


def test_seven_sources_one_per_iso_pjm_queue_superseded():
    ids = sorted(s.id for s in q.SPECS)
    assert ids == ["iso_queue_caiso", "iso_queue_ercot", "iso_queue_isone", "iso_queue_miso", "iso_queue_nyiso",
                   "iso_queue_pjm", "iso_queue_spp"]
    assert all(i in registry() for i in ids)
    # one PJM parser: the older pjm_queue/ exports are superseded by iso_queues/PJM Queue.xlsx
    assert "pjm_queue" not in registry()
    assert [s.id for s in registry().values() if q.TABLE in s.tables] == ids


def test_row_counts_and_statuses_per_iso(parsed):
    counts = {iso: dict(_t(parsed, iso).group_by("status").agg(pl.len()).iter_rows()) for iso in parsed}
    # CAISO: 398 + 221 + 1,667 sheet rows (README) less 7 legend/disclaimer rows with no queue position
    assert counts["CAISO"] == {"active": 392, "suspended": 1, "in_service": 220, "withdrawn": 1666}
    # PJM: 8,190 projects; README: Withdrawn 4,744, Active 1,746, In Service 1,172 (+ E&P 253, Under
    # Construction 59, Partially in Service 22 → active; Deactivated 59 → in service; Canceled 1 → withdrawn)
    assert counts["PJM"] == {"withdrawn": 4_744 + 1, "active": 1_746 + 253 + 59 + 22, "in_service": 1_172 + 59,
                             "suspended": 134}
    # MISO: README Active 1,920, Withdrawn 1,023, Done 330; the placeholder row AA1234 is rejected
    miso = counts["MISO"]
    assert sum(miso.values()) == 3_274 - 1 and miso["in_service"] == 71  # Done with Post GIA "In Service"
    assert any("MISO: unrecognised status" in r.reason and r.rows == 1 for r in parsed["MISO"].rejections)
    assert sum(counts["SPP"].values()) == 908 - 7  # 7 requests with status "None" rejected
    assert counts["SPP"]["in_service"] == 263  # IA FULLY EXECUTED/COMMERCIAL OPERATION
    assert sum(counts["ISO-NE"].values()) == 1_751 - 182  # generation only (ETU/TS rejected)
    assert counts["ISO-NE"]["withdrawn"] == 716
    assert _t(parsed, "NYISO").height == 1_840 and counts["NYISO"]["in_service"] == 110
    assert sum(r.rows for r in parsed["NYISO"].rejections if "AC/DC" in r.reason) == 234
    assert _t(parsed, "ERCOT").height == 1_898


def test_ercot_large_generator_sheet_matches_readme(raw_dir):
    """README: 'Project Details - Large Gen' has 1,697 projects, 341,474 MW, below a note block."""
    sheets = dict(q.read_sheets(raw_dir / "iso_queues" / q.ERCOT_FILE, q.ERCOT_PROJECTS))
    assert list(sheets) == ["Project Details - Large Gen", "Project Details - Small Gen"]
    large = [r for r in sheets["Project Details - Large Gen"] if r["inr"] and "INR" in str(r["inr"])]
    assert len(large) == 1_697
    assert sum(r["capacity (mw)"] or 0 for r in large) == pytest.approx(341_474, abs=1)


def test_spot_values(parsed):
    tule = _row(_t(parsed, "CAISO"), "32")
    assert (tule["project_name"], tule["county"], tule["state"], tule["fuel"], tule["capacity_mw"], tule["status"],
            tule["queue_date"]) == ("TULE WIND", "SAN DIEGO", "CA", "wind", 193.8, "active", dt.date(2004, 5, 24))
    otay = _row(_t(parsed, "CAISO"), "1A")
    assert (otay["status"], otay["capacity_mw"], otay["in_service_date"]) == ("in_service", 550.0, dt.date(2009, 10, 2))
    harald = _row(_t(parsed, "ERCOT"), "15INR0064b")  # approved for synchronisation 2020-05-12
    assert (harald["county"], harald["state"], harald["fuel"], harald["capacity_mw"], harald["status"],
            harald["queue_date"], harald["in_service_date"]) == \
        ("Glasscock", "TX", "wind", 162.1, "in_service", dt.date(2013, 11, 27), dt.date(2020, 5, 12))
    assert _row(_t(parsed, "ERCOT"), "16INR0044")["status"] == "suspended"  # Inactive Projects sheet
    assert _row(_t(parsed, "ERCOT"), "27INR0165")["withdrawn_date"] == dt.date(2024, 12, 5)  # cancelled
    j1000 = _row(_t(parsed, "MISO"), "J1000")
    assert (j1000["state"], j1000["county"], j1000["capacity_mw"], j1000["fuel"], j1000["status"],
            j1000["queue_date"], j1000["in_service_date"]) == \
        ("WI", "Grant County", 50.0, "solar", "in_service", dt.date(2018, 3, 12), dt.date(2023, 3, 27))
    assert _row(_t(parsed, "MISO"), "J1001")["withdrawn_date"] == dt.date(2021, 3, 9)
    bess = _row(_t(parsed, "ISO-NE"), "1601")
    assert (bess["county"], bess["state"], bess["fuel"], bess["capacity_mw"], bess["status"]) == \
        ("Essex", "MA", "storage", pytest.approx(4.99), "active")
    assert _row(_t(parsed, "ISO-NE"), "1380")["capacity_mw"] == 0.0  # capacity-rights-only request: Net MW 0
    assert _row(_t(parsed, "ISO-NE"), "105-2")["project_name"].startswith("Evergreen Wind Power")
    athens = _row(_t(parsed, "NYISO"), "0002")  # two-row header of the "In Service" sheet
    assert (athens["project_name"], athens["fuel"], athens["capacity_mw"], athens["status"],
            athens["queue_date"], athens["in_service_date"]) == \
        ("Athens Gen", "gas", 1080.0, "in_service", dt.date(1998, 4, 27), dt.date(2004, 5, 31))
    assert _row(_t(parsed, "NYISO"), "C24-001")["fuel"] == "wind"  # OSW, cluster sheet
    a01 = _row(_t(parsed, "PJM"), "A01")  # same project as in the superseded pjm_queue/ export
    assert (a01["project_name"], a01["state"], a01["county"], a01["capacity_mw"], a01["fuel"], a01["status"],
            a01["queue_date"], a01["in_service_date"]) == \
        ("South Lebanon 230 KV", "PA", "Lebanon", 720.0, "gas", "in_service", dt.date(1997, 4, 1), dt.date(2002, 4, 1))
    spp = _row(_t(parsed, "SPP"), "GEN-2024-SR9")
    assert (spp["county"], spp["state"], spp["fuel"], spp["capacity_mw"], spp["status"], spp["queue_date"]) == \
        ("Beaver County", "OK", "storage", 150.0, "active", dt.date(2024, 1, 26))


def test_vintages_from_the_files(parsed):
    assert parsed["CAISO"].vintage == "2025-01-23"   # "Report Run Date: 01/23/2025"
    assert parsed["ISO-NE"].vintage == "2025-01-23"  # "As of: 1/23/2025"
    assert parsed["SPP"].vintage == "2025-01-22"     # "Last Updated On 2025-01-22"
    assert parsed["ERCOT"].vintage == "2024-12-31"   # "as of  Dec 31, 2024"


def test_every_row_is_normalised(parsed):
    for iso, res in parsed.items():
        t = res.tables[q.TABLE]
        assert t.columns == list(q.SCHEMA)
        assert set(t["status"].unique()) <= set(q.STATUSES), iso
        assert t["project_id"].null_count() == 0 and not t["project_id"].is_duplicated().any(), iso
        assert (t["capacity_mw"].drop_nulls() >= 0).all(), iso
        assert t.filter(pl.col("status") != "in_service")["in_service_date"].null_count() == \
            t.filter(pl.col("status") != "in_service").height, iso
        assert t.filter(pl.col("fuel") == "unknown").height < 0.1 * t.height, iso


def test_active_mw_per_iso_is_plausible(parsed):
    """Active generation + storage MW per ISO. ERCOT's Summary sheet gives 'Total Capacity Under
    Study' 379,494 MW, which also counts confidential screening-stage requests the project sheets
    leave out (sheet note); the listed active projects must stay below it."""
    mw = {iso: _t(parsed, iso).filter(pl.col("status") == "active")["capacity_mw"].sum() for iso in parsed}
    assert 300_000 < mw["ERCOT"] < 379_494
    for iso in ("CAISO", "MISO", "PJM", "SPP", "NYISO", "ISO-NE"):
        assert 5_000 < mw[iso] < 400_000, (iso, mw[iso])


def test_renamed_header_is_a_clear_error(raw_dir, tmp_path):
    src = raw_dir / "iso_queues" / q.SPP_FILE
    bad = tmp_path / q.SPP_FILE
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    for cell in ws[2]:
        if cell.value == "Capacity":
            cell.value = "Capacity (kW)"
    wb.save(bad)
    with pytest.raises(SourceFormatError) as info:
        q.parse_spp({q.SPP_FILE: bad})
    msg = str(info.value)
    assert q.SPP_FILE in msg and "capacity" in msg and "SPP GI_ActiveRequest" in msg


def test_header_moved_down_is_still_found(raw_dir, tmp_path):
    src = raw_dir / "iso_queues" / q.SPP_FILE
    moved = tmp_path / q.SPP_FILE
    wb = openpyxl.load_workbook(src)
    wb.worksheets[0].insert_rows(1, amount=4)
    wb.save(moved)
    assert q.parse_spp({q.SPP_FILE: moved}).tables[q.TABLE].height == 901


def test_miso_csv_drift_is_a_clear_error(raw_dir, tmp_path):
    bad = tmp_path / q.MISO_FILE
    shutil.copy(raw_dir / "iso_queues" / q.MISO_FILE, bad)
    text = bad.read_text(encoding="utf-8").replace('"Summer MW"', '"Summer Capacity"', 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"Summer MW"):
        q.parse_miso({q.MISO_FILE: bad})


def test_fuel_words():
    assert [q.canonical_fuel(x) for x in ("Solar; Storage", "SUN BAT", "Battery/Storage", "DFO NG", "OSW",
                                          "Wind Turbine", "Natural Gas", None, "N/A", "Pumped-Storage hydro")] == \
        ["solar", "solar", "storage", "oil", "wind", "wind", "gas", "unknown", "unknown", "storage"]
