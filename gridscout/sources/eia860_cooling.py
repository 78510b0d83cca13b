"""EIA-860 2015 Schedule 6D: cooling systems of US thermoelectric plants (one row per cooling system).

Sheet ``Cooling`` of ``6_2_EnviroEquip_Y2015.xlsx``: a title row, then the header row (found here by
its labels, not by position), 1,893 systems at 967 plants, and a closing "NOTE: …" row (dropped: its
``Plant Code`` is not a number). A plant can have several systems. Kept per system: status (OP
operating, RE retired, …), cooling types 1–4 (EIA codes: RI/RF/RN recirculating towers, ON
once-through without pond, OC once-through with pond, RC recirculating with pond or canal, DC dry
(air), HRI/HRF/HRN hybrid tower + dry, OT other), percent dry cooling, water source and water type
(FR fresh, SA saline, BR brackish, BE reclaimed, OT other). Blank cells (often a single space) are
null. Cooling data are required only from plants with ≥ 100 MW of steam-electric capacity (the
sheet's NOTE); smaller plants appear only if they reported voluntarily.

Used by :mod:`gridscout.models.water` for the cooling technology of plants the USGS 2015 table
lacks (dry-cooled plants above all), so Macknick et al.'s factor for their fuel *and* cooling applies.

Source: U.S. Energy Information Administration, Form EIA-860 2015, Schedule 6 environmental
equipment, https://www.eia.gov/electricity/data/eia860/ (``eia8602015.zip``). US public domain.
Offline copy: GitHub rniswon/thermoelectric @28f4dd2, importModule/Input (the file USGS used).
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from gridscout.errors import SourceFormatError
from gridscout.sources.base import ParseResult, Publication, RawFile, Rejection, SourceSpec, check_range, require_columns
from gridscout.sources.usgs_thermoelectric import water_kind

FILE = "6_2_EnviroEquip_Y2015.xlsx"
SHEET = "Cooling"
TABLE = "plant_cooling_systems"
COLUMNS = {"Plant Code": "plant_id", "Plant Name": "plant_name", "State": "state", "Cooling ID": "cooling_id",
           "Cooling Status": "cooling_status", "Cooling Type 1": "cooling_type_1", "Cooling Type 2": "cooling_type_2",
           "Cooling Type 3": "cooling_type_3", "Cooling Type 4": "cooling_type_4",
           "Percent Dry Cooling": "percent_dry_cooling", "Cooling Water Source": "cooling_water_source",
           "Water Source Code": "water_source_code", "Water Type Code": "water_type_code"}


def _cell(v) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    return s or None


def read_sheet(path: Path, sheet: str, labels: tuple[str, ...]) -> pl.DataFrame:
    """All cells of ``sheet`` below the first row holding every label in ``labels``, as text. Header labels
    are compared and returned with runs of whitespace (EIA's embedded newlines) collapsed to one space."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise SourceFormatError(f"{path}: cannot be read as an XLSX workbook ({exc})") from exc
    try:
        if sheet not in wb.sheetnames:
            raise SourceFormatError(f"{path}: no sheet {sheet!r}; sheets are {wb.sheetnames}")
        rows = wb[sheet].iter_rows(values_only=True)
        header = None
        for i, row in enumerate(rows):
            cells = [None if _cell(v) is None else " ".join(_cell(v).split()) for v in row]
            if set(labels) <= set(cells):
                header = cells
                break
            if i > 10:
                break
        if header is None:
            raise SourceFormatError(f"{path} sheet {sheet!r}: no header row with {list(labels)} in the first rows")
        keep = [(j, h) for j, h in enumerate(header) if h]
        data = [[_cell(r[j]) if j < len(r) else None for j, _ in keep] for r in rows]
    finally:
        wb.close()
    return pl.DataFrame(data, schema={h: pl.Utf8 for _, h in keep}, orient="row")


def parse(files: Mapping[str, Path]) -> ParseResult:
    path = files[FILE]
    raw = read_sheet(path, SHEET, ("Plant Code", "Cooling ID", "Cooling Type 1"))
    require_columns(raw, list(COLUMNS), file=f"{path} sheet {SHEET!r}")
    df = raw.select([pl.col(c).alias(n) for c, n in COLUMNS.items()])
    is_plant = pl.col("plant_id").fill_null("").str.contains(r"^\d+$")
    rejections = []
    notes = df.filter(~is_plant).height
    if notes:
        rejections.append(Rejection(TABLE, notes, "rows without a numeric Plant Code (the sheet's NOTE footnote)"))
    df = df.filter(is_plant).with_columns(
        pl.col("percent_dry_cooling").cast(pl.Float64, strict=False),
        water_kind(pl.col("water_type_code")).alias("water_kind"),
        pl.col("cooling_id").fill_null(""),
    )
    check_range(df, "percent_dry_cooling", 0, 100, file=path)
    dupes = df.height - df.unique(["plant_id", "cooling_id"]).height
    if dupes:
        rejections.append(Rejection(TABLE, dupes, "duplicate (Plant Code, Cooling ID) (first kept)"))
        df = df.unique(["plant_id", "cooling_id"], keep="first", maintain_order=True)
    return ParseResult({TABLE: df}, vintage="2015", rejections=rejections)


SPEC = SourceSpec(
    id="eia860_cooling",
    title="EIA-860 2015 Schedule 6D cooling systems per plant",
    authority="U.S. Energy Information Administration",
    licence="US public domain",
    homepage="https://www.eia.gov/electricity/data/eia860/",
    family="water",
    vintage="2015",
    files=(RawFile(FILE, url=None),),
    tables=(TABLE,),
    parse=parse,
    publication=Publication("annual", "EIA-860 schedule 6 (environmental equipment): final data released the next September (eia.gov/electricity/data/eia860)", lag_days=270),
    notes="Workbook 6_2_EnviroEquip_Y2015.xlsx of https://www.eia.gov/electricity/data/eia860/xls/eia8602015.zip "
          "(the zip's member, not a direct URL). The 2015 edition matches the USGS 2015 plant estimates.",
)
