"""Eurostat nrg_pc_205: electricity prices for non-household consumers, bi-annual, by band and tax level.

What the offline file holds (``/work/shared/data/eurostat_prices/README.md``): one Eurostat Data
Browser "custom dataset" XLSX export, band **IC** (annual consumption 500 MWh to 1 999 MWh) only,
semesters 2007-S1 … 2024-S2, 43 reporting geos (EU27, euro area, 27 member states and 14 others),
in nine data sheets (three tax levels × EUR / PPS / national currency) each with a ``Flags N``
companion sheet.

Parsing is **by label, never by cell range**: in every sheet the header block (``Energy
consumption``, ``Unit of measure``, ``Taxes``, ``Currency`` …) is found by its row label in column
A, the period row by its label ``TIME`` and the geo rows below ``GEO (Labels)`` by their label.
Only EUR sheets load (one unit per column: ``price_eur_per_kwh``); PPS and national-currency sheets
are skipped. ``:`` is Eurostat's "not available" and becomes null (unknown, never 0). Tax levels
keep Eurostat's ``tax`` dimension codes (Eurostat metadata ``nrg_pc_205``):

* ``X_TAX`` "Excluding taxes and levies" — energy and supply plus network costs;
* ``X_VAT`` "Excluding VAT and other recoverable taxes and levies" — what a non-household consumer
  that recovers VAT actually bears (non-recoverable taxes and levies included);
* ``I_TAX`` "All taxes and levies included".

Geo labels map to ISO 3166-1 alpha-3 (pycountry); ``Kosovo*`` (no ISO code) keeps Eurostat's
``XK`` and the EU / euro-area aggregates keep ``EU27_2020`` / ``EA`` (``region_kind`` = aggregate).

Source: Eurostat, nrg_pc_205 (free re-use with attribution, Commission Decision 2011/833/EU),
https://ec.europa.eu/eurostat/databrowser/view/nrg_pc_205 .
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, SourceSpec, check_range

XLSX = "EUROSTAT_nrg_pc_205__custom_17738899_spreadsheet.xlsx"
DATASET = "nrg_pc_205"
#: Eurostat ``tax`` dimension: label → code
TAX_LEVELS = {
    "Excluding taxes and levies": "X_TAX",
    "Excluding VAT and other recoverable taxes and levies": "X_VAT",
    "All taxes and levies included": "I_TAX",
}
#: Eurostat ``nrg_cons`` bands for non-household consumers: code → (lowest, highest) annual consumption
#: as the band labels publish them [MWh] (IA "less than 20 MWh", IG "150 000 MWh or over": open ends)
BANDS_MWH = {"IA": (0, 20), "IB": (20, 499), "IC": (500, 1999), "ID": (2000, 19999), "IE": (20000, 69999),
             "IF": (70000, 149999), "IG": (150000, None)}
#: aggregates and geos without an ISO 3166 code: Eurostat label prefix → Eurostat geo code
AGGREGATES = {"European Union - 27 countries (from 2020)": "EU27_2020", "Euro area": "EA"}
NON_ISO = {"Kosovo*": "XK"}
HEADER_LABELS = ("Time frequency", "Products", "Energy consumption", "Unit of measure", "Taxes", "Currency")
NOT_AVAILABLE = ":"
PERIOD = re.compile(r"^(\d{4})-S([12])$")
BAND = re.compile(r"\bband ([A-Z]{2})\b")

COLUMNS = {
    "region_kind": pl.Utf8, "region_code": pl.Utf8, "region_name": pl.Utf8, "consumption_band": pl.Utf8,
    "band_min_mwh": pl.Float64, "band_max_mwh": pl.Float64, "tax_level": pl.Utf8, "tax_label": pl.Utf8,
    "period": pl.Utf8, "year": pl.Int32, "semester": pl.Int8, "price_eur_per_kwh": pl.Float64, "flag": pl.Utf8,
}


def _cell_text(v) -> str:
    return "" if v is None else str(v).strip()


def _read_sheet(ws) -> dict:
    """Header labels, period columns and geo rows of one sheet, found by their labels in column A."""
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    header: dict[str, str] = {}
    time_row = geo_start = None
    for i, r in enumerate(rows):
        label = _cell_text(r[0]) if r else ""
        if label in HEADER_LABELS:
            header[label] = next((_cell_text(v) for v in r[1:] if _cell_text(v)), "")
        elif label == "TIME":
            time_row = i
        elif label == "GEO (Labels)" and time_row is not None:
            geo_start = i + 1
            break
    if time_row is None:
        return {"header": header, "periods": {}, "geos": []}
    if geo_start is None:
        raise SourceFormatError(f"sheet {ws.title!r}: a 'TIME' row (row {time_row + 1}) but no 'GEO (Labels)' row "
                                "below it; the Eurostat export layout changed")
    periods = {j: _cell_text(v) for j, v in enumerate(rows[time_row]) if j > 0 and _cell_text(v)}
    geos = []
    for i in range(geo_start, len(rows)):
        label = _cell_text(rows[i][0]) if rows[i] else ""
        if not label:
            break  # blank row ends the table (then come "Special value" notes)
        geos.append((i, label, rows[i]))
    return {"header": header, "periods": periods, "geos": geos}


def _geo(label: str, where: str) -> tuple[str, str]:
    """(region_kind, region_code) for a Eurostat geo label."""
    import pycountry

    for prefix, code in AGGREGATES.items():
        if label.startswith(prefix):
            return "aggregate", code
    if label in NON_ISO:
        return "country", NON_ISO[label]
    try:
        return "country", pycountry.countries.lookup(label).alpha_3
    except LookupError:
        raise SourceFormatError(f"{where}: geo label {label!r} is not a country name gridscout knows "
                                "(pycountry) nor a known aggregate; add it to eurostat_prices.NON_ISO") from None


def _band(label: str, where: str) -> str:
    m = BAND.search(label)
    if not m or m.group(1) not in BANDS_MWH:
        raise SourceFormatError(f"{where}: 'Energy consumption' = {label!r} names no known consumption band "
                                f"({', '.join(BANDS_MWH)})")
    return m.group(1)


def parse(files: Mapping[str, Path]) -> ParseResult:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = files[XLSX]
    try:
        # not read_only: the export's sheets declare a 1-row dimension, which read-only mode trusts.
        # Eurostat exports carry no default cell style; openpyxl warns about it, harmlessly.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Workbook contains no default style", category=UserWarning)
            wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise SourceFormatError(f"{path}: cannot be read as an XLSX workbook ({exc}); delete it and re-export "
                                "nrg_pc_205 from the Eurostat Data Browser") from exc
    data, flags = {}, {}
    for ws in wb.worksheets:
        sheet = _read_sheet(ws)
        if not sheet["periods"]:
            continue  # Summary, Structure: no data table
        h = sheet["header"]
        where = f"{path.name} sheet {ws.title!r}"
        missing = [k for k in ("Energy consumption", "Unit of measure", "Taxes", "Currency") if not h.get(k)]
        if missing:
            raise SourceFormatError(f"{where}: header label(s) {missing} not found in column A above 'TIME'")
        if h["Unit of measure"] != "Kilowatt-hour":
            raise SourceFormatError(f"{where}: 'Unit of measure' is {h['Unit of measure']!r}, expected 'Kilowatt-hour'")
        if h["Taxes"] not in TAX_LEVELS:
            raise SourceFormatError(f"{where}: 'Taxes' = {h['Taxes']!r} is not one of {list(TAX_LEVELS)}")
        key = (h["Energy consumption"], h["Taxes"], h["Currency"])
        (flags if ws.title.startswith("Flags") else data)[key] = (where, sheet)
    if not data:
        raise SourceFormatError(f"{path}: no sheet with a 'TIME' row and a 'GEO (Labels)' table; not a Eurostat "
                                "Data Browser XLSX export")
    records = []
    for key, (where, sheet) in data.items():
        band_label, tax_label, currency = key
        if currency != "Euro":
            continue  # PPS and national currency: not loaded (one unit per column)
        band = _band(band_label, where)
        lo, hi = BANDS_MWH[band]
        flag_sheet = flags.get(key, (None, None))[1]
        flag_rows = {g[1]: g[2] for g in flag_sheet["geos"]} if flag_sheet else {}
        flag_cols = {p: j for j, p in flag_sheet["periods"].items()} if flag_sheet else {}
        for j, period in sheet["periods"].items():
            m = PERIOD.match(period)
            if not m:
                raise SourceFormatError(f"{where}: TIME header {period!r} in column {j + 1} is not a semester "
                                        "like '2024-S2'")
            for i, label, row in sheet["geos"]:
                v = row[j] if j < len(row) else None
                if isinstance(v, str):
                    if v.strip() not in (NOT_AVAILABLE, ""):
                        raise SourceFormatError(f"{where}: row {i + 1} ({label}), column {j + 1} ({period}): "
                                                f"value {v!r} is neither a number nor ':' (not available)")
                    v = None
                kind, code = _geo(label, where)
                fr = flag_rows.get(label)
                fj = flag_cols.get(period)
                flag = _cell_text(fr[fj]) if fr is not None and fj is not None and fj < len(fr) else ""
                records.append((kind, code, label, band, float(lo), None if hi is None else float(hi),
                                TAX_LEVELS[tax_label], tax_label, period, int(m.group(1)), int(m.group(2)),
                                None if v is None else float(v), flag or None))
    out = pl.DataFrame(records, schema=COLUMNS, orient="row")
    # 2 EUR/kWh = 2 000 EUR/MWh: above any band-IC semester price Eurostat has published (the 2022
    # crisis peak was below 0.6); a larger figure means other units (e.g. EUR/MWh) or a corrupt cell.
    check_range(out, "price_eur_per_kwh", 0, 2, file=path)
    dupes = out.height - out.unique(["region_code", "consumption_band", "tax_level", "period"]).height
    if dupes:
        raise SourceFormatError(f"{path}: {dupes} duplicate geo × band × tax level × semester cells (two sheets "
                                "with the same header?)")
    known = out.filter(pl.col("price_eur_per_kwh").is_not_null())["period"]
    vintage = f"{known.min()}..{known.max()}" if len(known) else None
    return ParseResult({"nonhousehold_electricity_prices": out}, vintage=vintage)


SPEC = SourceSpec(
    id="eurostat_prices",
    title="Eurostat electricity prices for non-household consumers (nrg_pc_205), band IC, semesters",
    authority="Eurostat",
    licence="Eurostat re-use policy (Commission Decision 2011/833/EU), attribution; CC BY 4.0",
    homepage="https://ec.europa.eu/eurostat/databrowser/view/nrg_pc_205",
    family="prices",
    vintage="2007-S1..2024-S2",
    files=(RawFile(XLSX, url=None),),
    tables=("nonhousehold_electricity_prices",),
    parse=parse,
    publication=Publication("semiannual", "Eurostat nrg_pc_205 publishes each semester about 4 months after it ends", lag_days=120),
    notes="A Data Browser 'custom dataset' XLSX export (band IC only) has no stable URL; the dissemination API "
          "(https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data/nrg_pc_205) serves SDMX/TSV, "
          "a different format this parser does not read.",
)
