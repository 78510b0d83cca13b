"""Generator interconnection queues of the seven US ISOs/RTOs, one source per ISO, one table.

Each ISO publishes its queue in its own layout; each has its own pure parser here, and all of them
normalise to ``interconnection_queue`` (one row per queue position):

``iso, project_id, project_name, state, county, fuel, fuel_published, capacity_mw, status,
status_published, queue_date, withdrawn_date, in_service_date``.

``status`` is one of :data:`STATUSES` (the categories of LBNL's "Queued Up", Rand et al. 2024):
``active`` (still seeking interconnection, including under construction), ``suspended``,
``withdrawn`` and ``in_service`` (reached commercial operation). ``status_published`` keeps the
ISO's own words. ``fuel`` is canonical (:data:`gridscout.sources.common.CANONICAL_FUELS`; hybrids
take the first fuel named, as ISOs list the primary first). ``capacity_mw`` is the MW the request
adds to the grid (per ISO below). Only generation (and storage) requests are kept; transmission
and load requests are counted as rejections with their reason.

Header rows and sheets are found **by content**: every sheet of a workbook is scanned (first
:data:`HEADER_SCAN_ROWS` rows) for a row, or a two-row header, holding all of a parser's required
labels; a workbook where no sheet has them raises :class:`SourceFormatError` naming the file, the
missing labels and the closest sheet. Files are read with openpyxl in read-only streaming mode.

Per ISO (raw exports of January 2025, ``iso_queues/README.md``):

* **CAISO** ``CAISO Queue Report.xlsx``: active, completed and withdrawn sheets (``Application
  Status`` ACTIVE / COMPLETED / WITHDRAWN; an active row with a ``Suspension Status`` is
  suspended). MW = ``Net MWs to Grid``; in service = ``Actual On-line Date``.
* **ERCOT** ``GIS_Report_December2024.xlsx`` (GIM): large- and small-generator project sheets are
  the active queue, ``Inactive Projects`` (status INA) are suspended, ``Cancellation Update`` rows
  are withdrawn (cancel date). ERCOT lists a project until commercial operation and publishes no
  completed list beyond the month's ``Commissioning Update``, so **in service here means
  "approved for synchronisation"** (``Approved for Synchronization`` date present: the plant is
  connected and generating test energy) or commercial operation approved in the month. Queue date
  = ``Screening Study Started`` (large generators; ERCOT Planning Guide §5.2, the GINR starts with
  the screening-study request); small generators have none (null). A "1-1-1900" date means "not
  available" (the sheet's own note) and is read as null. Repowering projects are reported as a
  net MW change that may be zero or negative (sheet note); a negative net change is kept as null
  ``capacity_mw`` (a capacity is never negative). State = TX (ERCOT lies within Texas).
* **ISO-NE** ``QueueReport.xlsx`` (IRTT, "As of" date): generation requests (``Type`` G) only.
  ``W/ D Date`` → withdrawn; ``Project Status`` In Service → in service; Under Study / Under
  Construction / Partially In Service → active; Suspended → suspended. Rows with no status and no
  withdrawal date (old, completed requests and new ones alike) are in service when their ``Op
  Date`` is on or before the report date, else active (inferred; ``status_published`` stays null,
  and so does ``in_service_date``: a last-reported operation date of a request the ISO does not
  mark In Service is not a confirmed one, so those rows do not enter time-to-power medians).
  MW = ``Net MW`` (incremental), else ``Summer MW``. A position listed for several units or phases
  (old requests) gets ``-2``, ``-3`` … on its later listings, so each unit is a row.
* **MISO** ``GI Interactive Queue.csv``: ``Request Status`` Active / Withdrawn / Done; a Done
  project is in service when its ``Post GIA Status`` says In Service (date: ``Negotiated In Service
  Date``, the in-service date agreed in the GIA: MISO publishes no actual COD), withdrawn when it
  says Withdrawn, else active (built or under construction after its GIA). MISO's feed carries one
  placeholder row (``AA1234``, fruit words as status): rejected as an unknown status. MW = ``Summer MW``.
  MISO (like SPP) publishes no project name: ``project_name`` is null.
* **NYISO** ``NYISO-Interconnection-Queue.xlsx``: every sheet with the queue header (active,
  cluster, withdrawn, cluster-withdrawn, and ``In Service`` with its two-row header). Status from
  NYISO's ``S`` code (NYISO queue legend: 0 withdrawn, 1–13 study/agreement/construction steps,
  14 in service (commercial), 15 partially in service); a blank code takes its sheet's meaning.
  ``Type/ Fuel`` AC/DC (transmission) and L (load) are not generation: rejected. In-service date =
  ``Last Update`` of an in-service row (the update that recorded commercial operation, e.g. Athens
  Gen 2004-05, Bethlehem Energy Center 2005-07). MW = ``SP (MW)`` (summer).
* **PJM** ``PJM Queue.xlsx`` (``Data`` sheet, all 8,190 serial-queue positions of every status).
  It **supersedes** the older ``pjm_queue/`` exports (in-service serial projects and transition
  cycles, spring 2025): this one file has every status, with the withdrawn and in-service
  history the time-to-power median needs, so there is one PJM parser and one PJM source.
  Status: Active, Engineering and Procurement, Under Construction, Partially in Service → active;
  Suspended → suspended; In Service and Deactivated (in service, later retired) → in service;
  Withdrawn, Canceled → withdrawn. MW = ``MW Energy``.
* **SPP** ``GI_ActiveRequest.xlsx``: active and commercial requests (no withdrawn history).
  ``Status`` IA FULLY EXECUTED/COMMERCIAL OPERATION → in service (date ``Commercial Operation
  Date``), …/ON SUSPENSION → suspended, other stages → active; ``Date Withdrawn`` → withdrawn.
  MW = ``Capacity``; fuel = ``Generation Type``, or ``Fuel Type`` for thermal/hybrid.

Sources: the ISOs' public queue pages (URLs per spec), copied unmodified from GitHub
``selormdzakpasu/gen_interconnection_queues`` (commit 40114ad, 2025-02-17). Status categories:
J. Rand et al., *Queued Up: 2024 Edition*, LBNL, April 2024, "Data and Methods".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import openpyxl
import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, read_csv_checked

TABLE = "interconnection_queue"
FOLDER = "iso_queues"
HEADER_SCAN_ROWS = 60
STATUSES = ("active", "suspended", "withdrawn", "in_service")
SCHEMA = {
    "iso": pl.Utf8, "project_id": pl.Utf8, "project_name": pl.Utf8, "state": pl.Utf8, "county": pl.Utf8,
    "fuel": pl.Utf8, "fuel_published": pl.Utf8, "capacity_mw": pl.Float64, "status": pl.Utf8,
    "status_published": pl.Utf8, "queue_date": pl.Date, "withdrawn_date": pl.Date, "in_service_date": pl.Date,
}

#: Published fuel names and codes (lower case) → canonical fuel. ISO-NE and NYISO use EIA-860
#: energy-source codes (EIA-860 instructions, Table 28) or their own letters (NYISO queue legend).
FUEL_WORDS = {
    # solar
    "solar": "solar", "sun": "solar", "sol": "solar", "pv": "solar", "photovoltaic": "solar", "s": "solar",
    # wind
    "wind": "wind", "wnd": "wind", "win": "wind", "wt": "wind", "wind turbine": "wind", "offshore wind": "wind",
    "osw": "wind", "w": "wind",
    # storage
    "storage": "storage", "battery": "storage", "bat": "storage", "battery storage": "storage",
    "battery/storage": "storage", "es": "storage", "ba": "storage", "pumped-storage hydro": "storage",
    "pumped storage": "storage", "gravity via rail": "storage", "flywheel": "storage", "ps": "storage",
    # NYISO "CR": co-located resources; every CR row in the Jan 2025 file is a solar(-plus-storage) project
    "cr": "solar",
    # gas (incl. gas-fired technologies named in place of a fuel)
    "natural gas": "gas", "gas": "gas", "ng": "gas", "combined cycle": "gas", "cc": "gas", "ct": "gas",
    "ctg": "gas", "gas turbine": "gas", "combustion turbine": "gas", "reciprocating engine": "gas",
    "rice": "gas", "recip gas": "gas", "gt": "gas", "ic": "gas",
    # other fossil
    "coal": "coal", "bit": "coal", "sub": "coal", "lig": "coal", "coa": "coal",
    "oil": "oil", "dfo": "oil", "rfo": "oil", "ker": "oil", "kerosene": "oil", "jf": "oil", "diesel": "oil",
    "wo": "oil",
    "nuclear": "nuclear", "nuc": "nuclear", "nu": "nuclear",
    "hydro": "hydro", "water": "hydro", "wat": "hydro", "h": "hydro", "hyd": "hydro",
    "biomass": "biomass", "biofuel": "biomass", "wood": "biomass", "wds": "biomass", "blq": "biomass",
    "bio": "biomass", "obg": "biomass", "lfg": "biomass", "landfill gas": "biomass",
    "geothermal": "geothermal", "geo": "geothermal",
    "methane": "other", "msw": "other", "fc": "other", "fuel cell": "other", "waste heat recovery": "other",
    "other": "other", "oth": "other", "ot": "other", "hybrid": "other", "steam": "other", "steam turbine": "other",
}


def _norm(label: object) -> str:
    """A header label compared by content: lower case, whitespace collapsed, trailing '*' dropped."""
    return re.sub(r"\s+", " ", str(label)).strip().rstrip("*").strip().lower() if label is not None else ""


def canonical_fuel(published: str | None) -> str:
    """Canonical fuel of a published fuel text; hybrids ("Solar; Storage", "SUN BAT") take the first."""
    if published is None or not str(published).strip() or str(published).strip().upper() == "N/A":
        return "unknown"
    text = str(published).strip().lower()
    if text in FUEL_WORDS:
        return FUEL_WORDS[text]
    for part in (re.split(r"[;,/\\+&]", text)[0].strip(), text.split()[0]):
        if part in FUEL_WORDS:
            return FUEL_WORDS[part]
    return "other"


# --- cell values --------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _date(v: object) -> dt.date | None:
    """A date from a cell: datetime, Excel serial number, or text (m/d/Y, ISO 8601). 1900-01-01 → null."""
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        d = v.date()
    elif isinstance(v, dt.date):
        d = v
    elif isinstance(v, (int, float)):
        d = _EXCEL_EPOCH + dt.timedelta(days=int(v)) if 1 <= v < 200_000 else None
    else:
        s = str(v).strip()
        d = None
        for fmt, n in (("%m/%d/%Y", None), ("%Y-%m-%d", 10)):
            try:
                d = dt.datetime.strptime(s[:n] if n else s.split()[0], fmt).date()
                break
            except (ValueError, IndexError):
                continue
    return None if d is None or d <= dt.date(1900, 1, 1) else d


def _num(v: object) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).replace(",", "").strip())
    except ValueError:
        return None


def _txt(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = re.sub(r"\s+", " ", str(v)).strip()
    return s or None


# --- finding sheets and header rows by content ---------------------------------------------------

def _match_header(rows: list[tuple], required: tuple[str, ...]) -> tuple[int, int, dict[str, int]] | tuple[None, int, dict]:
    """(first data row, labels matched, label → column) of the best header within ``rows``."""
    want = {_norm(r) for r in required}
    best: tuple[int | None, int, dict[str, int]] = (None, -1, {})
    for i, row in enumerate(rows):
        for span in (1, 2):  # one header row, or a header split over two rows (NYISO "In Service")
            if i + span > len(rows):
                continue
            cols: dict[str, int] = {}
            width = max(len(r) for r in rows[i:i + span])
            for j in range(width):
                parts = [rows[k][j] if j < len(rows[k]) else None for k in range(i, i + span)]
                labels = {_norm(p) for p in parts if p is not None}
                if span == 2:
                    labels.add(_norm(" ".join(str(p) for p in parts if p is not None)))
                for lab in labels:
                    if lab:
                        cols.setdefault(lab, j)
            hit = len(want & set(cols))
            if hit > best[1]:
                best = (i + span if hit == len(want) else None, hit, cols)
            if hit == len(want):
                return best  # type: ignore[return-value]
    return best


def read_sheets(path: Path, required: tuple[str, ...], *, all_sheets: bool = True,
                extra_required: Mapping[str, tuple[str, ...]] | None = None) -> list[tuple[str, list[dict]]]:
    """Every sheet of ``path`` holding a header with all ``required`` labels, as (sheet title,
    records keyed by normalised label). Raises :class:`SourceFormatError` when no sheet has them."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    found: list[tuple[str, list[dict]]] = []
    closest: tuple[int, str, set[str]] = (-1, "", set())
    try:
        for ws in wb.worksheets:
            it = ws.iter_rows(values_only=True)
            head = []
            for row in it:
                head.append(tuple(row))
                if len(head) >= HEADER_SCAN_ROWS:
                    break
            start, hit, cols = _match_header(head, required)
            if start is None:
                if hit > closest[0]:
                    closest = (hit, ws.title, {_norm(r) for r in required} - set(cols))
                continue
            body = head[start:] + [tuple(r) for r in it]
            recs = []
            for row in body:
                if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
                    continue
                recs.append({lab: (row[j] if j < len(row) else None) for lab, j in cols.items()})
            found.append((ws.title, recs))
            if not all_sheets:
                break
    finally:
        wb.close()
    if not found:
        raise SourceFormatError(
            f"{path}: no sheet has the queue header {list(required)}; closest is sheet {closest[1]!r}, "
            f"missing {sorted(closest[2])}. The ISO may have changed its export format: check the file "
            "against iso_queues/README.md.")
    return found


def _find_text(path: Path, pattern: str, *, rows: int = 12) -> re.Match | None:
    """The first match of ``pattern`` in the text cells of the first ``rows`` rows of any sheet."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            for k, row in enumerate(ws.iter_rows(values_only=True)):
                if k >= rows:
                    break
                for c in row:
                    if isinstance(c, str) and (m := re.search(pattern, c, flags=re.I)):
                        return m
    finally:
        wb.close()
    return None


def _get(rec: Mapping, label: str, *alts: str):
    for lab in (label, *alts):
        v = rec.get(_norm(lab))
        if v is not None:
            return v
    return None


# --- the normalised table -----------------------------------------------------------------------

def _frame(iso: str, rows: list[dict], path: Path, rejections: list[Rejection]) -> pl.DataFrame:
    """Rows → the normalised frame: unknown statuses and missing ids rejected, duplicates (a
    position listed in two sheets) reduced to the last listed, ranges checked."""
    df = pl.DataFrame(rows, schema=SCHEMA, orient="row") if rows else pl.DataFrame(schema=SCHEMA)
    # a negative net MW is a reduction (repowering, derate): not a capacity, so unknown (null)
    df = df.with_columns(pl.lit(iso).alias("iso"),
                         pl.when(pl.col("capacity_mw") >= 0).then(pl.col("capacity_mw")).alias("capacity_mw"))
    no_id = df.filter(pl.col("project_id").is_null())
    if no_id.height:
        rejections.append(Rejection(TABLE, no_id.height, f"{iso}: no queue position / project id (notes, totals)"))
    df = df.filter(pl.col("project_id").is_not_null())
    bad = df.filter(~pl.col("status").is_in(STATUSES) | pl.col("status").is_null())
    if bad.height:
        vals = sorted({str(v) for v in bad["status_published"].to_list()})[:5]
        rejections.append(Rejection(TABLE, bad.height, f"{iso}: unrecognised status {vals}"))
    df = df.filter(pl.col("status").is_in(STATUSES))
    dupes = df.height - df.unique("project_id").height
    if dupes:
        rejections.append(Rejection(TABLE, dupes, f"{iso}: queue position listed twice (last listing kept)"))
        df = df.unique("project_id", keep="last", maintain_order=True)
    check_range(df, "capacity_mw", 0, 20_000, file=path)
    return df.select(list(SCHEMA))


def _row(project_id, name, state, county, fuel_published, mw, status, status_published, queue_date,
         withdrawn_date=None, in_service_date=None, *, fuel: str | None = None) -> dict:
    fp = _txt(fuel_published)
    return {"iso": None, "project_id": _txt(project_id), "project_name": _txt(name), "state": _txt(state),
            "county": _txt(county), "fuel": fuel or canonical_fuel(fp), "fuel_published": fp,
            "capacity_mw": mw, "status": status, "status_published": _txt(status_published),
            "queue_date": queue_date, "withdrawn_date": withdrawn_date, "in_service_date": in_service_date}


def _not_generation(rejections: list[Rejection], iso: str, n: int, what: str) -> None:
    if n:
        rejections.append(Rejection(TABLE, n, f"{iso}: {what} (not a generation request)"))


# --- per-ISO parsers ----------------------------------------------------------------------------

CAISO_FILE = "CAISO Queue Report.xlsx"
CAISO_REQUIRED = ("Queue Position", "Queue Date", "Application Status", "Net MWs to Grid", "Fuel-1", "County", "State")


def parse_caiso(files: Mapping[str, Path]) -> ParseResult:
    path = files[CAISO_FILE]
    rows, rej = [], []
    for _, recs in read_sheets(path, CAISO_REQUIRED):
        for r in recs:
            pub = _txt(_get(r, "Application Status"))
            status = {"ACTIVE": "active", "COMPLETED": "in_service", "WITHDRAWN": "withdrawn"}.get((pub or "").upper())
            if status == "active" and _txt(_get(r, "Suspension Status")) not in (None, "N/A", "None"):
                status = "suspended"
            rows.append(_row(_get(r, "Queue Position"), _get(r, "Project Name", "Project Name - Confidential"),
                             _get(r, "State"), _get(r, "County"), _get(r, "Fuel-1"), _num(_get(r, "Net MWs to Grid")),
                             status, pub, _date(_get(r, "Queue Date")), _date(_get(r, "Withdrawn Date")),
                             _date(_get(r, "Actual On-line Date")) if status == "in_service" else None))
    m = _find_text(path, r"Report Run Date:\s*(\d{1,2}/\d{1,2}/\d{4})", rows=3)
    vintage = _date(m.group(1)).isoformat() if m else None
    return ParseResult({TABLE: _frame("CAISO", rows, path, rej)}, vintage=vintage, rejections=rej)


ERCOT_FILE = "ERCOT GIS_Report_December2024.xlsx"
ERCOT_PROJECTS = ("INR", "Project Name", "County", "Projected COD", "Fuel", "Technology", "Capacity (MW)")
ERCOT_INACTIVE = ("INR", "Size Category", "Project Name", "Fuel", "County", "Inactive Date", "MW")
ERCOT_COMMISSIONING = ("Commissioning Category", "INR", "Project Name", "Fuel", "County", "Approval Date", "MW")
ERCOT_CANCELLED = ("INR", "Size Category", "Project Name", "Fuel", "County", "Cancel Date", "MW")


def _ercot_fuel(fuel, tech) -> str:
    f, t = (_txt(fuel) or "").upper(), (_txt(tech) or "").upper()
    return "storage" if f == "OTH" and t == "BA" else canonical_fuel(f)


def parse_ercot(files: Mapping[str, Path]) -> ParseResult:
    path = files[ERCOT_FILE]
    rej: list[Rejection] = []
    by_id: dict[str, dict] = {}
    for _, recs in read_sheets(path, ERCOT_PROJECTS):
        for r in recs:
            pid = _txt(_get(r, "INR"))
            if pid is None or not re.match(r"^\d{2}INR\d", pid):
                continue  # notes and multi-row header fragments below the header
            mw = _num(_get(r, "Capacity (MW)"))
            sync = _date(_get(r, "Approved for Synchronization"))
            status = "in_service" if sync else "active"
            fp = " ".join(x for x in (_txt(_get(r, "Fuel")), _txt(_get(r, "Technology"))) if x) or None
            by_id[pid] = _row(pid, _get(r, "Project Name"), "TX", _get(r, "County"), fp,
                              mw, status, _txt(_get(r, "GIM Study Phase")),
                              _date(_get(r, "Screening Study Started")), None, sync,
                              fuel=_ercot_fuel(_get(r, "Fuel"), _get(r, "Technology")))
    for _, recs in read_sheets(path, ERCOT_INACTIVE):
        for r in recs:
            pid = _txt(_get(r, "INR"))
            if pid and pid not in by_id:
                mw = _num(_get(r, "MW"))
                by_id[pid] = _row(pid, _get(r, "Project Name"), "TX", _get(r, "County"), _get(r, "Fuel"),
                                  mw, "suspended", "Inactive (INA)", None)
    for _, recs in read_sheets(path, ERCOT_COMMISSIONING):
        for r in recs:
            pid = _txt(_get(r, "INR"))
            cat = _txt(_get(r, "Commissioning Category")) or ""
            if pid and cat.lower().startswith("commercial operation"):
                base = by_id.get(pid) or _row(pid, _get(r, "Project Name"), "TX", _get(r, "County"), _get(r, "Fuel"),
                                              _num(_get(r, "MW")), None, None, None)
                by_id[pid] = {**base, "status": "in_service", "status_published": cat,
                              "in_service_date": base.get("in_service_date") or _date(_get(r, "Approval Date"))}
    for _, recs in read_sheets(path, ERCOT_CANCELLED):
        for r in recs:
            pid = _txt(_get(r, "INR"))
            if pid:
                base = by_id.get(pid) or _row(pid, _get(r, "Project Name"), "TX", _get(r, "County"), _get(r, "Fuel"),
                                              _num(_get(r, "MW")), None, None, None)
                by_id[pid] = {**base, "status": "withdrawn", "status_published": "Cancelled",
                              "withdrawn_date": _date(_get(r, "Cancel Date"))}
    m = _find_text(path, r"as of\s+([A-Z][a-z]{2})\w*\s+(\d{1,2}),\s+(\d{4})", rows=12)
    vintage = dt.datetime.strptime(" ".join(m.groups()), "%b %d %Y").date().isoformat() if m else None
    return ParseResult({TABLE: _frame("ERCOT", list(by_id.values()), path, rej)}, vintage=vintage, rejections=rej)


ISONE_FILE = "NEISO QueueReport.xlsx"
ISONE_REQUIRED = ("Position", "Type", "Requested", "Fuel Type", "Net MW", "Summer MW", "County", "State",
                  "Op Date", "W/ D Date", "Project Status")
ISONE_STATUS = {"in service": "in_service", "under study": "active", "under construction": "active",
                "partially in service": "active", "suspended": "suspended", "withdrawn": "withdrawn"}


def parse_isone(files: Mapping[str, Path]) -> ParseResult:
    path = files[ISONE_FILE]
    m = _find_text(path, r"As of:\s*(\d{1,2}/\d{1,2}/\d{4})", rows=3)
    asof = _date(m.group(1)) if m else None
    rows, rej, other, seen = [], [], 0, {}
    for _, recs in read_sheets(path, ISONE_REQUIRED):
        for r in recs:
            if (_txt(_get(r, "Type")) or "").upper() != "G":
                other += 1
                continue
            pos = _txt(_get(r, "Position"))
            seen[pos] = seen.get(pos, 0) + 1  # one position, several units/phases: 105, 105-2, ...
            pid = pos if seen[pos] == 1 or pos is None else f"{pos}-{seen[pos]}"
            pub = _txt(_get(r, "Project Status"))
            wd, op = _date(_get(r, "W/ D Date")), _date(_get(r, "Op Date"))
            if wd is not None:
                status = "withdrawn"
            elif pub is not None:
                status = ISONE_STATUS.get(pub.lower())
            else:  # no status, not withdrawn: completed when its operation date has passed
                status = "in_service" if (op is not None and asof is not None and op <= asof) else "active"
            net, summer = _num(_get(r, "Net MW")), _num(_get(r, "Summer MW"))
            rows.append(_row(pid, _get(r, "Alternative Name"), _get(r, "State"), _get(r, "County"),
                             _get(r, "Fuel Type"), net if net is not None else summer, status,
                             pub, _date(_get(r, "Requested")), wd, op if status == "in_service" and pub else None))
    _not_generation(rej, "ISO-NE", other, "Type ETU/TS: elective transmission upgrade or transmission service")
    return ParseResult({TABLE: _frame("ISO-NE", rows, path, rej)}, vintage=asof.isoformat() if asof else None,
                       rejections=rej)


MISO_FILE = "MISO GI Interactive Queue.csv"
MISO_REQUIRED = ("Project #", "Request Status", "Queue Date", "Withdrawn Date", "Done Date", "County", "State",
                 "Summer MW", "Fuel", "Post GIA Status", "Negotiated In Service Date")


def parse_miso(files: Mapping[str, Path]) -> ParseResult:
    path = files[MISO_FILE]
    df = read_csv_checked(path, required=MISO_REQUIRED, infer_schema=False)
    rows, rej = [], []
    for r in df.iter_rows(named=True):
        r = {_norm(k): (v if v not in ("",) else None) for k, v in r.items()}
        pub, post = _txt(_get(r, "Request Status")), (_txt(_get(r, "Post GIA Status")) or "").lower()
        status = {"active": "active", "withdrawn": "withdrawn"}.get((pub or "").lower())
        isd = None
        if (pub or "").lower() == "done":
            status = ("in_service" if post.startswith("in service") else "withdrawn" if post == "withdrawn"
                      else "active")
            if status == "in_service":
                isd = _date(_get(r, "Negotiated In Service Date", "Appl In Service Date"))
        rows.append(_row(_get(r, "Project #"), None, _get(r, "State"), _get(r, "County"),
                         _get(r, "Fuel"), _num(_get(r, "Summer MW")), status,
                         f"{pub}; {_txt(_get(r, 'Post GIA Status'))}" if post else pub,
                         _date(_get(r, "Queue Date")),
                         _date(_get(r, "Withdrawn Date")) if status == "withdrawn" else None, isd))
    return ParseResult({TABLE: _frame("MISO", rows, path, rej)}, vintage=None, rejections=rej)


NYISO_FILE = "NYISO-Interconnection-Queue.xlsx"
NYISO_REQUIRED = ("Queue Pos.", "Project Name", "Date of IR", "SP (MW)", "Type/ Fuel", "County", "State", "S")


def _nyiso_status(code, sheet: str) -> str | None:
    c = _num(code)
    if c is None:
        t = sheet.lower()
        return "withdrawn" if "withdrawn" in t else "in_service" if "in service" in t else "active"
    c = int(c)
    return "withdrawn" if c == 0 else "in_service" if c == 14 else "active" if 1 <= c <= 15 else None


def parse_nyiso(files: Mapping[str, Path]) -> ParseResult:
    path = files[NYISO_FILE]
    rows, rej, trans, load = [], [], 0, 0
    for sheet, recs in read_sheets(path, NYISO_REQUIRED):
        for r in recs:
            kind = (_txt(_get(r, "Type/ Fuel")) or "").upper()
            if kind in ("AC", "DC"):
                trans += 1
                continue
            if kind == "L":
                load += 1
                continue
            status = _nyiso_status(_get(r, "S"), sheet)
            upd = _date(_get(r, "Last Update", "Last Updated Date"))
            rows.append(_row(_get(r, "Queue Pos."), _get(r, "Project Name"), _get(r, "State"), _get(r, "County"),
                             kind or None, _num(_get(r, "SP (MW)")), status, _txt(_get(r, "S")) or sheet.strip(),
                             _date(_get(r, "Date of IR")), None, upd if status == "in_service" else None))
    _not_generation(rej, "NYISO", trans, "Type/Fuel AC/DC: transmission project")
    _not_generation(rej, "NYISO", load, "Type/Fuel L: load")
    return ParseResult({TABLE: _frame("NYISO", rows, path, rej)}, vintage=None, rejections=rej)


PJM_FILE = "PJM Queue.xlsx"
PJM_REQUIRED = ("Project ID", "Name", "State", "County", "Status", "MW Energy", "Fuel", "Submitted Date",
                "Project Type")
PJM_STATUS = {"active": "active", "engineering and procurement": "active", "under construction": "active",
              "partially in service - under construction": "active", "suspended": "suspended",
              "in service": "in_service", "deactivated": "in_service", "withdrawn": "withdrawn",
              "canceled": "withdrawn", "cancelled": "withdrawn"}


def parse_pjm(files: Mapping[str, Path]) -> ParseResult:
    path = files[PJM_FILE]
    rows, rej, other = [], [], 0
    for _, recs in read_sheets(path, PJM_REQUIRED, all_sheets=False):
        for r in recs:
            if (_txt(_get(r, "Project Type")) or "") != "Generation Interconnection":
                other += 1
                continue
            pub = _txt(_get(r, "Status"))
            status = PJM_STATUS.get((pub or "").lower())
            rows.append(_row(_get(r, "Project ID"), _get(r, "Name"), _get(r, "State"), _get(r, "County"),
                             _get(r, "Fuel"), _num(_get(r, "MW Energy")), status, pub,
                             _date(_get(r, "Submitted Date")), _date(_get(r, "Withdrawal Date", "Withdrawn Date")),
                             _date(_get(r, "Actual In Service Date", "Actual In-Service Date"))
                             if status == "in_service" else None))
    _not_generation(rej, "PJM", other, "Project Type other than Generation Interconnection")
    return ParseResult({TABLE: _frame("PJM", rows, path, rej)}, vintage=None, rejections=rej)


SPP_FILE = "SPP GI_ActiveRequest.xlsx"
SPP_REQUIRED = ("Generation Interconnection Number", "Nearest Town or County", "State", "Capacity",
                "Generation Type", "Fuel Type", "Request Received", "Status", "Commercial Operation Date",
                "Date Withdrawn")


def _spp_status(pub: str | None) -> str | None:
    p = (pub or "").upper()
    if not p or p == "NONE":
        return None
    if "COMMERCIAL OPERATION" in p:
        return "in_service"
    if "SUSPENSION" in p:
        return "suspended"
    if "WITHDRAWN" in p:
        return "withdrawn"
    return "active"


def parse_spp(files: Mapping[str, Path]) -> ParseResult:
    path = files[SPP_FILE]
    rows, rej = [], []
    for _, recs in read_sheets(path, SPP_REQUIRED):
        for r in recs:
            pub = _txt(_get(r, "Status"))
            wd = _date(_get(r, "Date Withdrawn"))
            status = "withdrawn" if wd else _spp_status(pub)
            gen = _txt(_get(r, "Generation Type"))
            fp = _txt(_get(r, "Fuel Type")) if (gen or "").lower() in ("thermal", "hybrid") else None
            rows.append(_row(_get(r, "Generation Interconnection Number"), None,  # SPP publishes no name
                             _get(r, "State"), _get(r, "Nearest Town or County"), fp or gen,
                             _num(_get(r, "Capacity")), status, pub, _date(_get(r, "Request Received")), wd,
                             _date(_get(r, "Commercial Operation Date", "In-Service Date"))
                             if status == "in_service" else None))
    m = _find_text(path, r"Last Updated On", rows=3)
    vintage = None
    if m:  # the date sits in the cell next to the label
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for row in wb.worksheets[0].iter_rows(values_only=True, max_row=3):
                if row and _norm(row[0]) == "last updated on" and _date(row[1]):
                    vintage = _date(row[1]).isoformat()
                    break
        finally:
            wb.close()
    return ParseResult({TABLE: _frame("SPP", rows, path, rej)}, vintage=vintage, rejections=rej)


# --- declarations -------------------------------------------------------------------------------

def _spec(iso: str, file: str, parse: Callable[[Mapping[str, Path]], ParseResult], homepage: str,
          vintage: str, notes: str) -> SourceSpec:
    return SourceSpec(
        id=f"iso_queue_{iso.lower().replace('-', '')}",
        title=f"{iso} generator interconnection queue",
        authority=iso if iso != "ISO-NE" else "ISO New England",
        licence=f"{iso} public web data ({iso} terms of use)",
        homepage=homepage, family="grid", vintage=vintage,
        files=(RawFile(file, url=None),), tables=(TABLE,), parse=parse, publication=Publication("monthly", "ISO interconnection queue reports are updated monthly or more often (each ISO's queue page)", lag_days=30), folder=FOLDER,
        notes=notes + " Offline copy: GitHub selormdzakpasu/gen_interconnection_queues, Queues/ (commit 40114ad).",
    )


SPECS = (
    _spec("CAISO", CAISO_FILE, parse_caiso, "https://www.caiso.com/library/recent-documents", "2025-01-23",
          "CAISO publishes the queue report as an xlsx behind its document library (no stable file URL)."),
    _spec("ERCOT", ERCOT_FILE, parse_ercot,
          "https://www.ercot.com/mp/data-products/data-product-details?id=PG7-200-ER", "2024-12-31",
          "ERCOT's monthly GIS report (GIM); the file name carries the month."),
    _spec("ISO-NE", ISONE_FILE, parse_isone, "https://irtt.iso-ne.com/reports/external", "2025-01-23",
          "ISO-NE IRTT external queue report (export from a web app)."),
    _spec("MISO", MISO_FILE, parse_miso,
          "https://www.misoenergy.org/planning/resource-utilization/GI_Queue/gi-interactive-queue/", "2025-01",
          "MISO GI interactive queue, CSV export (downloaded about 2025-01-23)."),
    _spec("NYISO", NYISO_FILE, parse_nyiso,
          "https://www.nyiso.com/documents/20142/1407078/NYISO-Interconnection-Queue.xlsx", "2025-01",
          "NYISO interconnection queue workbook (downloaded about 2025-01-23)."),
    _spec("PJM", PJM_FILE, parse_pjm, "https://www.pjm.com/planning/service-requests/serial-service-request-status",
          "2025-01", "PJM serial service request status export, all statuses (downloaded about 2025-01-23); "
          "supersedes the older pjm_queue/ exports."),
    _spec("SPP", SPP_FILE, parse_spp, "https://opsportal.spp.org/Studies/GIActive", "2025-01-22",
          "SPP GI active requests export (OPS portal)."),
)
#: source id → ISO name as written in the table
ISO_OF_SOURCE = {s.id: s.title.split(" generator")[0] for s in SPECS}
